"""FW4: sessions, CSRF, cookies and security headers.

CSRF and headers are decided per application: the routes, extensions and hooks of all
the modules that belong to one Flask app (the app made nearest to them in the source
tree). Cookie settings are judged where they are written, knowing whether a
configuration class is for development or testing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from flaskwarden.appfacts.analyzer import STATE_CHANGING
from flaskwarden.appfacts.facts import Setting
from flaskwarden.appfacts.graph import (
    AppGraph,
    AppSite,
    RouteInfo,
    app_facts,
    app_graph,
    header_evidence_bytes,
)
from flaskwarden.findings import Confidence, Finding
from flaskwarden.model import ClassRef, Project, is_dev_name
from flaskwarden.python.facts import ModuleFacts
from flaskwarden.rules import ScanContext, location, make_finding, project_rule

_MAX_RELATED = 20


@dataclass
class _AppGroup:
    """The modules of one app and what they show about CSRF and sessions."""

    site: AppSite | None
    csrf: list[str] = field(default_factory=list)
    sessions: str = ""
    routes: list[RouteInfo] = field(default_factory=list)


def _groups(graph: AppGraph) -> dict[str, _AppGroup]:
    groups: dict[str, _AppGroup] = {}
    for path in sorted(graph.modules):
        module = graph.modules[path]
        facts = app_facts(module)
        if facts is None or module.is_test:
            continue
        group = groups.setdefault(graph.app_key(path), _AppGroup(graph.app_of(path)))
        group.csrf.extend(facts.csrf)
        group.sessions = group.sessions or facts.sessions
    for key in sorted(graph.routes):
        route = graph.routes[key]
        if route.module.is_test:
            continue
        group = groups.setdefault(
            graph.app_key(route.module.path), _AppGroup(graph.app_of(route.module.path))
        )
        group.routes.append(route)
    return groups


def _form_route(route: RouteInfo, graph: AppGraph) -> bool:
    """State-changing, reads form data, and not authenticated by a header token."""
    methods = route.methods
    return bool(
        methods is not None
        and methods & STATE_CHANGING
        and not route.function.token_auth
        and graph.reads_form(route.module, route.function)
    )


def _describe(route: RouteInfo, graph: AppGraph) -> str:
    methods = "/".join(sorted((route.methods or frozenset()) & STATE_CHANGING))
    return f"{methods} {graph.route_path(route)}".strip() + f" ({route.function.qualname})"


@project_rule("FW401")
def missing_csrf_protection(ctx: ScanContext) -> Iterator[Finding]:
    """Forms that change state, accepted with the session cookie and no CSRF check.

    ## What it does
    Decides per app. Reports when the app has routes that accept `POST`, `PUT`, `PATCH`
    or `DELETE` and read `request.form`/`request.files`/`request.values` (in the view or
    a project function it calls), uses cookie
    sessions (`flask.session`, Flask-Login, Flask-Session), and nothing in it checks a
    CSRF token: no Flask-WTF (`CSRFProtect` or `FlaskForm`), no SeaSurf, no
    Flask-Security, no function or class of its own named for CSRF. One finding per app,
    at its first such route (in blueprint registration order), listing the others. When
    the app's only protection is Flask-WTF's `FlaskForm` (no `CSRFProtect`), a token is
    checked only where a form is validated, so the form routes that validate none (not
    in the view, a project decorator's wrapper or a function it calls) are reported the
    same way. Also
    reports `WTF_CSRF_ENABLED = False` outside a testing or development config, and
    `@csrf.exempt` on a form route, or `csrf.exempt(bp)` on a blueprint with form routes.
    JSON APIs authenticated by a header token (`Authorization`, `X-API-Key`, a
    `token_required`-style decorator) are not reported, nor are endpoints that check a
    signed message posted from another site: a SAML response (python3-saml, pysaml2,
    Flask-SAML) or a webhook verified by its signature header.

    ## Why is this bad?
    The browser attaches the session cookie to a form another site submits. Any page the
    logged-in user visits can add to their cart, change their email or place an order
    on their behalf (CWE-352). Flask's form parsing adds no token by itself.

    ## Example
    ```python
    from flask import Flask, redirect, request, session

    app = Flask(__name__)


    @app.route("/cart/add", methods=["POST"])
    def add_to_cart():
        session.setdefault("cart", []).append(request.form["sku"])
        return redirect("/cart")
    ```

    ## Use instead
    ```python
    from flask import Flask, redirect, request, session
    from flask_wtf.csrf import CSRFProtect

    app = Flask(__name__)
    csrf = CSRFProtect(app)  # and {{ csrf_token() }} in every form


    @app.route("/cart/add", methods=["POST"])
    def add_to_cart():
        session.setdefault("cart", []).append(request.form["sku"])
        return redirect("/cart")
    ```

    ## Fix safety
    Unsafe until every form renders `{{ csrf_token() }}` and every JavaScript client
    sends the `X-CSRFToken` header: requests without a token get 400 once it is on.

    ## References
    - CWE-352: Cross-Site Request Forgery
    - https://flask-wtf.readthedocs.io/en/stable/csrf/
    - https://flask.palletsprojects.com/en/stable/security/#cross-site-request-forgery-csrf
    """
    graph = app_graph(ctx)
    for group in _groups(graph).values():
        exposed = [r for r in group.routes if _form_route(r, graph)]
        if not exposed:
            continue
        if group.csrf:
            if group.sessions and all(c == _FORMS_ONLY for c in group.csrf):
                yield from _unvalidated(exposed, graph)
            yield from _exempted(exposed, graph)
            yield from _exempted_by_call(exposed, graph)
            continue
        if not group.sessions:
            continue
        yield _listing(
            exposed,
            graph,
            ("a state-changing form route reads", "state-changing form routes read"),
            f"in an app that uses cookie sessions ({group.sessions}) and nothing checks a "
            "CSRF token (no CSRFProtect, FlaskForm or SeaSurf): any site the user visits "
            "can submit these forms as them. Add csrf = CSRFProtect(app) (Flask-WTF) and "
            "{{ csrf_token() }} in every form.",
        )
    yield from _csrf_disabled(graph)


def _shown(routes: list[RouteInfo], graph: AppGraph) -> str:
    """The first six routes, described, and "..." for more."""
    more = ", ..." if len(routes) > 6 else ""
    return ", ".join(_describe(r, graph) for r in routes[:6]) + more


def _listing(
    routes: list[RouteInfo], graph: AppGraph, counted: tuple[str, str], rest: str
) -> Finding:
    """One FW401 finding for an app's open form routes: at the first (in blueprint
    registration order), naming them and listing the others as related locations.
    ``counted`` says "one route reads" and "N routes read" (without the N)."""
    routes = sorted(
        routes, key=lambda r: (graph.registration_order(r), r.module.path, r.function.span.line)
    )
    first, others = routes[0], routes[1:]
    count = f"{len(routes)} {counted[1]}" if others else counted[0]
    return make_finding(
        "FW401",
        first.entry_modules[0],
        first.entries[0].span,
        f"{count} form data ({_shown(routes, graph)}) {rest}",
        related=[
            location(r.entry_modules[0], r.entries[0].span, _describe(r, graph))
            for r in others[:_MAX_RELATED]
        ],
    )


_FORMS_ONLY: Final = "Flask-WTF FlaskForm"


def _unvalidated(routes: list[RouteInfo], graph: AppGraph) -> Iterator[Finding]:
    """Flask-WTF forms without CSRFProtect check a token only where a form is
    validated: the form routes that validate none are open (one finding, listing them)."""
    open_routes = [
        r
        for r in routes
        if r.function.csrf_exempt is None and not graph.checks_form_token(r.module, r.function)
    ]
    if open_routes:
        yield _listing(
            open_routes,
            graph,
            ("a form route reads", "form routes read"),
            "without validating a Flask-WTF form: the app uses FlaskForm, which checks a "
            "CSRF token only in the views that validate one, and no CSRFProtect, so nothing "
            "checks a token here and other sites can submit these forms with the user's "
            "session cookie. Add csrf = CSRFProtect(app) (and {{ csrf_token() }} in every "
            "form), or validate a FlaskForm in these views.",
        )


def _exempted(routes: list[RouteInfo], graph: AppGraph) -> Iterator[Finding]:
    for route in routes:
        exempt = route.function.csrf_exempt
        if exempt is None:
            continue
        yield make_finding(
            "FW401",
            route.module,
            exempt,
            f"@csrf.exempt on {_describe(route, graph)}, which reads form data: the app's CSRF "
            "protection is off for it, so other sites can submit it with the user's "
            "session cookie. Remove the exemption and send the token with the form, or "
            "authenticate this endpoint by a signature or header token instead of cookies.",
        )


def _exempted_by_call(routes: list[RouteInfo], graph: AppGraph) -> Iterator[Finding]:
    """``csrf.exempt(api_bp)`` / ``csrf.exempt(view)``: one finding per call that
    exempts form routes, listing them."""
    by_target: dict[tuple[str, str], list[RouteInfo]] = {
        (route.module.path, route.function.qualname): [route] for route in routes
    }
    for blueprint, keys in graph.blueprint_routes.items():
        exposed = [graph.routes[key] for key in keys if key in by_target]
        if exposed:
            by_target[blueprint] = exposed
    for path in sorted(graph.modules):
        module = graph.modules[path]
        facts = app_facts(module)
        if facts is None:
            continue
        for ref, span in facts.csrf_exemptions:
            found = graph.resolve(ref, module)
            exempted = by_target.get((found[0].path, found[1])) if found is not None else None
            if not exempted:
                continue
            yield make_finding(
                "FW401",
                module,
                span,
                f"csrf.exempt() turns the app's CSRF protection off for "
                f"{_shown(exempted, graph)}, which "
                f"{'reads' if len(exempted) == 1 else 'read'} form data: other sites can "
                "submit it with the user's session cookie. Remove the exemption and send the "
                "token, or authenticate by a signature or header token instead of cookies.",
            )


def _csrf_disabled(graph: AppGraph) -> Iterator[Finding]:
    for path in sorted(graph.modules):
        module = graph.modules[path]
        facts = app_facts(module)
        if facts is None:
            continue
        for setting in facts.settings:
            if setting.key != "WTF_CSRF_ENABLED" or setting.value is not False:
                continue
            if not _production_setting(setting, module, graph.project):
                continue
            yield make_finding(
                "FW401",
                module,
                setting.span,
                f"WTF_CSRF_ENABLED = False in {_owner(setting)}, which is not a testing "
                "configuration: Flask-WTF then checks no CSRF token, so other sites can "
                "submit the app's forms with the user's session. Turn it off only in "
                "TestingConfig.",
            )


def _owner(
    setting: Setting, module: ModuleFacts | None = None, project: Project | None = None
) -> str:
    if setting.form == "class":
        heirs = _heirs(setting, module, project) if module and project else []
        via = f" (inherited by {', '.join(heirs)})" if heirs else ""
        return f"configuration class {setting.owner}{via}"
    if setting.form == "module":
        return "a configuration module"
    return f"{setting.owner}()" if setting.owner else "the app's configuration"


def _subclasses(ref: ClassRef, project: Project) -> list[ClassRef]:
    """Classes deriving from ``ref``: the model's (analysed modules) and those of
    ``ref``'s own module (which may have been parsed on demand)."""
    found = {_key(sub): sub for sub in project.subclasses(ref)}
    for cls in ref.module.classes.values():
        child = ClassRef(ref.module, cls)
        if _key(child) != _key(ref) and _key(ref) in {_key(c) for c in project.mro(child)}:
            found.setdefault(_key(child), child)
    return list(found.values())


