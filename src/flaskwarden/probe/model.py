"""What the probe's checks see: the target, the responses fetched, and a way to fetch more.

Kept free of httpx and Flask so that importing the checks (which the rule catalog does
for ``flaskwarden rules``) stays cheap and works where only the core is installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Final, Literal, Protocol
from urllib.parse import urljoin, urlsplit

# How much of a response body the probe reads at most. Pages are judged on their first
# mebibyte; the small files the checks look for (debugger.js, .env, .git/HEAD) on less.
PAGE_BYTES: Final = 1024 * 1024
SMALL_BYTES: Final = 256 * 1024

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

#: The only methods the probe ever sends.
Method = Literal["GET", "HEAD"]


class TargetError(ValueError):
    """The URL given to the probe cannot be probed (wrong scheme, no host...)."""


@dataclass(frozen=True)
class Target:
    """The app under test: its URL and the origin (scheme, host, port) the probe stays on."""

    url: str
    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Target:
        """Validate a user-given URL; only absolute http(s) URLs with a host are accepted."""
        text = url.strip()
        parts = urlsplit(text)
        if parts.scheme.lower() not in _DEFAULT_PORTS:
            raise TargetError(
                f"cannot probe {url!r}: give an absolute http:// or https:// URL, "
                "for example http://127.0.0.1:5000/"
            )
        try:
            port = parts.port
        except ValueError:
            raise TargetError(f"cannot probe {url!r}: the port is not a number 0-65535") from None
        if not parts.hostname:
            raise TargetError(f"cannot probe {url!r}: the URL has no host")
        scheme = parts.scheme.lower()
        path = parts.path or "/"
        normalized = f"{scheme}://{parts.netloc}{path}" + (f"?{parts.query}" if parts.query else "")
        return cls(
            url=normalized,
            scheme=scheme,
            host=parts.hostname.lower(),
            port=port if port is not None else _DEFAULT_PORTS[scheme],
        )

    @property
    def https(self) -> bool:
        return self.scheme == "https"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` as a browser would write it (default ports omitted)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == _DEFAULT_PORTS[self.scheme]:
            return f"{self.scheme}://{host}"
        return f"{self.scheme}://{host}:{self.port}"

    def resolve(self, ref: str) -> str:
        """``ref`` (a path such as ``/login`` or a full URL) resolved against the target URL."""
        return urljoin(self.url, ref)

    def root(self, path: str) -> str:
        """The URL of an absolute ``path`` on the target's origin (``/.env``, ``/console``)."""
        return self.origin + path

    def with_query(self, query: str) -> str:
        """The target URL with its query string replaced by ``query``."""
        return self.url.split("?", 1)[0] + "?" + query

    def same_origin(self, url: str) -> bool:
        """Whether ``url`` is on the target's origin: same scheme, host and port."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return False
        try:
            port = parts.port if parts.port is not None else _DEFAULT_PORTS[scheme]
        except ValueError:
            return False
        return (scheme, parts.hostname.lower(), port) == (self.scheme, self.host, self.port)


@dataclass(frozen=True)
class SetCookie:
    """One ``Set-Cookie`` header, parsed as RFC 6265 section 5.2 says browsers do."""

    name: str
    value: str
    secure: bool = False
    httponly: bool = False
    samesite: str | None = None
    deleted: bool = False

    @classmethod
    def parse(cls, header: str) -> SetCookie | None:
        """The cookie in ``header``; ``None`` if it has no ``name=value`` pair."""
        pair, *attributes = header.split(";")
        name, sep, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            return None
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        secure = httponly = deleted = False
        samesite: str | None = None
        for attribute in attributes:
            key, _, arg = attribute.partition("=")
            key, arg = key.strip().lower(), arg.strip()
            if key == "secure":
                secure = True
            elif key == "httponly":
                httponly = True
            elif key == "samesite":
                samesite = arg.capitalize() or None
            elif key == "max-age":
                deleted = deleted or _non_positive(arg)
            elif key == "expires":
                deleted = deleted or _in_the_past(arg)
        return cls(name, value, secure, httponly, samesite, deleted or value == "")


def _non_positive(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d+", text)) and int(text) <= 0


def _in_the_past(text: str) -> bool:
    # Deleting a cookie sets an expiry date in 1970 (Werkzeug: "Thu, 01 Jan 1970").
    try:
        return parsedate_to_datetime(text).year < 2000
    except (TypeError, ValueError, IndexError):
        return False


@dataclass(frozen=True)
class Fetched:
    """One response as the probe read it (at most a size cap of its body).

    ``url`` is where the response came from after same-origin redirects; when a
    redirect leaving the target origin was refused, ``redirect_refused`` holds its
    target and this is the redirect response itself.
    """

    url: str
    method: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    truncated: bool = False
    redirect_refused: str | None = None

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key == wanted]

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased (``text/html``)."""
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def text(self) -> str:
        """The body decoded with its declared charset (UTF-8 otherwise), never failing."""
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.header("content-type") or "", re.I)
        charset = match.group(1) if match else "utf-8"
        try:
            return self.body.decode(charset, "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400

    def cookies(self) -> list[SetCookie]:
        """The cookies this response sets (deletions included, marked ``deleted``)."""
        parsed = (SetCookie.parse(h) for h in self.header_values("set-cookie"))
        return [cookie for cookie in parsed if cookie is not None]


class Fetch(Protocol):
    """Fetch a URL on the target origin (GET or HEAD); ``None`` when it could not be.

    Failures are not raised: they are recorded once as report diagnostics by whoever
    provides the function, so a check simply skips what it could not see.
    """

    def __call__(
        self,
        url: str,
        *,
        method: Method = "GET",
        headers: Mapping[str, str] | None = None,
        max_bytes: int = PAGE_BYTES,
    ) -> Fetched | None: ...


@dataclass(frozen=True)
class CandidateKey:
    """A secret key to try against a session cookie, and where it came from."""

    key: str | bytes
    source: str


@dataclass
class ProbeContext:
    """Everything a probe check gets: the target, the pages fetched so far, a fetcher.

    ``pages`` holds the target URL's response first, then one per ``--path``.
    ``extra_keys`` yields the ``--wordlist`` candidates (read lazily: lists can be big).
    """

    target: Target
    main: Fetched
    fetch: Fetch
    pages: list[Fetched] = field(default_factory=list)
    extra_keys: Iterable[CandidateKey] = ()
