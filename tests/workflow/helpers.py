"""Shared helpers for the developer-workflow tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from flaskwarden.cli import cli
from flaskwarden.findings import Edit

HERE = Path(__file__).resolve().parent
FIXES = HERE / "fixes"
ROOT = HERE.parent.parent
EXAMPLE = ROOT / "examples" / "insecure-shop"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    """Run the CLI in-process: exit code, stdout, stderr."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def scan_json(*args: str | Path) -> dict[str, Any]:
    code, out, err = invoke("scan", *args, "--no-config", "--format", "json", "--exit-zero")
    assert code == 0, err
    payload: dict[str, Any] = json.loads(out)
    return payload


def apply_edits(text: str, edits: list[Edit] | list[dict[str, Any]]) -> str:
    """Apply JSON/``Edit`` edits (1-based lines and code-point columns, end exclusive)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    regions = []
    for edit in edits:
        e = edit if isinstance(edit, dict) else edit.__dict__
        regions.append(
            (
                offset(e["line"], e["column"]),
                offset(e["end_line"], e["end_column"]),
                e["replacement"],
            )
        )
    for start, end, replacement in sorted(regions, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text
