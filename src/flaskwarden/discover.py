"""Which files a scan looks at, and what kind each one is.

Inside a git work tree the files are those git knows (tracked, plus untracked ones it
does not ignore), so ``.gitignore`` is honoured for free; elsewhere the tree is walked.
Either way, well-known junk directories are skipped and a symlink that leads back into
a directory being walked is reported instead of followed forever.
"""

from __future__ import annotations

import enum
import errno
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

import pathspec

from flaskwarden.findings import Diagnostic

DEFAULT_EXCLUDES: Final = frozenset(
    {
        ".venv",
        "venv",
        ".env-venv",
        "site-packages",
        "node_modules",
        "build",
        "dist",
        ".git",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".flaskwarden_cache",
        ".eggs",
        ".hg",
        ".svn",
    }
)


class FileKind(str, enum.Enum):
    """What a file is, for the analyzers."""

    PYTHON = "python"
    TEMPLATE = "template"
    DOCKERFILE = "dockerfile"
    COMPOSE = "compose"
    PROCFILE = "procfile"
    YAML = "yaml"  # possibly a Kubernetes manifest; decided by its content
    ENV = "env"
    GUNICORN = "gunicorn"
    UWSGI = "uwsgi"
    SYSTEMD = "systemd"
    REQUIREMENTS = "requirements"
    PYPROJECT = "pyproject"
    LOCKFILE = "lockfile"


_TEMPLATE_EXT: Final = frozenset({".html", ".htm", ".xml", ".txt", ".jinja", ".jinja2", ".j2"})
_JINJA_EXT: Final = frozenset({".jinja", ".jinja2", ".j2"})
_LOCKFILES: Final = frozenset({"pipfile", "pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock"})
_GUNICORN: Final = re.compile(r"^gunicorn([._-]?(conf|config|cfg|settings))?\.py$")
_COMPOSE: Final = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
_REQUIREMENTS: Final = re.compile(r"^(requirements|constraints)([\w.-]*)\.(txt|in)$")


def classify(rel: str) -> FileKind | None:
    """The kind of a file from its path (relative, POSIX), or ``None`` to skip it."""
    path = PurePosixPath(rel)
    name = path.name
    lower = name.lower()
    suffix = path.suffix.lower()
    if _GUNICORN.match(lower):
        return FileKind.GUNICORN
    if suffix in (".py", ".pyw"):
        return FileKind.PYTHON
    if lower in ("dockerfile", "containerfile") or lower.startswith("dockerfile."):
        return FileKind.DOCKERFILE
    if lower.endswith(".dockerfile"):
        return FileKind.DOCKERFILE
    if _COMPOSE.match(lower):
        return FileKind.COMPOSE
    if lower == "procfile" or lower.startswith("procfile."):
        return FileKind.PROCFILE
    if lower in (".env", ".flaskenv") or lower.startswith(".env.") or lower.endswith(".env"):
        return FileKind.ENV
    if suffix in (".yml", ".yaml"):
        return FileKind.YAML
    if (suffix == ".ini" and "uwsgi" in lower) or lower == "uwsgi.ini":
        return FileKind.UWSGI
    if suffix == ".service":
        return FileKind.SYSTEMD
    if _REQUIREMENTS.match(lower) or (
        "requirements" in path.parent.parts and suffix in (".txt", ".in")
    ):
        return FileKind.REQUIREMENTS
    if lower == "pyproject.toml":
        return FileKind.PYPROJECT
    if lower in _LOCKFILES:
        return FileKind.LOCKFILE
    if suffix in _JINJA_EXT:
        return FileKind.TEMPLATE
    if suffix in _TEMPLATE_EXT and "templates" in path.parent.parts:
        return FileKind.TEMPLATE
    return None


@dataclass(frozen=True)
class SourceFile:
    """A file to analyse: where it is, how findings name it, what it is."""

    path: Path
    rel: str
    kind: FileKind


def _is_default_excluded(parts: Iterable[str]) -> bool:
    return any(part in DEFAULT_EXCLUDES or part.endswith(".egg-info") for part in parts)


