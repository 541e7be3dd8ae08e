"""Guard checks (issue 7)."""
