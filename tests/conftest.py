from __future__ import annotations

from pathlib import Path

import pytest

from flaskwarden.findings import Report
from flaskwarden.scan import ScanOptions, scan

# Fixture projects are data for the scanner (some have their own conftest.py and
# test_*.py files, as real projects do): pytest must never import them.
collect_ignore = ["fixtures"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def run_scan(path: Path, **options: object) -> Report:
    """Scan ``path`` ignoring the repository's own pyproject configuration, without
    the cache (tests/test_cache.py tests the cache on its own)."""
    opts = ScanOptions(no_config=True, cache=False)
    for key, value in options.items():
        setattr(opts, key, value)
    return scan([path], opts)


@pytest.fixture
def scan_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write files into a temporary project and scan it: ``scan_dir({"app.py": "..."})``."""

    def _scan(files: dict[str, str | bytes], **options: object) -> Report:
        for name, content in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        return run_scan(tmp_path, **options)

    return _scan
