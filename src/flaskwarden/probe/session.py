"""Flask's cookie session, read the way anyone holding the cookie can read it.

Flask's default session is a cookie ``payload.timestamp.signature`` made by
itsdangerous: the payload is base64 of Flask's tagged JSON, zlib-compressed first (and
marked by a leading ``.``) when that is shorter. It is signed, not encrypted, so
:func:`decode` needs no key. :func:`find_key` checks the signature offline against
candidate keys with itsdangerous configured exactly as Flask's
``SecureCookieSessionInterface`` configures it (salt ``cookie-session``, HMAC key
derivation, SHA-1), so a match means the server would accept cookies we sign.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from itsdangerous import BadSignature, URLSafeTimedSerializer

from flaskwarden.probe.model import CandidateKey
from flaskwarden.weakkeys import WEAK_KEYS

# What Flask's SecureCookieSessionInterface passes to itsdangerous.
FLASK_SALT: Final = "cookie-session"
_SIGNER_KWARGS: Final = {"key_derivation": "hmac", "digest_method": hashlib.sha1}
# A real session cookie is under 4 KiB; inflating one is capped well above that so a
# crafted cookie cannot make the probe allocate much.
_MAX_JSON_BYTES: Final = 256 * 1024
_B64: Final = "[A-Za-z0-9_-]"
# payload . timestamp (a 4-byte int: 6 characters) . signature (SHA-1: 27 characters).
# The short timestamp is what tells a Flask cookie from a JWT, which also has 3 parts.
_COOKIE_RE: Final = re.compile(rf"(\.?)({_B64}+)\.({_B64}{{4,8}})\.({_B64}{{16,}})")


@dataclass(frozen=True)
class FlaskSession:
    """A decoded Flask session cookie: what it stores and whether it was compressed."""

    data: dict[str, Any]
    compressed: bool


def decode(value: str) -> FlaskSession | None:
    """Decode a Flask session cookie without its key; ``None`` if it is not one."""
    match = _COOKIE_RE.fullmatch(value.strip().strip('"'))
    if match is None:
        return None
    compressed = bool(match.group(1))
    try:
        raw = base64.urlsafe_b64decode(match.group(2) + "=" * (-len(match.group(2)) % 4))
        if compressed:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(raw, _MAX_JSON_BYTES)
            if inflater.unconsumed_tail:
                return None
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    return FlaskSession(_untag(payload), compressed)


def _untag(value: Any) -> Any:
    """Undo Flask's JSON tags (``flask.json.tag``) into plain values for display."""
    if isinstance(value, list):
        return [_untag(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        key, inner = next(iter(value.items()))
        if key == " t":
            return [_untag(item) for item in inner] if isinstance(inner, list) else inner
        if key == " di" and isinstance(inner, dict) and len(inner) == 1:
            tagged, item = next(iter(inner.items()))
            return {str(tagged)[:-2]: _untag(item)}
        if key == " b":
            try:
                return base64.b64decode(str(inner))
            except binascii.Error:
                return inner
        if key in (" m", " u", " d"):
            return inner
    return {str(k): _untag(v) for k, v in value.items()}


class _Undecoded:
    """A pass-through payload serializer: signature checking needs no payload parsing."""

    @staticmethod
    def loads(value: str | bytes) -> str | bytes:
        return value

    @staticmethod
    def dumps(value: str | bytes) -> str | bytes:
        return value


def signed_with(value: str, key: str | bytes) -> bool:
    """Whether Flask, configured with ``SECRET_KEY = key``, would accept this cookie."""
    serializer = URLSafeTimedSerializer(
        key, salt=FLASK_SALT, serializer=_Undecoded, signer_kwargs=_SIGNER_KWARGS
    )
    try:
        # No max_age: an expired cookie still proves the key.
        serializer.loads(value.strip().strip('"'))
    except BadSignature:
        return False
    return True


def builtin_keys() -> Iterator[CandidateKey]:
    """The shared list of well-known tutorial, documentation and placeholder keys."""
    for key in WEAK_KEYS:
        yield CandidateKey(key, "the built-in list of well-known keys")


def find_key(value: str, candidates: Iterable[CandidateKey]) -> CandidateKey | None:
    """The first candidate that signed ``value``, or ``None``."""
    return next((c for c in candidates if signed_with(value, c.key)), None)


def show_key(key: str | bytes) -> str:
    """A key as a user would type it in Python (bytes shown as text when they are text)."""
    if isinstance(key, bytes):
        try:
            return repr(key.decode("utf-8"))
        except UnicodeDecodeError:
            return repr(key)
    return repr(key)
