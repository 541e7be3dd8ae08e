"""Which server is about to serve the app, seen from inside the process that imports it.

A WSGI server imports the application module (or calls its factory) just before it
serves it, so the call stack at ``Warden.init_app`` time says who is importing:
gunicorn's worker or arbiter objects are on it, waitress-serve's runner is on it.
uWSGI and mod_wsgi embed Python and expose their own modules. ``SERVER_SOFTWARE`` in the
process environment (gunicorn's arbiter sets it, CGI-style hosts do too) is the
fallback. Nothing here imports a server; it only looks at what is already loaded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import FrameType
from typing import Any

from flaskwarden.guard.checks import PRODUCTION_SERVERS, Serving


@dataclass(frozen=True)
class GunicornProcess:
    """What the guard needs to know about a gunicorn worker to compare secret keys."""

    master_pid: int
    workers: int
    initial_boot: bool
    preload: bool


def _frames(start: FrameType | None) -> Iterator[FrameType]:
    frame = start
    while frame is not None:
        yield frame
        frame = frame.f_back


def _gunicorn_objects(start: FrameType | None) -> tuple[Any, Any]:
    """The gunicorn ``Config`` and ``Worker`` found on the stack (either may be None)."""
    cfg: Any = None
    worker: Any = None
    for frame in _frames(start):
        obj = frame.f_locals.get("self")
        if obj is None or not type(obj).__module__.startswith("gunicorn."):
            continue
        if worker is None and hasattr(obj, "age") and hasattr(obj, "ppid"):
            worker = obj
        if cfg is None and getattr(obj, "cfg", None) is not None:
            cfg = obj.cfg
    return cfg, worker


def _bind_host(address: str) -> str:
    """The host of a gunicorn bind address: ``0.0.0.0:80``, ``[::1]:80``, ``unix:/s``."""
    if address.startswith(("unix:", "fd://")):
        return "unix:"
    if address.startswith("["):
        return address[1:].partition("]")[0]
    if address.count(":") > 1:
        return address  # a bare IPv6 address without a port
    return address.rpartition(":")[0] if ":" in address else address


def _gunicorn(start: FrameType | None, environ: Mapping[str, str]) -> Serving | None:
    cfg, worker = _gunicorn_objects(start)
    if cfg is None and worker is None:
        if not environ.get("SERVER_SOFTWARE", "").lower().startswith("gunicorn"):
            return None
        return Serving("gunicorn", production=True)
    if cfg is None:
        cfg = worker.cfg
    hosts = tuple(_bind_host(str(address)) for address in (getattr(cfg, "bind", None) or ()))
    workers = getattr(cfg, "workers", None)
    return Serving(
        "gunicorn",
        hosts=hosts,
        workers=workers if isinstance(workers, int) else None,
        production=True,
    )


def gunicorn_process(start: FrameType | None = None) -> GunicornProcess | None:
    """The gunicorn worker importing the app, if the app is being imported by one."""
    cfg, worker = _gunicorn_objects(start if start is not None else sys._getframe(1))
    if worker is None or cfg is None:
        return None
    workers = getattr(cfg, "workers", 1)
    age = getattr(worker, "age", 0)
    return GunicornProcess(
        master_pid=int(worker.ppid),
        workers=workers if isinstance(workers, int) else 1,
        # The arbiter numbers workers from 1; the first `workers` are the start-up ones,
        # later ones replace crashed or recycled workers or come from a reload.
        initial_boot=isinstance(age, int) and 0 < age <= workers,
        preload=bool(getattr(cfg, "preload_app", False)),
    )


def _uwsgi() -> Serving | None:
    module = sys.modules.get("uwsgi")
    if module is None:
        return None
    workers = getattr(module, "numproc", None)
    hosts: list[str] = []
    options = getattr(module, "opt", {}) or {}
    for key in ("http", "http-socket", "https", "socket"):
        value = options.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bytes):
                item = item.decode("utf-8", "replace")
            if isinstance(item, str) and item:
                hosts.append("unix:" if item.startswith("/") else _bind_host(item) or "0.0.0.0")
    return Serving(
        "uwsgi",
        hosts=tuple(hosts),
        workers=workers if isinstance(workers, int) else None,
        production=True,
    )


def _waitress(start: FrameType | None) -> Serving | None:
    on_stack = any(
        str(frame.f_globals.get("__name__", "")).startswith("waitress") for frame in _frames(start)
    )
    if on_stack or "waitress" in sys.modules:
        return Serving("waitress", workers=1, production=True)
    return None


def detect_server(
    environ: Mapping[str, str] | None = None, start: FrameType | None = None
) -> Serving:
    """How the app is being served, judged from the stack, loaded modules and environment.

    ``Serving()`` (no server) means the app is only being imported: by tests, a script,
    or a server this function does not know (production markers still apply then).
    """
    environ = os.environ if environ is None else environ
    start = start if start is not None else sys._getframe(1)
    found = _gunicorn(start, environ) or _uwsgi() or _waitress(start)
    if found is not None:
        return found
    if "mod_wsgi" in sys.modules:
        return Serving("mod_wsgi", production=True)
    software = environ.get("SERVER_SOFTWARE", "").strip()
    if software and not software.lower().startswith("werkzeug"):
        name = software.split("/", 1)[0].lower()
        server = name if name in PRODUCTION_SERVERS else software
        return Serving(server, production=True)
    return Serving()
