"""GitHub Actions workflow commands: each finding becomes an annotation on its line.

``::error file=app.py,line=3,col=15,endLine=3,endColumn=19,title=FW101 debug-enabled::...``
Critical and high findings are errors, medium warnings, low and info notices.
Diagnostics become warnings. Paths are made relative to the working directory (the
checkout, in a workflow) so that annotations land on the right file even when a
sub-directory was scanned.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from flaskwarden import catalog
from flaskwarden.findings import Report, Severity

_LEVEL: Final = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
    return f"::{level} {props}::{_escape_data(message)}"


def workspace_path(root: str, path: str) -> str:
    """``path`` (relative to the scan root) relative to the current directory, if inside."""
    if Path(path).is_absolute():
        candidate = Path(path)
    else:
        candidate = Path(root) / path
    try:
        relative = os.path.relpath(candidate.resolve(), Path.cwd().resolve())
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else Path(relative).as_posix()


def render_github(report: Report) -> str:
    """One workflow command per finding and diagnostic, then a one-line summary."""
    lines = []
    for finding in report.findings:
        spec = catalog.spec(finding.rule)
        location: dict[str, str | int] = {
            "file": workspace_path(report.root, finding.path),
            "line": finding.line,
            "col": finding.column,
        }
        if finding.end_line:
            location["endLine"] = finding.end_line
            if finding.end_line == finding.line and finding.end_column > finding.column:
                location["endColumn"] = finding.end_column
        lines.append(
            _command(
                _LEVEL[finding.severity],
                f"{finding.message} [{finding.severity.label}]",
                **location,
                title=f"{finding.rule} {spec.name}",
            )
        )
    for diagnostic in report.diagnostics:
        where: dict[str, str | int] = {}
        if diagnostic.path and not diagnostic.path.startswith(("http://", "https://")):
            where["file"] = workspace_path(report.root, diagnostic.path)
            if diagnostic.line:
                where["line"] = diagnostic.line
        where["title"] = f"flaskwarden {diagnostic.kind}"
        lines.append(_command("warning", diagnostic.message, **where))
    count = len(report.findings)
    lines.append(
        f"flaskwarden: {count} finding{'s' if count != 1 else ''}, "
        f"{len(report.diagnostics)} diagnostic{'s' if len(report.diagnostics) != 1 else ''}"
    )
    return "\n".join(lines) + "\n"
