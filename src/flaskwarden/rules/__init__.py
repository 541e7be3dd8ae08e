"""Scan rules, grouped by family, each one small function over facts and the model.

A rule is registered with :func:`python_rule`, which also records it in the catalog.
Its docstring is its documentation (see :mod:`flaskwarden.catalog`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from flaskwarden import catalog
from flaskwarden.discover import SourceFile
from flaskwarden.findings import Confidence, Diagnostic, Finding, Location, Severity
from flaskwarden.model import Project
from flaskwarden.python.facts import ModuleFacts, Span

PythonCheck = Callable[[ModuleFacts, Project], Iterable[Finding]]


@dataclass
class ScanContext:
    """What project-level checks see: the Python model and every discovered file.

    Families that read non-Python files (deployment files, templates) parse what they
    need from ``files`` (``read`` returns the bytes or None when unreadable, with a
    diagnostic already recorded) and add their own diagnostics to ``diagnostics``.
    """

    root: Path
    project: Project
    files: list[SourceFile]
    read: Callable[[SourceFile], bytes | None]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Per-scan state a family builds once and shares between its rules (a parsed
    # deployment model, the template model): ``ctx.cache.setdefault(key, ...)``.
    cache: dict[str, Any] = field(default_factory=dict)


ProjectCheck = Callable[[ScanContext], Iterable[Finding]]


@dataclass(frozen=True)
class RegisteredCheck:
    rule: str
    check: PythonCheck


PYTHON_CHECKS: Final[list[RegisteredCheck]] = []


@dataclass(frozen=True)
class RegisteredProjectCheck:
    rule: str
    check: ProjectCheck


PROJECT_CHECKS: Final[list[RegisteredProjectCheck]] = []


def project_rule(rule_id: str) -> Callable[[ProjectCheck], ProjectCheck]:
    """Register a check over the whole scan (deployment files, templates, cross-file)."""

    def decorator(func: ProjectCheck) -> ProjectCheck:
        catalog.implements(rule_id, "scan")(func)
        PROJECT_CHECKS.append(RegisteredProjectCheck(rule_id, func))
        return func

    return decorator


def python_rule(rule_id: str) -> Callable[[PythonCheck], PythonCheck]:
    """Register a check over one module's facts (with the whole project model at hand)."""

    def decorator(func: PythonCheck) -> PythonCheck:
        catalog.implements(rule_id, "scan")(func)
        PYTHON_CHECKS.append(RegisteredCheck(rule_id, func))
        return func

    return decorator


def python_checks() -> list[RegisteredCheck]:
    catalog.implemented_in("scan")  # importing the rule modules fills the list
    return list(PYTHON_CHECKS)


def make_finding(
    rule_id: str,
    module: ModuleFacts,
    span: Span,
    message: str,
    *,
    severity: Severity | None = None,
    confidence: Confidence = Confidence.HIGH,
    related: Iterable[Location] = (),
    cwe: int | None = None,
) -> Finding:
    spec = catalog.spec(rule_id)
    return Finding(
        rule=rule_id,
        message=message,
        path=module.path,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        severity=spec.severity if severity is None else severity,
        confidence=confidence,
        snippet=span.snippet,
        related=tuple(related),
        cwe=cwe,
    )


def location(module: ModuleFacts, span: Span, message: str) -> Location:
    return Location(module.path, span.line, span.column, span.end_line, span.end_column, message)


def run_python_checks(
    project: Project, selected: set[str] | None, diagnostics: list[Diagnostic]
) -> Iterator[Finding]:
    """Every selected Python rule over every module. A rule that fails on a module
    costs that rule on that module (reported as an internal-error diagnostic)."""
    for registered in python_checks():
        if selected is not None and registered.rule not in selected:
            continue
        for module in project.modules:
            try:
                yield from list(registered.check(module, project))
            except Exception as exc:
                diagnostics.append(_rule_failed(registered.rule, module.path, exc))


def run_project_checks(
    ctx: ScanContext, selected: set[str] | None, diagnostics: list[Diagnostic]
) -> Iterator[Finding]:
    catalog.implemented_in("scan")
    for registered in list(PROJECT_CHECKS):
        if selected is not None and registered.rule not in selected:
            continue
        try:
            yield from list(registered.check(ctx))
        except Exception as exc:
            diagnostics.append(_rule_failed(registered.rule, str(ctx.root), exc))


def _rule_failed(rule: str, path: str, exc: Exception) -> Diagnostic:
    return Diagnostic(
        path,
        "internal-error",
        f"rule {rule} failed ({type(exc).__name__}: {exc}); other rules went on. "
        "Please report this.",
    )
