"""The JSON report: a stable, documented schema for machines.

``{"version", "findings": [...], "diagnostics": [...], "stats": {...}}``; each finding has
``rule, name, severity, confidence, cwe, message, path, line, column, end_line,
end_column, snippet, fingerprint, related, fix``. Keys and order are stable; nothing
run-dependent (times, absolute paths) is included, so two runs give identical output.
Lines and columns are 1-based; an ``end_column`` of 0 means the end is not known (a
related location known by its line only): the range runs to the end of the line.
"""

from __future__ import annotations

import json
from typing import Any

from flaskwarden import __version__, catalog
from flaskwarden.findings import Diagnostic, Finding, Fix, Location, Report


def location_dict(loc: Location) -> dict[str, Any]:
    return {
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "message": loc.message,
    }


def fix_dict(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "description": fix.description,
        "safe": fix.safe,
        "edits": [
            {
                "path": e.path,
                "line": e.line,
                "column": e.column,
                "end_line": e.end_line,
                "end_column": e.end_column,
                "replacement": e.replacement,
            }
            for e in fix.edits
        ],
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    spec = catalog.spec(finding.rule)
    return {
        "rule": finding.rule,
        "name": spec.name,
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "cwe": finding.cwe if finding.cwe is not None else spec.primary_cwe,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "snippet": finding.snippet,
        "fingerprint": finding.fingerprint,
        "related": [location_dict(r) for r in finding.related],
        "flow": finding.flow,
        "fix": fix_dict(finding.fix),
    }


def diagnostic_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "path": diagnostic.path,
        "kind": diagnostic.kind,
        "message": diagnostic.message,
        "line": diagnostic.line,
    }


def render_json(report: Report) -> str:
    payload = {
        "version": __version__,
        "findings": [finding_dict(f) for f in report.findings],
        "diagnostics": [diagnostic_dict(d) for d in report.diagnostics],
        "stats": dict(sorted(report.stats.items())),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
