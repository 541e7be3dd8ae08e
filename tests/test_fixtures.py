"""The annotated fixtures: each directory under tests/fixtures/<family>/ is one project.

The exact set of (file, line, rule) reported must equal the set annotated with
``# expect:``; ``# ok:`` lines must not be reported; ``# todo-expect:`` gaps are listed
and must not silently start passing (then they become ``expect``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.annotations import read_annotations
from tests.conftest import FIXTURES, run_scan

CASES = sorted(
    p for family in FIXTURES.iterdir() if family.is_dir() for p in family.iterdir() if p.is_dir()
)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(case: Path) -> None:
    annotations = read_annotations(case)
    assert annotations.expected or annotations.ok, f"{case} has no annotations"
    report = run_scan(case)
    internal = [d for d in report.diagnostics if d.kind == "internal-error"]
    assert not internal, internal
    reported = {(f.path, f.line, f.rule) for f in report.findings}
    missing = sorted(annotations.expected - reported)
    unexpected = sorted(reported - annotations.expected - annotations.todo)
    wrongly_flagged = sorted(reported & annotations.ok)
    closed_gaps = sorted(reported & annotations.todo)
    assert not wrongly_flagged, f"flagged lines annotated ok: {wrongly_flagged}"
    assert not missing, f"expected but not reported: {missing}"
    assert not unexpected, f"reported but not annotated: {unexpected}"
    assert not closed_gaps, f"todo-expect now reported; change them to expect: {closed_gaps}"


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 10
