"""Audit checks (issue 7)."""
