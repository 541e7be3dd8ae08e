"""``flaskwarden probe`` as users run it: output formats, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskwarden import catalog
from flaskwarden.cli import cli
from flaskwarden.probe.model import Target, TargetError
from tests.probe.conftest import LOOPBACK, Server, free_port


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["probe", *args])
    return result.exit_code, result.stdout, result.stderr


def test_findings_exit_1_with_text_report(tutorial_server: Server) -> None:
    code, out, _ = invoke(tutorial_server.url)
    assert code == 1
    assert f"{tutorial_server.url}:1:1: FW201 critical hardcoded-secret-key" in out
    assert out.rstrip().endswith("Found 5 findings: 1 critical, 2 medium, 2 low.")


def test_json_report(tutorial_server: Server) -> None:
    code, out, _ = invoke(tutorial_server.url, "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert {f["rule"] for f in payload["findings"]} == {
        "FW201",
        "FW402",
        "FW403",
        "FW404",
        "FW405",
    }
    weak = next(f for f in payload["findings"] if f["rule"] == "FW201")
    assert (weak["severity"], weak["cwe"], weak["path"], weak["line"]) == (
        "critical",
        798,
        tutorial_server.url,
        1,
    )
    assert payload["stats"]["requests"] >= 8


def test_sarif_report_to_a_file(tutorial_server: Server, tmp_path: Path) -> None:
    target = tmp_path / "out" / "probe.sarif"
    code, _, err = invoke(tutorial_server.url, "--format", "sarif", "-o", str(target))
    assert code == 1
    assert err.startswith("Wrote sarif report with 5 findings to ")
    run = json.loads(target.read_text())["runs"][0]
    assert {r["ruleId"] for r in run["results"]} == {"FW201", "FW402", "FW403", "FW404", "FW405"}


def test_clean_app_exits_0(talisman_server: Server) -> None:
    code, out, _ = invoke(talisman_server.url, "--path", "/boom")
    assert code == 0
    assert out.strip() == "No findings."


def test_wordlist_finds_the_key_the_builtin_list_does_not(
    talisman_server: Server, tmp_path: Path
) -> None:
    words = tmp_path / "keys.txt"
    words.write_text(f"not-it\n{talisman_server.secret}\n", encoding="utf-8")
    code, out, _ = invoke(talisman_server.url, "--wordlist", str(words), "--format", "json")
    assert code == 1
    [finding] = json.loads(out)["findings"]
    assert finding["rule"] == "FW201"
    assert "found in keys.txt line 2" in finding["message"]


def test_unreachable_app_exits_2_with_one_line() -> None:
    url = f"http://{LOOPBACK}:{free_port()}/"
    code, _, err = invoke(url, "--timeout", "2")
    assert code == 2
    assert err.startswith(f"Error: cannot probe {url}: connection refused by ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://example.test/"], "give an absolute http:// or https:// URL"),
        (["127.0.0.1:5000"], "give an absolute http:// or https:// URL"),
        (["http://127.0.0.1:99999/"], "the port is not a number"),
        (["http://127.0.0.1:5000/", "--path", "http://example.test/"], "is not on the target"),
        (["http://127.0.0.1:5000/", "--wordlist", "/nonexistent/keys.txt"], "cannot read wordlist"),
        (["http://127.0.0.1:5000/", "--timeout", "0"], "--timeout"),
    ],
)
def test_usage_errors_exit_2_without_network(args: list[str], message: str) -> None:
    code, _, err = invoke(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_installed_command_reports_errors_in_one_line() -> None:
    url = f"http://{LOOPBACK}:{free_port()}/"
    command = Path(sys.executable).with_name("flaskwarden")
    done = subprocess.run(
        [str(command), "probe", url],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1


def test_help_states_the_safety_rules() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    assert "only GET and HEAD" in out
    assert "never a PIN attempt" in out


def test_target_urls() -> None:
    target = Target.parse("HTTP://App.Test:80/shop?x=1")
    assert (target.origin, target.url) == ("http://app.test", "http://App.Test:80/shop?x=1")
    assert target.same_origin("http://APP.test/other")
    assert not target.same_origin("https://app.test/")
    assert not target.same_origin("http://app.test:8080/")
    assert target.with_query("a=b") == "http://App.Test:80/shop?a=b"
    assert target.root("/.env") == "http://app.test/.env"
    with pytest.raises(TargetError, match="has no host"):
        Target.parse("http:///path")


def test_probe_rules_are_documented() -> None:
    # Rules only the probe implements carry its full docs; their examples are Flask code.
    probe_documented = [rule for rule in catalog.all_rules() if rule.docs_mode == "probe"]
    assert {"FW107", "FW108", "FW405", "FW406"} <= {rule.id for rule in probe_documented}
    for rule in probe_documented:
        assert rule.docs is not None, rule.id
        assert list(rule.docs.sections) == list(catalog.DOC_SECTIONS), rule.id
        for section in ("Example", "Use instead"):
            [example] = rule.docs.examples(section)
            compile(example.code, f"{rule.id}-{section}.py", "exec")
            assert "from flask import" in example.code


def test_checks_import_without_flask_or_httpx() -> None:
    # The catalog imports the checks for `flaskwarden rules`: that must stay cheap.
    code = (
        "import sys, flaskwarden.probe.checks; "
        "assert 'httpx' not in sys.modules and 'flask' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
