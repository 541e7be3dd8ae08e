"""The scan pipeline: discover -> analyse each file -> project model -> rules -> filters.

``scan`` never executes the code it reads. Every file problem becomes a diagnostic and
the scan goes on; only a usage error (bad option) stops it.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from flaskwarden import cache as analysis_cache
from flaskwarden import catalog
from flaskwarden.cache import CACHE_DIR_NAME, Cache, entry_key
from flaskwarden.config import Settings, find_pyproject, load_settings
from flaskwarden.discover import FileKind, SourceFile, compile_excludes, discover, relative
from flaskwarden.findings import Diagnostic, Finding, Report, Severity
from flaskwarden.jinja import Template, parse_template, template_name
from flaskwarden.model import Project, package_of
from flaskwarden.python.facts import ModuleFacts
from flaskwarden.python.source import analyze_python, decode, wanted
from flaskwarden.rules import ScanContext, run_project_checks, run_python_checks
from flaskwarden.suppress import line_suppressions

MAX_FILE_SIZE: Final = 2 * 1024 * 1024
# Rules that read templates: without them, templates are not parsed at all.
TEMPLATE_RULES: Final = frozenset({"FW302", "FW604"})


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
    jobs: int | None = None  # worker processes; None: one per CPU
    cache: bool = True
    cache_dir: Path | None = None


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
    with _gc_paused():
        return _scan(paths, options or ScanOptions())


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Run without the cyclic garbage collector.

    A scan allocates millions of small, long-lived objects (syntax trees, then the
    facts of every file) and frees them by reference counting; nothing it builds is
    cyclic garbage worth hunting. With the collector on, CPython re-traverses
    everything alive again and again as the facts pile up: on a 160k-line project
    that was a quarter of the whole scan (unpickling the workers' results alone went
    from 0.16 s to 1.2 s). Worker processes collect now and then
    (:func:`_analyze_item`) to bound any cycles a file's analysis leaves behind.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scan(paths: Sequence[Path], options: ScanOptions) -> Report:
    paths = list(paths) or [Path(".")]
    root = scan_root(paths)
    settings, diagnostics = resolve_settings(paths, options)
    excludes = compile_excludes(settings.exclude) if settings.exclude else None
    base = settings.config_path.parent if settings.config_path else root
    aux: list[Path] = []
    files, found_diagnostics = discover(paths, root, excludes, base, aux)
    diagnostics += found_diagnostics
    contents = _read_all(files, options.max_file_size, diagnostics)
    cache = Cache(options.cache_dir or root / CACHE_DIR_NAME) if options.cache else None
    report_key = _report_key(root, files, contents, aux, settings, options) if cache else ""
    if cache is not None:
        cached = cache.get(report_key)
        if isinstance(cached, Report):
            return cached  # nothing that decides any finding has changed

    selected = {r.id for r in catalog.implemented_in("scan") if settings.enabled(r.id)}
    explicit = {relative(p, root) for p in paths if p.is_file()}
    modules, lazy, templates, analysed = _analyse_files(
        files, contents, cache, options, diagnostics, bool(selected & TEMPLATE_RULES), explicit
    )
    stats: dict[str, int | float] = {
        "files": len(files),
        "python_files": sum(1 for f in files if f.kind is FileKind.PYTHON),
        "parsed": analysed,
    }
    project = Project(modules, lazy, package_of(root))
    raw = list(run_python_checks(project, selected, diagnostics))

    def read(source: SourceFile) -> bytes | None:
        return contents.get(source.rel)

    ctx = ScanContext(root=root, project=project, files=files, read=read)
    ctx.cache["templates"] = templates
    raw += run_project_checks(ctx, selected, diagnostics)
    diagnostics += ctx.diagnostics
    suppressions = {m.path: m.suppressions for m in modules}
    for finding in raw:
        text = contents.get(finding.path)
        if finding.path not in suppressions and text is not None:
            suppressions[finding.path] = line_suppressions(text)
    findings, suppressed = _filter(raw, settings, suppressions)
    stats["findings"] = len(findings)
    stats["suppressed"] = suppressed
    stats["diagnostics"] = len(diagnostics)
    report = Report(findings=findings, diagnostics=diagnostics, stats=stats, root=str(root))
    report.sort()
    if cache is not None and not any(d.kind == "internal-error" for d in diagnostics):
        cache.put(report_key, report)
    return report


def _read_all(
    files: list[SourceFile], max_size: int, diagnostics: list[Diagnostic]
) -> dict[str, bytes]:
    """Every discovered file's bytes, read once (unreadable ones become diagnostics)."""
    contents: dict[str, bytes] = {}
    for source in files:
        data = read_file(source, max_size)
        if isinstance(data, Diagnostic):
            diagnostics.append(data)
        else:
            contents[source.rel] = data
    return contents


