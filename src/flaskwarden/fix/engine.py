"""Apply rule fixers to files: plan, describe (diff, edits) and write.

The findings say where; the fixers (one per rule, :mod:`flaskwarden.fix.rules`) say
how. A file's fixes run one after another from its end to its start, each on a fresh
parse of the result so far, so every fixer finds its node where the scan saw it:
earlier fixes only changed text after it.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import libcst as cst
from libcst.metadata import MetadataWrapper

from flaskwarden.findings import Finding, Fix, Report
from flaskwarden.fix.base import RuleFix
from flaskwarden.fix.edits import edits_between, unified_diff
from flaskwarden.fix.files import WriteRefused, digest, write_if_unchanged
from flaskwarden.fix.imports import add_os_import
from flaskwarden.fix.rules import FIXERS

_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")


class FixFailed(Exception):
    """A file could not be fixed (it does not parse, or the result would not)."""


def fixer_for(finding: Finding) -> type[RuleFix] | None:
    """The fixer class for ``finding``, if its rule has one and wants this finding."""
    fixer = FIXERS.get(finding.rule)
    return fixer if fixer is not None and fixer.wanted(finding) else None


@dataclass(frozen=True)
class SourceFix:
    """One file's source before and after its fixes."""

    before: str
    after: str
    data: bytes
    applied: tuple[Finding, ...]


def _char_column(line: str, column: int) -> int:
    """ast counts columns in UTF-8 bytes from 1; libcst in code points from 0."""
    return len(line.encode("utf-8")[: max(column - 1, 0)].decode("utf-8", "ignore"))


def parse_source(source: bytes) -> cst.Module:
    """The libcst tree of a file; raises :class:`FixFailed` when libcst cannot parse it."""
    try:
        return cst.parse_module(source)
    except (cst.ParserSyntaxError, UnicodeDecodeError, ValueError) as exc:
        raise FixFailed(f"libcst cannot parse it ({type(exc).__name__})") from exc


def fix_source(
    source: bytes,
    findings: Iterable[Finding],
    *,
    unsafe: bool,
    module: cst.Module | None = None,
) -> SourceFix:
    """Apply the fixes for ``findings`` (all in this file) to ``source``.

    Unsafe fixes apply only with ``unsafe``. A finding whose line no longer shows its
    snippet (the file changed since the scan) is skipped. ``module`` is ``source``
    already parsed (trees are immutable, so one parse serves many calls). Raises
    :class:`FixFailed` when the source does not parse or the fixed source would not.
    """
    if module is None:
        module = parse_source(source)
    before = module.code
    lines = _LINE_BREAK.split(before)
    planned: list[tuple[int, int, int, type[RuleFix], Finding]] = []
    for finding in findings:
        kind = fixer_for(finding)
        if kind is None or not (kind.safe or unsafe) or not 0 < finding.line <= len(lines):
            continue
        text = lines[finding.line - 1]
        if finding.snippet and not text.strip().startswith(finding.snippet):
            continue
        column = _char_column(text, finding.column)
        planned.append((finding.line, column, kind.order, kind, finding))
    planned.sort(key=lambda item: item[:3], reverse=True)
    applied: list[Finding] = []
    needs_os = False
    for line, column, _, fixer_class, finding in planned:
        fixer = fixer_class(finding, line, column)
        try:
            result = MetadataWrapper(module).visit(fixer)
        except Exception as exc:  # a bug in a fixer costs this file's fixes, not the run
            raise FixFailed(
                f"the {finding.rule} fixer failed ({type(exc).__name__}: {exc}); please report this"
            ) from exc
        if fixer.applied:
            module = result
            applied.append(finding)
            needs_os = needs_os or fixer.needs_os
    if needs_os:
        module = add_os_import(module)
    data = module.bytes if applied else source
    if applied:
        try:
            ast.parse(data)
        except (SyntaxError, ValueError) as exc:
            raise FixFailed(f"the fixed code would not parse ({exc}); not changed") from exc
    applied.sort(key=lambda f: f.sort_key)
    return SourceFix(before, module.code, data, tuple(applied))


@dataclass(frozen=True)
class FileFix:
    """The planned change to one file, with what it was computed from."""

    path: str
    location: Path
    read_digest: str
    change: SourceFix

    def diff(self) -> str:
        return unified_diff(self.path, self.change.before, self.change.after)


@dataclass
class FixPlan:
    """Every change ``--fix`` would make, and what could not be fixed."""

    files: list[FileFix] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unsafe_available: int = 0

    @property
    def fixed(self) -> int:
        return sum(len(f.change.applied) for f in self.files)

    def diff(self) -> str:
        return "".join(f.diff() for f in self.files)


def _by_file(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Fixable findings per Python file (FW103 is also reported in Procfiles: not fixed)."""
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.path.endswith((".py", ".pyw")) and fixer_for(finding) is not None:
            grouped[finding.path].append(finding)
    return dict(sorted(grouped.items()))


def _read(location: Path) -> bytes:
    try:
        return location.read_bytes()
    except OSError as exc:
        raise FixFailed(f"cannot read it: {exc.strerror}") from exc


def plan_fixes(report: Report, *, unsafe: bool) -> FixPlan:
    """Compute the fixes for the report's findings, reading each file once."""
    plan = FixPlan()
    root = Path(report.root)
    for path, findings in _by_file(report.findings).items():
        location = root / path
        try:
            source = _read(location)
            module = parse_source(source)
            change = fix_source(source, findings, unsafe=unsafe, module=module)
            if not unsafe:
                unsafe_only = [f for f in findings if not FIXERS[f.rule].safe]
                if unsafe_only:
                    extra = fix_source(source, unsafe_only, unsafe=True, module=module)
                    plan.unsafe_available += len(extra.applied)
        except FixFailed as exc:
            plan.problems.append(f"{path}: not fixed: {exc}")
            continue
        if change.applied:
            plan.files.append(FileFix(path, location, digest(source), change))
    return plan


def write_fixes(plan: FixPlan) -> tuple[list[FileFix], list[str]]:
    """Write every planned change: the files written, and one line per file that was not."""
    written, problems = [], []
    for file in plan.files:
        try:
            write_if_unchanged(file.location, file.change.data, file.read_digest)
        except WriteRefused as exc:
            problems.append(f"{file.path}: not fixed: {exc}")
        else:
            written.append(file)
    return written, problems


def attach_fixes(report: Report) -> None:
    """Give each finding that has a fix its :class:`~flaskwarden.findings.Fix`.

    Each fix is computed on its own (safe and unsafe alike, marked as such), so its
    edits apply to the file as it is; applying several edits of one file at once is
    what ``--fix`` does.
    """
    root = Path(report.root)
    fixes: dict[Finding, Fix] = {}
    for path, findings in _by_file(report.findings).items():
        try:
            source = _read(root / path)
            module = parse_source(source)
        except FixFailed:
            continue
        for finding in findings:
            fixes.update(_single_fix(source, module, finding))
    if fixes:
        report.findings = [replace(f, fix=fixes[f]) if f in fixes else f for f in report.findings]


def _single_fix(
    source: bytes, module: cst.Module, finding: Finding
) -> Sequence[tuple[Finding, Fix]]:
    try:
        change = fix_source(source, [finding], unsafe=True, module=module)
    except FixFailed:
        return ()
    if not change.applied:
        return ()
    fixer = FIXERS[finding.rule]
    edits = edits_between(finding.path, change.before, change.after)
    return [(finding, Fix(fixer.description, edits, safe=fixer.safe))]
