"""The command line: exit codes, formats, options, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskwarden import __version__
from flaskwarden.cli import cli

APP = """\
from flask import Flask
app = Flask(__name__)
app.run(debug=True)
"""
CLEAN = "from flask import Flask\napp = Flask(__name__)\n"


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def test_version() -> None:
    code, out, _ = _invoke("--version")
    assert code == 0 and __version__ in out


def test_exit_codes(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert _invoke("scan", str(project), "--no-config")[0] == 1
    assert _invoke("scan", str(project), "--no-config", "--exit-zero")[0] == 0
    clean = tmp_path_factory.mktemp("clean")
    (clean / "app.py").write_text(CLEAN)
    assert _invoke("scan", str(clean), "--no-config")[0] == 0
    # below the threshold: clean
    assert _invoke("scan", str(project), "--no-config", "--severity", "critical")[0] == 0


def test_usage_errors_exit_2_with_one_line(project: Path) -> None:
    for args in (
        ["scan", str(project), "--select", "FW999"],
        ["scan", str(project), "--severity", "urgent"],
        ["scan", str(project), "--format", "xml"],
        ["scan", str(project), "--config", str(project / "missing.toml")],
        ["explain", "FW999"],
    ):
        code, out, err = _invoke(*args)
        assert code == 2, args
        assert "Traceback" not in out + err


def test_text_output_groups_by_file_with_frame(project: Path) -> None:
    code, out, _ = _invoke("scan", str(project), "--no-config")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "app.py"
    assert "app.py:3:15: FW101 high debug-enabled" in out
    assert "> 3 | app.run(debug=True)" in out
    assert "\x1b[" not in out  # no colour when not a terminal
    assert out.rstrip().endswith("Run `flaskwarden explain RULE` for details.")


def test_json_output_and_file(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    code, out, err = _invoke(
        "scan", str(project), "--no-config", "--format", "json", "-o", str(target)
    )
    assert code == 1 and out == ""
    assert "Wrote json report" in err
    data = json.loads(target.read_text())
    # ordered by path, line, column: FW102 (the call, column 1) before FW101 (debug=)
    assert [(f["path"], f["line"], f["column"], f["rule"]) for f in data["findings"]] == [
        ("app.py", 3, 1, "FW102"),
        ("app.py", 3, 15, "FW101"),
    ]


def test_select_ignore_options(project: Path) -> None:
    _, out, _ = _invoke(
        "scan", str(project), "--no-config", "--format", "json", "--select", "FW102"
    )
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["FW102"]
    _, out, _ = _invoke(
        "scan", str(project), "--no-config", "--format", "json", "--ignore", "FW102,FW103"
    )
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["FW101"]


def test_rules_json_lists_every_implemented_rule() -> None:
    code, out, _ = _invoke("rules", "--format", "json")
    assert code == 0
    rules = json.loads(out)
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids)
    for required in (
        "FW101",
        "FW102",
        "FW103",
        "FW106",
        "FW201",
        "FW202",
        "FW203",
        "FW204",
        "FW206",
    ):
        assert required in ids
    for rule in rules:
        assert set(rule) >= {"id", "name", "severity", "cwe", "docs", "modes"}
        assert rule["docs"] and "## What it does" in rule["docs"]


def test_explain() -> None:
    code, out, _ = _invoke("explain", "fw101")
    assert code == 0
    assert out.startswith("FW101 debug-enabled")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in out


def test_console_script_runs(project: Path) -> None:
    """The installed entry point, as users run it, in a real process."""
    exe = Path(sys.executable).parent / "flaskwarden"
    result = subprocess.run(
        [str(exe), "scan", str(project), "--no-config", "--format", "sarif"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["version"] == "2.1.0"


def test_unwritable_output_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    code, _out, err = _invoke(
        "scan", str(project), "--no-config", "-o", str(tmp_path / "file" / "x.txt")
    )
    assert code == 2
    assert "cannot write" in err and "Traceback" not in err


def test_cache_and_jobs_options(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code, out, _ = _invoke("scan", str(project), "--no-config", "--format", "json",
                           "--cache-dir", str(cache), "--jobs", "2")  # fmt: skip
    assert code == 1
    assert any(p.is_file() for p in (cache / "v1").rglob("*"))
    again = _invoke("scan", str(project), "--no-config", "--format", "json",
                    "--cache-dir", str(cache), "-j", "1")[1]  # fmt: skip
    assert again == out
    code, _, _ = _invoke("scan", str(project), "--no-config", "--no-cache")
    assert code == 1
    assert not (project / ".flaskwarden_cache").exists()
    assert _invoke("scan", str(project), "--jobs", "0")[0] == 2


def test_missing_paths_and_empty_select_are_usage_errors(project: Path, tmp_path: Path) -> None:
    code, _, err = _invoke("scan", str(tmp_path / "nope"))
    assert code == 2
    assert "does not exist" in err
    loop = tmp_path / "loop.py"
    loop.symlink_to(loop)
    code, _, err = _invoke("scan", str(loop))
    assert code == 2
    assert "symbolic link loop" in err
    code, _, err = _invoke("scan", str(project), "--select", "")
    assert code == 2
    assert "names no rule" in err


def test_secret_values_from_env_files_never_reach_text_or_html(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("APP_MODE=production\nSECRET_KEY=s3cr3t-v4lue-123\n")
    (tmp_path / ".gitignore").write_text("")
    for fmt in ("text", "html", "json", "sarif"):
        _, out, _ = _invoke("scan", str(tmp_path), "--no-config", "--no-cache", "--format", fmt)
        assert "s3cr3t-v4lue-123" not in out, fmt
    _, out, _ = _invoke("scan", str(tmp_path), "--no-config", "--no-cache")
    assert "SECRET_KEY=<redacted>" in out
    assert "APP_MODE=production" in out
