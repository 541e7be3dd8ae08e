"""The safe client's rules, checked request by request with an in-memory transport."""

from __future__ import annotations

import gzip
import socket
import ssl
from collections.abc import Callable

import httpx
import pytest

from flaskwarden.probe.client import USER_AGENT, Budget, ProbeError, SafeClient
from flaskwarden.probe.model import Target, TargetError
from flaskwarden.probe.runner import ProbeFailed, ProbeOptions, run_probe

Handler = Callable[[httpx.Request], httpx.Response]
BASE = "http://app.test:8000/"


def client_for(handler: Handler, *, budget: float = 30, url: str = BASE) -> SafeClient:
    return SafeClient(
        Target.parse(url), timeout=5, budget=Budget(budget), transport=httpx.MockTransport(handler)
    )


def respond(status: int, body: bytes = b"", **headers: str) -> httpx.Response:
    """A response whose body streams like one read from a socket (``iter_raw`` works)."""
    names = {key.replace("_", "-"): value for key, value in headers.items()}
    return httpx.Response(status, headers=names, stream=httpx.ByteStream(body))


def ok(request: httpx.Request) -> httpx.Response:
    return respond(200, b"ok")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
def test_only_get_and_head(method: str) -> None:
    with client_for(ok) as client, pytest.raises(ValueError, match="only sends GET and HEAD"):
        client.fetch(BASE, method=method)  # type: ignore[arg-type]


@pytest.mark.parametrize("header", ["Host", "host", "X-Forwarded-Host", "Forwarded"])
def test_never_spoofs_the_host(header: str) -> None:
    with client_for(ok) as client, pytest.raises(ValueError, match="never sets"):
        client.fetch(BASE, headers={header: "localhost"})


def test_never_leaves_the_origin() -> None:
    with client_for(ok) as client, pytest.raises(ValueError, match="not on the target origin"):
        client.fetch("http://app.test:8001/")


@pytest.mark.parametrize(
    "query",
    [
        "__debugger__=yes&cmd=pinauth&pin=123-456-789&s=SECRET",
        "__debugger__=yes&cmd=printpin&s=SECRET",
        "__debugger__=yes&cmd=os.getcwd()&frm=0&s=SECRET",
        "__debugger__=yes&cmd=resource&f=debugger.js&s=SECRET",
        "__debugger__=yes",
        "__debugger__=no&__debugger__=yes&cmd=printpin",
        "%5F%5Fdebugger%5F%5F=yes&cmd=pinauth",
    ],
)
def test_no_debugger_command_but_resource(query: str) -> None:
    with client_for(ok) as client, pytest.raises(ValueError, match="debugger a command"):
        client.fetch(f"{BASE}?{query}")
    with pytest.raises(TargetError, match="debugger command"):
        run_probe(BASE, ProbeOptions(paths=(f"/?{query}",)), transport=httpx.MockTransport(ok))


def test_debugger_resources_and_other_queries_are_fine() -> None:
    with client_for(ok) as client:
        client.fetch(f"{BASE}?__debugger__=yes&cmd=resource&f=style.css")
        client.fetch(f"{BASE}?cmd=pinauth&q=1")


def test_sends_identity_encoding_and_its_name() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return respond(200, b"ok", Set_Cookie="session=abc")

    with client_for(handler) as client:
        client.fetch(BASE)
        client.fetch(BASE, method="HEAD")
    assert [r.method for r in seen] == ["GET", "HEAD"]
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert seen[0].headers["accept-encoding"] == "identity"
    assert seen[0].headers["host"] == "app.test:8000"
    assert "cookie" not in seen[1].headers  # nothing carried from one request to the next


def test_follows_redirects_within_the_origin_only() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        routes = {
            "/": respond(302, Location="/login"),
            "/login": respond(301, Location="https://app.test:8000/secure"),
        }
        return routes.get(request.url.path, respond(200, b"ok"))

    with client_for(handler) as client:
        page = client.fetch(BASE)
    assert page.url == "http://app.test:8000/login"
    assert page.status == 301
    assert page.redirect_refused == "https://app.test:8000/secure"  # another scheme


def test_redirect_to_a_debugger_command_is_not_followed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return respond(302, Location="/?__debugger__=yes&cmd=printpin&s=abc")

    report = run_probe(BASE, ProbeOptions(), transport=httpx.MockTransport(handler))
    assert all("printpin" not in url for url in seen)
    assert [d.message for d in report.diagnostics] == [
        "redirects to http://app.test:8000/?__debugger__=yes&cmd=printpin&s=abc, a Werkzeug "
        "debugger command; not followed (the probe never sends one)"
    ]


def test_redirect_loops_end() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return respond(302, Location="/again")

    with client_for(handler) as client, pytest.raises(ProbeError) as error:
        client.fetch(BASE)
    assert error.value.kind == "redirect-loop"
    assert error.value.message == "more than 5 redirects; stopped at http://app.test:8000/again"


def test_gzip_bodies_are_inflated_only_up_to_the_cap() -> None:
    bomb = gzip.compress(b"0" * 50_000_000)

    def handler(request: httpx.Request) -> httpx.Response:
        return respond(200, bomb, Content_Encoding="gzip")

    with client_for(handler) as client:
        page = client.fetch(BASE, max_bytes=4096)
    assert page.body == b"0" * 4096


def test_no_request_once_the_budget_is_spent() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return respond(200)

    with client_for(handler, budget=0.000001) as client, pytest.raises(ProbeError) as error:
        client.fetch(BASE)
    assert error.value.kind == "budget"
    assert calls == []


def failing(exc: BaseException) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connect failed", request=request) from exc

    return handler


def test_dns_failure_is_a_clear_error() -> None:
    handler = failing(socket.gaierror(-2, "Name or service not known"))
    with pytest.raises(ProbeFailed) as failure:
        run_probe(BASE, ProbeOptions(), transport=httpx.MockTransport(handler))
    assert str(failure.value) == (
        "cannot probe http://app.test:8000/: cannot resolve host 'app.test'; "
        "check the URL's host name"
    )


def test_untrusted_certificate_is_a_clear_error() -> None:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "self-signed certificate"
    with pytest.raises(ProbeFailed) as failure:
        run_probe(
            "https://app.test/", ProbeOptions(), transport=httpx.MockTransport(failing(error))
        )
    assert str(failure.value) == (
        "cannot probe https://app.test/: TLS certificate of app.test not trusted: "
        "self-signed certificate. The probe does not skip verification; use a trusted "
        "certificate or probe the plain-HTTP address."
    )


def test_a_failing_check_request_is_a_diagnostic_not_a_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/console":
            raise httpx.ReadError("connection reset by peer", request=request)
        return respond(200, b"ok", Content_Type="text/plain")

    report = run_probe(BASE, ProbeOptions(), transport=httpx.MockTransport(handler))
    assert [(d.path, d.kind) for d in report.diagnostics] == [
        ("http://app.test:8000/console", "connection")
    ]
    assert report.diagnostics[0].message == (
        "request to app.test:8000 failed: connection reset by peer"
    )
