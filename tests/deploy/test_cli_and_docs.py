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


def test_deploy_config_chosen_by_name_from_a_dict() -> None:
    """The Flasky layout: create_app(os.getenv("FLASK_CONFIG") or "default") loads
    config[name]; the class the deployment's FLASK_CONFIG (or its absence) picks
    decides DEBUG, not whichever class sets DEBUG = False."""
    case = FIXTURES / "deploy" / "config_mapping_default"
    result = CliRunner().invoke(cli, ["deploy", str(case), "--format", "json", "--no-config"])
    assert result.exit_code == 0, result.output
    targets = {t["name"]: t["debug"] for t in json.loads(result.output)["targets"]}
    web = targets["Procfile process 'web'"]
    assert (web["state"], web["certain"], web["switches"]) == ("on", False, [])
    assert "FLASK_CONFIG is not set" in web["chain"][-1]
    assert "DevelopmentConfig" in web["chain"][-1]
    assert targets["Procfile process 'api'"]["state"] == "off"
    admin = targets["Procfile process 'admin'"]
    assert admin["state"] == "on"
    assert [s["line"] for s in admin["switches"]] == [10]