def _key(ref: ClassRef) -> tuple[str, str]:
    """Compare classes by where they are (ModuleFacts compare field by field)."""
    return (ref.module.path, ref.cls.name)


def _heirs(setting: Setting, module: ModuleFacts, project: Project) -> list[str]:
    """Non-development subclasses that inherit the class's value of the setting."""
    cls = module.classes.get(setting.owner)
    if cls is None:
        return []
    ref = ClassRef(module, cls)
    return sorted(
        sub.cls.name
        for sub in _subclasses(ref, project)
        if not is_dev_name(sub.cls.name)
        and (found := project.effective_attr(sub, setting.key)) is not None
        and _key(found[0]) == _key(ref)
    )


def _production_setting(setting: Setting, module: ModuleFacts, project: Project) -> bool:
    """Whether a setting can reach a deployed app: not in tests, not in a development
    or testing config, not under `if app.testing:`, not overridden by every
    non-development subclass."""
    if module.is_test or setting.dev_guarded:
        return False
    if setting.form == "config":
        return not (setting.owner and is_dev_name(setting.owner))
    if setting.form == "module":
        name = module.module.rsplit(".", 1)[-1]
        return not is_dev_name(name) and project.is_config_module(module)
    if is_dev_name(setting.owner):
        return False
    cls = module.classes.get(setting.owner)
    if cls is None:
        return True
    ref = ClassRef(module, cls)
    subclasses = _subclasses(ref, project)
    if not subclasses or (module.path, cls.name) in project.loaded_classes():
        return True
    for sub in subclasses:
        if is_dev_name(sub.cls.name):
            continue
        found = project.effective_attr(sub, setting.key)
        if found is None or _key(found[0]) == _key(ref):
            return True
    return False


