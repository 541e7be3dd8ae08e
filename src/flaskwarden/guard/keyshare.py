"""Compare the secret keys of the workers of one gunicorn master without sharing them.

A key generated per process (``os.urandom(32)`` at import) looks perfectly strong from
inside any one worker; only comparing workers shows it. Gunicorn gives the workers no
channel to each other, so each start-up worker appends a keyed hash of its key to a
small file named after its master (pid and start time, so a reused pid never sees a
stale file) and reads back what its siblings wrote. The key itself is never written.
Files of masters that are gone are removed by the next worker that boots anywhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import tempfile
from pathlib import Path
from typing import Final

_PREFIX: Final = "flaskwarden-keys"
_LABEL: Final = b"flaskwarden FW203 key fingerprint"


def fingerprint(key: str | bytes) -> str:
    """A keyed hash that tells keys apart without revealing them."""
    raw = key if isinstance(key, bytes) else key.encode("utf-8")
    return hmac.new(_LABEL, raw, hashlib.sha256).hexdigest()[:32]


def _start_time(pid: int) -> str:
    """The process start time (clock ticks since boot) on Linux; empty elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _uid() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid is not None else "0"


def _remove_stale(directory: Path) -> None:
    for path in directory.glob(f"{_PREFIX}-{_uid()}-*"):
        parts = path.name.split("-")
        with contextlib.suppress(ValueError, OSError):
            if not _alive(int(parts[3])):
                path.unlink()


def sibling_fingerprints(own: str, master_pid: int, directory: Path | None = None) -> set[str]:
    """Record ``own`` for this master and return every fingerprint recorded so far."""
    folder = Path(directory) if directory is not None else Path(tempfile.gettempdir())
    _remove_stale(folder)
    path = folder / f"{_PREFIX}-{_uid()}-{master_pid}-{_start_time(master_pid) or 'x'}"
    # O_APPEND keeps concurrent one-line writes from interleaving.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, f"{own}\n".encode("ascii"))
    finally:
        os.close(fd)
    return {line for line in path.read_text(encoding="ascii").split() if line}
