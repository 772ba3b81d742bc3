"""Calibration: exemplars of quality, blind scoring sessions, agreement, consensus and drift."""
