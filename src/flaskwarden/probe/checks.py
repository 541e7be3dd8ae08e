"""The probe's checks: one small unit per problem, each over a :class:`ProbeContext`.

A unit reads the pages already fetched and may fetch a few more URLs of the target
origin (GET only, through the safe client). Each is registered in the rule catalog
under the same id as the static rule that prevents the problem, so a live finding
points at the `flaskwarden scan` check that would have caught it before deploy.

Units for rules that `scan` also implements carry a plain docstring; units for rules
only the probe checks carry the full ruff-style docs (see :mod:`flaskwarden.catalog`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final

from flaskwarden import catalog
from flaskwarden.findings import Confidence, Finding, Location, Severity
from flaskwarden.probe.model import SMALL_BYTES, Fetched, ProbeContext, SetCookie
from flaskwarden.probe.session import FlaskSession, builtin_keys, decode, find_key, show_key

ProbeCheck = Callable[[ProbeContext], Iterable[Finding]]


@dataclass(frozen=True)
class RegisteredProbeCheck:
    rule: str
    check: ProbeCheck


PROBE_CHECKS: Final[list[RegisteredProbeCheck]] = []


def probe_check(rule_id: str) -> Callable[[ProbeCheck], ProbeCheck]:
    """Register a probe check for ``rule_id`` (in the catalog, mode ``probe``)."""

    def decorator(func: ProbeCheck) -> ProbeCheck:
        catalog.implements(rule_id, mode="probe")(func)
        PROBE_CHECKS.append(RegisteredProbeCheck(rule_id, func))
        return func

    return decorator


def _finding(
    rule: str,
    url: str,
    message: str,
    *,
    snippet: str,
    severity: Severity | None = None,
    confidence: Confidence = Confidence.HIGH,
    cwe: int | None = None,
    related: tuple[Location, ...] = (),
) -> Finding:
    return Finding(
        rule=rule,
        message=message,
        path=url,
        line=1,
        severity=severity if severity is not None else catalog.spec(rule).severity,
        confidence=confidence,
        snippet=snippet,
        cwe=cwe,
        related=related,
    )


# --- FW101: the Werkzeug debugger -------------------------------------------------

DEBUGGER_QUERY: Final = "__debugger__=yes&cmd=resource&f=debugger.js"
# Names that occur in every Werkzeug debugger.js since the PIN was introduced (0.11).
_DEBUGGER_JS_MARKERS: Final = (
    "EVALEX_TRUSTED",
    "CONSOLE_MODE",
    "initPinBox",
    "pinauth",
    "printpin",
    "__debugger__",
)
_DEBUGGER_PAGE_RE: Final = re.compile(r"//\s*Werkzeug Debugger\s*</title>", re.I)
_JS_FLAG_RE: Final = re.compile(
    r"\b(CONSOLE_MODE|EVALEX_TRUSTED|EVALEX)\s*=\s*(true|false)\b", re.I
)


def _debugger_flags(page: Fetched) -> dict[str, bool]:
    """The debugger's JavaScript flags on a console or traceback page (empty if none)."""
    if not _DEBUGGER_PAGE_RE.search(page.text):
        return {}
    return {name.upper(): value.lower() == "true" for name, value in _JS_FLAG_RE.findall(page.text)}


def _serves_debugger_js(page: Fetched) -> bool:
    text = page.text
    return page.status == 200 and sum(marker in text for marker in _DEBUGGER_JS_MARKERS) >= 3


@dataclass(frozen=True)
class _DebuggerSigns:
    """What the probe saw of the debugger: its JavaScript, /console, its error pages."""

    resource_url: str
    js_served: bool
    console_url: str
    console: dict[str, bool]
    console_refused: bool
    error_pages: list[tuple[Fetched, dict[str, bool]]]

    @property
    def console_open(self) -> bool:
        return self.console.get("CONSOLE_MODE", False) and self.console.get("EVALEX", False)

    @property
    def pin_disabled(self) -> bool:
        return self.console.get("EVALEX_TRUSTED", False) or any(
            flags.get("EVALEX_TRUSTED") for _, flags in self.error_pages
        )

    @property
    def active(self) -> bool:
        return self.js_served or self.console_open or bool(self.error_pages)

    @property
    def url(self) -> str:
        if self.js_served:
            return self.resource_url
        return self.console_url if self.console_open else self.error_pages[0][0].url


