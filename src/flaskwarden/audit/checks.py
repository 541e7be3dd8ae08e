"""Audit checks: each one small function over the live app, registered with its rule.

They run in the audit's child process after the app was imported (see
:mod:`flaskwarden.audit.process`). The catalog imports this module without Flask
installed, so Flask is only imported inside the checks that need its classes. Judgments
shared with the guard (what a weak key is, which cookie settings are unsafe) come from
:mod:`flaskwarden.guard.checks`, so the two modes agree.
"""

from __future__ import annotations

import ast
import dis
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any, Final

from flaskwarden import catalog
from flaskwarden.audit.context import AuditContext, Site, make_finding
from flaskwarden.findings import Confidence, Diagnostic, Finding, Severity
from flaskwarden.guard.checks import HEADER_EVIDENCE, secret_key_problem
from flaskwarden.weakkeys import WEAK_KEYS, as_bytes

AuditCheck = Callable[[AuditContext], Iterable[Finding]]


@dataclass(frozen=True)
class RegisteredAuditCheck:
    rule: str
    check: AuditCheck


AUDIT_CHECKS: Final[list[RegisteredAuditCheck]] = []


def audit_rule(rule_id: str) -> Callable[[AuditCheck], AuditCheck]:
    """Register a check over the loaded app (and record it in the catalog)."""

    def decorator(func: AuditCheck) -> AuditCheck:
        catalog.implements(rule_id, "audit")(func)
        AUDIT_CHECKS.append(RegisteredAuditCheck(rule_id, func))
        return func

    return decorator


def run_checks(ctx: AuditContext) -> list[Finding]:
    """Every registered check; one that fails becomes a diagnostic, the others go on."""
    findings: list[Finding] = []
    for registered in AUDIT_CHECKS:
        try:
            findings.extend(registered.check(ctx))
        except Exception as exc:  # a flaskwarden bug or an app too odd to inspect
            ctx.diagnostics.append(
                Diagnostic(
                    ctx.target,
                    "internal-error",
                    f"{registered.rule} check failed: {type(exc).__name__}: {exc}",
                )
            )
    return findings


def is_well_known(key: str | bytes) -> bool:
    return as_bytes(key) in {as_bytes(k) for k in WEAK_KEYS}


def _truthy_env(value: str | None) -> bool:
    return bool(value) and str(value).lower() not in {"0", "false", "no"}


# -- FW1: debug, import-time app.run, diagnostic routes, testing flags -------------------


@audit_rule("FW101")
def debug_enabled(ctx: AuditContext) -> Iterator[Finding]:
    """The imported app has ``DEBUG`` on: ``app.debug`` as the server would see it.

    Reported at the line that set ``DEBUG`` (a config class attribute read by
    ``from_object``, an ``app.config`` write), or where the app was created when
    ``FLASK_DEBUG`` in the environment turned it on.
    """
    if not ctx.app.debug:
        return
    if "DEBUG" in ctx.config_sites:
        origin = "DEBUG is True in the configuration the app loads"
    elif _truthy_env(ctx.environ.get("FLASK_DEBUG")):
        origin = f"FLASK_DEBUG={ctx.environ['FLASK_DEBUG']} in the environment turns DEBUG on"
    else:
        origin = "DEBUG is True"
    yield ctx.finding(
        "FW101",
        ctx.site_of("DEBUG"),
        f"{origin}: under the dev server anyone who triggers an error gets the Werkzeug "
        "debugger's Python console (it reads os.environ and your cloud credentials). "
        "Keep DEBUG off outside development: set it only in a development config or from "
        "FLASK_DEBUG on your machine.",
    )


@audit_rule("FW102")
def run_at_import(ctx: AuditContext) -> Iterator[Finding]:
    """``app.run()`` was called while the audit imported the app, as gunicorn would.

    The audit replaces ``app.run`` during the import, so it records the call instead of
    starting a server.
    """
    for site in ctx.runs:
        yield ctx.finding(
            "FW102",
            site,
            f"app.run() was called while importing {ctx.target}: a WSGI server importing "
            "this module starts the development server inside its worker, which then "
            'blocks. Move the call under if __name__ == "__main__":',
        )


