"""The demo target and its corrected twin.

insecure-shop must show a true instance of every rule the scan implements (it grows
as rules land); secure-shop, the same shop done right, must show nothing at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flaskwarden.rules import PROJECT_CHECKS, python_checks
from tests.conftest import ROOT, run_scan

EXAMPLES = ROOT / "examples"
SCAN_RULES = sorted({c.rule for c in python_checks()} | {c.rule for c in PROJECT_CHECKS})


@pytest.fixture(scope="module")
def insecure_rules() -> set[str]:
    report = run_scan(EXAMPLES / "insecure-shop")
    assert not [d for d in report.diagnostics if d.kind == "internal-error"]
    return {f.rule for f in report.findings}


@pytest.mark.parametrize("rule", SCAN_RULES)
def test_insecure_shop_shows_every_implemented_rule(insecure_rules: set[str], rule: str) -> None:
    assert rule in insecure_rules


def test_secure_shop_is_clean() -> None:
    report = run_scan(EXAMPLES / "secure-shop")
    assert [(f.path, f.line, f.rule, f.message) for f in report.findings] == []
    assert report.diagnostics == []
    assert report.stats["python_files"] > 5


def test_demo_command_scans_insecure_shop_with_repository_config() -> None:
    """`make demo` runs from the repository root, whose config excludes examples/:
    naming the directory explicitly must still scan it."""
    from flaskwarden.scan import ScanOptions, scan

    report = scan([EXAMPLES / "insecure-shop"], ScanOptions(cache=False))
    assert {f.rule for f in report.findings} >= {"FW101", "FW201"}


def _planted(readme: Path) -> set[tuple[str, int, str]]:
    """(file, line, rule) rows of the example README's table of planted problems."""
    rows = set()
    for line in readme.read_text().splitlines():
        match = re.match(r"\| `([^`]+):(\d+)` \| (FW\d{3}) \|", line)
        if match:
            rows.add((match.group(1), int(match.group(2)), match.group(3)))
    return rows


def test_insecure_shop_findings_are_exactly_the_planted_problems() -> None:
    """Every row of the README's table is reported at its line, by its rule, and
    nothing else is: each planted problem is found and nothing is cried wolf on."""
    planted = _planted(EXAMPLES / "insecure-shop" / "README.md")
    scanned = {r for r in planted if r[2] in SCAN_RULES}
    assert len(scanned) >= 40
    report = run_scan(EXAMPLES / "insecure-shop")
    found = {(f.path, f.line, f.rule) for f in report.findings}
    assert sorted(scanned - found) == []
    assert sorted(found - planted) == []


def test_a_folder_holding_both_shops_is_judged_per_app() -> None:
    """Scanning examples/ (two apps, same template names, one setting headers) gives
    insecure-shop exactly the findings it gets alone."""
    alone = {
        (f.line, f.rule, "insecure-shop/" + f.path)
        for f in run_scan(EXAMPLES / "insecure-shop").findings
    }
    together = {
        (f.line, f.rule, f.path)
        for f in run_scan(EXAMPLES).findings
        if f.path.startswith("insecure-shop/")
    }
    assert together == alone