def compile_excludes(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """gitignore-style patterns (``tests/fixtures``, ``*.generated.py``, ``/legacy``)."""
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (absolute if outside it).

    Symbolic links are not resolved: a file reached through a linked directory is named
    by the path that reached it.
    """
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:
        return Path(absolute).as_posix()
    if rel == os.curdir:
        return path.name
    if rel.startswith(os.pardir):
        return Path(absolute).as_posix()
    return Path(rel).as_posix()


def discover(
    paths: Iterable[Path],
    root: Path,
    excludes: pathspec.GitIgnoreSpec | None = None,
    exclude_base: Path | None = None,
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """All files to scan under ``paths``, each once, in sorted order.

    ``excludes`` match paths relative to ``exclude_base`` (the directory of the config
    file that declared them; default ``root``). A directory the user names explicitly
    is scanned even if a pattern covers it; patterns then apply below it only.
    """
    base = exclude_base or root
    files: dict[str, SourceFile] = {}
    diagnostics: list[Diagnostic] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            diagnostics.append(Diagnostic(str(path), "not-found", "no such file or directory"))
            continue
        if path.is_file():
            rel = relative(path, root)
            kind = classify(rel) or (FileKind.PYTHON if path.suffix == "" else None)
            if kind is not None:
                files.setdefault(rel, SourceFile(path, rel, kind))
            continue
        listing = _git_files(path)
        candidates = listing if listing is not None else _walk(path, root, diagnostics)
        explicit = excludes is not None and excludes.match_file(relative(path, base) + "/")
        for file_path in candidates:
            rel = relative(file_path, root)
            under = relative(file_path, path)
            if _is_default_excluded(PurePosixPath(under).parts[:-1]):
                continue
            if excludes is not None:
                local = under if explicit else relative(file_path, base)
                if excludes.match_file(local):
                    continue
            kind = classify(rel)
            if kind is None:
                continue
            if listing is not None and file_path.is_symlink() and not file_path.exists():
                diagnostics.append(_broken_link(rel, file_path))
                continue
            files.setdefault(rel, SourceFile(file_path, rel, kind))
    return [files[k] for k in sorted(files)], diagnostics


def _git_files(directory: Path) -> list[Path] | None:
    """Tracked and untracked-not-ignored files below ``directory``; None outside git."""
    try:
        result = subprocess.run(
            [
                "git",
                "-C",
                str(directory),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    ignored = subprocess.run(
        ["git", "-C", str(directory), "check-ignore", "-q", "."],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if ignored.returncode == 0:
        # The user named a directory that git ignores (a vendored tree, a build
        # output): scan what is in it rather than nothing.
        return None
    names = sorted({n for n in result.stdout.decode("utf-8", "surrogateescape").split("\0") if n})
    return [
        directory / name
        for name in names
        if (directory / name).is_file() or (directory / name).is_symlink()
    ]


def _walk(top: Path, root: Path, diagnostics: list[Diagnostic]) -> Iterator[Path]:
    """Depth-first walk following directory symlinks, but never into a loop."""
    stack: list[tuple[Path, frozenset[str]]] = [(top, frozenset({os.path.realpath(top)}))]
    while stack:
        directory, ancestors = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            diagnostics.append(
                Diagnostic(relative(directory, root), "unreadable", f"cannot list: {exc.strerror}")
            )
            continue
        subdirs: list[tuple[Path, frozenset[str]]] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name in DEFAULT_EXCLUDES or entry.name.endswith(".egg-info"):
                    continue
                real = os.path.realpath(path)
                if real in ancestors:
                    diagnostics.append(
                        Diagnostic(
                            relative(path, root),
                            "symlink-loop",
                            "symbolic link leads back into a directory being scanned; not followed",
                        )
                    )
                    continue
                subdirs.append((path, ancestors | {real}))
            elif entry.is_symlink() and not path.exists():
                if classify(path.name) is not None:
                    diagnostics.append(_broken_link(relative(path, root), path))
            else:
                yield path
        stack.extend(reversed(subdirs))


def _broken_link(rel: str, path: Path) -> Diagnostic:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Diagnostic(rel, "symlink-loop", "symbolic link loop; file skipped")
    return Diagnostic(rel, "broken-symlink", "symbolic link to a missing file; skipped")
