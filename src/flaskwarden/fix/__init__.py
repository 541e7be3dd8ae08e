"""Formatting-preserving fixes (libcst) for the findings that have an unambiguous one.

``flaskwarden scan --fix`` writes the safe fixes, ``--unsafe-fixes`` adds the rest and
``--diff`` shows them without writing. JSON and SARIF carry each finding's proposed
fix. Writes are atomic, fixed code is parsed again before it is written, and a file
that changed since it was read is left alone. See docs/workflow.md.
"""

from __future__ import annotations

from flaskwarden.fix.engine import (
    FileFix,
    FixFailed,
    FixPlan,
    SourceFix,
    attach_fixes,
    fix_source,
    fixer_for,
    plan_fixes,
    write_fixes,
)
from flaskwarden.fix.rules import FIXERS

__all__ = [
    "FIXERS",
    "FileFix",
    "FixFailed",
    "FixPlan",
    "SourceFix",
    "attach_fixes",
    "fix_source",
    "fixer_for",
    "plan_fixes",
    "write_fixes",
]