def _look_for_debugger(ctx: ProbeContext) -> _DebuggerSigns:
    resource_url = ctx.target.with_query(DEBUGGER_QUERY)
    resource = ctx.fetch(resource_url, max_bytes=SMALL_BYTES)
    console_url = ctx.target.root("/console")
    console = ctx.fetch(console_url, max_bytes=SMALL_BYTES)
    error_pages = [(page, _debugger_flags(page)) for page in ctx.pages]
    return _DebuggerSigns(
        resource_url=resource_url,
        js_served=resource is not None and _serves_debugger_js(resource),
        console_url=console_url,
        console=_debugger_flags(console) if console is not None else {},
        # Werkzeug >= 3.0.3 answers 400 to /console for Host names not on localhost.
        console_refused=console is not None and console.status == 400,
        error_pages=[(page, flags) for page, flags in error_pages if flags],
    )


def _debugger_evidence(signs: _DebuggerSigns) -> list[str]:
    evidence = []
    if signs.js_served:
        evidence.append(f"GET {signs.resource_url} returned the debugger's JavaScript")
    if signs.console_open and signs.console.get("EVALEX_TRUSTED"):
        evidence.append(
            "/console serves an interactive Python console with the PIN disabled "
            "(EVALEX_TRUSTED = true): anyone who can reach the server runs code in it"
        )
    elif signs.console_open:
        evidence.append(
            "/console serves an interactive Python console guarded only by a PIN, "
            "which is derived from predictable host data"
        )
    elif signs.console_refused:
        evidence.append(
            "/console is refused for this host name (Werkzeug >= 3.0.3 serves it only to "
            "localhost names), but every unhandled error still shows a traceback with source"
        )
    else:
        evidence.append("every unhandled error shows its traceback page, with source code")
    if signs.pin_disabled and not signs.console.get("EVALEX_TRUSTED"):
        evidence.append("its error pages run code without a PIN (EVALEX_TRUSTED = true)")
    return evidence


@probe_check("FW101")
def debugger_active(ctx: ProbeContext) -> Iterator[Finding]:
    """Werkzeug's interactive debugger answering on the live server.

    Asks for the debugger's own JavaScript (``?__debugger__=yes&cmd=resource&
    f=debugger.js``, judged by its content, not the status code), then looks at
    ``/console`` and at the error pages already fetched for the ``EVALEX`` and
    ``EVALEX_TRUSTED`` flags: ``EVALEX_TRUSTED = true`` means the PIN is disabled and
    the finding is critical. Never sends any other debugger command or a PIN.
    """
    signs = _look_for_debugger(ctx)
    if not signs.active:
        return
    related = [Location(signs.console_url, 1, message="interactive Python console")]
    related = related if signs.console_open else []
    for page, flags in signs.error_pages:
        state = "PIN disabled" if flags.get("EVALEX_TRUSTED") else "debugger traceback"
        related.append(Location(page.url, 1, message=f"{page.status} page: {state}"))
    yield _finding(
        "FW101",
        signs.url,
        "The Werkzeug debugger is active: "
        + "; ".join(_debugger_evidence(signs))
        + ". Never run with debug on where others can reach the server: serve the app "
        "with gunicorn or uWSGI and keep debug off unless FLASK_DEBUG=1 is set on a "
        "developer's machine (`flaskwarden scan` FW101 and FW105 catch debug switched on "
        "in code and in deployment config).",
        snippet="EVALEX_TRUSTED = true" if signs.pin_disabled else "Werkzeug debugger active",
        severity=Severity.CRITICAL if signs.pin_disabled else Severity.HIGH,
        related=tuple(related),
    )


# --- FW104: the development server ------------------------------------------------

_WERKZEUG_SERVER_RE: Final = re.compile(r"\bWerkzeug/[\w.+-]+", re.I)


@probe_check("FW104")
def development_server(ctx: ProbeContext) -> Iterator[Finding]:
    """Werkzeug's development server answering, recognised by its ``Server`` banner
    (``Werkzeug/3.1.3 Python/3.12.1``) on the pages fetched."""
    for page in ctx.pages:
        banner = page.header("server") or ""
        if _WERKZEUG_SERVER_RE.search(banner):
            yield _finding(
                "FW104",
                page.url,
                f"The Server header is {banner!r}: the app is served by Werkzeug's "
                "development server, which is not hardened, handles requests with few "
                "threads and is meant for local development only. Serve it with a "
                "production WSGI server (gunicorn app:app, uWSGI, Waitress) behind a "
                "reverse proxy (`flaskwarden scan` FW104 flags `flask run` or "
                "`python app.py` as a production entrypoint).",
                snippet=f"Server: {banner}",
            )
            return


# --- FW108: tracebacks in error pages ---------------------------------------------

