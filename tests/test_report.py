"""Report formats: SARIF validates against the 2.1.0 schema, JSON is stable."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from flaskwarden.findings import Finding, Location, Report, Severity
from flaskwarden.report import render
from tests.conftest import ROOT, run_scan

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
APP = """\
import os
from flask import Flask
app = Flask(__name__)
app.secret_key = os.environ.get("SECRET_KEY", "dev")
app.run(debug=True, host="0.0.0.0")
"""


@pytest.fixture
def report(tmp_path: Path) -> Report:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "bad.py").write_text("import flask\ndef (:\n")
    return run_scan(tmp_path)


def test_sarif_validates_against_schema(report: Report) -> None:
    sarif = json.loads(render(report, "sarif"))
    jsonschema.validate(sarif, SCHEMA)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    fw101 = rules["FW101"]
    assert "CWE-489" in fw101["properties"]["tags"]
    assert "external/cwe/cwe-489" in fw101["properties"]["tags"]
    assert fw101["properties"]["security-severity"] == "8.0"
    assert "## Use instead" in fw101["help"]["markdown"]
    results = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"]
    }
    assert ("FW101", 5) in results and ("FW202", 4) in results
    critical = next(r for r in run["results"] if r["ruleId"] == "FW101")
    assert critical["level"] == "error"
    assert critical["properties"]["security-severity"] == "9.5"
    assert critical["partialFingerprints"]["flaskwarden/v1"]
    assert (
        run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"]
        == "%SRCROOT%"
    )
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("syntax error" in n["message"]["text"] for n in notes)


def test_sarif_keeps_identical_findings_apart(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        '@app.route("/a/<name>")\n'
        "def a(name):\n"
        '    return "not found: " + name\n'
        '@app.route("/b/<name>")\n'
        "def b(name):\n"
        '    return "not found: " + name\n'
    )
    report = run_scan(tmp_path, select=["FW301"])
    first, second = report.findings
    assert first.fingerprint == second.fingerprint  # the baseline counts them
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["flaskwarden/v1"] for r in results]
    assert prints == [first.fingerprint, f"{first.fingerprint}/2"]


def test_sarif_code_flow_for_paths() -> None:
    finding = Finding(
        rule="FW101",
        message="m",
        path="views.py",
        line=9,
        severity=Severity.HIGH,
        related=(
            Location("views.py", 3, 5, message="request.args['q']"),
            Location("views.py", 6, 1, message="q"),
        ),
        flow=True,
    )
    sarif = json.loads(render(Report(findings=[finding]), "sarif"))
    jsonschema.validate(sarif, SCHEMA)
    flow = sarif["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in flow] == [3, 6, 9]


def test_json_is_stable_across_runs(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    first = render(run_scan(tmp_path), "json")
    second = render(run_scan(tmp_path), "json")
    assert first == second
    data = json.loads(first)
    assert set(data) == {"version", "findings", "diagnostics", "stats"}
    finding = data["findings"][0]
    assert list(finding) == [
        "rule",
        "name",
        "severity",
        "confidence",
        "cwe",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "snippet",
        "fingerprint",
        "related",
        "flow",
        "fix",
    ]


def test_fingerprints_survive_line_moves(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    before = {f.rule: f.fingerprint for f in run_scan(tmp_path).findings}
    (tmp_path / "app.py").write_text("\n\n# moved\n" + APP)
    after = {f.rule: f.fingerprint for f in run_scan(tmp_path).findings}
    assert before == after


def test_text_report_lists_diagnostics(report: Report) -> None:
    text = render(report, "text")
    assert "Diagnostics" in text and "bad.py:2: syntax error" in text


def test_sarif_locations_of_probed_urls() -> None:
    finding = Finding(rule="FW104", message="m", path="http://127.0.0.1:5000/", line=1)
    sarif = json.loads(render(Report(findings=[finding]), "sarif"))
    jsonschema.validate(sarif, SCHEMA)
    artifact = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"] == {"uri": "http://127.0.0.1:5000/"}
    assert "Diagnostics" not in render(Report(findings=[finding]), "text")
