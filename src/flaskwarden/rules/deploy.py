"""FW1/FW2 rules over deployment files (issue 3)."""
