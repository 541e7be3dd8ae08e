"""The scan pipeline: discover -> analyse each file -> project model -> rules -> filters.

``scan`` never executes the code it reads. Every file problem becomes a diagnostic and
the scan goes on; only a usage error (bad option) stops it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from flaskwarden import catalog
from flaskwarden.config import Settings, find_pyproject, load_settings
from flaskwarden.discover import FileKind, SourceFile, compile_excludes, discover
from flaskwarden.findings import Diagnostic, Finding, Report, Severity
from flaskwarden.model import Project
from flaskwarden.python.facts import ModuleFacts
from flaskwarden.python.source import analyze_python, wanted
from flaskwarden.rules import ScanContext, run_project_checks, run_python_checks
from flaskwarden.suppress import line_suppressions

MAX_FILE_SIZE: Final = 2 * 1024 * 1024


@dataclass
class ScanOptions:
    """What the command line (or an API caller) asks for, on top of the config file."""

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    severity: Severity | None = None
    config: Path | None = None
    no_config: bool = False
    max_file_size: int = MAX_FILE_SIZE


class UsageError(Exception):
    """A mistake in how flaskwarden was called (exit status 2)."""


def scan_root(paths: Sequence[Path]) -> Path:
    """Findings are named relative to this: the one directory scanned, else the cwd."""
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0]
    return Path.cwd()


def resolve_settings(
    paths: Sequence[Path], options: ScanOptions
) -> tuple[Settings, list[Diagnostic]]:
    config_path = options.config
    if options.config is not None and not options.config.is_file():
        raise UsageError(f"config file {options.config} does not exist")
    if config_path is None and not options.no_config:
        config_path = find_pyproject(paths[0] if paths else Path.cwd())
    settings, diagnostics = load_settings(config_path)
    if options.select is not None:
        ids, unknown = catalog.expand(options.select)
        if unknown:
            raise UsageError(f"unknown rule code(s) in --select: {', '.join(unknown)}")
        settings.select = ids
    if options.ignore:
        ids, unknown = catalog.expand(options.ignore)
        if unknown:
            raise UsageError(f"unknown rule code(s) in --ignore: {', '.join(unknown)}")
        settings.ignore |= ids
    settings.exclude += options.exclude
    if options.severity is not None:
        settings.severity = options.severity
    return settings, diagnostics


def read_file(source: SourceFile, max_size: int) -> bytes | Diagnostic:
    try:
        size = os.stat(source.path).st_size
        if size > max_size:
            return Diagnostic(
                source.rel,
                "too-large",
                f"{size} bytes is over the {max_size}-byte limit; skipped",
            )
        with open(source.path, "rb") as handle:
            return handle.read(max_size + 1)
    except PermissionError:
        return Diagnostic(source.rel, "unreadable", "permission denied; skipped")
    except IsADirectoryError:
        return Diagnostic(source.rel, "unreadable", "is a directory; skipped")
    except OSError as exc:
        kind = "symlink-loop" if exc.errno == 40 else "unreadable"
        return Diagnostic(source.rel, kind, f"cannot read: {exc.strerror}; skipped")


def scan(paths: Sequence[Path], options: ScanOptions | None = None) -> Report:
    """Scan files and directories and return every finding and diagnostic."""
    options = options or ScanOptions()
    paths = list(paths) or [Path(".")]
    root = scan_root(paths)
    settings, diagnostics = resolve_settings(paths, options)
    excludes = compile_excludes(settings.exclude) if settings.exclude else None
    base = settings.config_path.parent if settings.config_path else root
    files, found_diagnostics = discover(paths, root, excludes, base)
    diagnostics += found_diagnostics

    modules: list[ModuleFacts] = []
    lazy: dict[str, _LazyModule] = {}
    stats: dict[str, int | float] = {"files": len(files), "python_files": 0, "parsed": 0}
    for source in files:
        if source.kind is not FileKind.PYTHON:
            continue
        stats["python_files"] += 1
        data = read_file(source, options.max_file_size)
        if isinstance(data, Diagnostic):
            diagnostics.append(data)
            continue
        if not wanted(data):
            lazy[source.rel] = _LazyModule(source.rel, data)
            continue
        stats["parsed"] += 1
        result = _analyze_guarded(source.rel, data)
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
        else:
            modules.append(result)
            for line, message in result.suppression_problems:
                diagnostics.append(Diagnostic(source.rel, "suppression", message, line))

    project = Project(modules, lazy)
    selected = {r.id for r in catalog.all_rules() if settings.enabled(r.id)}
    raw = list(run_python_checks(project, selected, diagnostics))
    texts: dict[str, bytes | None] = {}

    def read(source: SourceFile) -> bytes | None:
        if source.rel not in texts:
            data = read_file(source, options.max_file_size)
            if isinstance(data, Diagnostic):
                diagnostics.append(data)
                texts[source.rel] = None
            else:
                texts[source.rel] = data
        return texts[source.rel]

    ctx = ScanContext(root=root, project=project, files=files, read=read)
    raw += run_project_checks(ctx, selected, diagnostics)
    diagnostics += ctx.diagnostics
    suppressions = {m.path: m.suppressions for m in modules}
    for rel, text in texts.items():
        if text is not None and rel not in suppressions:
            suppressions[rel] = line_suppressions(text)
    findings, suppressed = _filter(raw, settings, suppressions)
    stats["findings"] = len(findings)
    stats["suppressed"] = suppressed
    stats["diagnostics"] = len(diagnostics)
    report = Report(findings=findings, diagnostics=diagnostics, stats=stats, root=str(root))
    report.sort()
    return report


@dataclass
class _LazyModule:
    """A prefiltered file, parsed only if the model needs it for an import."""

    rel: str
    data: bytes

    def __call__(self) -> ModuleFacts | None:
        result = _analyze_guarded(self.rel, self.data)
        return result if isinstance(result, ModuleFacts) else None


def _analyze_guarded(rel: str, data: bytes) -> ModuleFacts | Diagnostic:
    """Analyse one file; a bug in flaskwarden costs that file, never the scan."""
    try:
        result = analyze_python(rel, data)
        if isinstance(result, ModuleFacts):
            _attach_taint(result, data)
        return result
    except Exception as exc:
        return Diagnostic(rel, "internal-error", internal_error_message(exc))


def _attach_taint(facts: ModuleFacts, data: bytes) -> None:
    import ast

    from flaskwarden.python.source import decode
    from flaskwarden.taint.engine import analyze_taint

    text = decode(facts.path, data)
    if isinstance(text, str):
        try:
            tree = ast.parse(text)
            facts.taint = analyze_taint(tree, text, facts.path, facts.imports)  # type: ignore[attr-defined]
        except (SyntaxError, RecursionError, ValueError):
            pass


def internal_error_message(exc: BaseException) -> str:
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = ""
    if frame is not None:
        code = frame.tb_frame.f_code
        where = f" at {Path(code.co_filename).name}:{frame.tb_lineno} in {code.co_name}"
    return (
        f"flaskwarden failed on this file ({type(exc).__name__}: {exc}{where}); "
        "the rest of the scan went on. Please report this."
    )


def _filter(
    findings: list[Finding],
    settings: Settings,
    suppressions: dict[str, dict[int, frozenset[str]]],
) -> tuple[list[Finding], int]:
    kept: dict[tuple[str, str, int], Finding] = {}
    suppressed = 0
    for finding in findings:
        if finding.severity < settings.severity:
            continue
        if not settings.enabled(finding.rule) or settings.ignored_in_file(
            finding.rule, finding.path
        ):
            continue
        if finding.rule in suppressions.get(finding.path, {}).get(finding.line, frozenset()):
            suppressed += 1
            continue
        # One finding per rule and line: two forms of the same mistake on one line are
        # one thing to fix. Keep the most severe.
        key = (finding.path, finding.rule, finding.line)
        current = kept.get(key)
        if current is None or finding.severity > current.severity:
            kept[key] = finding
    return list(kept.values()), suppressed
