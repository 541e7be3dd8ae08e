"""The guard's checks: what `Warden` refuses at start-up, as pure functions over plain data.

Each check takes values (the effective debug flag, the secret key, how the app is
served, the environment) and returns a :class:`Violation` or nothing. Nothing here
imports Flask: the catalog imports this module to learn which rules the guard
implements, and Flask is not a dependency of flaskwarden. The audit reuses the same
functions so that both modes judge a live app by one standard.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from flaskwarden import catalog
from flaskwarden.weakkeys import MIN_KEY_BYTES, WEAK_KEYS, as_bytes

# Servers that exist to serve production traffic. Debug or testing mode under one of
# them is never a developer's laptop session.
PRODUCTION_SERVERS: Final = ("gunicorn", "uwsgi", "waitress", "mod_wsgi")

# Credentials that only a deployed process (or a cloud shell) holds. The seed incident:
# a debugger console read AWS_SECRET_ACCESS_KEY from os.environ.
CLOUD_CREDENTIALS: Final = (
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
)

# Variables that hosting platforms set in every deployed process.
PLATFORM_MARKERS: Final[Mapping[str, str]] = {
    "DYNO": "Heroku",
    "K_SERVICE": "Cloud Run",
    "GAE_APPLICATION": "App Engine",
    "AWS_LAMBDA_FUNCTION_NAME": "AWS Lambda",
    "ECS_CONTAINER_METADATA_URI_V4": "Amazon ECS",
    "KUBERNETES_SERVICE_HOST": "Kubernetes",
    "WEBSITE_SITE_NAME": "Azure App Service",
    "FLY_APP_NAME": "Fly.io",
    "RENDER_SERVICE_ID": "Render",
    "RAILWAY_ENVIRONMENT": "Railway",
}

DATABASE_URL_VARS: Final = ("DATABASE_URL",)

_LOCAL_NAMES: Final = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_ALL_INTERFACES: Final = frozenset({"", "0.0.0.0", "::", "[::]", "*"})


@dataclass(frozen=True)
class Violation:
    """One thing the guard refuses (or, in warn mode, logs), named by its catalog rule."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} {self.message}"


@dataclass(frozen=True)
class Serving:
    """How the app is about to be served, as far as the guard can see from inside it.

    ``server`` is ``"app.run"``, ``"flask run"``, one of :data:`PRODUCTION_SERVERS`,
    another ``SERVER_SOFTWARE`` value, or ``None`` when the app is only being imported
    (tests, scripts, an undetected server). ``hosts`` are the addresses it binds.
    """

    server: str | None = None
    hosts: tuple[str, ...] = ()
    workers: int | None = None
    production: bool = False


@dataclass(frozen=True)
class Exposure:
    """Why the app is reachable by someone other than its developer (empty: it is not)."""

    reasons: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.reasons)

    def describe(self) -> str:
        return "; ".join(self.reasons)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps a server reachable from this machine only."""
    name = host.strip().lower()
    if name.startswith(("unix:", "/")):
        return True  # a Unix socket is not a network interface
    if name in _ALL_INTERFACES:
        return False
    name = name.strip("[]")
    if name in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it resolves to some interface, assume a public one


def describe_host(host: str) -> str:
    if host.strip().lower() in _ALL_INTERFACES:
        return f"{host or '(empty host)'} (every network interface)"
    return host


def database_host(url: str) -> str | None:
    """The network host a database URL points to; ``None`` for files and Unix sockets."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if not parts.scheme or not host:
        return None
    return host


def production_markers(environ: Mapping[str, str]) -> list[str]:
    """Reasons, from the environment alone, to believe this process is deployed."""
    reasons = [
        f"{name} is set in the environment (cloud credentials)"
        for name in CLOUD_CREDENTIALS
        if environ.get(name)
    ]
    reasons += [
        f"{name} is set in the environment ({platform})"
        for name, platform in PLATFORM_MARKERS.items()
        if environ.get(name)
    ]
    for name in DATABASE_URL_VARS:
        host = database_host(environ.get(name, ""))
        if host is not None and not is_loopback(host):
            reasons.append(f"{name} points to the non-local database host {host!r}")
    return reasons


