"""Proficio: a mastery-based learning management system for competency-based education."""

__version__ = "0.1.0"
