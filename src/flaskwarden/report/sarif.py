"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Rules carry their full help (the catalog docs), CWE tags and ``security-severity``;
results carry regions, ``partialFingerprints`` (stable across line moves) and, for
findings with a source-to-sink path, ``codeFlows``. Diagnostics become tool execution
notifications.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from flaskwarden import __version__, catalog
from flaskwarden.findings import Finding, Fix, Location, Report, Severity

SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI: Final = "https://github.com/flaskwarden/flaskwarden"
_LEVEL: Final = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub maps >= 9.0 critical, >= 7.0 high, >= 4.0 medium, else low.
_SECURITY_SEVERITY: Final = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
_PRECISION: Final = {0: "low", 1: "medium", 2: "high"}


def _rule_descriptor(rule: catalog.Rule) -> dict[str, Any]:
    spec = rule.spec
    docs = rule.docs
    tags = ["security"] if spec.cwe else ["correctness"]
    for cwe in spec.cwe:
        tags += [f"CWE-{cwe}", f"external/cwe/cwe-{cwe}"]
    descriptor: dict[str, Any] = {
        "id": spec.id,
        "name": spec.name,
        "shortDescription": {"text": spec.title},
        "fullDescription": {"text": docs.summary if docs else spec.title},
        "defaultConfiguration": {"level": _LEVEL[spec.severity]},
        "properties": {
            "tags": tags,
            "security-severity": _SECURITY_SEVERITY[spec.severity],
            "precision": _PRECISION[int(spec.confidence)],
        },
    }
    if docs is not None:
        markdown = docs.markdown()
        descriptor["help"] = {"text": markdown, "markdown": markdown}
    return descriptor


def _physical(loc: Location | Finding, snippet: str = "") -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)}
    if loc.end_line >= loc.line and loc.end_line:
        region["endLine"] = loc.end_line
        if loc.end_column > 1 and not (loc.end_line == loc.line and loc.end_column <= loc.column):
            region["endColumn"] = loc.end_column
    if snippet:
        region["snippet"] = {"text": snippet}
    if "://" in loc.path:
        # a probed URL, not a file of the scanned tree
        artifact: dict[str, Any] = {"uri": loc.path}
    else:
        artifact = {"uri": _uri(loc.path), "uriBaseId": "%SRCROOT%"}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path)


def _result(finding: Finding, index: dict[str, int], occurrence: int) -> dict[str, Any]:
    location = _physical(finding, finding.snippet)
    # Identical code flagged twice in one file shares a fingerprint (the baseline counts
    # them); code scanning would merge such results, so the second is "<fp>/2", ...
    fingerprint = finding.fingerprint if occurrence == 1 else f"{finding.fingerprint}/{occurrence}"
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {"flaskwarden/v1": fingerprint},
        "properties": {
            "severity": finding.severity.label,
            "confidence": finding.confidence.label,
            "security-severity": _SECURITY_SEVERITY[finding.severity],
        },
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": i, **_physical(loc), "message": {"text": loc.message or "related"}}
            for i, loc in enumerate(finding.related, start=1)
        ]
    if finding.flow and finding.related:
        steps = [
            {"location": {**_physical(loc), "message": {"text": loc.message or "step"}}}
            for loc in finding.related
        ]
        steps.append({"location": {**location, "message": {"text": "sink"}}})
        result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [_fix(finding.fix)]
    return result


def _fix(fix: Fix) -> dict[str, Any]:
    """A SARIF fix: replacements per file; an empty deleted region is an insertion."""
    by_path: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path, []).append(
            {
                "deletedRegion": {
                    "startLine": edit.line,
                    "startColumn": edit.column,
                    "endLine": edit.end_line,
                    "endColumn": edit.end_column,
                },
                "insertedContent": {"text": edit.replacement},
            }
        )
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                "replacements": replacements,
            }
            for path, replacements in by_path.items()
        ],
        "properties": {"safe": fix.safe},
    }


def _occurrences(report: Report) -> list[int]:
    """For each finding, in report order, how many before it (and it) share its
    fingerprint: 1 for the first."""
    seen: dict[str, int] = {}
    found = []
    for finding in report.findings:
        seen[finding.fingerprint] = seen.get(finding.fingerprint, 0) + 1
        found.append(seen[finding.fingerprint])
    return found


def render_sarif(report: Report) -> str:
    rules = catalog.all_rules()
    index = {rule.id: i for i, rule in enumerate(rules)}
    notifications = [
        {
            "level": "warning" if d.kind != "internal-error" else "error",
            "message": {"text": f"{d.path}: {d.message} [{d.kind}]"},
            **(
                {"locations": [_physical(Location(d.path, d.line or 1))]}
                if d.path and not d.path.startswith("http")
                else {}
            ),
        }
        for d in report.diagnostics
    ]
    root = Path(report.root).resolve().as_uri().rstrip("/") + "/"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "flaskwarden",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
        "results": [
            _result(finding, index, occurrence)
            for finding, occurrence in zip(report.findings, _occurrences(report), strict=True)
        ],
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "columnKind": "unicodeCodePoints",
    }
    payload = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
