"""Writing fixed files: atomically, and never over a change made since they were read."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path


class WriteRefused(Exception):
    """The file was not written; the message says why, for the user."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_if_unchanged(path: Path, data: bytes, expected_digest: str) -> None:
    """Replace ``path`` with ``data`` if it still holds what had digest ``expected_digest``.

    The new content goes to a temporary file in the same directory, is flushed to
    disk and renamed over the original, so a reader sees the old file or the new
    one, never half of each. File mode is kept; a symbolic link is followed and its
    target rewritten.
    """
    target = path.resolve()
    try:
        current = target.read_bytes()
    except OSError as exc:
        raise WriteRefused(f"cannot read it again: {exc.strerror}") from exc
    if digest(current) != expected_digest:
        raise WriteRefused("it changed since it was read; not touched (run the fix again)")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".flaskwarden"
        )
    except OSError as exc:
        raise WriteRefused(f"cannot write next to it: {exc.strerror}") from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise WriteRefused(f"cannot write it: {exc.strerror}") from exc
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable; not every platform or file system supports it."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
