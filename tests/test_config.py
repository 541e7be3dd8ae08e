"""[tool.flaskwarden] configuration, suppression comments and CLI filters."""

from __future__ import annotations

from pathlib import Path

from flaskwarden.findings import Severity
from flaskwarden.scan import ScanOptions, scan
from tests.conftest import run_scan

APP = """\
from flask import Flask
app = Flask(__name__)
app.secret_key = "supersecretkey"
if __name__ == "__main__":
    app.run(debug=True, host="0.0.0.0")
"""


def _keys(report) -> set[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    return {(f.path, f.line, f.rule) for f in report.findings}


def _project(tmp_path: Path, config: str, files: dict[str, str] | None = None) -> Path:
    (tmp_path / "pyproject.toml").write_text(config)
    for name, text in (files or {"app.py": APP}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _scan(path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    return scan([path], ScanOptions(**kwargs))  # type: ignore[arg-type]


ALL = {("app.py", 3, "FW201"), ("app.py", 5, "FW101"), ("app.py", 5, "FW103")}


def test_no_config_reports_everything(tmp_path: Path) -> None:
    assert _keys(_scan(_project(tmp_path, "[project]\nname='x'\n"))) == ALL


def test_select_and_ignore_from_config(tmp_path: Path) -> None:
    path = _project(tmp_path, '[tool.flaskwarden]\nselect = ["FW1"]\nignore = ["FW103"]\n')
    assert _keys(_scan(path)) == {("app.py", 5, "FW101")}


def test_cli_select_overrides_config(tmp_path: Path) -> None:
    path = _project(tmp_path, '[tool.flaskwarden]\nselect = ["FW1"]\n')
    assert _keys(_scan(path, select=["FW201"])) == {("app.py", 3, "FW201")}


def test_severity_threshold(tmp_path: Path) -> None:
    path = _project(tmp_path, '[tool.flaskwarden]\nseverity = "critical"\n')
    assert _keys(_scan(path)) == {("app.py", 5, "FW101"), ("app.py", 5, "FW103")}
    assert _keys(_scan(path, severity=Severity.INFO)) == ALL


def test_exclude_relative_to_config(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        '[tool.flaskwarden]\nexclude = ["legacy/", "*_generated.py"]\n',
        {"app.py": APP, "legacy/old.py": APP, "x_generated.py": APP},
    )
    assert {k[0] for k in _keys(_scan(path))} == {"app.py"}
    # naming an excluded directory explicitly scans it
    assert {k[0] for k in _keys(_scan(path / "legacy"))} == {"old.py"}


def test_per_file_ignores(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        '[tool.flaskwarden.per-file-ignores]\n"scripts/*.py" = ["FW101", "FW103"]\n',
        {"app.py": APP, "scripts/dev.py": APP},
    )
    keys = _keys(_scan(path))
    assert ("scripts/dev.py", 5, "FW101") not in keys
    assert ("scripts/dev.py", 3, "FW201") in keys
    assert ("app.py", 5, "FW101") in keys


def test_unknown_keys_and_codes_are_diagnostics(tmp_path: Path) -> None:
    path = _project(tmp_path, '[tool.flaskwarden]\nselekt = ["FW1"]\nignore = ["FW999", "E501"]\n')
    report = _scan(path)
    messages = [d.message for d in report.diagnostics if d.kind == "config"]
    assert any("unknown key 'selekt'" in m for m in messages)
    assert any("'FW999'" in m for m in messages) and any("'E501'" in m for m in messages)
    assert _keys(report) == ALL


def test_broken_toml_is_a_diagnostic_and_defaults_apply(tmp_path: Path) -> None:
    path = _project(tmp_path, "[tool.flaskwarden\nselect = \n")
    report = _scan(path, config=path / "pyproject.toml")
    assert [d.kind for d in report.diagnostics] == ["config"]
    assert _keys(report) == ALL


SUPPRESSED = """\
from flask import Flask
app = Flask(__name__)
app.secret_key = "supersecretkey"  # flaskwarden: ignore[FW201]
if __name__ == "__main__":
    app.run(  # noqa: E501, FW101
        debug=True,
        host="0.0.0.0",
    )
"""


def test_suppressions_cover_the_logical_statement(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir({"app.py": SUPPRESSED})
    # FW101 is reported on line 6 (debug=True), silenced by the comment on line 5;
    # FW103 on line 7 is not named, so it stays.
    assert _keys(report) == {("app.py", 7, "FW103")}
    assert report.stats["suppressed"] == 2


def test_suppression_needs_codes_and_known_codes(scan_dir) -> None:  # type: ignore[no-untyped-def]
    source = APP.replace(
        'app.secret_key = "supersecretkey"',
        'app.secret_key = "supersecretkey"  # flaskwarden: ignore',
    ).replace('host="0.0.0.0")', 'host="0.0.0.0")  # flaskwarden: ignore[FW999]')
    report = scan_dir({"app.py": source})
    assert _keys(report) == ALL
    messages = sorted(d.message for d in report.diagnostics if d.kind == "suppression")
    assert len(messages) == 2
    assert "names no rule" in messages[0] or "names no rule" in messages[1]
    assert any("FW999" in m for m in messages)


def test_noqa_for_other_tools_is_ignored(scan_dir) -> None:  # type: ignore[no-untyped-def]
    source = APP.replace('"supersecretkey"', '"supersecretkey"  # noqa: S105')
    report = scan_dir({"app.py": source})
    assert _keys(report) == ALL
    assert not report.diagnostics


def test_default_scan_uses_nearest_pyproject(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = _project(tmp_path, '[tool.flaskwarden]\nignore = ["FW2"]\n')
    monkeypatch.chdir(path)
    report = scan([Path(".")], ScanOptions())
    assert _keys(report) == {("app.py", 5, "FW101"), ("app.py", 5, "FW103")}
    assert run_scan(path).findings  # run_scan ignores config


def test_a_select_naming_no_known_rule_keeps_every_rule(tmp_path: Path) -> None:
    path = _project(tmp_path, '[tool.flaskwarden]\nselect = ["FW999"]\n')
    report = _scan(path)
    assert _keys(report) == ALL
    messages = [d.message for d in report.diagnostics if d.kind == "config"]
    assert any("names no known rule" in m for m in messages)
