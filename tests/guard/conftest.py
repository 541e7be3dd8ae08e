"""Fixtures for the guard tests: a clean environment, real apps, a real gunicorn."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flaskwarden.guard.checks import CLOUD_CREDENTIALS, DATABASE_URL_VARS, PLATFORM_MARKERS

STRONG_KEY = "b4c1f0e2d7a94e3c8f65a1d2e9b07c3f5a8e1d4c7b2f9a06"

# Everything the guard reads from the environment. The machine running the tests may
# well have some of these set (CI with cloud credentials): no test may see them.
GUARD_ENV = (
    *CLOUD_CREDENTIALS,
    *PLATFORM_MARKERS,
    *DATABASE_URL_VARS,
    "SERVER_SOFTWARE",
    "FLASK_DEBUG",
    "FLASK_RUN_FROM_CLI",
    "FLASK_RUN_HOST",
    "WERKZEUG_RUN_MAIN",
    "GUNICORN_CMD_ARGS",
    "WEB_CONCURRENCY",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GUARD_ENV:
        monkeypatch.delenv(name, raising=False)


def clean_environ(**extra: str) -> dict[str, str]:
    """A copy of this process's environment without the guard's inputs, for servers."""
    env = {k: v for k, v in os.environ.items() if k not in GUARD_ENV}
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


GUARDED_APP = """
import os

from flask import Flask, session

from flaskwarden.guard import Warden

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("APP_SECRET_KEY") or os.urandom(32).hex()
app.config["DEBUG"] = os.environ.get("APP_DEBUG") == "1"
Warden(app)


@app.get("/")
def index():
    session["visits"] = session.get("visits", 0) + 1
    return {"pid": os.getpid(), "visits": session["visits"]}
"""


@dataclass
class Server:
    """A server process started by a test, in its own process group."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Poll until the server answers; fail with its log if it exits or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1):
                    return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"server not ready after {timeout}s:\n{self.output()}")

    def wait_exit(self, timeout: float = 30.0) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"server still running after {timeout}s:\n{self.output()}")


StartServer = Callable[[list[str], dict[str, str]], Server]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """``start_server(args, env)`` runs ``python -m <args>`` in tmp_path on a free port.

    ``{port}`` in args is replaced. The process group is killed when the test ends.
    """
    servers: list[Server] = []

    def start(args: list[str], env: dict[str, str]) -> Server:
        port = free_port()
        log = tmp_path / f"server-{len(servers)}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", *(a.replace("{port}", str(port)) for a in args)],
                cwd=tmp_path,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(process, port, log)
        servers.append(server)
        return server

    yield start
    for server in servers:
        # The whole group: gunicorn's workers and the dev server's reloader child too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