def _report_key(
    root: Path,
    files: list[SourceFile],
    contents: dict[str, bytes],
    aux: list[Path],
    settings: Settings,
    options: ScanOptions,
) -> str:
    """A hash of everything a scan's result depends on: flaskwarden's code, the
    options, every file's path, kind and bytes, the ignore files, and git's index
    (whether an env file is tracked decides FW205)."""
    digest = hashlib.sha256(b"report\0" + analysis_cache.code_fingerprint().encode())
    per_file = [(p, sorted(codes)) for _, p, codes in settings.per_file_ignores]
    digest.update(
        repr(
            (
                os.path.abspath(root),
                sorted(settings.select) if settings.select is not None else None,
                sorted(settings.ignore),
                int(settings.severity),
                settings.exclude,
                per_file,
                options.max_file_size,
                str(settings.config_path),
            )
        ).encode()
    )
    for source in files:
        data = contents.get(source.rel)
        file_hash = hashlib.sha256(data).hexdigest() if data is not None else "unreadable"
        digest.update(f"\0{source.rel}\0{source.kind.value}\0{file_hash}".encode())
    for path in sorted(aux):
        try:
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(str(path).encode() + b"\0?")
    digest.update(_git_state(root))
    return digest.hexdigest()


def _git_state(root: Path) -> bytes:
    """What git says about tracking: the index and the repository's own excludes."""
    current = Path(os.path.abspath(root))
    for directory in (current, *current.parents):
        dot_git = directory / ".git"
        if dot_git.is_dir():
            state = []
            for name in ("index", "info/exclude"):
                try:
                    info = (dot_git / name).stat()
                    state.append(f"{name}:{info.st_mtime_ns}:{info.st_size}")
                except OSError:
                    state.append(f"{name}:-")
            return "|".join(state).encode()
        if dot_git.is_file():
            try:
                return dot_git.read_bytes()
            except OSError:
                return b"?"
    return b"no-git"


