"""Fixes: exact expected outputs, idempotence, --diff, safety, and how files are written."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import libcst as cst
import pytest

from flaskwarden.findings import Report
from flaskwarden.fix import FixFailed, fix_source, plan_fixes, write_fixes
from flaskwarden.fix.base import RuleFix
from flaskwarden.fix.rules import FIXERS
from flaskwarden.scan import ScanOptions, scan
from tests.workflow.helpers import EXAMPLE, FIXES, ROOT, apply_edits, invoke, scan_json

CASES = sorted(p for p in FIXES.glob("*.py") if not p.name.endswith(".fixed.py"))


def _mode(case: Path) -> list[str]:
    """The first line of a fixture says which fixes apply: ``# fix-mode: safe|unsafe``."""
    first = case.read_text(encoding="utf-8").splitlines()[0]
    mode = first.removeprefix("# fix-mode:").strip()
    assert mode in ("safe", "unsafe"), f"{case.name}: first line must be # fix-mode: ..."
    return ["--fix", "--unsafe-fixes"] if mode == "unsafe" else ["--fix"]


def test_every_fixture_has_an_expected_output() -> None:
    assert len(CASES) >= 10
    for case in CASES:
        assert case.with_suffix(".fixed.py").is_file(), case.name


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fix_gives_the_expected_output_and_is_idempotent(case: Path, tmp_path: Path) -> None:
    target = tmp_path / case.name
    shutil.copyfile(case, target)
    expected = case.with_suffix(".fixed.py").read_bytes()

    code, _, err = invoke("scan", tmp_path, "--no-config", "--exit-zero", *_mode(case))
    assert code == 0, err
    assert target.read_bytes() == expected, f"{case.name}: fixed output differs"
    ast.parse(target.read_bytes())

    code, _, err = invoke("scan", tmp_path, "--no-config", "--exit-zero", *_mode(case))
    assert code == 0
    assert "Fixed 0 findings in 0 files." in err
    assert target.read_bytes() == expected, f"{case.name}: a second --fix changed it"


def test_diff_shows_without_writing_and_applies_with_git(tmp_path: Path) -> None:
    case = FIXES / "run_at_module_level.py"
    target = tmp_path / case.name
    shutil.copyfile(case, target)

    code, diff, err = invoke("scan", tmp_path, "--no-config", "--diff", "--unsafe-fixes")
    assert code == 1
    assert target.read_bytes() == case.read_bytes()
    assert diff.startswith(f"--- a/{case.name}\n+++ b/{case.name}\n@@ ")
    assert '+if __name__ == "__main__":\n' in diff
    assert "Would fix 3 findings in 1 file." in err

    patch = tmp_path / "fix.diff"
    patch.write_text(diff, encoding="utf-8")
    subprocess.run(["git", "apply", "fix.diff"], cwd=tmp_path, check=True, capture_output=True)
    assert target.read_bytes() == case.with_suffix(".fixed.py").read_bytes()

    code, diff, err = invoke(
        "scan", tmp_path, "--no-config", "--diff", "--unsafe-fixes", "--exit-zero"
    )
    assert (code, diff) == (0, "")
    assert "Would fix 0 findings in 0 files." in err


def test_unsafe_fixes_need_the_flag_and_are_announced(tmp_path: Path) -> None:
    shutil.copyfile(FIXES / "safe_only.py", tmp_path / "app.py")
    code, _, err = invoke("scan", tmp_path, "--no-config", "--fix")
    assert code == 1  # the secret key is still there
    assert "Fixed 1 finding in 1 file." in err
    assert "1 more fix available with --unsafe-fixes" in err
    assert '"changeme-in-production-please"' in (tmp_path / "app.py").read_text()

    code, _, err = invoke("scan", tmp_path, "--no-config", "--fix", "--unsafe-fixes")
    assert "Fixed 1 finding in 1 file." in err
    assert 'os.environ["SECRET_KEY"]' in (tmp_path / "app.py").read_text()


