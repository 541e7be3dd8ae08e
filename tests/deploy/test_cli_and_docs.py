"""`flaskwarden deploy` output, and the deploy rules' documented examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskwarden import catalog
from flaskwarden.cli import cli
from tests.conftest import FIXTURES, run_scan

CASE = FIXTURES / "deploy" / "compose_layering"


def test_deploy_text_shows_targets_and_reason_chain() -> None:
    result = CliRunner().invoke(cli, ["deploy", str(CASE), "--no-config"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "docker-compose.yml service 'api'" in text
    assert "DEBUG     ON, interactive debugger served, every network interface" in text
    assert "FLASK_DEBUG='1' (compose environment, docker-compose.yml:13)" in text
    assert "overrides FLASK_DEBUG='1' (env_file common.env, common.env:3)" in text
    assert "the name 'debug-shell' marks it for debug use: not reported" in text


def test_deploy_json() -> None:
    result = CliRunner().invoke(cli, ["deploy", str(CASE), "--format", "json", "--no-config"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    targets = {t["name"]: t for t in data["targets"]}
    api = targets["docker-compose.yml service 'api'"]
    assert api["server"] == "flask run"
    assert api["debug"]["state"] == "on"
    assert api["debug"]["switches"] == [
        {
            "path": "docker-compose.yml",
            "line": 13,
            "setting": api["debug"]["switches"][0]["setting"],
        }
    ]
    assert targets["docker-compose.yml service 'web'"]["debug"]["state"] == "off"
    assert api["command"]["line"] == 11


def test_deploy_missing_path() -> None:
    result = CliRunner().invoke(cli, ["deploy", "/no/such/dir"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize("rule_id", ["FW104", "FW105", "FW205", "FW606"])
def test_documented_examples(rule_id: str, tmp_path: Path) -> None:
    docs = catalog.get(rule_id).docs
    assert docs is not None
    for section, should_fire in (("Example", True), ("Use instead", False)):
        folder = tmp_path / section.replace(" ", "_")
        for example in docs.examples(section):
            target = folder / example.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(example.code, encoding="utf-8")
        fired = any(f.rule == rule_id for f in run_scan(folder).findings)
        assert fired is should_fire, (rule_id, section)