@project_rule("FW402")
def insecure_session_cookie(ctx: ScanContext) -> Iterator[Finding]:
    """Session cookie settings that let scripts read it, or send it over http or cross-site.

    ## What it does
    Finds `SESSION_COOKIE_HTTPONLY = False`, `SESSION_COOKIE_SECURE = False` and
    `SESSION_COOKIE_SAMESITE = None` (or `"None"`), and the same for Flask-Login's
    `REMEMBER_COOKIE_*`, in configuration classes, configuration modules,
    `app.config[...]` and `app.config.update(...)`. Settings in a development or testing
    config (by name, or under `if app.testing:`/`if app.debug:`), and base classes whose
    production subclasses override them, are not reported.

    ## Why is this bad?
    Without HttpOnly, any XSS reads the session cookie and takes over the account
    (CWE-1004). Without Secure, the cookie travels in clear text over any http request,
    including one a network attacker provokes (CWE-614). `SameSite=None` sends it on
    every cross-site request, undoing the browser's CSRF defence (CWE-1275).

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
    Secure cookies are not sent over plain http: behind a TLS-terminating proxy that is
    what you want (with `ProxyFix`); for local development over http keep Secure off in
    the development config only. Page scripts that read the cookie must get the data
    another way.

    ## References
    - CWE-1004: Sensitive Cookie Without 'HttpOnly' Flag
    - CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute
    - CWE-1275: Sensitive Cookie with Improper SameSite Attribute
    - https://flask.palletsprojects.com/en/stable/security/#set-cookie-options
    """
    graph = app_graph(ctx)
    for path in sorted(graph.modules):
        yield from _cookie_settings(graph.modules[path], graph.project)


