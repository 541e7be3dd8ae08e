"""Where the live app's settings came from: instrumentation installed before the import.

An app object knows its effective configuration but not which line set it. Before the
audited module is imported, :class:`Tracer` makes Flask create every app with a
``Config`` subclass that records, for each key written, the innermost line of the
user's code that wrote it (``app.config[...] = ``, ``update``, ``from_mapping``,
``app.debug = ``); for ``from_object`` it records the line of the class attribute or
module constant that supplied the value. It also records where each app and blueprint
was created, and turns ``app.run()`` and ``run_simple()`` into recorders so that a
module that starts the dev server at import (FW102) is reported instead of hanging the
audit. Only the audit's child process installs this; it changes Flask process-wide.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
import sysconfig
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import flask
import werkzeug.serving
from werkzeug.utils import import_string

import flaskwarden
from flaskwarden.audit.context import Site


class Tracer:
    """Records sites in the user's code; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.runs: list[Site] = []
        self.blueprints: list[tuple[flask.Blueprint, Site | None]] = []
        self._source: object = None
        self._user_file: dict[str, bool] = {}
        self._excluded = tuple(
            Path(p).resolve()
            for p in {
                sysconfig.get_paths()["purelib"],
                sysconfig.get_paths()["platlib"],
                sysconfig.get_paths()["stdlib"],
                str(Path(flaskwarden.__file__).parent),
            }
        )

    # -- which code is the user's ----------------------------------------------------

    def is_user_file(self, filename: str) -> bool:
        """A file of the audited project: under the root, not a library or flaskwarden."""
        known = self._user_file.get(filename)
        if known is None:
            path = Path(filename)
            try:
                resolved = path.resolve()
            except OSError:
                resolved = path
            known = (
                path.suffix == ".py"
                and resolved.is_relative_to(self.root)
                and not any(resolved.is_relative_to(excluded) for excluded in self._excluded)
                and not {"site-packages", "dist-packages", ".venv", "venv"} & set(resolved.parts)
            )
            self._user_file[filename] = known
        return known

    def user_site(self, frame: FrameType | None = None) -> Site | None:
        """The innermost frame (from ``frame``, default the caller's) in the user's code."""
        current: FrameType | None = frame if frame is not None else sys._getframe(1)
        while current is not None:
            filename = current.f_code.co_filename
            if self.is_user_file(filename):
                return Site(str(Path(filename).resolve()), current.f_lineno)
            current = current.f_back
        return None

    # -- install ------------------------------------------------------------------

    def install(self) -> None:
        """Make every Flask app record its settings; make dev-server starts no-ops."""
        flask.Flask.config_class = _tracing_config(self)
        flask.Flask.run = self._recording_run  # type: ignore[method-assign]
        werkzeug.serving.run_simple = self._recording_run_simple
        original_init = flask.Blueprint.__init__

        @functools.wraps(original_init)
        def init(blueprint: flask.Blueprint, *args: Any, **kwargs: Any) -> None:
            original_init(blueprint, *args, **kwargs)
            self.blueprints.append((blueprint, self.user_site(sys._getframe(1))))

        flask.Blueprint.__init__ = init  # type: ignore[method-assign, assignment]

    def _recording_run(self, *_args: Any, **_kwargs: Any) -> None:
        site = self.user_site(sys._getframe(1))
        if site is not None:
            self.runs.append(site)

    def _recording_run_simple(self, *_args: Any, **_kwargs: Any) -> None:
        self._recording_run()

    # -- from_object ----------------------------------------------------------------

    @contextmanager
    def source(self, obj: object) -> Iterator[None]:
        """While ``from_object(obj)`` copies settings, attribute them to ``obj``'s lines."""
        previous, self._source = self._source, obj
        try:
            yield
        finally:
            self._source = previous

    def key_site(self, key: str, frame: FrameType | None) -> Site | None:
        if self._source is not None:
            site = attribute_site(self._source, key)
            if site is not None and self.is_user_file(site.path):
                return site
        return self.user_site(frame)


def _tracing_config(tracer: Tracer) -> type[flask.Config]:
    class TracingConfig(flask.Config):
        """A Flask ``Config`` that remembers the line that set each key."""

        def __init__(self, root_path: str, defaults: dict[str, Any] | None = None) -> None:
            super().__init__(root_path, defaults)
            self.flaskwarden_sites: dict[str, Site] = {}
            self.flaskwarden_created = tracer.user_site(sys._getframe(1))

        def _record(self, key: object) -> None:
            sites = self.__dict__.get("flaskwarden_sites")
            if sites is not None and isinstance(key, str):
                site = tracer.key_site(key, sys._getframe(2))
                if site is not None:
                    sites[key] = site

        def __setitem__(self, key: str, value: Any) -> None:
            self._record(key)
            super().__setitem__(key, value)

        def update(self, *args: Any, **kwargs: Any) -> None:
            items = dict(*args, **kwargs)
            for key in items:
                self._record(key)
            super().update(items)

        def setdefault(self, key: str, default: Any = None) -> Any:
            if key not in self:
                self._record(key)
            return super().setdefault(key, default)

        def from_object(self, obj: object | str) -> None:
            resolved = import_string(obj) if isinstance(obj, str) else obj
            with tracer.source(resolved):
                super().from_object(resolved)

    return TracingConfig


@functools.cache
def _parsed(path: str) -> ast.Module | None:
    try:
        return ast.parse(Path(path).read_bytes(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None


def _assigned_line(body: list[ast.stmt], name: str) -> int | None:
    line = None
    for statement in body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            line = statement.lineno  # the last assignment wins, as at run time
    return line


def attribute_site(obj: object, key: str) -> Site | None:
    """The line assigning ``key`` in the class (or its bases) or module ``obj``."""
    if isinstance(obj, ModuleType):
        path = getattr(obj, "__file__", None)
        tree = _parsed(path) if path else None
        line = _assigned_line(tree.body, key) if tree is not None else None
        return Site(str(Path(path).resolve()), line) if path and line else None
    owners = [k for k in getattr(obj, "__mro__", type(obj).__mro__) if key in vars(k)]
    if not owners:
        return None
    owner = owners[0]
    try:
        path = inspect.getsourcefile(owner)
        start = inspect.getsourcelines(owner)[1]
    except (OSError, TypeError):
        return None
    tree = _parsed(path) if path else None
    if path is None or tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == owner.__name__:
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            if start in (first, node.lineno):
                line = _assigned_line(node.body, key)
                return Site(str(Path(path).resolve()), line) if line else None
    return None


def view_function(view: Callable[..., Any]) -> Callable[..., Any]:
    """The function whose code a view runs: decorators unwrapped, class views opened."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        dispatch: Callable[..., Any] = getattr(view_class, "dispatch_request", view)
        return dispatch
    unwrapped: Callable[..., Any] = inspect.unwrap(view)
    return unwrapped
