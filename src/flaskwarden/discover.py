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
from collections.abc import Callable, Iterable, Iterator
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
    PROXY = "proxy"  # a web server's config (nginx, Apache, Caddy): headers it adds


_TEMPLATE_EXT: Final = frozenset({".html", ".htm", ".xml", ".txt", ".jinja", ".jinja2", ".j2"})
_JINJA_EXT: Final = frozenset({".jinja", ".jinja2", ".j2"})
_LOCKFILES: Final = frozenset({"pipfile", "pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock"})
_GUNICORN: Final = re.compile(r"^gunicorn([._-]?(conf|config|cfg|settings))?\.py$")
_COMPOSE: Final = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
_PROXY_NAMES: Final = frozenset({"nginx.conf", "caddyfile", ".htaccess", "httpd.conf"})
_PROXY_WORDS: Final = ("nginx", "apache", "httpd", "caddy", "conf.d", "sites-")
# `Dockerfile.dev` is a Dockerfile; `dockerfile.js` (an editor's syntax mode) or
# `Dockerfile.md` is code or text about one.
_NOT_DOCKERFILE: Final = frozenset(
    {".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx", ".json", ".map", ".css", ".html",
     ".md", ".rst", ".txt", ".snippets", ".vim", ".el", ".rb", ".go", ".java", ".toml",
     ".yml", ".yaml", ".xml", ".svg", ".png", ".gif", ".gz", ".zip"}
)  # fmt: skip
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
    if lower.endswith(".dockerignore"):
        return None  # Dockerfile.dockerignore: the ignore file of that Dockerfile
    if lower in ("dockerfile", "containerfile") or (
        lower.startswith("dockerfile.") and suffix not in _NOT_DOCKERFILE
    ):
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
    if lower in _PROXY_NAMES or (
        suffix == ".conf" and any(w in part.lower() for part in path.parts for w in _PROXY_WORDS)
    ):
        return FileKind.PROXY
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
    aux: list[Path] | None = None,
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """All files to scan under ``paths``, each once, in sorted order.

    ``excludes`` match paths relative to ``exclude_base`` (the directory of the config
    file that declared them; default ``root``). A directory the user names explicitly
    is scanned even if a pattern covers it; patterns then apply below it only.
    ``aux``, when given, receives the ``.gitignore``/``.dockerignore`` files seen: they
    are not scanned but decide findings (FW205, what a Docker image contains).
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
        explicit = excludes is not None and excludes.match_file(relative(path, base) + "/")
        to_root = _joiner(path, root)
        to_base = _joiner(path, base)
        if listing is not None:
            candidates: Iterable[tuple[Path, str]] = ((path / n, n) for n in listing)
        else:
            candidates = _walk(path, root, diagnostics)
        for file_path, under in candidates:
            if _is_default_excluded(under.split("/")[:-1]):
                continue
            name = under.rsplit("/", 1)[-1]
            if aux is not None and name in (".gitignore", ".dockerignore"):
                aux.append(file_path)
            rel = to_root(under)
            kind = classify(rel)
            if kind is None:
                continue
            if excludes is not None and excludes.match_file(under if explicit else to_base(under)):
                continue
            if listing is not None and file_path.is_symlink() and not file_path.exists():
                diagnostics.append(_broken_link(rel, file_path))
                continue
            files.setdefault(rel, SourceFile(file_path, rel, kind))
    return [files[k] for k in sorted(files)], diagnostics


def _joiner(directory: Path, root: Path) -> Callable[[str], str]:
    """Map a path relative to ``directory`` to one relative to ``root``, cheaply."""
    prefix = relative(directory, root)
    if prefix.startswith(("/", "..")):
        absolute = Path(os.path.abspath(directory)).as_posix().rstrip("/")
        return lambda under: f"{absolute}/{under}"
    if prefix in (".", "", directory.name) and os.path.abspath(directory) == os.path.abspath(root):
        return lambda under: under
    return lambda under: f"{prefix}/{under}"


def _git_files(directory: Path) -> list[str] | None:
    """Tracked and untracked-not-ignored files below ``directory`` (POSIX names
    relative to it); None outside git, or when git ignores the directory itself."""
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
    return [n for n in names if os.path.isfile(directory / n) or os.path.islink(directory / n)]


def _walk(top: Path, root: Path, diagnostics: list[Diagnostic]) -> Iterator[tuple[Path, str]]:
    """Depth-first walk following directory symlinks, but never into a loop; yields
    each file with its POSIX path relative to ``top``."""
    stack: list[tuple[Path, str, frozenset[str]]] = [(top, "", frozenset({os.path.realpath(top)}))]
    while stack:
        directory, prefix, ancestors = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            diagnostics.append(
                Diagnostic(relative(directory, root), "unreadable", f"cannot list: {exc.strerror}")
            )
            continue
        subdirs: list[tuple[Path, str, frozenset[str]]] = []
        for entry in entries:
            path = Path(entry.path)
            under = prefix + entry.name
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
                subdirs.append((path, under + "/", ancestors | {real}))
            elif entry.is_symlink() and not path.exists():
                if classify(entry.name) is not None:
                    diagnostics.append(_broken_link(relative(path, root), path))
            else:
                yield path, under
        stack.extend(reversed(subdirs))


def _broken_link(rel: str, path: Path) -> Diagnostic:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Diagnostic(rel, "symlink-loop", "symbolic link loop; file skipped")
    return Diagnostic(rel, "broken-symlink", "symbolic link to a missing file; skipped")
