"""A content-addressed cache of per-file analysis results.

An entry's key hashes everything the result depends on: the file's bytes, its path
relative to the scan root (module names derive from it), the Python version (the
grammar), and a fingerprint of flaskwarden's own analysis code, so any change to an
analyzer or rule invalidates every entry without a version bump.

Safety:
- entries are written to a temporary file in the same directory and moved into place
  with ``os.replace`` (atomic on POSIX), so a concurrent reader sees a whole entry or
  none, and two concurrent writers of the same key write the same bytes;
- an entry that fails to load (truncated, corrupt, written by another version, not
  the expected type) is treated as a miss and overwritten;
- nothing in the cache is trusted beyond being a pickle flaskwarden wrote: the cache
  directory belongs to the user running the scan (like ``__pycache__``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Final

from flaskwarden import __version__

CACHE_DIR_NAME: Final = ".flaskwarden_cache"
_FORMAT: Final = "v1"
_PACKAGE_DIR: Final = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of flaskwarden's analysis code (every .py file of the package)."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(sys.version.encode())
    for path in sorted(_PACKAGE_DIR.rglob("*.py")):
        try:
            digest.update(path.relative_to(_PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()[:24]


def entry_key(rel: str, data: bytes) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(rel.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


class Cache:
    """Per-file results under ``<directory>/v1/<key[:2]>/<key>``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / _FORMAT
        self.hits = 0
        self.misses = 0
        self.errors = 0
        self._ready = False
        self._subdirs: set[str] = set()  # the <key[:2]> directories made so far

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def get(self, key: str) -> object | None:
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                value: object = pickle.load(handle)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:
            # truncated, corrupt or foreign: a miss, rewritten after analysis
            self.errors += 1
            self.misses += 1
            return None
        self.hits += 1
        return value

    def prepare(self) -> bool:
        """Create the cache directory (and its ``.gitignore``); False if impossible.

        Done once by the parent process before workers write entries, so that they
        never race to create it."""
        if self._ready:
            return True
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# created by flaskwarden\n*\n")
        except OSError:
            self.errors += 1
            return False
        self._ready = True
        return True

    def put(self, key: str, value: object) -> None:
        self.put_bytes(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def put_bytes(self, key: str, blob: bytes) -> None:
        """Store an already pickled value (workers pickle a result once: for the
        cache and to send it to the parent)."""
        if not self.prepare():
            return
        path = self._path(key)
        try:
            if key[:2] not in self._subdirs:
                path.parent.mkdir(exist_ok=True)
                self._subdirs.add(key[:2])
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(blob)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            # a read-only checkout or a full disk must not fail the scan
            self.errors += 1
