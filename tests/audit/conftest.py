"""Fixtures for the audit tests: small real Flask projects audited in a child process."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from flaskwarden.audit.process import AuditResult, run_audit
from flaskwarden.guard.checks import CLOUD_CREDENTIALS, DATABASE_URL_VARS, PLATFORM_MARKERS
from tests.annotations import read_annotations

STRONG_KEY = "b4c1f0e2d7a94e3c8f65a1d2e9b07c3f5a8e1d4c7b2f9a06"
_DROP = {*CLOUD_CREDENTIALS, *PLATFORM_MARKERS, *DATABASE_URL_VARS, "SECRET_KEY", "SERVER_SOFTWARE"}


def clean_environ(tmp: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without anything an audited app reads; temp files under ``tmp``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _DROP and not key.startswith(("FLASK_", "SHOP_", "APP_"))
    }
    env["TMPDIR"] = str(tmp)
    env.update(extra or {})
    return env


Reported = set[tuple[str, int, str]]


def reported(result: AuditResult, rules: set[str] | None = None) -> Reported:
    return {
        (f.path, f.line, f.rule) for f in result.report.findings if rules is None or f.rule in rules
    }


AuditProject = Callable[..., tuple[AuditResult, Path]]


@pytest.fixture
def audit_project(tmp_path: Path) -> AuditProject:
    """``audit_project(files, target="app:app", env=None)``: write the project, audit it."""

    def run(
        files: dict[str, str],
        target: str = "app:app",
        env: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[AuditResult, Path]:
        root = tmp_path / "project"
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        result = run_audit(
            target,
            root=root,
            environ=clean_environ(tmp_path, {"SECRET_KEY": STRONG_KEY, **(env or {})}),
            timeout=timeout,
        )
        return result, root

    return run


def assert_annotated(result: AuditResult, root: Path, rules: set[str]) -> None:
    """The findings for ``rules`` are exactly the ``# expect:`` lines; no ``# ok:`` line."""
    annotations = read_annotations(root)
    found = reported(result, rules)
    expected = {key for key in annotations.expected if key[2] in rules}
    assert not found & annotations.ok, f"flagged lines annotated ok: {found & annotations.ok}"
    assert found == expected, (
        f"missing: {sorted(expected - found)}; unexpected: {sorted(found - expected)}"
    )
