"""The probe's HTTP client: read-only, on one origin, bounded in time and in size.

Every request the probe makes goes through :class:`SafeClient`, which is where the
safety rules documented in docs/probe.md are enforced rather than merely followed:

- only GET and HEAD; headers that would change where a request goes (``Host``,
  ``X-Forwarded-Host``...) are refused; so is any Werkzeug debugger command but
  ``resource`` (no PIN attempt, no code run);
- only URLs on the target origin; a redirect leaving it (or carrying a debugger
  command) is not followed: the redirect response itself is returned, with the
  refused target;
- each request gets ``timeout`` seconds at most, all of them together ``budget``;
- a body is read up to a byte cap and the connection dropped after that, compressed
  bodies included (``Accept-Encoding: identity`` is asked for, and any gzip/deflate
  body is inflated only up to the same cap).
"""

from __future__ import annotations

import socket
import ssl
import time
import zlib
from collections.abc import Callable, Mapping
from typing import Final
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from flaskwarden import __version__
from flaskwarden.probe.model import PAGE_BYTES, Fetched, Method, Target

USER_AGENT: Final = f"flaskwarden-probe/{__version__} (+https://github.com/flaskwarden/flaskwarden)"
MAX_REDIRECTS: Final = 5
SAFE_METHODS: Final = frozenset({"GET", "HEAD"})
# Headers that would make a request claim to be for another host or come from elsewhere.
_ROUTING_HEADERS: Final = frozenset(
    {"host", "x-forwarded-host", "x-forwarded-for", "x-forwarded-proto", "x-host", "forwarded"}
)
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})


