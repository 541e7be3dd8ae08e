"""`Warden`: a Flask extension that refuses to start an app configured for an incident.

Start-up is the only moment a guard inside the app can protect it: the Werkzeug
debugger answers its own URLs (error pages, ``/console``) in a WSGI middleware that
wraps the app, before Flask or any ``before_request`` hook runs. So every refusal here
happens while the app is created or before ``app.run`` starts the server, never per
request. Per request the guard only adds security headers.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import click
from flask import Flask, current_app, request
from flask.cli import ScriptInfo, load_dotenv
from flask.helpers import get_debug_flag, get_load_dotenv

from flaskwarden.guard import keyshare
from flaskwarden.guard.checks import (
    Serving,
    Violation,
    evaluate,
    format_violations,
    per_process_key,
    safe_cookie_defaults,
    secret_key_problem,
    security_headers,
)
from flaskwarden.guard.serving import detect_server, gunicorn_process

if TYPE_CHECKING:
    from flask.wrappers import Response

logger = logging.getLogger("flaskwarden.guard")

EXTENSION_KEY: Final = "flaskwarden"
MODES: Final = ("raise", "warn")


class WardenError(click.ClickException):
    """The guard refused to start the app. ``violations`` says which rules and why.

    A :class:`click.ClickException`, so that ``flask run`` (and any click CLI that
    creates the app) prints it as one clean error instead of a traceback.
    """

    def __init__(self, app_name: str, violations: list[Violation]) -> None:
        self.violations = tuple(violations)
        super().__init__(
            f"flaskwarden refused to start the app {app_name!r}:\n"
            f"{format_violations(violations)}\n"
            "(set FLASKWARDEN_MODE = 'warn' to log these instead of refusing)"
        )

    def __str__(self) -> str:
        return self.message


@dataclass
class WardenState:
    """What the guard decided for one app, kept in ``app.extensions["flaskwarden"]``."""

    mode: str
    allow_debug: bool
    serving: Serving = field(default_factory=Serving)
    violations: list[Violation] = field(default_factory=list)
    cookie_defaults: dict[str, object] = field(default_factory=dict)
    talisman: bool | None = None


class Warden:
    """Guard a Flask app: ``Warden(app)`` or ``warden = Warden(); warden.init_app(app)``.

    Call it after the app's configuration is loaded, as with any extension. Config:

    - ``FLASKWARDEN_MODE``: ``"raise"`` (default) refuses to start; ``"warn"`` logs each
      refusal on the ``flaskwarden.guard`` logger and starts anyway.
    - ``FLASKWARDEN_ALLOW_DEBUG``: ``True`` allows debug mode where the guard would
      refuse it (a development container that must bind ``0.0.0.0``).

    The instance keeps no app; everything lives in ``app.extensions["flaskwarden"]``.
    """

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Check the app now, wrap ``app.run`` to check the final host and debug flag,
        fill in safe session cookie defaults and add security headers to responses."""
        mode = str(app.config.get("FLASKWARDEN_MODE", "raise")).strip().lower()
        if mode not in MODES:
            raise ValueError(
                f"FLASKWARDEN_MODE is {app.config.get('FLASKWARDEN_MODE')!r}; "
                f"use one of: {', '.join(MODES)}"
            )
        first_time = EXTENSION_KEY not in app.extensions
        state = WardenState(mode=mode, allow_debug=bool(app.config.get("FLASKWARDEN_ALLOW_DEBUG")))
        app.extensions[EXTENSION_KEY] = state

        state.cookie_defaults = safe_cookie_defaults(app.config)
        app.config.update(state.cookie_defaults)
        if first_time:
            app.after_request(_add_security_headers)
            app.run = _guarded_run(app, app.run)  # type: ignore[method-assign]

        context = _startup_context(app)
        if context is None:
            return  # a flask CLI command other than `run`: nothing is served
        serving, debug = context
        _enforce(app, state, serving, debug)


def _startup_context(app: Flask) -> tuple[Serving, bool] | None:
    """How the app is being started and whether debug will be on; ``None``: not served."""
    ctx = click.get_current_context(silent=True)
    info = ctx.find_object(ScriptInfo) if ctx is not None else None
    if ctx is not None and info is not None:
        if ctx.command.name != "run":
            return None
        # `flask run` sets app.debug from FLASK_DEBUG after the app is created, and
        # turns on the debugger from --debugger or that same flag.
        debug = get_debug_flag() if info.set_debug_flag else app.debug
        debugger = ctx.params.get("debugger")
        host = str(ctx.params.get("host") or "127.0.0.1")
        return Serving("flask run", hosts=(host,)), debug or bool(debugger)
    return detect_server(), app.debug


