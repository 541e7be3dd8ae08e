"""Baselines: adopt flaskwarden on an old codebase by recording what it finds today.

``flaskwarden scan --write-baseline FILE`` records every current finding by its
fingerprint (rule, path and normalised code, no line number) with a count;
``--baseline FILE`` then hides those and reports only what is new. Each recorded
occurrence hides exactly one finding: when a file that had one ``app.run(debug=True)``
gets a second, identical one, the second is reported. Moving code up or down does not
change a fingerprint; editing the flagged line does, and the finding comes back.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from flaskwarden import __version__
from flaskwarden.findings import Finding, Report

FORMAT_VERSION: Final = 1


class BaselineError(Exception):
    """The baseline file is missing or not one flaskwarden wrote (a usage error)."""


@dataclass(frozen=True)
class Baseline:
    """How many findings of each fingerprint are accepted."""

    counts: Counter[str]

    @classmethod
    def from_findings(cls, findings: list[Finding]) -> Baseline:
        return cls(Counter(f.fingerprint for f in findings))


def render_baseline(report: Report) -> str:
    """The baseline file for a report: one entry per fingerprint, sorted, with a count.

    Rule, path and snippet are there for people reviewing the file (and its diffs);
    only the fingerprint and the count are used for matching.
    """
    entries: dict[str, dict[str, Any]] = {}
    for finding in report.findings:
        entry = entries.setdefault(
            finding.fingerprint,
            {
                "fingerprint": finding.fingerprint,
                "rule": finding.rule,
                "path": finding.path,
                "snippet": finding.snippet,
                "count": 0,
            },
        )
        entry["count"] += 1
    ordered = sorted(entries.values(), key=lambda e: (e["path"], e["rule"], e["snippet"]))
    payload = {
        "flaskwarden_baseline": FORMAT_VERSION,
        "tool_version": __version__,
        "findings": ordered,
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; raises :class:`BaselineError` with a one-line reason."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"baseline file {path} does not exist; create it with --write-baseline {path}"
        ) from None
    except OSError as exc:
        raise BaselineError(f"cannot read baseline file {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"baseline file {path} is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("flaskwarden_baseline") != FORMAT_VERSION:
        raise BaselineError(
            f"{path} is not a flaskwarden baseline (version {FORMAT_VERSION}); "
            f"write one with --write-baseline {path}"
        )
    counts: Counter[str] = Counter()
    entries = payload.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"baseline file {path} has no findings list")
    for entry in entries:
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str) or not isinstance(count, int) or count < 1:
            raise BaselineError(f"baseline file {path} has a malformed entry: {entry!r}")
        counts[fingerprint] += count
    return Baseline(counts)


def apply_baseline(report: Report, baseline: Baseline) -> int:
    """Drop the findings the baseline accounts for; returns how many were dropped.

    Findings are matched in the report's deterministic order, so with more identical
    findings than recorded, the ones further down a file are the ones reported.
    """
    remaining = Counter(baseline.counts)
    kept = []
    hidden = 0
    for finding in report.findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            hidden += 1
        else:
            kept.append(finding)
    report.findings = kept
    report.stats["baselined"] = hidden
    report.stats["findings"] = len(kept)
    return hidden
