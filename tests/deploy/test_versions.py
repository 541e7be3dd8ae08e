"""Dependency files: which Flask, and whether python-dotenv, is installed."""

from __future__ import annotations

import pytest

from flaskwarden.deploy.versions import allows_only_below, read_dependencies


@pytest.mark.parametrize(
    ("spec", "old"),
    [
        ("==2.2.5", True), ("<2.3", True), ("~=2.2.0", True), ("~=2.2", False), (">=2.0", False),
        ("", False), ("==2.2.*", True), ("==2.*", False), ("^2.2", False), ("~2.2", True),
        (">=1.0,<2.3", True), ("<=2.2.5", True), ("<=2.3", False), ("==3.0.0", False),
        ("^1.1", True),
    ],
)  # fmt: skip
def test_flask_env_removed_in_2_3(spec: str, old: bool) -> None:
    assert allows_only_below(spec, (2, 3)) is old


def test_requirements_lines() -> None:
    deps = read_dependencies(
        [
            (
                "requirements.txt",
                "Flask==2.2.5 \\\n  --hash=sha256:abc\n# c\n"
                "python-dotenv>=1 ; python_version>'3'\n-r more.txt\ngit+https://x/y.git\n",
            )
        ]
    )
    assert deps.flask_honours_flask_env()[0] is True
    assert deps.has_dotenv() == (True, "python-dotenv is a dependency (requirements.txt:4)")


def test_lock_file_wins_over_range() -> None:
    deps = read_dependencies(
        [
            ("pyproject.toml", '[project]\nname="x"\ndependencies=["flask[dotenv]>=2"]\n'),
            ("uv.lock", 'version = 1\n[[package]]\nname = "flask"\nversion = "2.2.2"\n'),
        ]
    )
    honours, why = deps.flask_honours_flask_env()
    assert honours and "uv.lock:3" in why
    assert deps.has_dotenv()[0] is True


def test_pipfile_lock_and_poetry() -> None:
    deps = read_dependencies(
        [("Pipfile.lock", '{"default": {"flask": {"version": "==3.0.0"}}, "develop": {}}')]
    )
    assert deps.flask_honours_flask_env()[0] is False
    deps = read_dependencies([("pyproject.toml", '[tool.poetry.dependencies]\nflask = "~2.2"\n')])
    assert deps.flask_honours_flask_env()[0] is True
    assert deps.has_dotenv()[0] is False


def test_no_dependency_files() -> None:
    deps = read_dependencies([])
    assert deps.has_dotenv()[0] is None
    assert deps.flask_honours_flask_env()[0] is False


def test_broken_files_are_problems() -> None:
    deps = read_dependencies(
        [("pyproject.toml", "[tool.poetry\n"), ("Pipfile.lock", "{"), ("poetry.lock", "[[x")]
    )
    # a broken pyproject.toml is reported once, by the configuration loader
    assert sorted(path for path, _, _ in deps.problems) == ["Pipfile.lock", "poetry.lock"]
