"""What the taint pass costs: a cold scan with and without it.

Usage::

    .venv/bin/python bench/taint_cost.py PATH [--runs 3] [--jobs N]

"Without taint" removes the taint analyzer from the per-file analysis and deselects
the rules that read it (FW301-FW309, FW604); everything else is the same. Both scans
run without the cache, in this process (worker processes are forked from it, so they
see the same analyzer list).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from flaskwarden.python import source
from flaskwarden.scan import ScanOptions, scan

TAINT_RULES = ["FW301", "FW302", "FW303", "FW304", "FW305", "FW306", "FW307", "FW308",
               "FW309", "FW604"]  # fmt: skip


def timed(path: Path, runs: int, jobs: int | None, ignore: list[str]) -> tuple[float, int]:
    times, findings = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        report = scan([path], ScanOptions(no_config=True, cache=False, jobs=jobs, ignore=ignore))
        times.append(time.perf_counter() - start)
        findings = len(report.findings)
    return statistics.median(times), findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with_taint, n_with = timed(args.path, args.runs, args.jobs, [])
    analyzers = source.EXTRA_ANALYZERS
    source.EXTRA_ANALYZERS = tuple(a for a in analyzers if a[0] != "taint")  # type: ignore[misc]
    try:
        without, n_without = timed(args.path, args.runs, args.jobs, TAINT_RULES)
    finally:
        source.EXTRA_ANALYZERS = analyzers  # type: ignore[misc]
    print(f"| scan of {args.path} | median s | findings |")
    print("|---|---:|---:|")
    print(f"| with taint | {with_taint:.2f} | {n_with} |")
    print(f"| without taint (FW3, FW604 off) | {without:.2f} | {n_without} |")
    print(f"\ntaint share of a cold scan: {100 * (with_taint - without) / with_taint:.0f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
