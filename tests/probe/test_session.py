"""Flask session cookies: decoded without a key, keys checked exactly as Flask checks them.

Cookies are made by Flask itself (its own ``SecureCookieSessionInterface``), so these
tests fail if the probe's reading of them ever drifts from Flask's.
"""

from __future__ import annotations

import base64
import uuid
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from markupsafe import Markup

from flaskwarden.probe.model import CandidateKey
from flaskwarden.probe.session import builtin_keys, decode, find_key, show_key, signed_with
from flaskwarden.probe.wordlist import Wordlist, WordlistError
from tests.probe.conftest import flask_cookie


def test_decodes_what_flask_stores() -> None:
    when = datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    cookie = flask_cookie(
        {
            "user_id": 7,
            "cart": (1, 2),
            "raw": b"\x00\x01",
            "note": Markup("<b>hi</b>"),
            "ident": ident,
            "when": when,
            "nested": {" t": "looks like a tag"},
        }
    )
    session = decode(cookie)
    assert session is not None
    assert session.data == {
        "user_id": 7,
        "cart": [1, 2],
        "raw": b"\x00\x01",
        "note": "<b>hi</b>",
        "ident": ident.hex,
        "when": "Wed, 01 May 2024 12:30:00 GMT",
        "nested": {" t": "looks like a tag"},
    }


def test_decodes_compressed_cookies() -> None:
    cookie = flask_cookie({"history": ["/page"] * 200})
    assert cookie.startswith(".")
    session = decode(cookie)
    assert session is not None
    assert session.compressed
    assert session.data == {"history": ["/page"] * 200}


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not-a-cookie",
        "abc.def",
        "1|5f4dcc3b5aa765d61d8327deb882cf99",
        # A JWT: three base64 parts too, but no short timestamp in the middle.
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        # A list, not a session dict.
        "WzEsMl0.ZjBeSw.AAAAAAAAAAAAAAAAAAAAAAAAAAA",  # base64 of [1,2]
    ],
)
def test_other_values_are_not_sessions(value: str) -> None:
    assert decode(value) is None


def test_zlib_bomb_is_not_inflated() -> None:
    bomb = zlib.compress(b'{"a":"' + b"0" * 20_000_000 + b'"}', 9)
    payload = base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    assert decode(f".{payload}.ZjBeSw.AAAAAAAAAAAAAAAAAAAAAAAAAAA") is None


@pytest.mark.parametrize(
    "key",
    ["supersecretkey", "dev", b'_5#y2L"F4Q8z\n\xec]/', "development key", "change-me"],
)
def test_finds_well_known_keys_exactly_as_flask_signs(key: str | bytes) -> None:
    cookie = flask_cookie({"user_id": 1}, key)
    match = find_key(cookie, builtin_keys())
    assert match is not None
    assert match.key == key
    assert match.source == "the built-in list of well-known keys"


# Keys that appear in the seed articles and in Flask's documentation (current and past).
DOCUMENTED_KEYS = [
    "supersecretkey",
    "dev-secret-change-in-production",
    "dev-fallback-key",
    "change-this-to-env-var",
    "dev",
    "development key",
    b'_5#y2L"F4Q8z\n\xec]/',
    "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
    "A0Zr98j/3yX R~XHH!jmN]LWX/,?RT",
    # docs/config.rst (FLASK_SECRET_KEY example) and older Flask docs
    "5f352379324c22463451387a0aec5d2f",
    "my development key",
    "the secret key",
    "some_secret",
]


@pytest.mark.parametrize("key", DOCUMENTED_KEYS)
def test_every_documented_key_is_tried(key: str | bytes) -> None:
    assert find_key(flask_cookie({"a": 1}, key), builtin_keys()) is not None


def test_strong_key_is_not_found_and_tampering_breaks_the_signature() -> None:
    cookie = flask_cookie({"user_id": 1}, "d2f0c1b7a9e84f3c8a1b6e5d4c3b2a19f8e7d6c5b4a39281")
    assert find_key(cookie, builtin_keys()) is None
    genuine = flask_cookie({"user_id": 1}, "dev")
    other_payload = flask_cookie({"user_id": 2}, "dev").split(".", 1)[0]
    assert signed_with(genuine, "dev")
    assert not signed_with(other_payload + "." + genuine.split(".", 1)[1], "dev")


def test_small_sessions_are_not_compressed() -> None:
    session = decode(flask_cookie({"n": 1}))
    assert session is not None
    assert not session.compressed


def test_wordlist_keys_are_tried_after_the_builtin_ones(tmp_path: Path) -> None:
    words = tmp_path / "keys.txt"
    words.write_bytes(b"first\r\n\nwith spaces inside \nsecond\n")
    candidates = list(Wordlist(words))
    assert candidates == [
        CandidateKey(b"first", "keys.txt line 1"),
        CandidateKey(b"with spaces inside ", "keys.txt line 3"),
        CandidateKey(b"second", "keys.txt line 4"),
    ]
    match = find_key(flask_cookie({"a": 1}, "with spaces inside "), candidates)
    assert match == CandidateKey(b"with spaces inside ", "keys.txt line 3")


def test_unreadable_wordlist_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WordlistError, match=r"cannot read wordlist .*missing.txt"):
        Wordlist(tmp_path / "missing.txt")


def test_keys_are_shown_as_typed() -> None:
    assert show_key("dev") == "'dev'"
    assert show_key(b"dev") == "'dev'"
    assert show_key(b'_5#y2L"F4Q8z\n\xec]/') == "b'_5#y2L\"F4Q8z\\n\\xec]/'"