def test_text_report_says_how_many_findings_are_fixable(tmp_path: Path) -> None:
    shutil.copyfile(FIXES / "safe_only.py", tmp_path / "app.py")
    code, _, err = invoke("scan", tmp_path, "--no-config")
    assert code == 1
    assert err == "1 fixable with `flaskwarden scan --fix` (1 more with --unsafe-fixes).\n"


def test_diff_can_go_to_a_file(tmp_path: Path) -> None:
    shutil.copyfile(FIXES / "third_party_only.py", tmp_path / "app.py")
    out = tmp_path / "out" / "fixes.diff"
    code, stdout, _ = invoke("scan", tmp_path, "--no-config", "--diff", "--output", out)
    assert (code, stdout) == (1, "")
    assert out.read_text().startswith("--- a/app.py\n+++ b/app.py\n")


def test_unsafe_fixes_alone_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = invoke("scan", tmp_path, "--unsafe-fixes")
    assert code == 2
    assert "--unsafe-fixes applies only with --fix or --diff" in err
    assert "Traceback" not in out + err


def _report(path: Path) -> Report:
    return scan([path], ScanOptions(no_config=True))


def test_a_file_changed_since_it_was_read_is_not_touched(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    shutil.copyfile(FIXES / "third_party_only.py", target)
    plan = plan_fixes(_report(tmp_path), unsafe=False)
    assert plan.fixed == 2
    edited = target.read_text() + "# edited meanwhile\n"
    target.write_text(edited)

    written, problems = write_fixes(plan)
    assert written == []
    assert problems == [
        f"{target.name}: not fixed: it changed since it was read; not touched (run the fix again)"
    ]
    assert target.read_text() == edited


class _BrokenFix(RuleFix):
    """Produces code that does not parse, to prove nothing unparsable is written."""

    rule = "FW102"
    description = "broken on purpose"

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if self.starts_at_target(original_node):
            self.applied = True
            return cst.Name("lambda")  # an identifier to libcst, a keyword to Python
        return updated_node


def test_fixed_code_is_parsed_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "app.py"
    shutil.copyfile(FIXES / "third_party_only.py", target)
    original = target.read_bytes()
    monkeypatch.setitem(FIXERS, "FW102", _BrokenFix)

    code, _, err = invoke("scan", tmp_path, "--no-config", "--fix", "--exit-zero")
    assert code == 0
    assert "app.py: not fixed: the fixed code would not parse" in err
    assert target.read_bytes() == original
    findings = _report(tmp_path).findings
    with pytest.raises(FixFailed, match="would not parse"):
        fix_source(original, findings, unsafe=False)


def test_write_is_atomic_keeps_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    shutil.copyfile(FIXES / "third_party_only.py", target)
    target.chmod(0o640)
    invoke("scan", tmp_path, "--no-config", "--fix")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    files = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert files == ["app.py"]  # no temporary file left behind
    assert target.read_bytes() == (FIXES / "third_party_only.fixed.py").read_bytes()


def test_symlinked_file_is_fixed_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    shutil.copyfile(FIXES / "third_party_only.py", real / "app.py")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").symlink_to(real / "app.py")
    invoke("scan", project, "--no-config", "--fix")
    assert (project / "app.py").is_symlink()
    assert (real / "app.py").read_bytes() == (FIXES / "third_party_only.fixed.py").read_bytes()


def test_line_endings_and_encoding_are_kept(tmp_path: Path) -> None:
    source = (
        "# -*- coding: latin-1 -*-\r\n"
        "from flask import Flask\r\n"
        "\r\n"
        "app = Flask(__name__)\r\n"
        'app.run(extra_files=["caf\xe9.txt"], debug=True)\r\n'
    ).encode("latin-1")
    (tmp_path / "app.py").write_bytes(source)
    invoke("scan", tmp_path, "--no-config", "--fix")
    assert (tmp_path / "app.py").read_bytes() == (
        "# -*- coding: latin-1 -*-\r\n"
        "import os\r\n"
        "\r\n"
        "from flask import Flask\r\n"
        "\r\n"
        "app = Flask(__name__)\r\n"
        'if __name__ == "__main__":\r\n'
        '    app.run(extra_files=["caf\xe9.txt"], debug=os.environ.get("FLASK_DEBUG") == "1")\r\n'
    ).encode("latin-1")


def test_json_carries_each_fix_and_its_edits_reproduce_it(tmp_path: Path) -> None:
    shutil.copyfile(FIXES / "run_at_module_level.py", tmp_path / "app.py")
    (tmp_path / "settings.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'k3y-for-signing'\n"
    )
    report = scan_json(tmp_path)
    fixes = {(f["path"], f["rule"]): f["fix"] for f in report["findings"]}
    assert sorted(fixes) == [
        ("app.py", "FW101"),
        ("app.py", "FW102"),
        ("app.py", "FW103"),
        ("settings.py", "FW201"),
    ]
    # FW103 is unsafe: a container running the dev server stops being reachable
    assert [fixes[k]["safe"] for k in sorted(fixes)] == [True, True, False, False]
    assert fixes[("app.py", "FW103")]["edits"] == [
        {
            "path": "app.py",
            "line": 15,
            "column": 15,
            "end_line": 15,
            "end_column": 22,
            "replacement": "127.0.0.1",
        }
    ]
    findings = {(f.path, f.rule): f for f in _report(tmp_path).findings}
    for (path, rule), fix in fixes.items():
        original = (tmp_path / path).read_bytes()
        alone = fix_source(original, [findings[path, rule]], unsafe=True).after
        assert apply_edits(original.decode(), fix["edits"]) == alone


def test_sarif_carries_fixes_and_stays_valid(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    shutil.copyfile(FIXES / "third_party_only.py", tmp_path / "app.py")
    code, out, _ = invoke("scan", tmp_path, "--no-config", "--format", "sarif")
    assert code == 1
    sarif = json.loads(out)
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    results = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    fix = results["FW102"]["fixes"][0]
    assert fix["properties"] == {"safe": True}
    assert fix["artifactChanges"] == [
        {
            "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
            "replacements": [
                {
                    "deletedRegion": {
                        "startLine": 5,
                        "startColumn": 1,
                        "endLine": 5,
                        "endColumn": 1,
                    },
                    "insertedContent": {"text": 'if __name__ == "__main__":\n    '},
                }
            ],
        }
    ]


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_fix_on_the_insecure_shop_removes_every_fixable_finding(tmp_path: Path) -> None:
    shop = tmp_path / "insecure-shop"
    shutil.copytree(EXAMPLE, shop, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    before = scan_json(shop)["findings"]
    fixable = [f for f in before if f["fix"]]
    assert {"FW101", "FW102", "FW103", "FW201"} <= {f["rule"] for f in fixable}

    code, out, err = invoke(
        "scan", shop, "--no-config", "--fix", "--unsafe-fixes", "--format", "json", "--exit-zero"
    )
    assert code == 0, err
    assert f"Fixed {len(fixable)} findings" in err
    after = json.loads(out)["findings"]
    assert [f for f in after if f["fix"]] == []
    remaining = Counter((f["rule"], f["path"]) for f in before)
    remaining.subtract((f["rule"], f["path"]) for f in fixable)
    # Every fixed finding is gone and nothing new appeared.
    assert not Counter((f["rule"], f["path"]) for f in after) - remaining

    digests = _digests(shop)
    code, _, err = invoke("scan", shop, "--no-config", "--fix", "--unsafe-fixes", "--exit-zero")
    assert "Fixed 0 findings in 0 files." in err
    assert _digests(shop) == digests

    env = {**os.environ, "SECRET_KEY": "set-by-the-deployment", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("FLASK_DEBUG", None)
    modules = ["wsgi"] + (["run"] if (shop / "run.py").exists() else [])
    for module in modules:
        # `import run` would start the development server (and hang) without the FW102 fix.
        result = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            cwd=shop,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"import {module} failed:\n{result.stderr}"


def test_cli_knows_every_rule_that_has_a_fixer() -> None:
    """The CLI skips loading the fix engine when no finding has a fixer: its list of
    fixable rules must be the fixers' own."""
    from flaskwarden.cli import _FIXABLE_RULES
    from flaskwarden.fix.rules import FIXERS

    assert set(FIXERS) == set(_FIXABLE_RULES)
