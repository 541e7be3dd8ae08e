"""The guard's pure checks: exposure, markers, keys, cookie defaults, headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskwarden.guard import keyshare
from flaskwarden.guard.checks import (
    Serving,
    evaluate,
    exposure,
    is_loopback,
    per_process_key,
    production_markers,
    safe_cookie_defaults,
    secret_key_problem,
    security_headers,
)
from tests.guard.conftest import STRONG_KEY


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]", "unix:/run/app.sock"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "10.0.0.5", "192.168.1.2", "example.com"])
def test_non_loopback_hosts(host: str) -> None:
    assert not is_loopback(host)


def test_production_markers_name_each_variable() -> None:
    markers = production_markers(
        {
            "AWS_SECRET_ACCESS_KEY": "x",
            "DYNO": "web.1",
            "DATABASE_URL": "postgres://app:pw@db.internal.example.com:5432/app",
        }
    )
    assert markers == [
        "AWS_SECRET_ACCESS_KEY is set in the environment (cloud credentials)",
        "DYNO is set in the environment (Heroku)",
        "DATABASE_URL points to the non-local database host 'db.internal.example.com'",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:pw@localhost/app",
        "postgresql://app:pw@127.0.0.1:5432/app",
        "postgresql:///app?host=/var/run/postgresql",
        "sqlite:///instance/app.db",
        "not a url",
    ],
)
def test_local_database_urls_are_not_markers(url: str) -> None:
    assert production_markers({"DATABASE_URL": url}) == []


def test_empty_variables_are_not_markers() -> None:
    assert production_markers({"AWS_SECRET_ACCESS_KEY": "", "DYNO": ""}) == []


def test_exposure_lists_every_reason() -> None:
    exposed = exposure(
        Serving("gunicorn", hosts=("0.0.0.0", "127.0.0.1"), production=True),
        {"AWS_SECRET_ACCESS_KEY": "x"},
    )
    assert exposed.reasons == (
        "the app is served by gunicorn",
        "the server binds 0.0.0.0 (every network interface)",
        "AWS_SECRET_ACCESS_KEY is set in the environment (cloud credentials)",
    )
    assert not exposure(Serving("app.run", hosts=("127.0.0.1",)), {})


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "no SECRET_KEY is set"),
        ("", "no SECRET_KEY is set"),
        ("short-but-unknown", "SECRET_KEY is only 17 bytes long (at least 32 needed)"),
        (
            "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
            "SECRET_KEY is a well-known tutorial or placeholder key",
        ),
        (b'_5#y2L"F4Q8z\n\xec]/', "SECRET_KEY is a well-known tutorial or placeholder key"),
        (12345, "SECRET_KEY is a int, not str or bytes"),
        (STRONG_KEY, None),
        (STRONG_KEY.encode(), None),
    ],
)
def test_secret_key_problems(key: object, problem: str | None) -> None:
    assert secret_key_problem(key) == problem


def test_weak_key_is_only_a_warning_in_local_development() -> None:
    local = Serving("app.run", hosts=("127.0.0.1",))

    def rules(debug: bool) -> tuple[list[str], list[str]]:
        refusals, warnings = evaluate(
            debug=debug,
            testing=False,
            login_disabled=False,
            secret_key="dev",
            serving=local,
            environ={},
            allow_debug=False,
        )
        return [r.rule for r in refusals], [w.rule for w in warnings]

    assert rules(debug=True) == ([], ["FW201"])
    assert rules(debug=False) == (["FW201"], [])


def test_allow_debug_lifts_only_the_debug_refusal() -> None:
    refusals, _ = evaluate(
        debug=True,
        testing=True,
        login_disabled=False,
        secret_key=STRONG_KEY,
        serving=Serving("flask run", hosts=("0.0.0.0",)),
        environ={},
        allow_debug=True,
    )
    assert [r.rule for r in refusals] == ["FW109"]


def test_cookie_defaults_fill_only_what_flask_left_unsafe() -> None:
    flask_defaults = {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": None,
        "SESSION_COOKIE_SECURE": False,
        "PREFERRED_URL_SCHEME": "http",
    }
    assert safe_cookie_defaults(flask_defaults) == {"SESSION_COOKIE_SAMESITE": "Lax"}
    https = {**flask_defaults, "PREFERRED_URL_SCHEME": "https"}
    assert safe_cookie_defaults(https) == {
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
    }
    chosen = {
        **flask_defaults,
        "SESSION_COOKIE_HTTPONLY": False,
        "SESSION_COOKIE_SAMESITE": "Strict",
    }
    assert safe_cookie_defaults(chosen) == {}
    assert safe_cookie_defaults({}) == {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def test_hsts_only_on_secure_requests() -> None:
    assert "Strict-Transport-Security" not in dict(security_headers(False))
    assert dict(security_headers(True))["Strict-Transport-Security"] == "max-age=31536000"


def test_worker_fingerprints_are_compared_per_master(tmp_path: Path) -> None:
    a, b = keyshare.fingerprint(STRONG_KEY), keyshare.fingerprint(STRONG_KEY[::-1])
    assert a == keyshare.fingerprint(STRONG_KEY.encode())
    assert STRONG_KEY not in a
    master = 1  # init: always alive, so its file is never removed as stale
    assert keyshare.sibling_fingerprints(a, master, tmp_path) == {a}
    assert keyshare.sibling_fingerprints(a, master, tmp_path) == {a}
    seen = keyshare.sibling_fingerprints(b, master, tmp_path)
    assert seen == {a, b}
    violation = per_process_key(b, seen, 2)
    assert violation is not None
    assert violation.rule == "FW203"
    assert per_process_key(a, {a}, 2) is None


def test_files_of_dead_masters_are_removed(tmp_path: Path) -> None:
    keyshare.sibling_fingerprints("aa", 1, tmp_path)
    dead = 2**22 + 12345  # above Linux's default pid_max
    keyshare.sibling_fingerprints("bb", dead, tmp_path)
    keyshare.sibling_fingerprints("cc", 1, tmp_path)
    assert [p.name.split("-")[3] for p in sorted(tmp_path.iterdir())] == ["1"]