def _enforce(app: Flask, state: WardenState, serving: Serving, debug: bool) -> None:
    """Refuse (raise) or log what the checks found for this start-up."""
    state.serving = serving
    refusals, warnings = evaluate(
        debug=debug,
        testing=app.testing,
        login_disabled=bool(app.config.get("LOGIN_DISABLED")),
        secret_key=app.config.get("SECRET_KEY"),
        serving=serving,
        environ=os.environ,
        allow_debug=state.allow_debug,
    )
    key_clash = _compare_worker_keys(app, serving)
    if key_clash is not None:
        refusals.append(key_clash)
    state.violations = refusals + warnings
    for violation in warnings:
        logger.warning("flaskwarden: %s (allowed in local development)", violation)
    if not refusals:
        return
    if state.mode == "raise":
        raise WardenError(app.name, refusals)
    for violation in refusals:
        logger.warning("flaskwarden (FLASKWARDEN_MODE=warn) would refuse to start: %s", violation)


def _compare_worker_keys(app: Flask, serving: Serving) -> Violation | None:
    """FW203: compare this gunicorn worker's key with its start-up siblings' keys."""
    if serving.server != "gunicorn":
        return None
    process = gunicorn_process(sys._getframe(1))
    key = app.config.get("SECRET_KEY")
    if (
        process is None
        or process.preload  # forked from one master that created the key once
        or process.workers < 2
        or not process.initial_boot
        or not isinstance(key, (str, bytes))
        or secret_key_problem(key) is not None
    ):
        return None
    own = keyshare.fingerprint(key)
    try:
        recorded = keyshare.sibling_fingerprints(own, process.master_pid)
    except OSError as exc:
        logger.warning("flaskwarden: cannot compare worker keys (FW203): %s", exc)
        return None
    return per_process_key(own, recorded, process.workers)


def _guarded_run(app: Flask, run: Callable[..., None]) -> Callable[..., None]:
    """``app.run`` that checks the host it will bind and its final debug flag first."""

    @functools.wraps(run)
    def guarded(
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: Any,
    ) -> None:
        # Flask ignores app.run() under `flask run`, which the guard already checked.
        if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
            state = app.extensions.get(EXTENSION_KEY)
            if isinstance(state, WardenState):
                serving, effective_debug = _run_context(app, host, debug, load_dotenv, options)
                _enforce(app, state, serving, effective_debug)
        run(host, port, debug, load_dotenv, **options)

    return guarded


def _run_context(
    app: Flask,
    host: str | None,
    debug: bool | None,
    dotenv: bool,
    options: Mapping[str, Any],
) -> tuple[Serving, bool]:
    """The host and debug flag ``Flask.run`` is about to use, resolved as it does."""
    effective = app.debug
    if get_load_dotenv(dotenv):
        load_dotenv()  # as Flask.run does next; existing variables are kept
        if "FLASK_DEBUG" in os.environ:
            effective = get_debug_flag()
    if debug is not None:
        effective = bool(debug)
    debugger = options.get("use_debugger", effective)
    bind = host or str(app.config.get("SERVER_NAME") or "").partition(":")[0] or "127.0.0.1"
    return Serving("app.run", hosts=(bind,)), effective or bool(debugger)


def _add_security_headers(response: Response) -> Response:
    """after_request: add the missing security headers, unless Flask-Talisman sets them."""
    state = current_app.extensions.get(EXTENSION_KEY)
    if not isinstance(state, WardenState):
        return response
    if state.talisman is None:
        state.talisman = _has_talisman(current_app)
    if state.talisman:
        return response
    for name, value in security_headers(request.is_secure):
        response.headers.setdefault(name, value)
    return response


def _has_talisman(app: Flask) -> bool:
    """Flask-Talisman registers no extension key; its bound after_request hook shows it."""
    for hooks in app.after_request_funcs.values():
        for hook in hooks:
            owner = getattr(hook, "__self__", None)
            if owner is not None and type(owner).__module__.startswith("flask_talisman"):
                return True
    return False
