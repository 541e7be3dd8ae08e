"""Findings and diagnostics as JSON between the audit's child and parent processes."""

from __future__ import annotations

from typing import Any

from flaskwarden.findings import Confidence, Diagnostic, Finding, Location, Severity


def finding_to_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_column": finding.end_column,
        "severity": finding.severity.name,
        "confidence": finding.confidence.name,
        "snippet": finding.snippet,
        "cwe": finding.cwe,
        "related": [[loc.path, loc.line, loc.message] for loc in finding.related],
    }


def finding_from_json(data: dict[str, Any]) -> Finding:
    return Finding(
        rule=data["rule"],
        message=data["message"],
        path=data["path"],
        line=data["line"],
        column=data["column"],
        end_column=data["end_column"],
        severity=Severity[data["severity"]],
        confidence=Confidence[data["confidence"]],
        snippet=data["snippet"],
        cwe=data["cwe"],
        related=tuple(Location(path, line, message=note) for path, line, note in data["related"]),
    )


def diagnostic_to_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "path": diagnostic.path,
        "kind": diagnostic.kind,
        "message": diagnostic.message,
        "line": diagnostic.line,
    }


def diagnostic_from_json(data: dict[str, Any]) -> Diagnostic:
    return Diagnostic(data["path"], data["kind"], data["message"], data["line"])
