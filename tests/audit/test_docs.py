"""The catalog entries of the audit and guard: registrations, and docs examples as tests.

For every rule whose documentation comes from an audit unit, the "Example" must
trigger the rule when audited and "Use instead" must not (Fixit's rule: examples are
tests). The examples are written as ``app.py`` and audited as ``app:app``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskwarden import catalog
from flaskwarden.audit.process import run_audit
from tests.audit.conftest import STRONG_KEY, clean_environ

AUDIT_DOCUMENTED = ["FW109", "FW401", "FW402", "FW404", "FW603"]


def test_modes_are_registered() -> None:
    audit = {r.id for r in catalog.all_rules() if "audit" in r.modes}
    guard = {r.id for r in catalog.all_rules() if "guard" in r.modes}
    assert audit == {
        "FW101", "FW102", "FW106", "FW109", "FW201", "FW203",
        "FW302", "FW401", "FW402", "FW404", "FW603",
    }  # fmt: skip
    assert guard == {"FW101", "FW109", "FW201", "FW203", "FW402", "FW404"}


@pytest.mark.parametrize("rule_id", AUDIT_DOCUMENTED)
def test_audit_documented_rules_have_every_section(rule_id: str) -> None:
    rule = catalog.get(rule_id)
    if rule.docs_mode == "scan":
        pytest.skip(f"{rule_id} is documented by its scan rule now")
    assert rule.docs is not None
    assert rule.docs_mode == "audit"
    assert list(rule.docs.sections) == list(catalog.DOC_SECTIONS)


@pytest.mark.parametrize("rule_id", AUDIT_DOCUMENTED)
@pytest.mark.parametrize(("section", "triggers"), [("Example", True), ("Use instead", False)])
def test_docs_examples_are_tests(
    rule_id: str, section: str, triggers: bool, tmp_path: Path
) -> None:
    rule = catalog.get(rule_id)
    if rule.docs_mode != "audit":
        pytest.skip(f"{rule_id} is documented by its {rule.docs_mode} rule")
    assert rule.docs is not None
    (example,) = rule.docs.examples(section)
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(example.code, encoding="utf-8")
    result = run_audit(
        "app:app", root=root, environ=clean_environ(tmp_path, {"SECRET_KEY": STRONG_KEY})
    )
    rules = {f.rule for f in result.report.findings}
    assert (rule_id in rules) is triggers, result.report.findings