@audit_rule("FW109")
def testing_mode_enabled(ctx: AuditContext) -> Iterator[Finding]:
    """`TESTING` or `LOGIN_DISABLED` switched on in the app that would be deployed.

    ## What it does
    Reads the imported app's effective configuration and reports `TESTING = True` and
    Flask-Login's `LOGIN_DISABLED = True`. The runtime guard refuses to start an app with
    either flag on when it is served by a WSGI server, binds a public address or sees
    production credentials.

    ## Why is this bad?
    `TESTING` makes exceptions propagate to the server and tells extensions that they are
    under test: Flask-WTF skips CSRF validation when `WTF_CSRF_ENABLED` follows it, mail
    extensions stop sending. `LOGIN_DISABLED` turns every `@login_required` view into a
    public one. Both are copied from test fixtures into shared config more often than
    anyone admits.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)
    app.config["TESTING"] = True  # copied from conftest.py
    ```

    ## Use instead
    ```python
    from flask import Flask


    def create_app(test_config=None):
        app = Flask(__name__)
        if test_config is not None:
            app.config.update(test_config)  # the tests pass {"TESTING": True}
        return app


    app = create_app()
    ```

    ## Fix safety
    Safe for production: set the flags only in the test configuration or fixture.

    ## References
    - CWE-489: Active Debug Code
    - https://flask.palletsprojects.com/en/stable/config/#TESTING
    - https://flask-login.readthedocs.io/en/latest/#protecting-views
    """
    for key, effect in (
        ("TESTING", "exceptions propagate and extensions skip their checks (CSRF, mail)"),
        ("LOGIN_DISABLED", "every @login_required view is served to anyone"),
    ):
        if ctx.app.config.get(key):
            yield ctx.finding(
                "FW109",
                ctx.site_of(key),
                f"{key} is on in the app as imported: {effect}. Set it only in the test "
                "configuration.",
            )


