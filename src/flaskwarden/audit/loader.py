"""Import the audited app the way gunicorn does, in the audit's child process.

``sys.path[0]`` is the project directory (gunicorn's ``--chdir``), the module is
imported with :func:`importlib.import_module`, the attribute is read or the factory
called with its literal arguments. Every way this can fail becomes a
:class:`LoadError` with one line saying what happened and where in the user's code.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import traceback
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import flask

from flaskwarden.audit.target import DEFAULT_FACTORIES, DEFAULT_NAMES, Target
from flaskwarden.audit.tracing import Tracer


class LoadError(Exception):
    """The app could not be loaded; ``str()`` is the one line the user reads."""


def _shown(filename: str, root: Path) -> str:
    path = Path(filename).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _where(tb: TracebackType | None, tracer: Tracer, root: Path) -> str:
    """`` (at path:line in function)`` for the innermost frame in the user's code."""
    frames = traceback.extract_tb(tb)
    for frame in reversed(frames):
        if tracer.is_user_file(frame.filename):
            where = f" (at {_shown(frame.filename, root)}:{frame.lineno}"
            return where + (")" if frame.name == "<module>" else f", in {frame.name})")
    return ""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"raised {type(exc).__name__}: {text}" if text else f"raised {type(exc).__name__}"


def _import(target: Target, tracer: Tracer, root: Path) -> ModuleType:
    try:
        return importlib.import_module(target.module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if target.module == missing or target.module.startswith(missing + "."):
            raise LoadError(
                f"cannot find module {target.module!r} in {root} (the directory the audit "
                "imports from, as gunicorn's --chdir); run from the project directory or "
                "pass --chdir"
            ) from None
        raise LoadError(
            f"importing {target.module!r} raised ModuleNotFoundError: no module named "
            f"{missing!r}{_where(exc.__traceback__, tracer, root)}; install the app's "
            f"dependencies into the Python that runs flaskwarden ({sys.executable})"
        ) from None
    except SyntaxError as exc:
        shown = _shown(exc.filename, root) if exc.filename else target.module
        raise LoadError(
            f"importing {target.module!r} failed: syntax error in {shown}:{exc.lineno}: {exc.msg}"
        ) from None
    except (Exception, SystemExit) as exc:
        raise LoadError(
            f"importing {target.module!r} {_describe(exc)}"
            f"{_where(exc.__traceback__, tracer, root)}; fix it, or give the app the "
            "environment it needs with --env KEY=VALUE"
        ) from None


def _call_factory(factory: Any, target: Target, tracer: Tracer, root: Path) -> Any:
    try:
        inspect.signature(factory).bind(*target.args, **target.kwargs)
    except TypeError as exc:
        raise LoadError(f"cannot call {target}: {exc}") from None
    except ValueError:
        pass  # no signature available (a builtin): just call it
    try:
        return factory(*target.args, **target.kwargs)
    except (Exception, SystemExit) as exc:
        raise LoadError(
            f"calling {target} {_describe(exc)}{_where(exc.__traceback__, tracer, root)}; "
            "fix it, or give the app the environment it needs with --env KEY=VALUE"
        ) from None


def _unwrap(obj: Any) -> flask.Flask | None:
    """The Flask app inside WSGI middleware that keeps it as ``.app`` (ProxyFix...)."""
    for _ in range(8):
        if isinstance(obj, flask.Flask):
            return obj
        obj = getattr(obj, "app", None)
        if obj is None:
            return None
    return None


def load_app(target: Target, tracer: Tracer, root: Path) -> flask.Flask:
    """Import ``target`` from ``root`` and return the Flask app it names."""
    root = root.resolve()
    if str(root) not in sys.path[:1]:
        sys.path.insert(0, str(root))
    module = _import(target, tracer, root)
    if target.name is None:
        return _discover(module, target, tracer, root)
    if not hasattr(module, target.name):
        raise LoadError(f"module {target.module!r} has no attribute {target.name!r}")
    obj = getattr(module, target.name)
    if target.call:
        if not callable(obj):
            raise LoadError(f"{target.module}:{target.name} is not callable")
        obj = _call_factory(obj, target, tracer, root)
    app = _unwrap(obj)
    if app is None:
        raise LoadError(f"{target} is a {type(obj).__name__}, not a Flask application")
    return app


def _discover(module: ModuleType, target: Target, tracer: Tracer, root: Path) -> flask.Flask:
    for name in DEFAULT_NAMES:
        app = _unwrap(getattr(module, name, None))
        if app is not None:
            return app
    for name in DEFAULT_FACTORIES:
        factory = getattr(module, name, None)
        if callable(factory):
            app = _unwrap(_call_factory(factory, Target(target.module, name, True), tracer, root))
            if app is not None:
                return app
    tried = ", ".join([*DEFAULT_NAMES, *(f"{f}()" for f in DEFAULT_FACTORIES)])
    raise LoadError(
        f"no Flask app found in module {target.module!r} (tried {tried}); "
        f"name it: {target.module}:NAME"
    )
