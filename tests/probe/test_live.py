"""The probe against real servers: exactly the expected findings on each, no more.

Every test compares the full set of (rule, URL) reported, so a finding that should be
absent (the debugger under gunicorn, FW104 behind gunicorn, anything on the Talisman
app) fails the test as surely as a missing one.
"""

from __future__ import annotations

from flaskwarden.findings import Finding, Report, Severity
from flaskwarden.probe.checks import DEBUGGER_QUERY, NOT_FOUND_PATH
from tests.probe.conftest import Server, probe


def found(report: Report) -> set[tuple[str, str]]:
    return {(f.rule, f.path) for f in report.findings}


def one(report: Report, rule: str, path: str | None = None) -> Finding:
    matches = [f for f in report.findings if f.rule == rule and path in (None, f.path)]
    assert len(matches) == 1, matches
    return matches[0]


def debugger_url(server: Server) -> str:
    return server.at(f"/?{DEBUGGER_QUERY}")


def test_debug_on_with_pin(debug_server: Server) -> None:
    report = probe(debug_server.url, "/boom")

    assert found(report) == {
        ("FW101", debugger_url(debug_server)),
        ("FW104", debug_server.url),
        ("FW108", debug_server.at("/boom")),
        ("FW404", debug_server.url),
    }
    debugger = one(report, "FW101")
    assert debugger.severity is Severity.HIGH
    assert "returned the debugger's JavaScript" in debugger.message
    assert "guarded only by a PIN" in debugger.message
    assert debug_server.at("/console") in {loc.path for loc in debugger.related}
    assert "Werkzeug/" in one(report, "FW104").snippet
    traceback = one(report, "FW108")
    assert "debugger's traceback page (RuntimeError: kaboom)" in traceback.message
    assert traceback.message.startswith(f"GET {debug_server.at('/boom')} answered 500")
    assert report.diagnostics == []


def test_debug_on_with_pin_disabled_is_critical(debug_nopin_server: Server) -> None:
    report = probe(debug_nopin_server.url)

    assert found(report) == {
        ("FW101", debugger_url(debug_nopin_server)),
        ("FW104", debug_nopin_server.url),
        ("FW404", debug_nopin_server.url),
    }
    debugger = one(report, "FW101")
    assert debugger.severity is Severity.CRITICAL
    assert "PIN disabled (EVALEX_TRUSTED = true)" in debugger.message
    assert debugger.snippet == "EVALEX_TRUSTED = true"


def test_debug_off_dev_server_has_no_debugger_or_traceback(nodebug_server: Server) -> None:
    report = probe(nodebug_server.url, "/boom")

    assert found(report) == {("FW104", nodebug_server.url), ("FW404", nodebug_server.url)}
    assert not [f for f in report.findings if f.rule in ("FW101", "FW108")]


def test_gunicorn_with_flask_debug_has_no_debugger(gunicorn_debug_env_server: Server) -> None:
    # FLASK_DEBUG=1 turns app.debug on, but only the dev server installs the debugger.
    report = probe(gunicorn_debug_env_server.url, "/boom")

    assert found(report) == {("FW404", gunicorn_debug_env_server.url)}
    assert not [f for f in report.findings if f.rule in ("FW101", "FW104", "FW108")]
    assert report.diagnostics == []


def test_tutorial_secret_key_is_cracked(tutorial_server: Server) -> None:
    report = probe(tutorial_server.url)
    url = tutorial_server.url

    assert found(report) == {
        ("FW201", url),
        ("FW402", url),
        ("FW403", url),
        ("FW404", url),
        ("FW405", url),
    }
    key = one(report, "FW201")
    assert key.severity is Severity.CRITICAL
    assert "signed with the key 'supersecretkey', found in the built-in list" in key.message
    assert "it stores email, username" in key.message
    data = one(report, "FW405")
    assert data.snippet == "session keys: email"
    assert "alice@example.com" not in data.message
    flags = one(report, "FW402")
    assert flags.severity is Severity.LOW
    assert "without SameSite" in flags.message
    assert "without HttpOnly" not in flags.message
    assert flags.snippet == "Set-Cookie: session=...; HttpOnly"
    remember = one(report, "FW403")
    assert "'remember_token'" in remember.message
    assert remember.severity is Severity.MEDIUM
    assert "without HttpOnly" in remember.message
    assert all("theme" not in f.message for f in report.findings)


def test_talisman_app_is_clean(talisman_server: Server) -> None:
    report = probe(talisman_server.url, "/boom")

    assert report.findings == []
    assert report.diagnostics == []


def test_leaky_app(leaky_server: Server) -> None:
    report = probe(leaky_server.url, "/boom")
    at = leaky_server.at

    assert found(report) == {
        ("FW107", at("/.env")),
        ("FW107", at("/.flaskenv")),
        ("FW107", at("/.git/HEAD")),
        ("FW108", at("/boom")),
        ("FW108", at(NOT_FOUND_PATH)),
        ("FW404", leaky_server.url),
        ("FW406", leaky_server.url),
        ("FW406", at("/boom")),
    }
    env = one(report, "FW107", at("/.env"))
    assert "2 variables, including SECRET_KEY, DATABASE_URL" in env.message
    assert "8c1d2e3f4a5b6c7d" not in env.message
    assert "ref: refs/heads/main" in one(report, "FW107", at("/.git/HEAD")).message
    boom = one(report, "FW108", at("/boom"))
    assert "a Python traceback (KeyError: 'db_password')" in boom.message
    not_found = one(report, "FW108", at(NOT_FOUND_PATH))
    assert "NotFound" in not_found.message
    cors = one(report, "FW406", leaky_server.url)
    assert cors.severity is Severity.HIGH
    assert "Access-Control-Allow-Credentials: true" in cors.message