def exposure(serving: Serving, environ: Mapping[str, str]) -> Exposure:
    """Everything that makes this start-up more than a local development session."""
    reasons: list[str] = []
    if serving.production:
        reasons.append(f"the app is served by {serving.server}")
    reasons += [
        f"the server binds {describe_host(host)}" for host in serving.hosts if not is_loopback(host)
    ]
    reasons += production_markers(environ)
    return Exposure(tuple(reasons))


@catalog.implements("FW101", mode="guard")
def debug_exposed(debug: bool, exposed: Exposure) -> Violation | None:
    """Refuse to start with debug mode on where anyone but the developer can reach the app.

    Debug is refused when the server binds a non-loopback address, when gunicorn,
    uWSGI, waitress or mod_wsgi serves the app, or when the environment holds
    production markers (cloud credentials, a remote ``DATABASE_URL``, a hosting
    platform's variables). ``FLASKWARDEN_ALLOW_DEBUG = True`` lifts the refusal.
    """
    if not debug or not exposed:
        return None
    return Violation(
        "FW101",
        f"debug mode is on and {exposed.describe()}. With debug on, the Werkzeug debugger "
        "gives anyone who sees an error page a Python console (it reads os.environ, files "
        "and memory) and exceptions propagate with their tracebacks. Turn debug off where the "
        "app is deployed: drop debug=True / app.debug / DEBUG=True and unset FLASK_DEBUG; "
        "for a local container set FLASKWARDEN_ALLOW_DEBUG = True.",
    )


@catalog.implements("FW109", mode="guard")
def testing_exposed(testing: bool, login_disabled: bool, exposed: Exposure) -> Violation | None:
    """Refuse to start a deployed app that has ``TESTING`` or ``LOGIN_DISABLED`` on.

    Tests run the app through the test client, not behind a server or with production
    credentials, so the guard only refuses these flags when the start-up is exposed.
    """
    if not exposed or not (testing or login_disabled):
        return None
    flags = " and ".join(
        name for name, on in (("TESTING", testing), ("LOGIN_DISABLED", login_disabled)) if on
    )
    return Violation(
        "FW109",
        f"{flags} {'is' if ' and ' not in flags else 'are'} on and {exposed.describe()}. "
        "TESTING makes exceptions propagate and lets extensions skip checks (Flask-WTF CSRF, "
        "Flask-Login with LOGIN_DISABLED serves every @login_required view to anyone). "
        "Set them only in the test configuration.",
    )


def secret_key_problem(key: object) -> str | None:
    """What is wrong with a secret key, in words; ``None`` when it is acceptable."""
    if key is None or key == "" or key == b"":
        return "no SECRET_KEY is set"
    if not isinstance(key, (str, bytes)):
        return f"SECRET_KEY is a {type(key).__name__}, not str or bytes"
    raw = as_bytes(key)
    if raw in {as_bytes(k) for k in WEAK_KEYS}:
        return "SECRET_KEY is a well-known tutorial or placeholder key"
    if len(raw) < MIN_KEY_BYTES:
        unit = "byte" if len(raw) == 1 else "bytes"
        return f"SECRET_KEY is only {len(raw)} {unit} long (at least {MIN_KEY_BYTES} needed)"
    return None


@catalog.implements("FW201", mode="guard")
def weak_secret_key(key: object) -> Violation | None:
    """Refuse to start with a missing, short (< 32 bytes) or well-known secret key.

    The well-known keys are the shared list in :mod:`flaskwarden.weakkeys`, the same
    list the probe tries against live session cookies.
    """
    problem = secret_key_problem(key)
    if problem is None:
        return None
    return Violation(
        "FW201",
        f"{problem}: whoever knows or guesses the key signs session cookies and can log in "
        'as any user. Generate one with `python -c "import secrets; print(secrets.'
        'token_hex(32))"`, store it in a secret manager or the environment, and load it '
        'with app.config["SECRET_KEY"] = os.environ["SECRET_KEY"].',
    )