def _cookie_settings(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    facts = app_facts(module)
    if facts is None:
        return
    for setting in facts.settings:
        if setting.key == "WTF_CSRF_ENABLED":
            continue
        cookie = "session" if setting.key.startswith("SESSION") else "remember-me"
        flag = setting.key.rsplit("_", 1)[1]
        value = setting.value
        if flag == "HTTPONLY" and value is False:
            why = (
                f"page scripts, and any XSS payload, can read the {cookie} cookie and take "
                "over the account. Set it to True and give scripts what they need another way."
            )
            cwe = 1004
        elif flag == "SECURE" and value is False:
            why = (
                f"browsers also send the {cookie} cookie over plain http, where anyone on "
                "the network reads it. Set it to True where the app is served over https "
                "(also behind a TLS-terminating proxy)."
            )
            cwe = 614
        elif flag == "SAMESITE" and (value is None or str(value).lower() == "none"):
            shown = '"None"' if isinstance(value, str) else "None (no SameSite attribute)"
            why = (
                f"{shown} lets the {cookie} cookie go with cross-site requests, so other "
                'sites act as the logged-in user. Use "Lax" (or "Strict").'
            )
            cwe = 1275
        else:
            continue
        if not _production_setting(setting, module, project):
            continue
        yield make_finding(
            "FW402",
            module,
            setting.span,
            f"{setting.key} = {value!r} in {_owner(setting, module, project)}: {why}",
            cwe=cwe,
            confidence=Confidence.MEDIUM if value is None else Confidence.HIGH,
        )


@project_rule("FW403")
def insecure_set_cookie(ctx: ScanContext) -> Iterator[Finding]:
    """A sensitive cookie set without `secure`, `httponly` and `samesite`.

    ## What it does
    Finds `response.set_cookie(name, value, ...)` where the cookie looks sensitive (its
    name or value names a token, session, auth, remember-me, JWT, key or user id) and
    `secure=`, `httponly=` or `samesite=` is missing or turned off. A CSRF double-submit
    cookie may omit `httponly`; deleting a cookie (`max_age=0`, empty value), a cookie
    whose value is a literal written in the source, and calls passing `**options` are
    not reported.

    ## Why is this bad?
    `set_cookie` defaults to none of the flags: the token travels over plain http
    (CWE-614), page scripts and XSS can read it, and it goes with cross-site requests.
    A stolen remember-me token is a login that survives password changes.

    ## Example
    ```python
    import secrets

    from flask import Flask, make_response

    app = Flask(__name__)


    @app.post("/login")
    def login():
        response = make_response("welcome")
        response.set_cookie("remember_token", secrets.token_urlsafe(32))
        return response
    ```

    ## Use instead
    ```python
    import secrets

    from flask import Flask, make_response

    app = Flask(__name__)


    @app.post("/login")
    def login():
        response = make_response("welcome")
        response.set_cookie(
            "remember_token",
            secrets.token_urlsafe(32),
            secure=True,
            httponly=True,
            samesite="Lax",
        )
        return response
    ```

    ## Fix safety
    Safe over https; a cookie marked `secure` is not sent over plain http, so local
    development over http needs the flag from configuration.

    ## References
    - CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute
    - CWE-1004: Sensitive Cookie Without 'HttpOnly' Flag
    - https://flask.palletsprojects.com/en/stable/security/#set-cookie-options
    """
    graph = app_graph(ctx)
    for path in sorted(graph.modules):
        module = graph.modules[path]
        facts = app_facts(module)
        if facts is None or module.is_test:
            continue
        for cookie in facts.cookies:
            if not cookie.sensitive or not cookie.missing:
                continue
            missing = ", ".join(cookie.missing)
            risks = " and ".join(_COOKIE_RISKS[flag] for flag in cookie.missing)
            yield make_finding(
                "FW403",
                module,
                cookie.span,
                f"set_cookie({cookie.name!r}) sets a sensitive cookie ({cookie.sensitive}) "
                f"with {missing} missing or off: it is {risks}. Pass secure=True, "
                'httponly=True, samesite="Lax".',
            )


_COOKIE_RISKS = {
    "secure": "sent over plain http",
    "httponly": "readable by page scripts (and XSS)",
    "samesite": "sent with cross-site requests",
}
_CORE_HEADERS = (
    "X-Content-Type-Options",
    "X-Frame-Options (or CSP frame-ancestors)",
    "Content-Security-Policy",
)


@project_rule("FW404")
def missing_security_headers(ctx: ScanContext) -> Iterator[Finding]:
    """No security headers anywhere in the project.

    ## What it does
    Reports each Flask app that serves pages (it has routes and renders templates),
    once, at its `Flask(...)` line, when nothing in the project sets
    `X-Content-Type-Options`, `X-Frame-Options` (or a CSP `frame-ancestors`) or a
    `Content-Security-Policy`: no Flask-Talisman (or the `secure` package), no hook or
    middleware naming those headers, no CSP `<meta>` tag in a template, no reverse
    proxy config in the project adding them. Tests that name a header set none.

    ## Why is this bad?
    Without them browsers sniff uploaded files into executable HTML, any site can frame
    the app's pages for clickjacking, and there is no CSP to limit what an injected
    script can do (CWE-693). They cost one hook.

    ## Example
    ```python
    from flask import Flask, render_template

    app = Flask(__name__)


    @app.get("/")
    def index():
        return render_template("index.html")
    ```

    ## Use instead
    ```python
    from flask import Flask, render_template

    app = Flask(__name__)


    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'")
        return response


    @app.get("/")
    def index():
        return render_template("index.html")
    ```

    ## Fix safety
    `X-Content-Type-Options` and frame options are safe for almost every app; a CSP
    blocks inline scripts and third-party resources until it lists them: start with
    `Content-Security-Policy-Report-Only` if unsure. `Talisman(app)` sets all of them.
    Headers added by a reverse proxy count when its config is in the project (nginx
    `add_header` in `nginx.conf`, `conf.d/*.conf`, `sites-*/`; Apache `.htaccess` or
    `Header set`; a `Caddyfile`); one configured elsewhere is not visible to the scan:
    suppress the finding with a comment saying so.

    ## References
    - CWE-693: Protection Mechanism Failure
    - https://flask.palletsprojects.com/en/stable/security/#security-headers
    - https://github.com/wntrblm/flask-talisman
    """
    graph = app_graph(ctx)
    if not graph.apps:
        return
    # Headers set by Talisman or a hook count for the app their module belongs to: a
    # folder holding several apps (a monorepo, two example shops) is judged per app.
    covered = {
        graph.app_key(module.path)
        for module in graph.modules.values()
        if (facts := app_facts(module)) is not None and (facts.talisman or facts.headers)
    }
    if not covered and graph.module_texts_mention(ctx, header_evidence_bytes()):
        return  # evidence in code the analysis does not attribute to an app
    with_routes = {graph.app_key(route.module.path) for route in graph.routes.values()}
    pages = {
        graph.app_key(path)
        for path, module in graph.modules.items()
        if (facts := app_facts(module)) is not None and facts.renders
    }
    seen: set[str] = set()
    for site in sorted(graph.apps, key=lambda s: (s.module.path, s.construction.span.line)):
        identity = graph.app_key(site.module.path)
        key = f"{site.module.path}:{site.construction.scope}:{site.construction.target}"
        if key in seen or identity in covered:
            continue
        if identity not in with_routes or identity not in pages:
            continue
        seen.add(key)
        yield make_finding(
            "FW404",
            site.module,
            site.construction.span,
            f"this app sets no security headers: nothing in the project adds "
            f"{', '.join(_CORE_HEADERS)}, and Flask-Talisman is not used. Browsers may "
            "sniff uploads into HTML, any site can frame the pages (clickjacking), and no "
            "CSP limits injected scripts. Add Talisman(app) or an after_request hook that "
            "sets them.",
        )