_AUTH_NAME: Final = re.compile(
    r"login|auth|admin|permission|role|require|protect|token|jwt|api_?key", re.IGNORECASE
)
# Path words that name a diagnostic endpoint by themselves...
_DIAGNOSTIC_WORDS: Final = frozenset(
    {
        "debug", "_debug", "__debug__", "env", "environ", "phpinfo", "tracemalloc", "heap",
        "gc", "dump", "diag", "diagnostic", "diagnostics", "internals", "sysinfo",
    }
)  # fmt: skip
# ...and words that do only when the view also reads diagnostic data.
_AMBIGUOUS_WORDS: Final = frozenset(
    {"config", "settings", "memory", "vars", "console", "environment", "status", "info"}
)
_EVIDENCE: Final[Mapping[str, str]] = {
    "environ": "the process environment",
    "config": "the app configuration",
    "tracemalloc": "tracemalloc memory statistics",
    "take_snapshot": "tracemalloc memory statistics",
    "get_traced_memory": "tracemalloc memory statistics",
    "get_objects": "the garbage collector's objects",
    "get_referrers": "the garbage collector's objects",
    "globals": "the module globals",
    "modules": "sys.modules",
    "eval": "eval()",
    "exec": "exec()",
}
# Strong enough on their own: no ordinary view calls these.
_STRONG_EVIDENCE: Final = frozenset(
    {"tracemalloc", "take_snapshot", "get_traced_memory", "get_objects", "get_referrers"}
)
_LOAD_OPS: Final = frozenset(
    {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_ATTR", "LOAD_METHOD", "IMPORT_NAME", "IMPORT_FROM"}
)
_STATE_CHANGING: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class _Name:
    """A global or attribute name the code loads; ``owner`` is what an attribute is read
    from when that is a plain name (``os`` in ``os.environ``)."""

    name: str
    line: int
    owner: str = ""


def _code_names(code: CodeType) -> list[_Name]:
    """Every global and attribute name the code (and its nested code) loads, with lines."""
    names: list[_Name] = []
    line = code.co_firstlineno
    previous = ""
    for instruction in dis.get_instructions(code):
        positions = getattr(instruction, "positions", None)
        if positions is not None and positions.lineno:
            line = positions.lineno
        elif isinstance(instruction.starts_line, int) and instruction.starts_line:
            line = instruction.starts_line
        if instruction.opname in _LOAD_OPS and isinstance(instruction.argval, str):
            attribute = instruction.opname in {"LOAD_ATTR", "LOAD_METHOD"}
            names.append(_Name(instruction.argval, line, previous if attribute else ""))
            previous = instruction.argval
        elif instruction.opname in {"LOAD_FAST", "LOAD_DEREF"}:
            previous = str(instruction.argval)
        elif instruction.opname not in {"CACHE", "PRECALL", "NOP", "EXTENDED_ARG"}:
            previous = ""
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names.extend(_code_names(const))
    return names


@dataclass(frozen=True)
class _View:
    """One endpoint's view function, opened up for inspection."""

    endpoint: str
    function: Any
    wrappers: tuple[Any, ...]
    code: CodeType | None

    @property
    def names(self) -> list[_Name]:
        return _code_names(self.code) if self.code is not None else []

    def evidence(self) -> list[_Name]:
        """Names showing that the view reads diagnostic data (``os.environ``, not
        ``request.environ``; an app's ``config``; ``sys.modules``)."""
        globals_ = getattr(self.function, "__globals__", {})
        found = []
        for item in self.names:
            if item.name not in _EVIDENCE:
                continue
            owner = globals_.get(item.owner) if item.owner else None
            if item.name == "environ":
                direct = not item.owner and globals_.get("environ") is os.environ
                if not direct and owner is not os and item.owner != "os":
                    continue
            elif item.name == "config":
                if item.owner not in {"current_app", "app"} and not hasattr(owner, "url_map"):
                    continue
            elif item.name == "modules" and owner is not sys and item.owner != "sys":
                continue
            found.append(item)
        return found

    def site(self) -> Site | None:
        """The first decorator (the route) of the view, or its ``def`` line."""
        if self.code is None:
            return None
        return Site(self.code.co_filename, self.code.co_firstlineno)


def _view(ctx: AuditContext, endpoint: str) -> _View | None:
    from flaskwarden.audit.tracing import view_function

    view = ctx.app.view_functions.get(endpoint)
    if view is None:
        return None
    wrappers: list[Any] = []
    current = view
    while current is not None and len(wrappers) < 20:
        wrappers.append(current)
        current = getattr(current, "__wrapped__", None)
    function = view_function(view)
    code = getattr(function, "__code__", None)
    return _View(endpoint, function, tuple(wrappers), code if isinstance(code, CodeType) else None)


def _user_view(ctx: AuditContext, endpoint: str) -> _View | None:
    """The view, if its code is the project's own (library routes are not reported)."""
    view = _view(ctx, endpoint)
    if view is None or view.code is None or not ctx.is_user_file(view.code.co_filename):
        return None
    return view


def _auth_protected(ctx: AuditContext, view: _View) -> bool:
    """A login/admin decorator wraps the view, or a blueprint or app hook checks auth."""
    if any(_AUTH_NAME.search(getattr(w, "__qualname__", "")) for w in view.wrappers[:-1]):
        return True
    scopes: list[str | None] = [None]
    parts = view.endpoint.split(".")[:-1]
    scopes += [".".join(parts[: i + 1]) for i in range(len(parts))]
    for scope in scopes:
        for hook in ctx.app.before_request_funcs.get(scope, ()):
            if _AUTH_NAME.search(getattr(hook, "__qualname__", "")):
                return True
    return False


def _rules_by_endpoint(ctx: AuditContext) -> dict[str, list[Any]]:
    rules: dict[str, list[Any]] = {}
    for rule in ctx.app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, []).append(rule)
    return rules


def _route_words(rule: str) -> set[str]:
    without_params = re.sub(r"<[^>]*>", "", rule.lower())
    return {word for word in re.split(r"[/.\-]+", without_params) if word}


