"""Each probe check on hand-made responses: the edge cases real servers rarely show.

A fake fetcher serves canned :class:`Fetched` responses by URL; anything not listed is
a plain 404. The real-server tests cover the common cases end to end.
"""

from __future__ import annotations

from collections.abc import Mapping

from flaskwarden.findings import Confidence, Finding, Severity
from flaskwarden.probe import checks
from flaskwarden.probe.model import PAGE_BYTES, Fetched, Method, ProbeContext, SetCookie, Target
from tests.probe.conftest import flask_cookie

HTTP = Target.parse("http://app.test/")
HTTPS = Target.parse("https://app.test/")
SAFE_HEADERS = (
    ("content-type", "text/html; charset=utf-8"),
    ("content-security-policy", "default-src 'self'"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("strict-transport-security", "max-age=31536000"),
)


def page(
    url: str, status: int = 200, body: str = "", headers: tuple[tuple[str, str], ...] = ()
) -> Fetched:
    return Fetched(url=url, method="GET", status=status, headers=headers, body=body.encode())


class FakeFetch:
    """Serves ``routes`` (URL -> response, or (method, URL) -> response)."""

    def __init__(self, routes: Mapping[str | tuple[str, str], Fetched]) -> None:
        self.routes = routes
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    def __call__(
        self,
        url: str,
        *,
        method: Method = "GET",
        headers: Mapping[str, str] | None = None,
        max_bytes: int = PAGE_BYTES,
    ) -> Fetched | None:
        self.calls.append((method, url, dict(headers or {})))
        found = self.routes.get((method, url), self.routes.get(url))
        return found if found is not None else page(url, 404, "<h1>Not Found</h1>")


def context(
    main: Fetched,
    *more: Fetched,
    target: Target = HTTP,
    routes: Mapping[str | tuple[str, str], Fetched] | None = None,
) -> ProbeContext:
    return ProbeContext(target, main, FakeFetch(routes or {}), [main, *more])


def run(check: checks.ProbeCheck, ctx: ProbeContext) -> list[Finding]:
    return list(check(ctx))


# FW404


def test_complete_headers_are_not_a_finding() -> None:
    assert (
        run(
            checks.missing_security_headers,
            context(page(HTTPS.url, headers=SAFE_HEADERS), target=HTTPS),
        )
        == []
    )


def test_https_without_hsts_and_weak_values() -> None:
    headers = (
        ("content-type", "text/html"),
        ("content-security-policy", "default-src 'self'; frame-ancestors 'none'"),
        ("x-content-type-options", "sniff"),
        ("x-frame-options", "ALLOWALL"),
        ("referrer-policy", "same-origin"),
        ("strict-transport-security", "max-age=0"),
    )
    [finding] = run(
        checks.missing_security_headers, context(page(HTTPS.url, headers=headers), target=HTTPS)
    )
    assert finding.snippet == "missing: X-Content-Type-Options: nosniff, Strict-Transport-Security"


def test_json_responses_need_only_nosniff() -> None:
    main = page(HTTP.url, headers=(("content-type", "application/json"),))
    [finding] = run(checks.missing_security_headers, context(main))
    assert finding.snippet == "missing: X-Content-Type-Options: nosniff"


def test_headers_of_a_redirect_are_not_judged() -> None:
    main = page(HTTP.url, 302, headers=(("location", "/login"),))
    assert run(checks.missing_security_headers, context(main)) == []


# FW402, FW403, FW405


def with_cookies(*cookies: str, url: str = HTTPS.url) -> Fetched:
    return page(url, headers=tuple(("set-cookie", c) for c in cookies))


def test_session_cookie_without_secure_on_https() -> None:
    cookie = flask_cookie({"user_id": 1})
    ctx = context(with_cookies(f"session={cookie}; HttpOnly; SameSite=Lax; Path=/"), target=HTTPS)
    [finding] = run(checks.session_cookie_flags, ctx)
    assert finding.severity is Severity.MEDIUM
    assert finding.cwe == 614
    assert "SESSION_COOKIE_SECURE = True" in finding.message
    assert finding.snippet == "Set-Cookie: session=...; HttpOnly; SameSite=Lax"


def test_session_cookie_samesite_none_and_renamed_cookie() -> None:
    cookie = flask_cookie({"user_id": 1})
    ctx = context(
        with_cookies(f"shop_sess={cookie}; Secure; HttpOnly; SameSite=None"), target=HTTPS
    )
    [finding] = run(checks.session_cookie_flags, ctx)
    assert finding.cwe == 1275
    assert "The session cookie 'shop_sess'" in finding.message
    assert "with SameSite=None" in finding.message


def test_well_set_or_deleted_session_cookies_are_fine() -> None:
    cookie = flask_cookie({"user_id": 1})
    ctx = context(
        with_cookies(
            f"session={cookie}; Secure; HttpOnly; SameSite=Lax",
            "old_session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
        ),
        target=HTTPS,
    )
    assert run(checks.session_cookie_flags, ctx) == []
    assert run(checks.cookie_flags, ctx) == []


def test_credential_cookies_but_not_csrf_or_preferences() -> None:
    ctx = context(
        with_cookies(
            "auth_token=abc; HttpOnly; SameSite=Strict",
            "csrf_token=xyz; Secure; SameSite=Lax",
            "lang=en",
        ),
        target=HTTPS,
    )
    [finding] = run(checks.cookie_flags, ctx)
    assert "'auth_token'" in finding.message
    assert "secure=True" in finding.message
    assert finding.confidence is Confidence.MEDIUM


def test_sensitive_session_keys_at_any_depth() -> None:
    data = {
        "user_id": 1,
        "csrf_token": "x",
        "_fresh": True,
        "profile": {"phoneNumber": "555", "shipping_address": "1 Main St", "nickname": "al"},
        "oauth": [{"access_token": "t0k"}],
        "api_key": "k",
    }
    ctx = context(with_cookies(f"session={flask_cookie(data)}; Secure; HttpOnly; SameSite=Lax"))
    [finding] = run(checks.sensitive_session_data, ctx)
    assert finding.snippet == (
        "session keys: api_key, oauth.access_token, profile.phoneNumber, profile.shipping_address"
    )


def test_session_without_sensitive_keys() -> None:
    ctx = context(with_cookies(f"session={flask_cookie({'user_id': 1, 'cart': [1, 2]})}"))
    assert run(checks.sensitive_session_data, ctx) == []
    assert run(checks.weak_session_key, ctx) == []


# FW108

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/srv/shop/views.py", line 12, in checkout\n'
    "    total = prices[item]\n"
    "KeyError: 'sku-42'\n"
)


