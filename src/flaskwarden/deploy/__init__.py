"""Deployment files (issue 3)."""
