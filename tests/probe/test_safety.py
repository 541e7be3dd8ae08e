"""The probe against servers that fail or misbehave: clear diagnostics, bounded time.

Each test measures the wall time of the probe, so "bounded" is checked, not assumed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from flaskwarden.probe.client import Budget, SafeClient
from flaskwarden.probe.model import PAGE_BYTES, Target
from flaskwarden.probe.runner import ProbeFailed
from tests.probe.conftest import LOOPBACK, RogueFactory, Server, free_port, probe
from tests.probe.rogue import HUGE


@contextmanager
def within(seconds: float) -> Iterator[None]:
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s, more than {seconds} s"


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_closed_port_is_a_clear_error() -> None:
    url = f"http://{LOOPBACK}:{free_port()}/"
    with within(2), pytest.raises(ProbeFailed) as failure:
        probe(url)
    assert str(failure.value) == (
        f"cannot probe {url}: connection refused by {LOOPBACK}:{url.split(':')[2][:-1]}: "
        "nothing is listening there; is the app running and on this port?"
    )


def test_server_that_never_answers_times_out(rogue: RogueFactory) -> None:
    server = rogue("silent")
    with within(3), pytest.raises(ProbeFailed) as failure:
        probe(server.url, timeout=1)
    assert "accepted the connection but sent no complete response within 1 s" in str(failure.value)


def test_body_dripping_forever_is_cut_at_the_timeout(rogue: RogueFactory) -> None:
    server = rogue("drip")
    with within(3.5), pytest.raises(ProbeFailed) as failure:
        probe(server.url, timeout=1)
    assert "the response body was still arriving after 1 s" in str(failure.value)


def test_time_budget_bounds_the_whole_probe(rogue: RogueFactory) -> None:
    # "/" answers at once, every other path hangs: the budget, not the number of
    # checks, decides how long the probe takes.
    server = rogue("slow")
    with within(4.5):
        report = probe(server.url, timeout=1, budget=2.5)
    kinds = [d.kind for d in report.diagnostics]
    assert kinds.count("budget") == 1
    assert "timeout" in kinds
    budget = next(d for d in report.diagnostics if d.kind == "budget")
    assert budget.message.startswith("time budget of 2.5 s used up; not checked: ")
    assert server.at("/.git/HEAD") in budget.message
    assert {f.rule for f in report.findings} == {"FW404"}


def test_50_mb_response_is_cut_not_read(rogue: RogueFactory) -> None:
    server = rogue("huge")
    target = Target.parse(server.url)
    with within(5), SafeClient(target, timeout=5, budget=Budget(10)) as client:
        page = client.fetch(server.url)
    assert page.truncated
    assert len(page.body) == PAGE_BYTES
    # The server could send only what fits in the socket buffers before the probe hung up.
    wait_for(lambda: len(server.event_lines()) == 1)
    sent = int(server.event_lines()[0].split()[1])
    assert sent < HUGE // 2


def test_50_mb_pages_are_reported_as_truncated(rogue: RogueFactory) -> None:
    server = rogue("huge")
    with within(10):
        report = probe(server.url, timeout=5, budget=20)
    assert [(d.path, d.kind) for d in report.diagnostics] == [(server.url, "truncated")]
    assert report.diagnostics[0].message == (
        "the response is larger than 1024 KiB; only that much was read and checked"
    )
    # Responses the checks fetched were each cut at their cap as well.
    wait_for(lambda: len(server.event_lines()) == int(report.stats["requests"]))
    assert all(int(line.split()[1]) < HUGE // 2 for line in server.event_lines())


def test_redirect_to_another_host_is_not_followed(rogue: RogueFactory) -> None:
    server = rogue("redirect", "http://elsewhere.invalid/admin")
    with within(3):
        report = probe(server.url)
    assert report.findings == []
    assert [(d.path, d.kind) for d in report.diagnostics] == [(server.url, "redirect-refused")]
    assert report.diagnostics[0].message.startswith(
        "redirects to http://elsewhere.invalid/admin, another origin; not followed"
    )


def test_redirect_to_another_origin_sends_it_nothing(rogue: RogueFactory) -> None:
    other = rogue("record")
    server = rogue("redirect", other.url)
    report = probe(server.url, "/login")
    assert report.findings == []
    assert [d.kind for d in report.diagnostics] == ["redirect-refused"]
    assert other.event_lines() == []


def test_tls_to_a_plain_http_server_is_a_clear_error(nodebug_server: Server) -> None:
    url = f"https://{LOOPBACK}:{nodebug_server.port}/"
    with within(3), pytest.raises(ProbeFailed) as failure:
        probe(url, timeout=2)
    message = str(failure.value)
    assert message.startswith(f"cannot probe {url}: TLS handshake with {LOOPBACK}:")
    assert "is it serving plain HTTP? try http://" in message
