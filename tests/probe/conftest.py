"""Real servers for the probe tests: Flask's dev server, gunicorn and rogue servers.

Every server listens on 127.0.0.1 only, on a free port, runs in its own process group
(``start_new_session``) and is always torn down by killing that group, reloader
children included. Readiness is polled with a bounded timeout.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from flaskwarden.findings import Report
from flaskwarden.probe.runner import ProbeOptions, run_probe
from tests.probe import apps

HERE = Path(__file__).resolve().parent
READY_SECONDS = 20.0
LOOPBACK = "127.0.0.1"


@dataclass
class Server:
    """A running server: its port, its output log, and what tests need to know of it.

    ``events`` is where a rogue server records what it saw; ``secret`` is the
    SECRET_KEY a server was started with.
    """

    port: int
    log: Path
    process: subprocess.Popen[bytes]
    secret: str = ""
    events: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    def at(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def event_lines(self) -> list[str]:
        assert self.events is not None
        return self.events.read_text(encoding="utf-8").splitlines()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "WERKZEUG_")) and "proxy" not in key.lower()
    }
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def _ready(port: int, http_ready: bool) -> bool:
    try:
        if not http_ready:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return True
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
        try:
            connection.request("GET", "/__ready__")
            connection.getresponse().read()
        finally:
            connection.close()
        return True
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def running(
    command: list[str],
    *,
    cwd: Path,
    port: int,
    env: dict[str, str] | None = None,
    http_ready: bool = True,
    secret: str = "",
) -> Iterator[Server]:
    """Start ``command`` in its own process group; yield once it answers; always kill it."""
    log = cwd / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=_clean_env(env or {}),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _ready(port, http_ready):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server {command} did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield Server(port, log, process, secret)
    finally:
        _stop(process)


def _app_dir(factory: pytest.TempPathFactory, name: str, source: str) -> Path:
    directory = factory.mktemp(name)
    (directory / "app.py").write_text(source, encoding="utf-8")
    return directory


def _flask_run(port: int, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "flask", "--app", "app", "run",
        "--host", LOOPBACK, "--port", str(port), *extra,
    ]  # fmt: skip


def _gunicorn(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"{LOOPBACK}:{port}",
            "app:app"]  # fmt: skip


@pytest.fixture(scope="session")
def debug_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python app.py`` with ``app.run(debug=True)``: debugger, PIN, reloader."""
    cwd = _app_dir(tmp_path_factory, "debug", apps.BASIC)
    port = free_port()
    command = [sys.executable, "app.py"]
    with running(command, cwd=cwd, port=port, env={"PORT": str(port)}) as server:
        yield server


@pytest.fixture(scope="session")
def debug_nopin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``flask run --debug`` with ``WERKZEUG_DEBUG_PIN=off``: the console needs no PIN."""
    cwd = _app_dir(tmp_path_factory, "nopin", apps.BASIC)
    port = free_port()
    command = _flask_run(port, "--debug", "--no-reload")
    with running(command, cwd=cwd, port=port, env={"WERKZEUG_DEBUG_PIN": "off"}) as server:
        yield server


@pytest.fixture(scope="session")
def nodebug_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``flask run`` without debug: the development server, but no debugger."""
    cwd = _app_dir(tmp_path_factory, "nodebug", apps.BASIC)
    port = free_port()
    with running(_flask_run(port), cwd=cwd, port=port) as server:
        yield server


@pytest.fixture(scope="session")
def gunicorn_debug_env_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn with ``FLASK_DEBUG=1``: app.debug is on, but no debugger is installed."""
    cwd = _app_dir(tmp_path_factory, "gunicorn", apps.BASIC)
    port = free_port()
    with running(_gunicorn(port), cwd=cwd, port=port, env={"FLASK_DEBUG": "1"}) as server:
        yield server


@pytest.fixture(scope="session")
def tutorial_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn serving the tutorial app whose SECRET_KEY is 'supersecretkey'."""
    cwd = _app_dir(tmp_path_factory, "tutorial", apps.TUTORIAL)
    port = free_port()
    with running(_gunicorn(port), cwd=cwd, port=port) as server:
        yield server


@pytest.fixture(scope="session")
def talisman_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn serving a Flask-Talisman app with a random SECRET_KEY from the env."""
    cwd = _app_dir(tmp_path_factory, "talisman", apps.TALISMAN)
    port = free_port()
    key = secrets.token_hex(32)
    env = {"SECRET_KEY": key}
    with running(_gunicorn(port), cwd=cwd, port=port, env=env, secret=key) as server:
        yield server


@pytest.fixture(scope="session")
def leaky_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn serving an app that exposes its directory, tracebacks and CORS."""
    cwd = _app_dir(tmp_path_factory, "leaky", apps.LEAKY)
    for name, content in apps.LEAKY_FILES.items():
        (cwd / name).parent.mkdir(parents=True, exist_ok=True)
        (cwd / name).write_text(content, encoding="utf-8")
    port = free_port()
    with running(_gunicorn(port), cwd=cwd, port=port) as server:
        yield server


RogueFactory = Callable[..., Server]


@pytest.fixture
def rogue(tmp_path: Path) -> Iterator[RogueFactory]:
    """Start rogue servers (see rogue.py) for one test: ``rogue("silent")``."""
    with contextlib.ExitStack() as stack:

        def start(mode: str, arg: str = "") -> Server:
            port = free_port()
            log = tmp_path / f"rogue-{mode}-{port}.events"
            command = [sys.executable, str(HERE / "rogue.py"), mode, str(port), str(log)]
            command += [arg] if arg else []
            server = stack.enter_context(
                running(command, cwd=tmp_path, port=port, http_ready=False)
            )
            server.events = log
            return server

        yield start


def probe(url: str, *paths: str, timeout: float = 5.0, budget: float = 30.0) -> Report:
    """Run the probe in-process, the way the CLI does."""
    return run_probe(url, ProbeOptions(paths=paths, timeout=timeout, budget=budget))


def flask_cookie(data: dict[str, Any], key: str | bytes = "x" * 40) -> str:
    """The session cookie Flask itself would set for ``data`` under ``SECRET_KEY = key``."""
    app = Flask(__name__)
    app.secret_key = key
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    value: str = serializer.dumps(data)
    return value