class ProbeError(Exception):
    """A request that could not be made or completed.

    ``kind`` is a stable token used as the diagnostic kind: ``dns``,
    ``connection-refused``, ``tls``, ``timeout``, ``connection``, ``protocol``,
    ``redirect-loop``, ``budget``.
    """

    def __init__(self, kind: str, url: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.message = message


class Budget:
    """The total time the probe may spend on requests, shared by all of them."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._deadline = clock() + seconds

    def remaining(self) -> float:
        return self._deadline - self._clock()


class SafeClient:
    """Fetch URLs of one target under the probe's safety rules (see the module docs)."""

    def __init__(
        self,
        target: Target,
        *,
        timeout: float,
        budget: Budget,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.target = target
        self.timeout = timeout
        self.budget = budget
        self.requests = 0
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Accept": "*/*"},
            follow_redirects=False,
            transport=transport,
        )

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        method: Method = "GET",
        headers: Mapping[str, str] | None = None,
        max_bytes: int = PAGE_BYTES,
    ) -> Fetched:
        """Fetch ``url``, following redirects only within the target origin.

        Raises :class:`ProbeError` when the request cannot be completed, and
        ``ValueError`` when asked for something the safety rules forbid (a method
        other than GET/HEAD, a routing header, a URL on another origin).
        """
        if method not in SAFE_METHODS:
            raise ValueError(f"the probe only sends GET and HEAD, not {method}")
        extra = dict(headers or {})
        forbidden = sorted(name for name in extra if name.lower() in _ROUTING_HEADERS)
        if forbidden:
            raise ValueError(f"the probe never sets {', '.join(forbidden)}")
        if not self.target.same_origin(url):
            raise ValueError(f"{url} is not on the target origin {self.target.origin}")
        if not is_harmless_to_debugger(url):
            raise ValueError(f"{url} sends the Werkzeug debugger a command other than resource")
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(method, current, extra, max_bytes)
            location = response.header("location")
            if response.status not in _REDIRECT_STATUSES or not location:
                return response
            following = urljoin(current, location)
            if not self.target.same_origin(following) or not is_harmless_to_debugger(following):
                return _with_refused(response, following)
            current = following
        raise ProbeError(
            "redirect-loop", url, f"more than {MAX_REDIRECTS} redirects; stopped at {current}"
        )

    def _send(self, method: str, url: str, headers: dict[str, str], max_bytes: int) -> Fetched:
        remaining = self.budget.remaining()
        if remaining <= 0:
            raise ProbeError("budget", url, f"time budget of {self.budget.seconds:g} s used up")
        window = min(self.timeout, remaining)
        deadline = time.monotonic() + window
        request = self._client.build_request(
            method, url, headers=headers, timeout=httpx.Timeout(window)
        )
        self.requests += 1
        try:
            response = self._client.send(request, stream=True)
            try:
                body, truncated = _read_capped(response, max_bytes, deadline)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise _classify(exc, url, window) from exc
        finally:
            # Each request stands alone: no cookie set by one is sent with the next.
            self._client.cookies.clear()
        if body is None:
            raise ProbeError(
                "timeout", url, f"the response body was still arriving after {window:g} s"
            )
        return Fetched(
            url=url,
            method=method,
            status=response.status_code,
            headers=tuple(
                (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw
            ),
            body=_inflate(body, response.headers.get("content-encoding", ""), max_bytes),
            truncated=truncated,
        )


def is_harmless_to_debugger(url: str) -> bool:
    """Whether ``url`` asks the Werkzeug debugger for nothing but a static resource.

    The debugger reads ``__debugger__=yes`` from any URL; ``cmd=resource`` only serves
    its JavaScript and CSS. Every other command (``pinauth``, ``printpin``, code to run
    in a frame) and any PIN, secret or frame parameter is refused.
    """
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    # Any "yes" counts: the debugger reads the first value, a proxy may read another.
    if "yes" not in query.get("__debugger__", []):
        return True
    return query.get("cmd") == ["resource"] and not {"pin", "s", "frm"} & set(query)


def _read_capped(
    response: httpx.Response, max_bytes: int, deadline: float
) -> tuple[bytes | None, bool]:
    """Read at most ``max_bytes`` of the raw body: ``(body, cut short)``.

    The body is ``None`` when it was still arriving at ``deadline`` (a server dripping
    bytes must not hold the probe longer than its timeout).
    """
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size >= max_bytes:
            return b"".join(chunks)[:max_bytes], True
        if time.monotonic() > deadline:
            return None, True
    return b"".join(chunks), False


def _inflate(body: bytes, encoding: str, max_bytes: int) -> bytes:
    """Decode a gzip/deflate body that a server sent despite ``identity``, up to the cap."""
    coding = encoding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif coding == "deflate":
        wbits = zlib.MAX_WBITS
    else:
        return body
    try:
        return zlib.decompressobj(wbits).decompress(body, max_bytes)
    except zlib.error:
        return b""


def _with_refused(response: Fetched, target: str) -> Fetched:
    return Fetched(
        url=response.url,
        method=response.method,
        status=response.status,
        headers=response.headers,
        body=response.body,
        truncated=response.truncated,
        redirect_refused=target,
    )


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _classify(exc: httpx.HTTPError, url: str, window: float) -> ProbeError:
    """Turn an httpx error into one clear sentence: what failed, where, what to check."""
    parts = urlsplit(url)
    where = parts.netloc
    host = parts.hostname or where
    causes = _causes(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        handshake = " (TCP and TLS handshake)" if parts.scheme == "https" else ""
        return ProbeError(
            "timeout",
            url,
            f"no connection to {where}{handshake} within {window:g} s; is the host up and "
            "the port reachable from here (firewall)?",
        )
    if isinstance(exc, httpx.TimeoutException):
        return ProbeError(
            "timeout",
            url,
            f"{where} accepted the connection but sent no complete response within "
            f"{window:g} s; is it an HTTP server? For a slow app raise --timeout.",
        )
    if any(isinstance(c, socket.gaierror) for c in causes):
        return ProbeError("dns", url, f"cannot resolve host {host!r}; check the URL's host name")
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return ProbeError(
            "connection-refused",
            url,
            f"connection refused by {where}: nothing is listening there; is the app running "
            "and on this port?",
        )
    verify = next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None)
    if verify is not None:
        return ProbeError(
            "tls",
            url,
            f"TLS certificate of {where} not trusted: {verify.verify_message}. The probe does "
            "not skip verification; use a trusted certificate or probe the plain-HTTP address.",
        )
    tls = next((c for c in causes if isinstance(c, ssl.SSLError)), None)
    if tls is not None:
        reason = tls.reason or str(tls)
        plain_http = "VERSION" in str(reason).upper()
        hint = " (is it serving plain HTTP? try http://)" if plain_http else ""
        return ProbeError("tls", url, f"TLS handshake with {where} failed: {reason}{hint}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return ProbeError("protocol", url, f"{where} did not answer with valid HTTP/1.1: {exc}")
    if isinstance(exc, httpx.ConnectError):
        return ProbeError("connection", url, f"cannot connect to {where}: {exc}")
    return ProbeError("connection", url, f"request to {where} failed: {exc}")