NOT_FOUND_PATH: Final = "/flaskwarden-probe-not-found"
_TRACEBACK_RE: Final = re.compile(
    r"Traceback \(most recent call last\):\s*\n\s*File \"[^\"\n]+\", line \d+"
)
_EXCEPTION_LINE_RE: Final = re.compile(
    r"Traceback \(most recent call last\):\n(?:[ \t]+[^\n]*\n|\n)+([^\s<][^\n]*)"
)
_ERRORMSG_RE: Final = re.compile(r'<p class="errormsg">(.*?)</p>', re.S)


def _traceback_summary(page: Fetched) -> tuple[str, str] | None:
    """``(kind, exception line)`` when the page shows a Python traceback, else ``None``."""
    text = page.text
    if _DEBUGGER_PAGE_RE.search(text) and 'class="traceback"' in text:
        match = _ERRORMSG_RE.search(text)
        return "the Werkzeug debugger's traceback page", _one_line(match.group(1) if match else "")
    # Tags stripped for HTML pages, string escapes undone for JSON error bodies.
    plain = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\\n", "\n").replace('\\"', '"')
    if _TRACEBACK_RE.search(plain):
        match = _EXCEPTION_LINE_RE.search(plain)
        return "a Python traceback", _one_line(match.group(1) if match else "")
    return None


def _one_line(text: str) -> str:
    line = " ".join(html.unescape(text).split())
    return line if len(line) <= 120 else line[:117] + "..."


@probe_check("FW108")
def traceback_disclosure(ctx: ProbeContext) -> Iterator[Finding]:
    """Error pages that show Python tracebacks.

    ## What it does
    Looks for a Python traceback (``Traceback (most recent call last):`` followed by
    ``File "...", line N`` frames) or the Werkzeug debugger's traceback page in the
    responses of the target URL, of every ``--path`` and of a 404 the probe provokes
    with a path that does not exist.

    ## Why is this bad?
    A traceback tells anyone who triggers an error the application's file paths, source
    lines, library versions and often the data involved (a failing SQL query, a
    connection string in an exception message): a map for the next attack (CWE-209).
    It usually means debug mode is on, or an error handler renders
    ``traceback.format_exc()``.

    ## Example
    ```python
    import traceback

    from flask import Flask

    app = Flask(__name__)


    @app.errorhandler(500)
    def server_error(error):
        return f"<pre>{traceback.format_exc()}</pre>", 500
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.errorhandler(500)
    def server_error(error):
        app.logger.exception("unhandled error")
        return "Something went wrong; it has been logged.", 500
    ```

    ## Fix safety
    Logging the exception server-side and returning a generic page changes only what
    clients see; the traceback stays available to operators in the logs.

    ## References
    - CWE-209: Generation of Error Message Containing Sensitive Information
    - https://flask.palletsprojects.com/en/stable/errorhandling/
    - https://owasp.org/www-community/Improper_Error_Handling
    """
    pages = list(ctx.pages)
    not_found = ctx.fetch(ctx.target.root(NOT_FOUND_PATH))
    if not_found is not None:
        pages.append(not_found)
    seen: set[str] = set()
    for page in pages:
        summary = _traceback_summary(page)
        if summary is None or page.url in seen:
            continue
        seen.add(page.url)
        kind, exception = summary
        what = f" ({exception})" if exception else ""
        yield _finding(
            "FW108",
            page.url,
            f"GET {page.url} answered {page.status} with {kind}{what}: error pages show "
            "anyone the app's source paths, code and the data involved. Log exceptions "
            "server-side and return a generic error page: turn debug off and never render "
            "traceback.format_exc() in an error handler.",
            snippet=f"{page.status} {kind}",
            confidence=Confidence.HIGH if page.status >= 400 else Confidence.MEDIUM,
        )


# --- FW201, FW405, FW402: the Flask session cookie --------------------------------


@dataclass(frozen=True)
class _SessionCookie:
    page: Fetched
    cookie: SetCookie
    session: FlaskSession | None


def _session_cookies(ctx: ProbeContext) -> list[_SessionCookie]:
    """Flask session cookies set by the pages: decodable ones, or any named ``session``."""
    found: dict[str, _SessionCookie] = {}
    for page in ctx.pages:
        for cookie in page.cookies():
            if cookie.deleted or cookie.name in found:
                continue
            session = decode(cookie.value)
            if session is not None or cookie.name == "session":
                found[cookie.name] = _SessionCookie(page, cookie, session)
    return list(found.values())


def _stored(session: FlaskSession) -> str:
    keys = sorted(session.data)
    shown = ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "")
    return f"it stores {shown}" if keys else "it is empty"


