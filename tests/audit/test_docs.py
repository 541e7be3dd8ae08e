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

# Rules whose docs come from an audit unit. FW401/FW402/FW404/FW603 were documented
# here until their scan rules landed; scan docs win, and tests/test_catalog.py runs
# those examples. Only rules still documented by the audit are tested here.
AUDIT_DOCUMENTED = [
    rule_id
    for rule_id in ("FW109", "FW401", "FW402", "FW404", "FW603")
    if catalog.get(rule_id).docs_mode == "audit"
]


def test_some_rule_is_still_documented_by_the_audit() -> None:
    assert "FW109" in AUDIT_DOCUMENTED


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
    assert rule.docs is not None
    assert rule.docs_mode == "audit"
    assert list(rule.docs.sections) == list(catalog.DOC_SECTIONS)


@pytest.mark.parametrize("rule_id", AUDIT_DOCUMENTED)
@pytest.mark.parametrize(("section", "triggers"), [("Example", True), ("Use instead", False)])
def test_docs_examples_are_tests(
    rule_id: str, section: str, triggers: bool, tmp_path: Path
) -> None:
    rule = catalog.get(rule_id)
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
