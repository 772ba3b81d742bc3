"""Benchmarks: `make bench` runs them and prints JSON. Ratios are measured in one run."""
