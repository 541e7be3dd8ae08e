"""`flaskwarden audit` options, output formats and exit codes (click's test runner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flaskwarden.cli import cli
from tests.audit.conftest import clean_environ

INSECURE = """\
from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = True
app.secret_key = "dev"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(INSECURE, encoding="utf-8")
    return root


def invoke(args: list[str], tmp_path: Path) -> Result:
    env = clean_environ(tmp_path)
    return CliRunner().invoke(cli, ["audit", *args], env=env, catch_exceptions=False)


def test_help_says_it_runs_the_apps_code(tmp_path: Path) -> None:
    result = invoke(["--help"], tmp_path)
    assert result.exit_code == 0
    assert "THIS RUNS THE APP'S CODE" in result.output
    assert '"shop:create_app()"' in result.output


def test_text_report_with_exit_status_1(project: Path, tmp_path: Path) -> None:
    result = invoke(["app:app", "--chdir", str(project)], tmp_path)
    assert result.exit_code == 1
    assert result.output.startswith(
        "Audited app:app: Flask app 'app', 1 routes; blueprints: none; extensions: none."
    )
    assert "app.py:4:1: FW101 high debug-enabled" in result.output
    assert "app.py:5:1: FW201 high hardcoded-secret-key" in result.output
    assert "Found 3 findings: 2 high, 1 low." in result.output


def test_json_and_sarif(project: Path, tmp_path: Path) -> None:
    as_json = json.loads(
        invoke(["app:app", "--chdir", str(project), "--format", "json"], tmp_path).output
    )
    assert [(f["rule"], f["line"]) for f in as_json["findings"]] == [
        ("FW404", 3),
        ("FW101", 4),
        ("FW201", 5),
    ]
    sarif = json.loads(
        invoke(["app:app", "--chdir", str(project), "--format", "sarif"], tmp_path).output
    )
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"FW101", "FW201", "FW404"}


def test_select_ignore_severity_and_exit_zero(project: Path, tmp_path: Path) -> None:
    base = ["app:app", "--chdir", str(project), "--format", "json"]

    def rules(*extra: str) -> list[str]:
        return [f["rule"] for f in json.loads(invoke([*base, *extra], tmp_path).output)["findings"]]

    assert rules("--select", "FW1") == ["FW101"]
    assert rules("--ignore", "FW101,FW404") == ["FW201"]
    assert rules("--severity", "high") == ["FW101", "FW201"]
    assert invoke([*base, "--exit-zero"], tmp_path).exit_code == 0


def test_output_file(project: Path, tmp_path: Path) -> None:
    report = tmp_path / "out" / "audit.json"
    result = invoke(
        ["app:app", "--chdir", str(project), "--format", "json", "-o", str(report)], tmp_path
    )
    assert result.exit_code == 1
    assert [f["rule"] for f in json.loads(report.read_text())["findings"]] == [
        "FW404",
        "FW101",
        "FW201",
    ]


def test_env_overrides(project: Path, tmp_path: Path) -> None:
    (project / "app.py").write_text(
        INSECURE.replace(
            'app.config["DEBUG"] = True',
            'app.config["DEBUG"] = __import__("os").environ["X"] == "1"',
        ),
        encoding="utf-8",
    )
    on = invoke(["app:app", "--chdir", str(project), "--env", "X=1", "--select", "FW101"], tmp_path)
    off = invoke(
        ["app:app", "--chdir", str(project), "--env", "X=0", "--select", "FW101"], tmp_path
    )
    assert (on.exit_code, off.exit_code) == (1, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["app:app", "--env", "NOEQUALS"], "'NOEQUALS' is not KEY=VALUE"),
        (["app.py"], "'app.py' is a file name; give the module: app:app"),
        (["app:app", "--select", "XX9"], "unknown rule selector: XX9"),
    ],
)
def test_usage_errors_exit_2(project: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke([*args, "--chdir", str(project)], tmp_path)
    assert result.exit_code == 2
    assert message in result.output


def test_import_error_is_one_line_and_exit_2(project: Path, tmp_path: Path) -> None:
    (project / "app.py").write_text("raise ImportError('no config module')\n", encoding="utf-8")
    result = invoke(["app:app", "--chdir", str(project)], tmp_path)
    assert result.exit_code == 2
    assert result.output == (
        "Error: importing 'app' raised ImportError: no config module (at app.py:1); fix it, or "
        "give the app the environment it needs with --env KEY=VALUE\n"
    )