@audit_rule("FW106")
def diagnostic_endpoint(ctx: AuditContext) -> Iterator[Finding]:
    """A registered route that looks diagnostic and has no login check in front of it.

    Looks at the live ``url_map``: route paths with words such as ``debug``, ``env``,
    ``phpinfo``, ``heap``, and view code that reads ``os.environ``, the app config,
    ``tracemalloc`` or ``gc`` objects. Views wrapped in a login/admin decorator, or behind
    a blueprint or app ``before_request`` hook named like an auth check, are skipped.
    """
    for endpoint, rules in _rules_by_endpoint(ctx).items():
        view = _user_view(ctx, endpoint)
        if view is None or _auth_protected(ctx, view):
            continue
        words = set().union(*(_route_words(rule.rule) for rule in rules))
        evidence = view.evidence()
        strong = [item for item in evidence if item.name in _STRONG_EVIDENCE]
        named = bool(words & _DIAGNOSTIC_WORDS) or bool(words & _AMBIGUOUS_WORDS and evidence)
        if not named and not strong:
            continue
        site = Site(view.code.co_filename, evidence[0].line) if evidence and view.code else None
        what = sorted({_EVIDENCE[item.name] for item in evidence})
        returns = f"reads {', '.join(what)}" if what else "looks like a diagnostic endpoint"
        paths = ", ".join(sorted({rule.rule for rule in rules}))
        yield ctx.finding(
            "FW106",
            site or view.site(),
            f"{paths} (view {endpoint}) {returns} and anyone can request it: no login "
            "check wraps it. Remove it from the app, or put it behind authentication and "
            "keep it out of production.",
            confidence=Confidence.HIGH if named and evidence else Confidence.MEDIUM,
        )


# -- FW2: the secret key ---------------------------------------------------------------


def key_sample(ctx: AuditContext) -> dict[str, Any] | None:
    """What the parent needs to compare this process's key with another's (FW203).

    ``None`` when there is nothing to compare: no key, or a well-known literal. A short
    key is still compared: ``os.urandom(24)`` is both too short and per process.
    """
    from flaskwarden.guard.keyshare import fingerprint

    key = ctx.app.config.get("SECRET_KEY")
    if not isinstance(key, (str, bytes)) or not key or is_well_known(key):
        return None
    raw = as_bytes(key)
    from_env = any(raw == v.encode("utf-8", "surrogateescape") for v in ctx.environ.values())
    site = ctx.site_of("SECRET_KEY")
    return {
        "fingerprint": fingerprint(key),
        # A key equal to an environment variable is read from it: the same in every process.
        "from_env": from_env,
        "site": {"path": site.path, "line": site.line} if site is not None else None,
    }


@audit_rule("FW201")
def weak_secret_key(ctx: AuditContext) -> Iterator[Finding]:
    """The imported app's ``SECRET_KEY`` is missing, shorter than 32 bytes, or on the
    shared list of tutorial and placeholder keys (:mod:`flaskwarden.weakkeys`)."""
    problem = secret_key_problem(ctx.app.config.get("SECRET_KEY"))
    if problem is None:
        return
    yield ctx.finding(
        "FW201",
        ctx.site_of("SECRET_KEY"),
        f"{problem} in the app as imported: whoever knows or guesses it can sign session "
        "cookies and log in as any user. Load a random 32-byte key from the environment or "
        'a secret manager: app.config["SECRET_KEY"] = os.environ["SECRET_KEY"].',
    )


@catalog.implements("FW203", mode="audit")
def per_process_key(
    first: Mapping[str, Any], second: Mapping[str, Any], root: Path, target: str
) -> Finding | None:
    """Importing the app in two processes gave two different ``SECRET_KEY`` values.

    The parent process compares keyed hashes (never the keys) of the two imports; keys
    equal to an environment variable are taken as read from it and not re-imported.
    """
    if first.get("fingerprint") == second.get("fingerprint"):
        return None
    raw_site = first.get("site")
    site = Site(raw_site["path"], raw_site["line"]) if raw_site else None
    return make_finding(
        "FW203",
        root,
        site,
        "SECRET_KEY differs each time the app is imported: it is generated per process "
        "(os.urandom / secrets at start-up). With several workers a session signed by one "
        "is rejected by the next, and every restart logs everyone out. Load one fixed key "
        "from the environment or a secret manager.",
        fallback=target,
    )


