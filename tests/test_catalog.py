"""Meta-tests over the catalog: every rule documented; doc examples are tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskwarden import catalog
from flaskwarden.rules import PROJECT_CHECKS, python_checks
from tests.annotations import read_annotations
from tests.conftest import FIXTURES, run_scan

SCAN_RULES = sorted({c.rule for c in python_checks()} | {c.rule for c in PROJECT_CHECKS})


def test_table_ids_are_unique_and_well_formed() -> None:
    ids = [spec.id for spec in catalog.TABLE]
    assert len(ids) == len(set(ids))
    names = [spec.name for spec in catalog.TABLE]
    assert len(names) == len(set(names))
    assert all(catalog.looks_like_code(i) for i in ids)


@pytest.mark.parametrize("rule", catalog.all_rules(), ids=lambda r: r.id)
def test_every_rule_has_all_doc_sections(rule: catalog.Rule) -> None:
    assert rule.docs is not None, f"{rule.id} has no docs"
    assert rule.docs.summary
    for section in catalog.DOC_SECTIONS:
        assert rule.docs.section(section), f"{rule.id} docs lack '## {section}'"


def _write(tmp_path: Path, examples: list[catalog.CodeExample]) -> None:
    for example in examples:
        target = tmp_path / example.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(example.code)


@pytest.mark.parametrize("rule_id", SCAN_RULES)
def test_doc_example_triggers_and_use_instead_does_not(rule_id: str, tmp_path: Path) -> None:
    rule = catalog.get(rule_id)
    assert rule.docs is not None
    bad, good = rule.docs.examples("Example"), rule.docs.examples("Use instead")
    assert bad and good, f"{rule_id} docs need code in Example and Use instead"
    _write(tmp_path / "bad", bad)
    _write(tmp_path / "good", good)
    found = {f.rule for f in run_scan(tmp_path / "bad", select=[rule_id]).findings}
    assert rule_id in found, f"{rule_id}'s Example does not trigger it"
    clean = {f.rule for f in run_scan(tmp_path / "good", select=[rule_id]).findings}
    assert rule_id not in clean, f"{rule_id}'s 'Use instead' triggers it"


@pytest.mark.parametrize("rule_id", SCAN_RULES)
def test_every_scan_rule_has_positive_and_negative_fixtures(rule_id: str) -> None:
    expected: set[str] = set()
    ok: set[str] = set()
    for family in FIXTURES.iterdir():
        if not family.is_dir():
            continue
        for case in family.iterdir():
            if case.is_dir():
                annotations = read_annotations(case)
                expected |= {k[2] for k in annotations.expected}
                ok |= {k[2] for k in annotations.ok}
    assert rule_id in expected, f"no '# expect: {rule_id}' fixture"
    assert rule_id in ok, f"no '# ok: {rule_id}' fixture"
