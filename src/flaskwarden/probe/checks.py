"""Probe checks (issue 6)."""