# -- FW3: autoescape -------------------------------------------------------------------


@audit_rule("FW302")
def autoescape_off(ctx: AuditContext) -> Iterator[Finding]:
    """The app's Jinja environment does not autoescape ``.html`` templates, so every
    ``{{ value }}`` is inserted as raw HTML (``jinja_options`` or ``jinja_env.autoescape``).
    """
    autoescape = ctx.app.jinja_env.autoescape
    escapes = autoescape("page.html") if callable(autoescape) else bool(autoescape)
    if escapes:
        return
    yield ctx.finding(
        "FW302",
        ctx.app_site,
        "the app's Jinja environment has autoescaping off for .html templates: every "
        "{{ value }} from a request is rendered as HTML (cross-site scripting). Remove "
        "autoescape=False from jinja_options / app.jinja_env so Flask's default applies.",
    )


# -- FW4: CSRF, cookies, headers -------------------------------------------------------


def _csrf_protection(app: Any) -> tuple[str | None, str]:
    """``(what protects every form, why not)``: Flask-WTF, SeaSurf or a CSRF hook."""
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return None, "CSRFProtect is installed but WTF_CSRF_ENABLED is False"
        if app.config.get("WTF_CSRF_CHECK_DEFAULT", True):
            return type(csrf).__name__, ""
    for hooks in app.before_request_funcs.values():
        for hook in hooks:
            name = f"{getattr(hook, '__module__', '')}.{getattr(hook, '__qualname__', '')}"
            if re.search(r"csrf|seasurf", name, re.IGNORECASE):
                return name, ""
    return None, "no CSRF protection is installed"


def _uses_csrf_form(view: _View, app: Any) -> bool:
    """The view validates a Flask-WTF form, which checks its own CSRF token."""
    flask_wtf = sys.modules.get("flask_wtf")
    if flask_wtf is None or not app.config.get("WTF_CSRF_ENABLED", True):
        return False
    globals_ = getattr(view.function, "__globals__", {})
    for item in view.names:
        candidate = globals_.get(item.name)
        if isinstance(candidate, type) and issubclass(candidate, flask_wtf.FlaskForm):
            meta = getattr(candidate, "Meta", None)
            if getattr(meta, "csrf", True):
                return True
    return False


def _json_only(view: _View) -> bool:
    """Reads a JSON body and no form: an API that cookies-based CSRF does not apply to."""
    names = {item.name for item in view.names}
    return bool(names & {"get_json", "json"}) and not names & {"form", "values", "files"}


@audit_rule("FW401")
def missing_csrf_protection(ctx: AuditContext) -> Iterator[Finding]:
    """State-changing routes accept cookie-authenticated requests without CSRF protection.

    Reads the live `url_map` for routes that accept `POST`, `PUT`, `PATCH` or `DELETE`
    and checks that something verifies a CSRF token on them: Flask-WTF's `CSRFProtect`
    (enabled), Flask-SeaSurf, a `before_request` hook named for CSRF, or a Flask-WTF form
    validated in the view. Views that only read a JSON body are left out (APIs that
    authenticate with a header token are not exposed to CSRF). One finding per app, at
    the first unprotected route, listing the others.

    Documented by the scan rule of the same id (`flaskwarden explain`), whose
    docs describe the code pattern; this unit checks the live app object."""
    protection, reason = _csrf_protection(ctx.app)
    if protection is not None:
        return
    exposed: list[tuple[_View, str]] = []
    seen: set[str] = set()
    for rule in ctx.app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) & _STATE_CHANGING)
        if not methods or rule.endpoint in seen:
            continue
        view = _user_view(ctx, rule.endpoint)
        if view is None or _json_only(view) or _uses_csrf_form(view, ctx.app):
            continue
        seen.add(rule.endpoint)
        exposed.append((view, f"{'/'.join(methods)} {rule.rule}"))
    if not exposed:
        return
    first, others = exposed[0][0], exposed[1:]
    routes = ", ".join(route for _, route in exposed)
    count = f"{len(exposed)} state-changing routes" if others else "a state-changing route"
    yield ctx.finding(
        "FW401",
        first.site(),
        f"{count} ({routes}) accept requests carrying the session cookie and {reason}: any "
        "site the user visits can submit these forms as them. Install Flask-WTF's "
        "CSRFProtect (csrf = CSRFProtect(app)) and render {{ csrf_token() }} in every form.",
        related=[(site, route) for view, route in others if (site := view.site()) is not None],
    )


