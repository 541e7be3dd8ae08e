"""Reporters: turn a :class:`~flaskwarden.findings.Report` into text, JSON, SARIF, HTML
or GitHub Actions annotations.

Every mode (scan, probe, audit) reports through :func:`render`, so the formats are the
same whatever found the problem.
"""

from __future__ import annotations

from typing import Final

from flaskwarden.findings import Report

FORMATS: Final = ("text", "json", "sarif", "html", "github")


def render(report: Report, fmt: str, *, color: bool = False, tool_mode: str = "scan") -> str:
    """The report in ``fmt``; ``color`` applies to text only."""
    if fmt == "json":
        from flaskwarden.report.json_format import render_json

        return render_json(report)
    if fmt == "sarif":
        from flaskwarden.report.sarif import render_sarif

        return render_sarif(report)
    if fmt == "html":
        from flaskwarden.report.html import render_html

        return render_html(report)
    if fmt == "github":
        from flaskwarden.report.github import render_github

        return render_github(report)
    if fmt == "text":
        from flaskwarden.report.text import render_text

        return render_text(report, color=color, tool_mode=tool_mode)
    raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