@probe_check("FW201")
def weak_session_key(ctx: ProbeContext) -> Iterator[Finding]:
    """A live session cookie signed with a well-known key: decodes each Flask session
    cookie the pages set and checks its signature offline, with itsdangerous set up as
    Flask sets it up, against the built-in list of tutorial and placeholder keys and
    any ``--wordlist``; a match means anyone can forge sessions."""
    for item in _session_cookies(ctx):
        if item.session is None:
            continue
        match = find_key(item.cookie.value, chain(builtin_keys(), ctx.extra_keys))
        if match is None:
            continue
        yield _finding(
            "FW201",
            item.page.url,
            f"The session cookie {item.cookie.name!r} (set by GET {item.page.url}) is "
            f"signed with the key {show_key(match.key)}, found in {match.source}: anyone "
            "can sign a session this app accepts and so forge one (log in as any user; "
            f"{_stored(item.session)}). Set SECRET_KEY from the environment to a long "
            "random value (python -c 'import secrets; print(secrets.token_hex())') and "
            "rotate it (`flaskwarden scan` FW201 and FW202 catch hardcoded keys and "
            "literal fallbacks).",
            snippet=f"SECRET_KEY = {show_key(match.key)}",
            severity=Severity.CRITICAL,
        )


_SENSITIVE_KEY_RE: Final = re.compile(
    r"password|passwd|pass|pwd|secret|token|otp|totp|credentials?|api_?key|access_?key"
    r"|private_?key|e_?mail|phone|mobile|address|ssn|social_?security(_?number)?|dob"
    r"|birth_?(date|day)|credit_?card|card_?number|cc_?num(ber)?|cvv|iban|passport|salary"
)
# Stored in the session by design and harmless to whoever holds the cookie.
_BENIGN_KEYS: Final = frozenset({"csrf_token", "_csrf_token", "_fresh", "_id", "_user_id"})


def _names_sensitive(key: str) -> bool:
    """Whether a session key names a secret or personal data (``userEmail``, ``api_key``)."""
    if key.lower() in _BENIGN_KEYS:
        return False
    snake = re.sub(r"([a-z])([A-Z])", r"\1_\2", key).lower()
    words = [word for word in re.split(r"[_\-.\s]+", snake) if word]
    candidates = [*words, "_".join(words), "".join(words)]
    return any(_SENSITIVE_KEY_RE.fullmatch(candidate) for candidate in candidates)


def _sensitive_keys(data: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths of the sensitive keys in decoded session data, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}{key}"
            if _names_sensitive(str(key)):
                yield name
            yield from _sensitive_keys(value, f"{name}.")
    elif isinstance(data, list):
        for item in data:
            yield from _sensitive_keys(item, prefix)


@probe_check("FW405")
def sensitive_session_data(ctx: ProbeContext) -> Iterator[Finding]:
    """Secrets or personal data stored in Flask's cookie session.

    ## What it does
    Decodes every Flask session cookie the probed pages set (no key is needed) and
    reports keys that name secrets or personal data: passwords, tokens, API keys, email
    addresses, phone numbers, card numbers and the like, at any depth.

    ## Why is this bad?
    Flask's default session is signed, not encrypted: the cookie is base64 of JSON.
    Anything put in it can be read by whoever sees the cookie: the browser and its
    extensions, a shared computer, proxies and logs that record cookies (CWE-315). The
    signature only stops changes, not reading.

    ## Example
    ```python
    from flask import Flask, session

    app = Flask(__name__)


    @app.post("/login")
    def login():
        session["email"] = "alice@example.com"
        session["password"] = "correct horse battery staple"
        return "ok"
    ```

    ## Use instead
    ```python
    from flask import Flask, session

    app = Flask(__name__)


    @app.post("/login")
    def login():
        session["user_id"] = 42  # look the rest up server-side
        return "ok"
    ```

    ## Fix safety
    Moving data out of the session changes where views read it from; sessions already
    issued keep the old data until they expire, so rotate SECRET_KEY to end them.

    ## References
    - CWE-315: Cleartext Storage of Sensitive Information in a Cookie
    - https://flask.palletsprojects.com/en/stable/quickstart/#sessions
    - https://flask-session.readthedocs.io/
    """
    for item in _session_cookies(ctx):
        if item.session is None:
            continue
        sensitive = sorted(set(_sensitive_keys(item.session.data)))
        if not sensitive:
            continue
        yield _finding(
            "FW405",
            item.page.url,
            f"The session cookie {item.cookie.name!r} (set by GET {item.page.url}) stores "
            f"{', '.join(sensitive)} readable by anyone who sees it: Flask sessions are "
            f"signed, not encrypted, the cookie is base64 of JSON ({_stored(item.session)}). "
            "Keep only an identifier in the session and the data server-side (a database, "
            "Flask-Session).",
            snippet=f"session keys: {', '.join(sensitive)}",
        )


