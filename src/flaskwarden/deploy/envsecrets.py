"""Secrets in env files, and whether git keeps those files out of the repository.

Git is asked, not guessed: ``git ls-files`` says whether a file is tracked (committed,
or staged to be), ``git check-ignore`` whether an untracked one is ignored. Outside a
git work tree the ``.gitignore`` files from the file's directory upwards decide, with
git's own pattern rules (pathspec's ``gitwildmatch``).
"""

from __future__ import annotations

import math
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Final, Literal

import pathspec

from flaskwarden.deploy.envfile import DotenvEntry
from flaskwarden.python.names import is_placeholder, is_secret_name

GitState = Literal["tracked", "untracked", "ignored", "no-git-ignored", "no-git-unignored"]

_EXAMPLE: Final = re.compile(
    r"(^|[._-])(example|examples|sample|samples|template|tmpl|tpl|dist|defaults?|skel)([._-]|$)",
    re.IGNORECASE,
)
_TEST: Final = re.compile(r"(^|[._-])(test|tests|testing|ci)([._-]|$)", re.IGNORECASE)
_MORE_PLACEHOLDERS: Final = re.compile(
    r"^(change[-_ ]?me.*|replace[-_ ]?(me|this).*|todo|fixme|tbd|example.*|dummy.*|"
    r"placeholder.*|insert[-_ ].*|put[-_ ].*|set[-_ ]?me|redacted|secret[-_]?here|"
    r"<.*|\[.*\]|-+)$",
    re.IGNORECASE,
)
_DSN_PASSWORD: Final = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]*:(?P<password>[^@/\s]+)@")
_TOKEN_FORMATS: Final = re.compile(
    r"(AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,}|"
    r"xox[abposr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,}|rk_live_[A-Za-z0-9]{16,}|"
    r"sk-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|-----BEGIN [A-Z ]*PRIVATE KEY-----|"
    r"glpat-[A-Za-z0-9_-]{20,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})"
)


def is_example_file(rel: str) -> bool:
    """``.env.example``, ``.env.sample``, ``example.env``, ``.env.template`` ..."""
    return bool(_EXAMPLE.search(PurePosixPath(rel).name))


def is_test_file(rel: str) -> bool:
    path = PurePosixPath(rel)
    return bool(_TEST.search(path.name)) or any(
        part in ("tests", "test", "testing") for part in path.parts[:-1]
    )


def placeholder(value: str) -> bool:
    """Empty, templated or documentation values (AWS's own examples end in EXAMPLE)."""
    text = value.strip().strip("'\"")
    return is_placeholder(text) or bool(_MORE_PLACEHOLDERS.match(text)) or "example" in text.lower()


def looks_real(value: str) -> bool:
    """A value that looks like a live credential even in an example file: a known token
    format, or a long high-entropy string."""
    if _TOKEN_FORMATS.search(value):
        return True
    text = value.strip()
    if len(text) < 24 or " " in text:
        return False
    counts = Counter(text)
    entropy = -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())
    return entropy >= 4.0


def secret_entries(rel: str, entries: Iterable[DotenvEntry]) -> list[DotenvEntry]:
    """Entries that hold a secret value worth keeping out of git: a secret-named
    variable, a URL with a password, or a value in a known token format."""
    example = is_example_file(rel)
    found = []
    for entry in entries:
        value = entry.value
        if not value or placeholder(value):
            continue
        if not is_secret_name(entry.name) and not _TOKEN_FORMATS.search(value):
            match = _DSN_PASSWORD.match(value)
            if match is None or placeholder(match.group("password")):
                continue
        # in an example file only a live-looking credential counts: a known token
        # format anywhere, or a high-entropy value; for a URL, a high-entropy
        # password (the URL itself is long and varied whatever its password is)
        dsn = _DSN_PASSWORD.match(value)
        if (
            example
            and not _TOKEN_FORMATS.search(value)
            and not looks_real(dsn.group("password") if dsn else value)
        ):
            continue
        found.append(entry)
    return found


def git_states(root: Path, rels: Iterable[str]) -> dict[str, GitState]:
    """Whether git tracks, ignores or merely sees each file (relative to ``root``)."""
    states: dict[str, GitState] = {}
    by_dir: dict[Path, list[str]] = {}
    for rel in rels:
        path = Path(root, rel)
        by_dir.setdefault(path.parent, []).append(rel)
    for directory, group in by_dir.items():
        names = [Path(root, rel).name for rel in group]
        tracked = _git(directory, ["ls-files", "-z", "--", *names])
        if tracked is None:
            for rel in group:
                states[rel] = (
                    "no-git-ignored" if _gitignore_covers(Path(root, rel)) else "no-git-unignored"
                )
            continue
        tracked_names = {PurePosixPath(n).name for n in tracked.split("\0") if n}
        untracked = [n for n in names if n not in tracked_names]
        ignored_names: set[str] = set()
        if untracked:
            ignored = _git(directory, ["check-ignore", "--", *untracked], ok=(0, 1))
            ignored_names = {PurePosixPath(n).name for n in (ignored or "").splitlines() if n}
        for rel, name in zip(group, names, strict=True):
            if name in tracked_names:
                states[rel] = "tracked"
            elif name in ignored_names:
                states[rel] = "ignored"
            else:
                states[rel] = "untracked"
    return states


def _git(directory: Path, args: list[str], ok: tuple[int, ...] = (0,)) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode not in ok:
        return None
    return result.stdout.decode("utf-8", "surrogateescape")


def _gitignore_covers(path: Path) -> bool:
    """Outside git: whether a ``.gitignore`` in the file's directory or above it has a
    rule that ignores the file (later rules and deeper files win, ``!`` re-includes)."""
    ignored = False
    directory = path.parent.resolve()
    chain = [directory, *directory.parents]
    for folder in reversed(chain):
        gitignore = folder / ".gitignore"
        try:
            if not gitignore.is_file() or gitignore.stat().st_size > 1024 * 1024:
                continue
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        relative = os.path.relpath(path.resolve(), folder).replace(os.sep, "/")
        for line in lines:
            pattern = line.strip()
            if not pattern or pattern.startswith("#"):
                continue
            negate = pattern.startswith("!")
            spec = pathspec.GitIgnoreSpec.from_lines([pattern.lstrip("!")])
            if spec.match_file(relative):
                ignored = not negate
    return ignored
