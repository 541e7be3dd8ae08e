"""GitHub Actions annotations, and the GitHub and pre-commit integration files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from flaskwarden.report.github import _command
from tests.workflow.helpers import ROOT, invoke

APP = """\
from flask import Flask
app = Flask(__name__)
app.run(debug=True)  # 100% on
"""


def test_workflow_command_escaping() -> None:
    assert (
        _command("error", "50% done\r\nnext", file="a,b:c.py", line=1, title="FW101 x")
        == "::error file=a%2Cb%3Ac.py,line=1,title=FW101 x::50%25 done%0D%0Anext"
    )


def test_annotations_point_at_workspace_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = tmp_path / "service"
    service.mkdir()
    (service / "app.py").write_text(APP)
    (service / "broken.py").write_text("from flask import Flask\ndef (:\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("scan", "service", "--no-config", "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert re.fullmatch(
        r"::warning file=service/app\.py,line=3,col=1,endLine=3,endColumn=20,"
        r"title=FW102 run-at-import::.+ \[medium\]",
        lines[0],
    ), lines[0]
    assert re.fullmatch(
        r"::error file=service/app\.py,line=3,col=15,endLine=3,endColumn=19,"
        r"title=FW101 debug-enabled::.+ \[high\]",
        lines[1],
    ), lines[1]
    assert re.fullmatch(
        r"::warning file=service/broken\.py,line=2,title=flaskwarden syntax-error::.+", lines[2]
    ), lines[2]
    assert lines[3:] == ["flaskwarden: 2 findings, 1 diagnostic"]


def test_pre_commit_hooks_file() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"flaskwarden", "flaskwarden-fix"}
    for hook in hooks:
        assert hook["entry"].startswith("flaskwarden scan")
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
    assert "--fix" in by_id["flaskwarden-fix"]["entry"]


def test_composite_action() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"path", "args", "sarif-file", "upload-sarif"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    assert any("github/codeql-action/upload-sarif" in step.get("uses", "") for step in steps)
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert "--format github" in scripts and "--format sarif" in scripts


def test_documented_workflow_uploads_sarif() -> None:
    doc = (ROOT / "docs" / "workflow.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    workflows = [yaml.safe_load(b) for b in blocks]
    uploads = [
        step
        for w in workflows
        if isinstance(w, dict) and "jobs" in w
        for job in w["jobs"].values()
        for step in job["steps"]
        if "upload-sarif" in step.get("uses", "")
    ]
    assert uploads, "docs/workflow.md must show a workflow that uploads SARIF"
    assert any("security-events: write" in b for b in blocks)
