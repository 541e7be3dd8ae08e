"""Baselines: moved lines still match, duplicates are counted, new findings are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.workflow.helpers import invoke

APP = """\
from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = True
app.secret_key = "legacy-secret-value"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(APP)
    return root


def _baseline(project: Path) -> Path:
    path = project.parent / "baseline.json"
    code, out, err = invoke("scan", project, "--no-config", "--write-baseline", path)
    assert (code, out) == (0, "")
    assert f"Wrote baseline with 2 findings to {path}" in err
    return path


def _reported(project: Path, baseline: Path) -> tuple[int, list[tuple[str, int]], int]:
    code, out, _ = invoke(
        "scan", project, "--no-config", "--baseline", baseline, "--format", "json"
    )
    payload = json.loads(out)
    found = [(f["rule"], f["line"]) for f in payload["findings"]]
    return code, found, payload["stats"]["baselined"]


def test_baseline_file_is_deterministic_and_readable(project: Path) -> None:
    path = _baseline(project)
    first = path.read_text()
    assert json.loads(first) == {
        "flaskwarden_baseline": 1,
        "tool_version": json.loads(first)["tool_version"],
        "findings": [
            {
                "fingerprint": json.loads(first)["findings"][0]["fingerprint"],
                "rule": "FW101",
                "path": "app.py",
                "snippet": 'app.config["DEBUG"] = True',
                "count": 1,
            },
            {
                "fingerprint": json.loads(first)["findings"][1]["fingerprint"],
                "rule": "FW201",
                "path": "app.py",
                "snippet": 'app.secret_key = "legacy-secret-value"',
                "count": 1,
            },
        ],
    }
    assert '"line"' not in first  # line numbers would break on every edit above
    _baseline(project)
    assert path.read_text() == first


def test_baselined_findings_are_hidden(project: Path) -> None:
    baseline = _baseline(project)
    assert _reported(project, baseline) == (0, [], 2)


def test_moved_and_reindented_lines_still_match(project: Path) -> None:
    baseline = _baseline(project)
    moved = APP.replace(
        "app = Flask(__name__)\n",
        'app = Flask(__name__)\n\n\ndef health():\n    return "ok"\n\n\n',
    ).replace('app.config["DEBUG"] = True', 'app.config["DEBUG"]  =  True')
    (project / "app.py").write_text(moved)
    assert _reported(project, baseline) == (0, [], 2)


def test_a_duplicate_of_a_baselined_finding_is_reported_once(project: Path) -> None:
    baseline = _baseline(project)
    (project / "app.py").write_text(APP + 'app.config["DEBUG"] = True\n')
    # One recorded occurrence hides one finding: the second identical line is new.
    assert _reported(project, baseline) == (1, [("FW101", 6)], 2)


def test_recorded_duplicates_are_counted(project: Path) -> None:
    (project / "app.py").write_text(APP + 'app.config["DEBUG"] = True\n')
    path = project.parent / "baseline.json"
    invoke("scan", project, "--no-config", "--write-baseline", path)
    entries = json.loads(path.read_text())["findings"]
    assert [(e["rule"], e["count"]) for e in entries] == [("FW101", 2), ("FW201", 1)]
    assert _reported(project, path) == (0, [], 3)
    (project / "app.py").write_text(APP + 'app.config["DEBUG"] = True\n' * 2)
    assert _reported(project, path) == (1, [("FW101", 7)], 3)


def test_new_and_edited_findings_are_reported(project: Path) -> None:
    baseline = _baseline(project)
    (project / "app.py").write_text(
        APP.replace("legacy-secret-value", "rotated-but-still-literal")
        + "\nif __name__ == '__main__':\n    app.run(host='0.0.0.0')\n"
    )
    code, found, hidden = _reported(project, baseline)
    assert code == 1
    assert found == [("FW201", 5), ("FW103", 8)]
    assert hidden == 1


def test_fixed_findings_leave_stale_entries_harmlessly(project: Path) -> None:
    baseline = _baseline(project)
    (project / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    assert _reported(project, baseline) == (0, [], 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist; create it with --write-baseline"),
        ("{not json", "is not valid JSON"),
        ('{"findings": []}', "is not a flaskwarden baseline"),
        ('{"flaskwarden_baseline": 1, "findings": [{"count": 1}]}', "malformed entry"),
    ],
)
def test_bad_baseline_files_are_usage_errors(
    project: Path, content: str | None, message: str
) -> None:
    path = project.parent / "baseline.json"
    if content is not None:
        path.write_text(content)
    code, out, err = invoke("scan", project, "--no-config", "--baseline", path)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_baseline_and_write_baseline_together_is_a_usage_error(project: Path) -> None:
    path = project.parent / "baseline.json"
    code, _, err = invoke(
        "scan", project, "--baseline", path, "--write-baseline", path, "--no-config"
    )
    assert code == 2
    assert "use --baseline or --write-baseline, not both" in err


def test_fix_acts_only_on_what_the_baseline_does_not_hide(project: Path) -> None:
    baseline = _baseline(project)
    (project / "app.py").write_text(APP + "app.run(debug=True)\n")
    code, _, err = invoke("scan", project, "--no-config", "--baseline", baseline, "--fix")
    assert "Fixed 2 findings in 1 file." in err  # FW101 and FW102 on the new line
    assert code == 0
    text = (project / "app.py").read_text()
    assert 'app.config["DEBUG"] = True' in text  # baselined: left for later
    assert 'if __name__ == "__main__":\n    app.run(debug=os.environ.get(' in text