@catalog.implements("FW203", mode="guard")
def per_process_key(own: str, siblings: Collection[str], workers: int) -> Violation | None:
    """Refuse to start when workers of one server hold different secret keys.

    Each gunicorn worker that boots records a keyed hash of its ``SECRET_KEY``; a worker
    whose hash differs from a sibling's was given a key generated in its own process.
    """
    if not siblings or set(siblings) <= {own}:
        return None
    return Violation(
        "FW203",
        f"the {workers} workers of this server hold different SECRET_KEYs: the key is "
        "generated per process (os.urandom / secrets.token_* at start-up), so a session "
        "signed by one worker is rejected by the next and every restart logs everyone out. "
        "Load one fixed key from the environment or a secret manager.",
    )


# Flask's defaults leave SameSite unset and Secure off; HttpOnly is already on.
_COOKIE_UNSET: Final[Mapping[str, object]] = {
    "SESSION_COOKIE_HTTPONLY": None,
    "SESSION_COOKIE_SAMESITE": None,
    "SESSION_COOKIE_SECURE": False,
}


@catalog.implements("FW402", mode="guard")
def safe_cookie_defaults(config: Mapping[str, object]) -> dict[str, object]:
    """Session cookie settings to apply where the app left Flask's unsafe defaults.

    HttpOnly when unset, SameSite=Lax when unset, Secure when the app says it is served
    over https (``PREFERRED_URL_SCHEME``). Values the app set itself are kept.
    """
    updates: dict[str, object] = {}
    if config.get("SESSION_COOKIE_HTTPONLY") is _COOKIE_UNSET["SESSION_COOKIE_HTTPONLY"]:
        updates["SESSION_COOKIE_HTTPONLY"] = True
    if config.get("SESSION_COOKIE_SAMESITE") is _COOKIE_UNSET["SESSION_COOKIE_SAMESITE"]:
        updates["SESSION_COOKIE_SAMESITE"] = "Lax"
    https = str(config.get("PREFERRED_URL_SCHEME", "")).lower() == "https"
    if https and config.get("SESSION_COOKIE_SECURE", False) is False:
        updates["SESSION_COOKIE_SECURE"] = True
    return updates


SECURITY_HEADERS: Final[Mapping[str, str]] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
HSTS_HEADER: Final = ("Strict-Transport-Security", "max-age=31536000")
# Any one of these shows that something (Talisman, an after_request hook) sets headers.
HEADER_EVIDENCE: Final = ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy")


@catalog.implements("FW404", mode="guard")
def security_headers(secure_request: bool) -> list[tuple[str, str]]:
    """The headers the guard adds to responses that lack them, unless Talisman is present.

    No Content-Security-Policy: a useful one depends on the app's scripts; HSTS only on
    requests that arrived over https.
    """
    headers = list(SECURITY_HEADERS.items())
    if secure_request:
        headers.append(HSTS_HEADER)
    return headers


def evaluate(
    *,
    debug: bool,
    testing: bool,
    login_disabled: bool,
    secret_key: object,
    serving: Serving,
    environ: Mapping[str, str],
    allow_debug: bool,
) -> tuple[list[Violation], list[Violation]]:
    """Run the start-up checks: ``(refusals, warnings)``.

    A weak key during local development (debug or testing on, nothing exposed) is a
    warning rather than a refusal: the tutorial's ``SECRET_KEY = "dev"`` on a laptop is
    not the incident this guard exists to stop, the same key behind gunicorn is.
    """
    exposed = exposure(serving, environ)
    refusals: list[Violation] = []
    warnings: list[Violation] = []
    if not allow_debug:
        _add(refusals, debug_exposed(debug, exposed))
    _add(refusals, testing_exposed(testing, login_disabled, exposed))
    key_violation = weak_secret_key(secret_key)
    local_development = (debug or testing) and not exposed
    _add(warnings if local_development else refusals, key_violation)
    return refusals, warnings


def _add(target: list[Violation], violation: Violation | None) -> None:
    if violation is not None:
        target.append(violation)


def format_violations(violations: Sequence[Violation]) -> str:
    return "\n".join(f"  {violation}" for violation in violations)