def _analyse_files(
    files: list[SourceFile],
    contents: dict[str, bytes],
    cache: Cache | None,
    options: ScanOptions,
    diagnostics: list[Diagnostic],
    templates_wanted: bool,
    explicit: set[str],
) -> tuple[list[ModuleFacts], dict[str, _LazyModule], dict[str, Template], int]:
    """Per-file analysis of Python files and templates: from the cache, or in a
    process pool. Results are merged in file order, so output never depends on
    scheduling or on what was cached."""
    results: dict[str, FileResult] = {}
    lazy: dict[str, _LazyModule] = {}
    by_kind: dict[FileKind, list[SourceFile]] = {FileKind.PYTHON: [], FileKind.TEMPLATE: []}
    for source in files:
        if source.kind in by_kind and source.rel in contents:
            by_kind[source.kind].append(source)
    python = []
    for source in by_kind[FileKind.PYTHON]:
        data = contents[source.rel]
        if wanted(data) or source.rel in explicit:
            python.append(source)
            continue
        # Not parsed up-front (nothing a rule looks for), but bad bytes are cheap to
        # see and still reported; a syntax error shows if an import needs the module.
        problem = decode(source.rel, data)
        if isinstance(problem, Diagnostic):
            diagnostics.append(problem)
        else:
            lazy[source.rel] = _LazyModule(source.rel, data, cache, diagnostics)
    _analyse_batch(python, contents, cache, options, results)
    if templates_wanted:
        # Only templates a render_template call can reach matter (FW302/FW604):
        # the names rendered, then what those extend, include and import.
        by_name: dict[str, list[SourceFile]] = {}
        for source in by_kind[FileKind.TEMPLATE]:
            by_name.setdefault(template_name(source.rel), []).append(source)
        wanted_names = _rendered_names(results.values())
        done: set[str] = set()
        while wanted_names - done:
            batch_names = wanted_names - done
            done |= batch_names
            batch = [t for name in sorted(batch_names) for t in by_name.get(name, [])]
            _analyse_batch(batch, contents, cache, options, results)
            for source in batch:
                parsed_template = results.get(source.rel)
                if isinstance(parsed_template, Template):
                    wanted_names |= set(parsed_template.extends) | set(parsed_template.includes)
    modules: list[ModuleFacts] = []
    templates: dict[str, Template] = {}
    parsed = 0
    for rel in sorted(results):
        result = results[rel]
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
        elif isinstance(result, Template):
            templates[rel] = result
            if result.unknown_tags:
                shown = ", ".join(f"{{% {tag} %}}" for tag, _ in result.unknown_tags)
                diagnostics.append(
                    Diagnostic(
                        rel,
                        "template-tag",
                        f"unknown Jinja tags {shown} (an extension flaskwarden does not "
                        "know) were read as doing nothing; the rest was analysed",
                        result.unknown_tags[0][1],
                    )
                )
        else:
            parsed += 1
            modules.append(result)
            for line, message in result.suppression_problems:
                diagnostics.append(Diagnostic(rel, "suppression", message, line))
    return modules, lazy, templates, parsed


FileResult = ModuleFacts | Template | Diagnostic


def _analyse_batch(
    batch: list[SourceFile],
    contents: dict[str, bytes],
    cache: Cache | None,
    options: ScanOptions,
    results: dict[str, FileResult],
) -> None:
    """Analyse files (from the cache where it has them) into ``results``."""
    pending: list[_WorkItem] = []
    for source in batch:
        data = contents[source.rel]
        key = entry_key(f"{source.kind.value}:{source.rel}", data) if cache else ""
        cached = cache.get(key) if cache else None
        if isinstance(cached, (ModuleFacts, Template, Diagnostic)):
            results[source.rel] = cached
        else:
            pending.append((source.rel, data, source.kind, key))
    store = cache.directory.parent if cache is not None and cache.prepare() else None
    for (rel, _, _, _), result in zip(
        pending, _run_analysis(pending, options.jobs, store), strict=True
    ):
        results[rel] = result


def _rendered_names(results: Iterable[FileResult]) -> set[str]:
    """Template names that some render_template call in the project renders."""
    names: set[str] = set()
    for result in results:
        taint = result.taint if isinstance(result, ModuleFacts) else None
        if taint is None:
            continue
        for function in taint.functions.values():
            for render in function.renders:
                names.update(render.templates)
    return names


def result_cacheable(result: FileResult) -> bool:
    """Internal errors are not cached: a fixed flaskwarden must get to retry."""
    return not (isinstance(result, Diagnostic) and result.kind == "internal-error")


# Below this many files a process pool costs more than it saves.
_POOL_THRESHOLD: Final = 24


# (relative path, bytes, kind, cache key or "")
_WorkItem = tuple[str, bytes, FileKind, str]


