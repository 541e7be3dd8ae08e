"""What the audit checks see: the live app plus where its settings came from.

Free of Flask imports (the catalog loads :mod:`flaskwarden.audit.checks`, which uses
this, without Flask installed); the app is typed loosely here and used as a Flask app.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flaskwarden.findings import Confidence, Diagnostic, Finding, Location, Severity


@dataclass(frozen=True)
class Site:
    """A line in a source file (absolute path)."""

    path: str
    line: int


def shown_path(root: Path, path: str) -> str:
    """``path`` relative to the audited project when it is inside it (POSIX style)."""
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def make_finding(
    rule: str,
    root: Path,
    site: Site | None,
    message: str,
    *,
    fallback: str,
    severity: Severity | None = None,
    confidence: Confidence = Confidence.HIGH,
    cwe: int | None = None,
    related: Iterable[tuple[Site, str]] = (),
) -> Finding:
    """A finding at ``site`` (or at ``fallback``, line 1, when the line is unknown)."""
    from flaskwarden import catalog

    path = shown_path(root, site.path) if site is not None else fallback
    line = site.line if site is not None else 1
    source = linecache.getline(site.path, site.line).rstrip() if site is not None else ""
    snippet = source.strip()
    column = len(source) - len(snippet) + 1 if snippet else 1
    return Finding(
        rule=rule,
        message=message,
        path=path,
        line=line,
        column=column,
        end_column=column + len(snippet) if snippet else 0,
        severity=severity if severity is not None else catalog.spec(rule).severity,
        confidence=confidence,
        snippet=snippet,
        cwe=cwe,
        related=tuple(
            Location(shown_path(root, where.path), where.line, message=note)
            for where, note in related
        ),
    )


@dataclass
class AuditContext:
    """The loaded app and its provenance, handed to every audit check."""

    app: Any
    target: str
    root: Path
    config_sites: Mapping[str, Site] = field(default_factory=dict)
    app_site: Site | None = None
    runs: Sequence[Site] = ()
    blueprints: Sequence[tuple[Any, Site | None]] = ()
    environ: Mapping[str, str] = field(default_factory=dict)
    is_user_file: Callable[[str], bool] = lambda _path: True
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def site_of(self, key: str) -> Site | None:
        """The line that set config ``key``, else where the app was created."""
        return self.config_sites.get(key) or self.app_site

    def finding(
        self,
        rule: str,
        site: Site | None,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        cwe: int | None = None,
        related: Iterable[tuple[Site, str]] = (),
    ) -> Finding:
        return make_finding(
            rule,
            self.root,
            site,
            message,
            fallback=self.target,
            severity=severity,
            confidence=confidence,
            cwe=cwe,
            related=related,
        )
