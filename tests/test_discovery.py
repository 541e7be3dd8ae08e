"""Which files a scan reads: git-aware, default excludes, config excludes, kinds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flaskwarden.discover import FileKind, classify, discover

GOOD = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _rels(root: Path) -> list[str]:
    files, _ = discover([root], root)
    return [f.rel for f in files]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("app.py", FileKind.PYTHON),
        ("shop/templates/index.html", FileKind.TEMPLATE),
        ("shop/templates/mail/welcome.txt", FileKind.TEMPLATE),
        ("macros.jinja2", FileKind.TEMPLATE),
        ("Dockerfile", FileKind.DOCKERFILE),
        ("docker/Dockerfile.prod", FileKind.DOCKERFILE),
        ("api.dockerfile", FileKind.DOCKERFILE),
        ("api/Dockerfile.dockerignore", None),
        ("docker/Dockerfile.alpine", FileKind.DOCKERFILE),
        ("static/ace/snippets/dockerfile.js", None),
        ("docs/Dockerfile.md", None),
        ("docker-compose.yml", FileKind.COMPOSE),
        ("compose.prod.yaml", FileKind.COMPOSE),
        ("k8s/deployment.yaml", FileKind.YAML),
        ("Procfile", FileKind.PROCFILE),
        (".env", FileKind.ENV),
        (".env.production", FileKind.ENV),
        ("prod.env", FileKind.ENV),
        (".flaskenv", FileKind.ENV),
        ("gunicorn.conf.py", FileKind.GUNICORN),
        ("gunicorn_config.py", FileKind.GUNICORN),
        ("uwsgi.ini", FileKind.UWSGI),
        ("deploy/shop.service", FileKind.SYSTEMD),
        ("requirements.txt", FileKind.REQUIREMENTS),
        ("requirements/prod.txt", FileKind.REQUIREMENTS),
        ("pyproject.toml", FileKind.PYPROJECT),
        ("poetry.lock", FileKind.LOCKFILE),
        ("nginx/site.conf", FileKind.PROXY),
        ("docker/conf.d/shop.conf", FileKind.PROXY),
        ("deploy/nginx.conf", FileKind.PROXY),
        ("Caddyfile", FileKind.PROXY),
        ("public/.htaccess", FileKind.PROXY),
        ("etc/supervisord.conf", None),
        ("README.md", None),
        ("static/index.html", None),
        ("notes.txt", None),
    ],
)
def test_classify(path: str, kind: FileKind | None) -> None:
    assert classify(path) == kind


def test_default_excludes_outside_git(tmp_path: Path) -> None:
    for rel in (
        "app.py",
        ".venv/lib/x.py",
        "venv/y.py",
        "node_modules/z.py",
        "build/b.py",
        "dist/d.py",
        "__pycache__/c.py",
        "pkg/site-packages/s.py",
        "shop.egg-info/e.py",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(GOOD)
    assert _rels(tmp_path) == ["app.py"]


def test_git_aware_listing(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("ignored.py\nlogs/\n")
    (tmp_path / "tracked.py").write_text(GOOD)
    (tmp_path / "untracked.py").write_text(GOOD)
    (tmp_path / "ignored.py").write_text(GOOD)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "x.py").write_text(GOOD)
    _git(tmp_path, "add", "tracked.py", ".gitignore")
    _git(tmp_path, "-c", "user.email=t@e.st", "-c", "user.name=t", "commit", "-qm", "x")
    # a tracked file deleted from the work tree is simply not there
    (tmp_path / "gone.py").write_text(GOOD)
    _git(tmp_path, "add", "gone.py")
    (tmp_path / "gone.py").unlink()
    assert _rels(tmp_path) == ["tracked.py", "untracked.py"]


def test_subdirectory_of_a_git_repo(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "app.py").write_text(GOOD)
    (tmp_path / "other.py").write_text(GOOD)
    assert _rels(tmp_path / "sub") == ["app.py"]


def test_explicitly_named_ignored_directory_is_walked(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("vendor/\n")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "app.py").write_text(GOOD)
    assert _rels(tmp_path) == []
    assert _rels(tmp_path / "vendor") == ["app.py"]


def test_explicit_file_is_scanned(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(GOOD)
    files, diagnostics = discover([tmp_path / "app.py"], tmp_path)
    assert [f.rel for f in files] == ["app.py"] and not diagnostics


def test_directory_symlink_is_followed_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "app.py").write_text(GOOD)
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    files, diagnostics = discover([tmp_path], tmp_path)
    assert [f.rel for f in files] == ["alias/app.py", "real/app.py"]
    assert diagnostics == []