def _run_analysis(items: list[_WorkItem], jobs: int | None, store: Path | None) -> list[FileResult]:
    """Analyse ``items``, writing each cacheable result under ``store`` (a cache
    directory) when given. In a process pool each worker pickles a result once,
    both for the cache entry and to send it here."""
    workers = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    with _progress(len(items)) as advance:
        if workers == 1 or len(items) < _POOL_THRESHOLD:
            cache = Cache(store) if store is not None else None
            out = []
            for item in items:
                result = _analyze_item(item[:3])
                if cache is not None and result_cacheable(result):
                    cache.put(item[3], result)
                out.append(result)
                advance()
            return out
        import multiprocessing
        import pickle
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial

        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        # Largest files first, in small chunks: no worker is left with a big file
        # at the end while the others idle. Results go back to input order.
        order = sorted(range(len(items)), key=lambda i: (-len(items[i][1]), i))
        chunk = max(1, min(8, len(items) // (workers * 16)))
        slots: list[FileResult | None] = [None] * len(items)
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=gc.disable
        ) as pool:
            task = partial(_analyze_and_store, store=store)
            ordered = [items[i] for i in order]
            for index, blob in zip(order, pool.map(task, ordered, chunksize=chunk), strict=True):
                slots[index] = pickle.loads(blob)
                advance()
        return [result for result in slots if result is not None]


# A worker collects cyclic garbage after this many files (see _gc_paused).
_COLLECT_EVERY: Final = 256
_analysed_in_worker = itertools.count(1)
_worker_caches: dict[Path, Cache] = {}


def _analyze_and_store(item: _WorkItem, store: Path | None) -> bytes:
    """In a worker: analyse one file, cache the result, return it pickled."""
    import pickle

    if next(_analysed_in_worker) % _COLLECT_EVERY == 0:
        gc.collect()  # cheap here: a worker keeps nothing alive between files
    result = _analyze_item(item[:3])
    blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    if store is not None and result_cacheable(result):
        cache = _worker_caches.get(store)
        if cache is None:
            cache = _worker_caches[store] = Cache(store)
        cache.put_bytes(item[3], blob)
    return blob


def _analyze_item(item: tuple[str, bytes, FileKind]) -> FileResult:
    rel, data, kind = item
    if kind is FileKind.TEMPLATE:
        try:
            return parse_template(rel, data)
        except Exception as exc:
            return Diagnostic(rel, "internal-error", internal_error_message(exc))
    return _analyze_guarded(rel, data)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr for long scans, only when stderr is a terminal."""
    if total < 200 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task("analysing", total=total)
        yield lambda: progress.advance(task)


@dataclass
class _LazyModule:
    """A prefiltered file, parsed only if the model needs it for an import."""

    rel: str
    data: bytes
    cache: Cache | None = None
    diagnostics: list[Diagnostic] | None = None

    def __call__(self) -> ModuleFacts | None:
        key = entry_key(self.rel, self.data) if self.cache is not None else ""
        result = self.cache.get(key) if self.cache is not None else None
        if not isinstance(result, (ModuleFacts, Diagnostic)):
            result = _analyze_guarded(self.rel, self.data)
            if self.cache is not None and result_cacheable(result):
                self.cache.put(key, result)
        if isinstance(result, Diagnostic) and self.diagnostics is not None:
            self.diagnostics.append(result)  # an imported module that cannot be read
        return result if isinstance(result, ModuleFacts) else None


def _analyze_guarded(rel: str, data: bytes) -> ModuleFacts | Diagnostic:
    """Analyse one file; a bug in flaskwarden costs that file, never the scan."""
    try:
        return analyze_python(rel, data)
    except Exception as exc:
        return Diagnostic(rel, "internal-error", internal_error_message(exc))


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
        if current is None or _preferred(finding, current):
            kept[key] = finding
    return list(kept.values()), suppressed


def _preferred(new: Finding, old: Finding) -> bool:
    """Of two findings for one rule and line, whether to keep ``new``: the more severe,
    then the shorter flow, then the first in a fixed order. Which is kept must not
    depend on the order the rules found them in: taint flows come out of sets, whose
    order changes from one process to the next (string hashing is randomised)."""
    if new.severity != old.severity:
        return new.severity > old.severity
    return _tie_order(new) < _tie_order(old)


def _tie_order(finding: Finding) -> tuple[object, ...]:
    steps = tuple((r.path, r.line, r.column, r.message) for r in finding.related)
    where = (finding.column, finding.end_line, finding.end_column)
    return (len(steps), finding.message, where, steps)
