"""The human report: grouped by file, with a code frame, rule id, severity and message.

Colour is used only when the output is a terminal (and ``NO_COLOR`` is not set).
"""

from __future__ import annotations

import io
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Final

from rich.console import Console
from rich.markup import escape

from flaskwarden import catalog
from flaskwarden.findings import Finding, Report, Severity
from flaskwarden.python.facts import parser_lines
from flaskwarden.report.redact import redact_lines

_STYLE: Final = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_CONTEXT: Final = 1


class _Sources:
    """Reads files once for code frames; missing files simply get no frame."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if "://" in path:
            return None  # a probed URL: its snippet is shown instead
        if path not in self._cache:
            candidate = Path(path) if Path(path).is_absolute() else self.root / path
            try:
                text = candidate.read_bytes()[: 4 * 1024 * 1024].decode("utf-8", "replace")
                self._cache[path] = redact_lines(path, parser_lines(text))
            except OSError:
                self._cache[path] = None
        return self._cache[path]


def _frame(console: Console, finding: Finding, sources: _Sources) -> None:
    lines = sources.lines(finding.path)
    if not lines or finding.line < 1 or finding.line > len(lines):
        if finding.snippet:
            console.print(f"      {escape(finding.snippet)}", highlight=False)
        return
    first = max(1, finding.line - _CONTEXT)
    last = min(len(lines), finding.line + _CONTEXT)
    width = len(str(last))
    for number in range(first, last + 1):
        text = lines[number - 1].rstrip()[:160]
        marker = ">" if number == finding.line else " "
        style = "bold" if number == finding.line else "dim"
        console.print(
            f"  {marker} [dim]{number:>{width}} |[/dim] [{style}]{escape(text)}[/{style}]",
            highlight=False,
        )
        if number == finding.line:
            start = max(finding.column - 1, 0)
            end_col = finding.end_column - 1 if finding.end_line == finding.line else len(text)
            length = max(1, min(end_col, len(text)) - start)
            console.print(
                f"    {' ' * width} | {' ' * start}[red]{'^' * length}[/red]", highlight=False
            )


def render_text(report: Report, *, color: bool = False, tool_mode: str = "scan") -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=120,
        highlight=False,
        soft_wrap=True,
    )
    sources = _Sources(Path(report.root))
    for path, group in groupby(report.findings, key=lambda f: f.path):
        console.print(f"[bold underline]{escape(path)}[/bold underline]")
        for finding in group:
            spec = catalog.spec(finding.rule)
            sev = finding.severity
            console.print(
                f"{escape(path)}:{finding.line}:{finding.column}: "
                f"[bold]{finding.rule}[/bold] [{_STYLE[sev]}]{sev.label}[/{_STYLE[sev]}] "
                f"[dim]{spec.name}[/dim]"
                + (
                    ""
                    if finding.confidence.label == "high"
                    else f" [dim](confidence: {finding.confidence.label})[/dim]"
                )
            )
            console.print(f"  {escape(finding.message)}")
            _frame(console, finding, sources)
            if finding.related:
                arrow = "→" if finding.flow else "·"
                for loc in finding.related:
                    where = f"{escape(loc.path)}:{loc.line}"
                    console.print(f"    [dim]{arrow} {where}: {escape(loc.message)}[/dim]")
            console.print()
    if report.diagnostics:
        console.print("[bold]Diagnostics[/bold] (files or inputs that could not be checked):")
        for diagnostic in report.diagnostics:
            where = f"{diagnostic.path}:{diagnostic.line}" if diagnostic.line else diagnostic.path
            console.print(
                f"  {escape(where)}: {escape(diagnostic.message)} "
                f"[dim]{escape(f'[{diagnostic.kind}]')}[/dim]"
            )
        console.print()
    console.print(_summary(report, tool_mode))
    return buffer.getvalue()


def _summary(report: Report, tool_mode: str) -> str:
    count = len(report.findings)
    files = report.stats.get("files")
    scanned = f" ({files} file{'s' if files != 1 else ''} scanned)" if files is not None else ""
    if not count:
        text = f"No findings{scanned}."
    else:
        by_severity = Counter(f.severity for f in report.findings)
        parts = [f"{by_severity[s]} {s.label}" for s in sorted(by_severity, reverse=True)]
        text = f"Found {count} finding{'s' if count != 1 else ''}{scanned}: {', '.join(parts)}."
    suppressed = report.stats.get("suppressed")
    if suppressed:
        text += f" {suppressed} suppressed."
    baselined = report.stats.get("baselined")
    if baselined:
        text += f" {baselined} hidden by the baseline."
    if report.diagnostics:
        n = len(report.diagnostics)
        text += f" {n} diagnostic{'s' if n != 1 else ''}."
    if count and tool_mode == "scan":
        text += " Run `flaskwarden explain RULE` for details."
    return text