@dataclass(frozen=True)
class _FlagIssue:
    text: str
    fix: str
    severity: Severity
    cwe: int


def _flag_issues(cookie: SetCookie, https: bool, names: dict[str, str]) -> list[_FlagIssue]:
    """What is wrong with a cookie's flags; ``names`` maps flag to the fix's spelling."""
    issues = []
    if not cookie.httponly:
        issues.append(
            _FlagIssue(
                "without HttpOnly (page scripts, and so any XSS, can read it)",
                names["httponly"],
                Severity.MEDIUM,
                1004,
            )
        )
    if https and not cookie.secure:
        issues.append(
            _FlagIssue(
                "without Secure (browsers also send it over plain HTTP, readable on the way)",
                names["secure"],
                Severity.MEDIUM,
                614,
            )
        )
    if cookie.samesite == "None":
        issues.append(
            _FlagIssue(
                "with SameSite=None (sent with every cross-site request: CSRF)",
                names["samesite"],
                Severity.MEDIUM,
                1275,
            )
        )
    elif cookie.samesite is None:
        issues.append(
            _FlagIssue(
                "without SameSite (browsers other than Chrome send it with cross-site requests)",
                names["samesite"],
                Severity.LOW,
                1275,
            )
        )
    return issues


def _flags_snippet(cookie: SetCookie) -> str:
    flags = [f for f, on in (("Secure", cookie.secure), ("HttpOnly", cookie.httponly)) if on]
    if cookie.samesite:
        flags.append(f"SameSite={cookie.samesite}")
    return "; ".join([f"Set-Cookie: {cookie.name}=...", *flags])


def _worst(issues: list[_FlagIssue]) -> _FlagIssue:
    return max(issues, key=lambda issue: issue.severity)


@probe_check("FW402")
def session_cookie_flags(ctx: ProbeContext) -> Iterator[Finding]:
    """The session cookie sent without HttpOnly, Secure (on https) or SameSite.

    ## What it does
    Reads the ``Set-Cookie`` header of the Flask session cookie on the pages probed and
    reports a missing ``HttpOnly``, a missing ``Secure`` when the app is served over
    https, and a missing or ``None`` ``SameSite`` attribute.

    ## Why is this bad?
    Without ``HttpOnly`` any script on the page, including injected ones, can steal the
    session (CWE-1004); without ``Secure`` the browser also sends it over plain HTTP
    (CWE-614); without ``SameSite`` most browsers attach it to requests other sites
    trigger, which is what CSRF needs (CWE-1275).

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SAMESITE="None",
    )
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)
    app.config.update(
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    ```

    ## Fix safety
    ``Secure`` stops the session working over plain HTTP: serve the app over https
    first. ``SameSite="Lax"`` keeps top-level navigation from other sites logged in but
    drops the cookie from cross-site POSTs, which an app relying on them must handle.

    ## References
    - CWE-1004: Sensitive Cookie Without 'HttpOnly' Flag
    - CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute
    - CWE-1275: Sensitive Cookie with Improper SameSite Attribute
    - https://flask.palletsprojects.com/en/stable/security/#set-cookie-options
    """
    names = {
        "httponly": "SESSION_COOKIE_HTTPONLY = True",
        "secure": "SESSION_COOKIE_SECURE = True",
        "samesite": 'SESSION_COOKIE_SAMESITE = "Lax"',
    }
    for item in _session_cookies(ctx):
        issues = _flag_issues(item.cookie, ctx.target.https, names)
        if not issues:
            continue
        fixes = ", ".join(dict.fromkeys(issue.fix for issue in issues))
        worst = _worst(issues)
        yield _finding(
            "FW402",
            item.page.url,
            f"The session cookie {item.cookie.name!r} (set by GET {item.page.url}) is sent "
            f"{'; '.join(issue.text for issue in issues)}. Set {fixes} in the app's config "
            "(`flaskwarden scan` FW402 checks those settings in code).",
            snippet=_flags_snippet(item.cookie),
            severity=worst.severity,
            cwe=worst.cwe,
        )


# --- FW403: other sensitive cookies -----------------------------------------------

_SENSITIVE_COOKIE_RE: Final = re.compile(
    r"sess|sid|token|auth|remember|jwt|login|user|account|api_?key|access|refresh|identity"
    r"|credential",
    re.I,
)
_CSRF_COOKIE_RE: Final = re.compile(r"csrf|xsrf", re.I)