def test_traceback_in_a_json_error_body() -> None:
    body = '{"error": "' + TRACEBACK.replace("\n", "\\n").replace('"', '\\"') + '"}'
    main = page(HTTP.url, 500, body, (("content-type", "application/json"),))
    [finding] = run(checks.traceback_disclosure, context(main))
    assert "a Python traceback (KeyError: 'sku-42')" in finding.message
    assert finding.confidence is Confidence.HIGH


def test_traceback_on_a_200_page_is_less_certain() -> None:
    docs = page(HTTP.url, 200, f"<p>Here is what a crash looks like:</p><pre>{TRACEBACK}</pre>")
    [finding] = run(checks.traceback_disclosure, context(docs))
    assert finding.confidence is Confidence.MEDIUM


def test_the_word_traceback_alone_is_not_a_finding() -> None:
    main = page(HTTP.url, 500, "<h1>Error</h1><p>Traceback (most recent call last): hidden</p>")
    assert run(checks.traceback_disclosure, context(main)) == []


# FW107


def test_catch_all_pages_are_not_exposed_files() -> None:
    spa = "<!doctype html><html><body>SECRET_KEY=not really</body></html>"
    routes: dict[str | tuple[str, str], Fetched] = {
        HTTP.root(path): page(HTTP.root(path), 200, spa)
        for path in ("/.env", "/.flaskenv", "/.git/HEAD")
    }
    assert run(checks.sensitive_files, context(page(HTTP.url), routes=routes)) == []


