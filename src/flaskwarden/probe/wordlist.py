"""Candidate secret keys from a user's ``--wordlist`` file, one key per line.

Lines are taken as raw bytes (only the line ending removed: keys may contain spaces,
like Flask's old ``"development key"``), and read lazily so that large lists cost
memory only for the line being tried.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from flaskwarden.probe.model import CandidateKey


class WordlistError(Exception):
    """The wordlist file cannot be read."""


class Wordlist:
    """An iterable of :class:`CandidateKey`, one per non-empty line of ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as handle:
                handle.read(1)
        except OSError as exc:
            raise WordlistError(f"cannot read wordlist {path}: {exc.strerror or exc}") from exc

    def __iter__(self) -> Iterator[CandidateKey]:
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                key = line.rstrip(b"\r\n")
                if key:
                    yield CandidateKey(key, f"{self.path.name} line {number}")