@probe_check("FW403")
def cookie_flags(ctx: ProbeContext) -> Iterator[Finding]:
    """Cookies that carry credentials set without security flags.

    ## What it does
    Reads every ``Set-Cookie`` on the pages probed other than the Flask session cookie
    and, for cookies whose name says they carry a credential (``remember_token``,
    ``auth``, ``jwt``, ``sid``, ``access_token``...), reports a missing ``HttpOnly``,
    ``Secure`` (on https) or ``SameSite``. CSRF cookies, which scripts must read, and
    cookies with other names (a theme, a language) are left alone.

    ## Why is this bad?
    A remember-me or API token cookie is as good as a password: readable by scripts
    without ``HttpOnly``, sent in clear over HTTP without ``Secure``, attached to
    cross-site requests without ``SameSite`` (CWE-614, CWE-1004, CWE-1275).

    ## Example
    ```python
    from flask import Flask, make_response

    app = Flask(__name__)


    @app.get("/login")
    def login():
        response = make_response("welcome")
        response.set_cookie("remember_token", "d1f2e3c4b5a6")
        return response
    ```

    ## Use instead
    ```python
    from flask import Flask, make_response

    app = Flask(__name__)


    @app.get("/login")
    def login():
        response = make_response("welcome")
        response.set_cookie(
            "remember_token", "d1f2e3c4b5a6", secure=True, httponly=True, samesite="Lax"
        )
        return response
    ```

    ## Fix safety
    ``Secure`` cookies are not sent over plain HTTP; ``HttpOnly`` ones cannot be read by
    the app's own scripts, so front-end code that reads the cookie must change.

    ## References
    - CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute
    - CWE-1004: Sensitive Cookie Without 'HttpOnly' Flag
    - https://flask.palletsprojects.com/en/stable/security/#set-cookie-options
    - https://flask-login.readthedocs.io/en/latest/#cookie-settings
    """
    session_names = {item.cookie.name for item in _session_cookies(ctx)}
    names = {"httponly": "httponly=True", "secure": "secure=True", "samesite": 'samesite="Lax"'}
    seen: set[str] = set()
    for page in ctx.pages:
        for cookie in page.cookies():
            if (
                cookie.deleted
                or cookie.name in session_names
                or cookie.name in seen
                or not _SENSITIVE_COOKIE_RE.search(cookie.name)
                or _CSRF_COOKIE_RE.search(cookie.name)
            ):
                continue
            seen.add(cookie.name)
            issues = _flag_issues(cookie, ctx.target.https, names)
            if not issues:
                continue
            worst = _worst(issues)
            yield _finding(
                "FW403",
                page.url,
                f"The cookie {cookie.name!r} (set by GET {page.url}) looks like it carries "
                f"a credential and is sent {'; '.join(issue.text for issue in issues)}. Set "
                f"it with response.set_cookie({cookie.name!r}, ..., "
                f"{', '.join(dict.fromkeys(issue.fix for issue in issues))}).",
                snippet=_flags_snippet(cookie),
                severity=worst.severity,
                confidence=Confidence.MEDIUM,
                cwe=worst.cwe,
            )


# --- FW404: security headers ------------------------------------------------------

_HTML_TYPES: Final = frozenset({"", "text/html", "application/xhtml+xml"})
_HEADER_REASONS: Final = {
    "Content-Security-Policy": "limits what an injected script can do",
    "X-Content-Type-Options: nosniff": "stops browsers running uploads as scripts",
    "X-Frame-Options (or CSP frame-ancestors)": "stops other sites framing pages (clickjacking)",
    "Strict-Transport-Security": "keeps browsers on https",
    "Referrer-Policy": "keeps URLs, and tokens in them, from leaking to other sites",
}


def _missing_headers(page: Fetched, https: bool) -> list[str]:
    csp = page.header("content-security-policy") or ""
    missing = []
    html_page = page.content_type in _HTML_TYPES
    if html_page and not csp.strip():
        missing.append("Content-Security-Policy")
    if (page.header("x-content-type-options") or "").strip().lower() != "nosniff":
        missing.append("X-Content-Type-Options: nosniff")
    frame_options = (page.header("x-frame-options") or "").strip().upper()
    framing_limited = frame_options in ("DENY", "SAMEORIGIN") or "frame-ancestors" in csp.lower()
    if html_page and not framing_limited:
        missing.append("X-Frame-Options (or CSP frame-ancestors)")
    hsts = re.search(r"max-age\s*=\s*\"?(\d+)", page.header("strict-transport-security") or "")
    if https and (hsts is None or int(hsts.group(1)) == 0):
        missing.append("Strict-Transport-Security")
    if html_page and not (page.header("referrer-policy") or "").strip():
        missing.append("Referrer-Policy")
    return missing