@audit_rule("FW402")
def insecure_session_cookie(ctx: AuditContext) -> Iterator[Finding]:
    """Session cookie settings that let scripts read it, send it over http or cross-site.

    Reads the imported app's `SESSION_COOKIE_HTTPONLY`, `SESSION_COOKIE_SECURE` and
    `SESSION_COOKIE_SAMESITE`. Reports HttpOnly turned off, Secure turned off explicitly
    (or left at Flask's default `False` when `PREFERRED_URL_SCHEME` is `https`), and
    `SameSite="None"`. Flask's default of no SameSite attribute is not reported.

    Documented by the scan rule of the same id (`flaskwarden explain`), whose
    docs describe the code pattern; this unit checks the live app object."""
    config = ctx.app.config
    if config.get("SESSION_COOKIE_HTTPONLY") is False:
        yield ctx.finding(
            "FW402",
            ctx.site_of("SESSION_COOKIE_HTTPONLY"),
            "SESSION_COOKIE_HTTPONLY is False: page scripts, and any XSS payload, can read "
            "the session cookie and take over the account. Set it to True and give scripts "
            "the data they need another way.",
            cwe=1004,
        )
    https = str(config.get("PREFERRED_URL_SCHEME", "")).lower() == "https"
    explicit = "SESSION_COOKIE_SECURE" in ctx.config_sites
    if not config.get("SESSION_COOKIE_SECURE") and (explicit or https):
        why = "is set to False" if explicit else "is off although PREFERRED_URL_SCHEME is https"
        yield ctx.finding(
            "FW402",
            ctx.site_of("SESSION_COOKIE_SECURE" if explicit else "PREFERRED_URL_SCHEME"),
            f"SESSION_COOKIE_SECURE {why}: the browser also sends the session cookie over "
            "plain http, where anyone on the network reads it. Set it to True where the "
            "app is served over https (also behind a TLS-terminating proxy).",
            cwe=614,
        )
    samesite = config.get("SESSION_COOKIE_SAMESITE")
    if isinstance(samesite, str) and samesite.lower() == "none":
        yield ctx.finding(
            "FW402",
            ctx.site_of("SESSION_COOKIE_SAMESITE"),
            'SESSION_COOKIE_SAMESITE is "None": the session cookie goes with every '
            'cross-site request, so other sites act as the logged-in user. Use "Lax".',
            cwe=1275,
        )


@audit_rule("FW404")
def missing_security_headers(ctx: AuditContext) -> Iterator[Finding]:
    """Responses carry none of the basic security headers.

    Sends one GET for a path that does not exist through the app's test client (no
    network, no view runs; `before_request` and `after_request` hooks do) and looks at
    the response for `X-Content-Type-Options`, `X-Frame-Options` or
    `Content-Security-Policy`, whoever sets them: Flask-Talisman, the flaskwarden guard,
    an `after_request` hook.

    Documented by the scan rule of the same id (`flaskwarden explain`), whose
    docs describe the code pattern; this unit checks the live app object."""
    try:
        response = ctx.app.test_client().get("/__flaskwarden-audit-headers__")
    except Exception as exc:  # the app's own hooks failed on a bare request
        ctx.diagnostics.append(
            Diagnostic(
                ctx.target,
                "audit-request",
                "could not check response headers (FW404): a request to the app raised "
                f"{type(exc).__name__}: {exc}",
            )
        )
        return
    if any(name in response.headers for name in HEADER_EVIDENCE):
        return
    yield ctx.finding(
        "FW404",
        ctx.app_site,
        f"responses carry no security headers (none of {', '.join(HEADER_EVIDENCE)}): "
        "browsers may sniff uploads into HTML and any site can frame the pages. Add "
        "Flask-Talisman (Talisman(app)), flaskwarden's Warden(app), or an after_request "
        "hook that sets them.",
    )


