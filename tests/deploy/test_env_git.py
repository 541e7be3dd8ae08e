"""FW205 asks git whether an env file is tracked or ignored (real repositories)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flaskwarden.deploy.envsecrets import git_states
from tests.conftest import run_scan

SECRET = "SECRET_KEY=7d3f9a1c5e8b2d4f6a0c9e7b1d3f5a8c\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    return tmp_path


def _fw205(root: Path) -> list[tuple[str, int, str]]:
    report = run_scan(root)
    return [(f.path, f.line, f.message) for f in report.findings if f.rule == "FW205"]


def test_tracked_env_file_is_reported(repo: Path) -> None:
    (repo / ".env").write_text("DEBUG=0\n" + SECRET)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "x")
    ((path, line, message),) = _fw205(repo)
    assert (path, line) == (".env", 2)
    assert "is tracked by git" in message
    assert "7d3f9a1c" not in message


def test_tracked_even_when_gitignore_lists_it_later(repo: Path) -> None:
    (repo / ".env").write_text(SECRET)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "x")
    (repo / ".gitignore").write_text(".env\n")
    ((_, _, message),) = _fw205(repo)
    assert "is tracked by git" in message


def test_untracked_not_ignored_is_reported(repo: Path) -> None:
    (repo / ".env").write_text(SECRET)
    ((_, _, message),) = _fw205(repo)
    assert "not ignored by git" in message


def test_ignored_env_file_is_not_reported(repo: Path) -> None:
    (repo / ".gitignore").write_text("*.env\n.env\n")
    (repo / ".env").write_text(SECRET)
    (repo / "prod.env").write_text(SECRET)
    assert _fw205(repo) == []
    # named explicitly, the file is scanned, and git still says it is ignored
    report = run_scan(repo / ".env")
    assert [f for f in report.findings if f.rule == "FW205"] == []


def test_git_states(repo: Path) -> None:
    (repo / ".gitignore").write_text("ignored.env\n")
    for name in ("tracked.env", "ignored.env", "new.env"):
        (repo / name).write_text(SECRET)
    _git(repo, "add", "tracked.env")
    states = git_states(repo, ["tracked.env", "ignored.env", "new.env"])
    assert states == {"tracked.env": "tracked", "ignored.env": "ignored", "new.env": "untracked"}


def test_outside_git_a_gitignore_rule_decides(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / ".env").write_text(SECRET)
    (tmp_path / "prod.env").write_text(SECRET)
    (tmp_path / ".gitignore").write_text("deploy/.env\n")
    found = {(p, m.split(" and ", 1)[1][:30]) for p, _, m in _fw205(tmp_path)}
    assert [p for p, _ in found] == ["prod.env"]
    (tmp_path / ".gitignore").write_text("deploy/.env\n*.env\n!prod.env\n")
    assert [p for p, _, _ in _fw205(tmp_path)] == ["prod.env"]
    (tmp_path / ".gitignore").write_text("*.env\n")
    assert _fw205(tmp_path) == []


def test_example_and_placeholder_files(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text(
        "SECRET_KEY=\nMAIL_PASSWORD=changeme\nDATABASE_URL=postgresql://user:password@db/x\n"
    )
    (tmp_path / ".env.template").write_text("API_TOKEN=<your token>\nSECRET_KEY=${SECRET_KEY}\n")
    assert _fw205(tmp_path) == []
    # a real-looking key in an example file is still a leak
    (tmp_path / ".env.sample").write_text("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")
    (tmp_path / ".env.dist").write_text("STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n")
    assert sorted(p for p, _, _ in _fw205(tmp_path)) == [".env.dist"]


def test_test_env_files_are_info(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / ".env").write_text(SECRET)
    report = run_scan(tmp_path)
    (finding,) = [f for f in report.findings if f.rule == "FW205"]
    assert finding.severity.label == "info"