@probe_check("FW404")
def missing_security_headers(ctx: ProbeContext) -> Iterator[Finding]:
    """Responses without the security headers browsers rely on.

    ## What it does
    Checks the target URL's response (not a redirect) for ``Content-Security-Policy``,
    ``X-Content-Type-Options: nosniff``, ``X-Frame-Options`` (or a CSP
    ``frame-ancestors``), ``Referrer-Policy`` and, over https,
    ``Strict-Transport-Security``, and reports the missing ones in one finding. For
    responses that are not HTML only ``nosniff`` and HSTS are expected.

    ## Why is this bad?
    These headers are the browser-side safety net (CWE-693): a CSP limits what an XSS
    can run, ``nosniff`` stops uploads being run as scripts, frame options stop
    clickjacking, HSTS stops downgrade to plain HTTP and ``Referrer-Policy`` keeps URLs
    (with their tokens) from leaking to other sites. Flask sets none of them.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.get("/")
    def index():
        return "<h1>Shop</h1>"
    ```

    ## Use instead
    ```python
    from flask import Flask
    from flask_talisman import Talisman

    app = Flask(__name__)
    Talisman(app)


    @app.get("/")
    def index():
        return "<h1>Shop</h1>"
    ```

    ## Fix safety
    A strict CSP blocks inline scripts and third-party resources the pages may use:
    start with ``Content-Security-Policy-Report-Only`` and tighten. Talisman also
    redirects HTTP to HTTPS by default.

    ## References
    - CWE-693: Protection Mechanism Failure
    - https://flask.palletsprojects.com/en/stable/security/#security-headers
    - https://github.com/wntrblm/flask-talisman
    - https://owasp.org/www-project-secure-headers/
    """
    page = ctx.main
    if page.is_redirect:
        return
    missing = _missing_headers(page, ctx.target.https)
    if not missing:
        return
    reasons = "; ".join(f"{header} {_HEADER_REASONS[header]}" for header in missing)
    yield _finding(
        "FW404",
        page.url,
        f"{page.url} is served without {', '.join(missing)}: {reasons}. Add Flask-Talisman "
        "(Talisman(app)) or set them in an after_request hook.",
        snippet="missing: " + ", ".join(missing),
    )


# --- FW406: CORS ------------------------------------------------------------------

PROBE_ORIGIN: Final = "https://flaskwarden-probe.invalid"


@probe_check("FW406")
def permissive_cors(ctx: ProbeContext) -> Iterator[Finding]:
    """CORS that lets any website read responses with the user's cookies.

    ## What it does
    Requests the target URL and every ``--path`` again (HEAD) with the ``Origin`` header
    of a site that does not exist and reports responses that allow it with credentials
    (``Access-Control-Allow-Origin`` echoing that origin and
    ``Access-Control-Allow-Credentials: true``), or that combine
    ``Access-Control-Allow-Origin: *`` with credentials.

    ## Why is this bad?
    An app that reflects any ``Origin`` and allows credentials lets every website its
    users visit read its responses as the logged-in user: profile data, CSRF tokens,
    API results (CWE-942). ``*`` with credentials is refused by browsers, which means
    the CORS setup is wrong and often reflects origins on other routes.

    ## Example
    ```python
    from flask import Flask, request

    app = Flask(__name__)


    @app.after_request
    def cors(response):
        response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
        response.headers["Access-Control-Allow-Credentials"] = "true"
        return response
    ```

    ## Use instead
    ```python
    from flask import Flask, request

    app = Flask(__name__)
    ALLOWED_ORIGINS = {"https://shop.example.com"}


    @app.after_request
    def cors(response):
        origin = request.headers.get("Origin")
        if origin in ALLOWED_ORIGINS:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        return response
    ```

    ## Fix safety
    Front ends served from origins missing from the allow-list stop being able to call
    the API with cookies; list every legitimate origin.

    ## References
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS
    - https://flask-cors.readthedocs.io/
    """
    urls = dict.fromkeys(page.url for page in ctx.pages)
    for url in urls:
        # Only headers matter: HEAD, unless the app does not answer HEAD on this URL.
        page = ctx.fetch(url, method="HEAD", headers={"Origin": PROBE_ORIGIN})
        if page is not None and page.status in (405, 501):
            page = ctx.fetch(url, headers={"Origin": PROBE_ORIGIN}, max_bytes=SMALL_BYTES)
        if page is None:
            continue
        allowed = (page.header("access-control-allow-origin") or "").strip()
        credentials = (page.header("access-control-allow-credentials") or "").strip().lower()
        if credentials != "true" or allowed not in (PROBE_ORIGIN, "*"):
            continue
        if allowed == PROBE_ORIGIN:
            message = (
                f"GET {url} with Origin: {PROBE_ORIGIN} was answered with "
                f"Access-Control-Allow-Origin: {PROBE_ORIGIN} and "
                "Access-Control-Allow-Credentials: true: the app trusts any origin, so any "
                "website a logged-in user visits can read its responses as that user. "
                "Allow only an explicit list of your own origins."
            )
            severity = Severity.HIGH
        else:
            message = (
                f"GET {url} answers Access-Control-Allow-Origin: * with "
                "Access-Control-Allow-Credentials: true: browsers refuse that combination, "
                "so the CORS setup is broken, and code that sets it often reflects the "
                "Origin elsewhere. Allow only an explicit list of your own origins."
            )
            severity = Severity.MEDIUM
        yield _finding(
            "FW406",
            url,
            message,
            snippet=f"Access-Control-Allow-Origin: {allowed}",
            severity=severity,
        )


