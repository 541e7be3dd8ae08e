"""The guard under real servers on 127.0.0.1: gunicorn (1 and 2 workers) and `flask run`."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.request
from pathlib import Path

import pytest

from tests.guard.conftest import GUARDED_APP, STRONG_KEY, StartServer, clean_environ


@pytest.fixture
def app_module(tmp_path: Path) -> Path:
    path = tmp_path / "guarded.py"
    path.write_text(GUARDED_APP, encoding="utf-8")
    return path


def gunicorn(workers: int) -> list[str]:
    return ["gunicorn", "-b", "127.0.0.1:{port}", "-w", str(workers), "guarded:app"]


@pytest.mark.usefixtures("app_module")
def test_gunicorn_serves_a_correct_app_across_workers(start_server: StartServer) -> None:
    server = start_server(gunicorn(2), clean_environ(APP_SECRET_KEY=STRONG_KEY))
    server.wait_ready()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    visits = []
    for _ in range(6):
        with opener.open(server.url + "/", timeout=5) as response:
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            visits.append(json.load(response)["visits"])
    # One fixed key: the session survives whichever worker answers.
    assert visits == [1, 2, 3, 4, 5, 6]
    assert "FW" not in server.output()


@pytest.mark.usefixtures("app_module")
def test_gunicorn_refuses_to_boot_a_debug_app(start_server: StartServer) -> None:
    server = start_server(gunicorn(1), clean_environ(APP_SECRET_KEY=STRONG_KEY, APP_DEBUG="1"))
    assert server.wait_exit() != 0
    log = server.output()
    assert "flaskwarden refused to start the app 'guarded'" in log
    assert "FW101 debug mode is on and the app is served by gunicorn" in log
    assert "Worker failed to boot" in log


@pytest.mark.usefixtures("app_module")
def test_gunicorn_refuses_a_key_generated_per_worker(start_server: StartServer) -> None:
    server = start_server(gunicorn(2), clean_environ())  # no APP_SECRET_KEY: os.urandom
    assert server.wait_exit() != 0
    assert "FW203 the 2 workers of this server hold different SECRET_KEYs" in server.output()


@pytest.mark.usefixtures("app_module")
def test_flask_run_debug_on_loopback_starts(start_server: StartServer) -> None:
    args = ["flask", "--app", "guarded", "run", "--no-reload", "--port", "{port}"]
    server = start_server(args, clean_environ(APP_SECRET_KEY=STRONG_KEY, FLASK_DEBUG="1"))
    server.wait_ready()
    with urllib.request.urlopen(server.url + "/", timeout=5) as response:
        assert json.load(response)["visits"] == 1
    assert " * Debug mode: on" in server.output()