# -- FW6: blueprints -------------------------------------------------------------------


def _nested(blueprint: Any) -> list[Any]:
    return [child for child, _options in getattr(blueprint, "_blueprints", ())]


@audit_rule("FW603")
def unregistered_blueprint(ctx: AuditContext) -> Iterator[Finding]:
    """A blueprint with routes that the app never registers: its URLs are all 404.

    Lists the blueprints the project's modules created while the app was imported and
    compares them with `app.blueprints`; modules of the app's package that were never
    imported are parsed (not run) for `Blueprint(...)` objects with routes, which
    cannot be registered either.

    Documented by the scan rule of the same id (`flaskwarden explain`), whose
    docs describe the code pattern; this unit checks the live app object."""
    registered = {id(bp) for bp in ctx.app.blueprints.values()}
    live = [(bp, site) for bp, site in ctx.blueprints if site is not None]
    unregistered = [(bp, site) for bp, site in live if id(bp) not in registered]
    inside_unregistered = {id(child) for bp, _ in unregistered for child in _nested(bp)}
    for bp, site in unregistered:
        if id(bp) in inside_unregistered or not bp.deferred_functions:
            continue
        yield ctx.finding(
            "FW603",
            site,
            f"blueprint {bp.name!r} has routes but the app never registers it: every one of "
            "its URLs is a 404. Register it in the app factory (app.register_blueprint(...)) "
            "or delete it.",
        )
    yield from _unimported_blueprints(ctx)


_SKIP_DIRS: Final = frozenset(
    {"tests", "test", "migrations", "alembic", "__pycache__", "node_modules", "venv", ".venv"}
)
_ROUTE_METHODS: Final = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "add_url_rule"}
)


def _package_dirs(ctx: AuditContext) -> list[Path]:
    """The top-level packages of the app and of the target module, inside the project."""
    names = {ctx.app.import_name.split(".")[0], ctx.target.split(":")[0].split(".")[0]}
    dirs: list[Path] = []
    for name in sorted(names):
        for entry in getattr(sys.modules.get(name), "__path__", ()) or ():
            path = Path(entry).resolve()
            if path.is_relative_to(ctx.root) and path not in dirs:
                dirs.append(path)
    return dirs


def _python_files(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for filename in sorted(filenames):
            if filename.endswith(".py") and not filename.startswith(("test_", "conftest")):
                yield Path(dirpath, filename)


def _blueprints_in_source(tree: ast.Module) -> list[tuple[str, int]]:
    """Module-level ``NAME = Blueprint(...)`` that the same module adds routes to."""
    created: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            callee = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if callee == "Blueprint":
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        created[target.id] = node.lineno
    routed = {
        node.func.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _ROUTE_METHODS
        and isinstance(node.func.value, ast.Name)
    }
    return [(name, line) for name, line in created.items() if name in routed]


def _unimported_blueprints(ctx: AuditContext) -> Iterator[Finding]:
    imported = set()
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if filename:
            imported.add(Path(filename).resolve())
    for folder in _package_dirs(ctx):
        for path in _python_files(folder):
            if path in imported:
                continue
            try:
                tree = ast.parse(path.read_bytes(), filename=str(path))
            except (OSError, SyntaxError, ValueError):
                continue
            for name, line in _blueprints_in_source(tree):
                yield ctx.finding(
                    "FW603",
                    Site(str(path), line),
                    f"blueprint {name} has routes but its module is never imported by the "
                    "app, so it cannot be registered: every one of its URLs is a 404. Import "
                    "it in the app factory and call app.register_blueprint(...), or delete it.",
                    confidence=Confidence.MEDIUM,
                    severity=Severity.MEDIUM,
                )