# --- FW107: files that must never be served ---------------------------------------

_ENV_LINE_RE: Final = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=")
_GIT_HEAD_RE: Final = re.compile(r"ref: refs/\S+|[0-9a-f]{40}|[0-9a-f]{64}")
_SECRET_NAME_RE: Final = re.compile(r"SECRET|KEY|TOKEN|PASS|PWD|CREDENTIAL|DATABASE_URL|DSN", re.I)


def _env_variables(page: Fetched) -> list[str]:
    """The variable names of an env file body; empty when it does not look like one."""
    if page.status != 200 or page.text.lstrip().startswith("<"):
        return []
    lines = [
        line.strip()
        for line in page.text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    names = [m.group(1) for m in map(_ENV_LINE_RE.match, lines) if m is not None]
    return names if names and len(names) * 2 >= len(lines) else []


@probe_check("FW107")
def sensitive_files(ctx: ProbeContext) -> Iterator[Finding]:
    """Environment files or the git repository served over HTTP.

    ## What it does
    Fetches ``/.env``, ``/.flaskenv`` and ``/.git/HEAD`` on the target origin and
    reports each that is really served: an env file is recognised by its
    ``NAME=value`` lines, the git HEAD by ``ref: refs/...`` or a commit hash, so a
    catch-all page answering 200 to everything is not a finding.

    ## Why is this bad?
    ``.env`` holds the app's secrets (``SECRET_KEY``, database passwords, API keys);
    ``.git`` lets anyone download the source code and its whole history, including
    secrets removed long ago (CWE-538). Flask serves them when the project directory is
    made the static folder.

    ## Example
    ```python
    from flask import Flask

    # Serves every file of the project directory at the site root, .env and .git too
    app = Flask(__name__, static_folder=".", static_url_path="")
    ```

    ## Use instead
    ```python
    from flask import Flask

    # Serves only ./static, at /static
    app = Flask(__name__)
    ```

    ## Fix safety
    Files that were deliberately served from the project directory must move into
    ``static/``. Rotate every secret the exposed file held: it may already be copied.

    ## References
    - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or
      Directory
    - https://flask.palletsprojects.com/en/stable/api/#flask.Flask.static_folder
    - https://owasp.org/www-project-web-security-testing-guide/
    """
    for path in ("/.env", "/.flaskenv"):
        url = ctx.target.root(path)
        page = ctx.fetch(url, max_bytes=SMALL_BYTES)
        names = _env_variables(page) if page is not None else []
        if not names:
            continue
        secrets = [name for name in names if _SECRET_NAME_RE.search(name)]
        holds = f"including {', '.join(secrets[:8])}" if secrets else ", ".join(names[:8])
        noun = "variable" if len(names) == 1 else "variables"
        yield _finding(
            "FW107",
            url,
            f"GET {url} returned the app's {path[1:]} file ({len(names)} {noun}, "
            f"{holds}): anyone can download it. Never serve the project directory "
            "(static_folder='.'), block dot-files at the proxy, and rotate every secret it "
            "held (`flaskwarden scan` FW205 flags env files committed to git).",
            snippet=f"GET {path}: " + ", ".join(names[:8]),
        )
    url = ctx.target.root("/.git/HEAD")
    page = ctx.fetch(url, max_bytes=SMALL_BYTES)
    if page is not None and page.status == 200 and _GIT_HEAD_RE.fullmatch(page.text.strip()):
        yield _finding(
            "FW107",
            url,
            f"GET {url} returned the git HEAD ({page.text.strip()[:60]}): the .git "
            "directory is served, so anyone can download the source code and its whole "
            "history, with every secret ever committed. Never serve the project directory "
            "(static_folder='.'), deploy without .git or block it at the proxy.",
            snippet="GET /.git/HEAD",
        )