def test_exposed_env_file_names_its_secrets_not_their_values() -> None:
    env = "export API_TOKEN='abc'\nDEBUG=0\n# comment\n"
    routes: dict[str | tuple[str, str], Fetched] = {
        HTTP.root("/.env"): page(HTTP.root("/.env"), 200, env)
    }
    [finding] = run(checks.sensitive_files, context(page(HTTP.url), routes=routes))
    assert "2 variables, including API_TOKEN" in finding.message
    assert "abc" not in finding.message


# FW101, FW104, FW406


def test_a_page_echoing_the_query_is_not_the_debugger() -> None:
    url = HTTP.with_query(checks.DEBUGGER_QUERY)
    echo = page(url, 200, f"<p>You asked for {url}</p>")
    assert run(checks.debugger_active, context(page(HTTP.url), routes={url: echo})) == []


def test_debugger_behind_a_public_host_name() -> None:
    # Werkzeug >= 3.0.3 refuses /console for non-local Host headers; the resource
    # check still finds the debugger.
    js = "docReady(() => { if (!EVALEX_TRUSTED) { initPinBox(); } if (CONSOLE_MODE && EVALEX) {} })"
    url = HTTP.with_query(checks.DEBUGGER_QUERY)
    routes: dict[str | tuple[str, str], Fetched] = {
        url: page(url, 200, js),
        HTTP.root("/console"): page(HTTP.root("/console"), 400, "<h1>Bad Request</h1>"),
    }
    [finding] = run(checks.debugger_active, context(page(HTTP.url), routes=routes))
    assert finding.severity is Severity.HIGH
    assert "refused for this host name" in finding.message


def test_other_servers_are_not_the_dev_server() -> None:
    gunicorn = page(HTTP.url, headers=(("server", "gunicorn"),))
    assert run(checks.development_server, context(gunicorn)) == []
    old = page(HTTP.url, headers=(("server", "Werkzeug/2.0.3 Python/3.8.10"),))
    [finding] = run(checks.development_server, context(old))
    assert finding.snippet == "Server: Werkzeug/2.0.3 Python/3.8.10"


def cors(allow: str, credentials: str | None) -> Fetched:
    headers = [("access-control-allow-origin", allow)]
    if credentials is not None:
        headers.append(("access-control-allow-credentials", credentials))
    return page(HTTP.url, headers=tuple(headers))


def test_cors_star_with_credentials() -> None:
    ctx = context(page(HTTP.url), routes={("HEAD", HTTP.url): cors("*", "true")})
    [finding] = run(checks.permissive_cors, ctx)
    assert finding.severity is Severity.MEDIUM
    assert isinstance(ctx.fetch, FakeFetch)
    assert ctx.fetch.calls == [("HEAD", HTTP.url, {"Origin": checks.PROBE_ORIGIN})]


def test_cors_without_credentials_is_fine() -> None:
    for response in (cors("*", None), cors(checks.PROBE_ORIGIN, "false")):
        ctx = context(page(HTTP.url), routes={("HEAD", HTTP.url): response})
        assert run(checks.permissive_cors, ctx) == []


def test_set_cookie_parsing() -> None:
    assert SetCookie.parse('a="quoted value"; secure; HTTPONLY; samesite=strict') == SetCookie(
        "a", "quoted value", secure=True, httponly=True, samesite="Strict"
    )
    assert SetCookie.parse("no-equals-sign; Secure") is None
    assert SetCookie.parse("gone=x; Max-Age=0").deleted  # type: ignore[union-attr]
