"""`Warden` on real Flask apps: each refusal case, the passing case, warn mode, defaults."""

from __future__ import annotations

import logging
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask, session
from flask.cli import FlaskGroup
from flask_talisman import Talisman

from flaskwarden.guard import Warden, WardenError, WardenState
from tests.guard.conftest import STRONG_KEY


def make_app(**config: Any) -> Flask:
    app = Flask("shop")
    app.config.update({"SECRET_KEY": STRONG_KEY, **config})

    @app.get("/")
    def index() -> dict[str, int]:
        session["visits"] = session.get("visits", 0) + 1
        return {"visits": session["visits"]}

    return app


def refused_rules(app: Flask) -> list[str]:
    with pytest.raises(WardenError) as caught:
        Warden(app)
    return [violation.rule for violation in caught.value.violations]


@pytest.fixture
def run_simple(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """Record what app.run would start instead of starting it (cwd: an empty dir)."""
    calls: list[dict[str, Any]] = []

    def record(host: str, port: int, app: object, **options: Any) -> None:
        calls.append({"host": host, "port": port, **options})

    monkeypatch.setattr("werkzeug.serving.run_simple", record)
    monkeypatch.chdir(tmp_path)  # app.run loads .env / .flaskenv from here
    return calls


# -- the passing case ------------------------------------------------------------------


def test_correct_app_starts_and_serves_through_the_test_client() -> None:
    app = make_app()
    Warden(app)
    client = app.test_client()
    first = client.get("/")
    assert first.status_code == 200
    assert client.get("/").json == {"visits": 2}
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert first.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in first.headers
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    state = app.extensions["flaskwarden"]
    assert isinstance(state, WardenState)
    assert (state.mode, state.violations) == ("raise", [])


def test_extension_conventions_no_app_on_the_instance() -> None:
    warden = Warden()
    first, second = make_app(), make_app()
    warden.init_app(first)
    warden.init_app(second)
    assert vars(warden) == {}
    assert "flaskwarden" in first.extensions
    assert "flaskwarden" in second.extensions
    warden.init_app(first)  # again: no second hook, no second wrapper
    assert first.after_request_funcs[None].count(first.after_request_funcs[None][0]) == 1
    assert not hasattr(first.run.__wrapped__, "__wrapped__")  # type: ignore[attr-defined]


# -- FW101: debug on and exposed -------------------------------------------------------


def test_debug_with_cloud_credentials_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    app = make_app(DEBUG=True)
    with pytest.raises(WardenError) as caught:
        Warden(app)
    message = str(caught.value)
    assert "FW101" in message
    assert "AWS_SECRET_ACCESS_KEY is set in the environment" in message
    assert "wJalrXUtnFEMI" not in message  # names the variable, never shows its value
    assert "FLASKWARDEN_ALLOW_DEBUG" in message


def test_debug_with_a_remote_database_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop:pw@db.prod.example.com/shop")
    assert refused_rules(make_app(DEBUG=True)) == ["FW101"]


def test_debug_with_a_local_database_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop:pw@localhost/shop")
    app = make_app(DEBUG=True)
    Warden(app)
    assert app.test_client().get("/").status_code == 200


def test_debug_on_a_hosting_platform_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNO", "web.1")
    assert refused_rules(make_app(DEBUG=True)) == ["FW101"]


def test_debug_under_a_wsgi_server_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVER_SOFTWARE", "waitress")
    with pytest.raises(WardenError, match="FW101 debug mode is on and the app is served by wait"):
        Warden(make_app(DEBUG=True))


def test_debug_under_uwsgi_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    uwsgi = types.ModuleType("uwsgi")
    uwsgi.numproc = 4  # type: ignore[attr-defined]
    uwsgi.opt = {"http": b":8000"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "uwsgi", uwsgi)
    with pytest.raises(WardenError) as caught:
        Warden(make_app(DEBUG=True))
    assert "the app is served by uwsgi; the server binds 0.0.0.0" in str(caught.value)


def test_debug_under_mod_wsgi_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mod_wsgi", types.ModuleType("mod_wsgi"))
    assert refused_rules(make_app(DEBUG=True)) == ["FW101"]


def test_app_run_on_every_interface_with_debug_is_refused(
    run_simple: list[dict[str, Any]],
) -> None:
    app = make_app()
    Warden(app)
    with pytest.raises(WardenError, match=r"FW101 .*binds 0\.0\.0\.0 \(every network interface\)"):
        app.run(host="0.0.0.0", debug=True)
    assert run_simple == []


def test_app_run_reads_flask_debug_like_flask_does(
    run_simple: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    Warden(app)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(WardenError, match="FW101"):
        app.run(host="0.0.0.0")
    assert run_simple == []


def test_app_run_binding_server_name_with_debug_is_refused(
    run_simple: list[dict[str, Any]],
) -> None:
    app = make_app(SERVER_NAME="0.0.0.0:8000")
    Warden(app)
    with pytest.raises(WardenError, match="FW101"):
        app.run(debug=True)


def test_app_run_locally_with_debug_starts(run_simple: list[dict[str, Any]]) -> None:
    app = make_app()
    Warden(app)
    app.run(debug=True, port=5001)
    assert [(c["host"], c["port"], c["use_debugger"]) for c in run_simple] == [
        ("127.0.0.1", 5001, True)
    ]


def test_app_run_on_every_interface_without_debug_starts(
    run_simple: list[dict[str, Any]],
) -> None:
    app = make_app()
    Warden(app)
    app.run(host="0.0.0.0")
    assert [c["host"] for c in run_simple] == ["0.0.0.0"]


def test_app_run_debugger_without_debug_is_refused(run_simple: list[dict[str, Any]]) -> None:
    app = make_app()
    Warden(app)
    with pytest.raises(WardenError, match="FW101"):
        app.run(host="0.0.0.0", use_debugger=True)


def test_flask_run_on_every_interface_with_debug_is_refused(
    run_simple: list[dict[str, Any]],
) -> None:
    def create_app() -> Flask:
        app = make_app()
        Warden(app)
        return app

    cli = FlaskGroup(create_app=create_app, load_dotenv=False)
    result = CliRunner().invoke(cli, ["run", "--host", "0.0.0.0"], env={"FLASK_DEBUG": "1"})
    assert result.exit_code == 1
    assert "Error: flaskwarden refused to start the app 'shop'" in result.output
    assert "FW101 debug mode is on and the server binds 0.0.0.0" in result.output
    assert "Traceback" not in result.output
    assert run_simple == []


def test_flask_run_host_from_the_environment_is_read(run_simple: list[dict[str, Any]]) -> None:
    def create_app() -> Flask:
        app = make_app()
        Warden(app)
        return app

    cli = FlaskGroup(create_app=create_app, load_dotenv=False)
    env = {"FLASK_DEBUG": "1", "FLASK_RUN_HOST": "0.0.0.0"}
    result = CliRunner().invoke(cli, ["run"], env=env, auto_envvar_prefix="FLASK")
    assert result.exit_code == 1
    assert "FW101 debug mode is on and the server binds 0.0.0.0" in result.output
    assert run_simple == []


def test_other_flask_commands_are_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")

    def create_app() -> Flask:
        app = make_app(DEBUG=True, SECRET_KEY=None)
        Warden(app)
        return app

    cli = FlaskGroup(create_app=create_app, load_dotenv=False)
    result = CliRunner().invoke(cli, ["routes"])
    assert result.exit_code == 0, result.output
    assert "index" in result.output


def test_allow_debug_lets_a_container_bind_every_interface(
    run_simple: list[dict[str, Any]],
) -> None:
    app = make_app(FLASKWARDEN_ALLOW_DEBUG=True)
    Warden(app)
    app.run(host="0.0.0.0", debug=True)
    assert [c["host"] for c in run_simple] == ["0.0.0.0"]


# -- FW109: testing flags in a deployed app --------------------------------------------


def test_testing_under_a_wsgi_server_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    with pytest.raises(WardenError, match="FW109 TESTING is on and the app is served by gunicorn"):
        Warden(make_app(TESTING=True))


def test_login_disabled_with_cloud_credentials_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", "x")
    assert refused_rules(make_app(LOGIN_DISABLED=True)) == ["FW109"]


def test_testing_in_tests_starts() -> None:
    app = make_app(TESTING=True)
    Warden(app)
    assert app.test_client().get("/").status_code == 200


# -- FW201: the secret key -------------------------------------------------------------


def test_missing_secret_key_is_refused() -> None:
    with pytest.raises(WardenError, match="FW201 no SECRET_KEY is set"):
        Warden(make_app(SECRET_KEY=None))


def test_short_secret_key_is_refused() -> None:
    with pytest.raises(WardenError, match="FW201 SECRET_KEY is only 12 bytes long"):
        Warden(make_app(SECRET_KEY="x9!kQ2#mZp7L"))


def test_tutorial_secret_key_is_refused() -> None:
    flask_docs_key = "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf"
    with pytest.raises(WardenError, match="FW201 SECRET_KEY is a well-known tutorial"):
        Warden(make_app(SECRET_KEY=flask_docs_key))


def test_weak_key_in_local_debug_is_logged_not_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(DEBUG=True, SECRET_KEY="dev")
    with caplog.at_level(logging.WARNING, logger="flaskwarden.guard"):
        Warden(app)
    assert [r.message for r in caplog.records] == [
        "flaskwarden: FW201 SECRET_KEY is a well-known tutorial or placeholder key: whoever "
        "knows or guesses the key signs session cookies and can log in as any user. Generate "
        'one with `python -c "import secrets; print(secrets.token_hex(32))"`, store it in a '
        "secret manager or the environment, and load it with "
        'app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]. (allowed in local development)'
    ]


# -- warn mode and configuration -------------------------------------------------------


def test_warn_mode_logs_every_refusal_and_starts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    app = make_app(FLASKWARDEN_MODE="warn", DEBUG=True, SECRET_KEY="changeme")
    with caplog.at_level(logging.WARNING, logger="flaskwarden.guard"):
        Warden(app)
    prefix = "flaskwarden (FLASKWARDEN_MODE=warn) would refuse to start: "
    assert [(r.levelname, r.message[: len(prefix) + 5]) for r in caplog.records] == [
        ("WARNING", prefix + "FW101"),
        ("WARNING", prefix + "FW201"),
    ]
    assert app.test_client().get("/").status_code == 200
    assert [v.rule for v in app.extensions["flaskwarden"].violations] == ["FW101", "FW201"]


def test_unknown_mode_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="FLASKWARDEN_MODE is 'off'; use one of: raise, warn"):
        Warden(make_app(FLASKWARDEN_MODE="off"))


# -- FW402 / FW404: cookie defaults and headers ----------------------------------------


def test_https_apps_get_secure_cookies_and_hsts() -> None:
    app = make_app(PREFERRED_URL_SCHEME="https")
    Warden(app)
    response = app.test_client().get("/", base_url="https://shop.example.com")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_cookie_settings_the_app_chose_are_kept() -> None:
    app = make_app(SESSION_COOKIE_SAMESITE="Strict")
    Warden(app)
    assert "SameSite=Strict" in app.test_client().get("/").headers["Set-Cookie"]


def test_headers_the_app_sets_are_kept() -> None:
    app = make_app()

    @app.get("/embed")
    def embed() -> tuple[str, dict[str, str]]:
        return "ok", {"X-Frame-Options": "DENY"}

    Warden(app)
    response = app.test_client().get("/embed")
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]


def test_talisman_owns_the_headers_when_present() -> None:
    app = make_app()
    Warden(app)
    Talisman(app, force_https=False, frame_options="DENY")
    response = app.test_client().get("/")
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
    assert "Content-Security-Policy" in response.headers
    assert app.extensions["flaskwarden"].talisman is True
