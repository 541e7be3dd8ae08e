"""The floor under a cold scan: flaskwarden's pipeline with every analysis taken out.

Usage::

    .venv/bin/python bench/floor.py PATH [--runs 3] [--jobs N]

Times three commands on PATH, each ``--runs`` times, and prints their medians:

- ``flaskwarden --version``: starting the interpreter and the command line;
- the *floor*: a real ``flaskwarden scan`` (discovery, reading, the prefilter, the
  process pool, templates, the report) in which each Python file the prefilter keeps is
  decoded, parsed and walked once, node by node, and nothing else: no facts, no taint,
  no app model, an empty result;
- the real cold scan, for comparison.

The floor is what no Python implementation of the same design can go below: any
analysis has at least to parse every file it reads and visit its nodes. The difference
between the cold scan and the floor is what the analyses cost. Like ``speed.py``, run it
on an idle machine and report what it prints.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from speed import run, target_and_flaskwarden  # bench/ is on the path when this runs as a script


def _parse_and_walk(rel: str, data: bytes) -> object:
    """Stands in for the per-file analysis: decode, parse, visit every node once."""
    from flaskwarden.python.facts import ModuleFacts
    from flaskwarden.python.nodes import walk
    from flaskwarden.python.source import decode, module_name

    text = decode(rel, data)
    if not isinstance(text, str):
        return text
    try:
        tree = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ModuleFacts(rel, module_name(rel))
    for _ in walk(tree):
        pass
    return ModuleFacts(rel, module_name(rel))


def child(argv: list[str]) -> int:
    """Run the command line with the analysis replaced (workers fork from here)."""
    import flaskwarden.scan
    from flaskwarden.cli import main

    flaskwarden.scan.analyze_python = _parse_and_walk  # type: ignore[assignment]
    sys.argv = ["flaskwarden", *argv]
    return main()


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="flaskwarden --jobs")
    args = parser.parse_args()
    target, fw = target_and_flaskwarden(parser, args.path)
    work = Path(tempfile.mkdtemp(prefix="fw-floor-"))
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    scan_args = ["scan", str(target), "--no-config", "--no-cache", "--format", "json",
                 "-o", str(work / "out.json"), *jobs]  # fmt: skip
    commands = {
        "flaskwarden --version": [fw, "--version"],
        "floor: parse + one walk, no analysis": [sys.executable, __file__, "--child", *scan_args],
        "flaskwarden scan (cold)": [fw, *scan_args],
    }
    medians = {}
    out = work / "out.json"
    for label, cmd in commands.items():
        samples = []
        for _ in range(args.runs):
            out.unlink(missing_ok=True)
            samples.append(run(cmd))
            if "scan" in cmd and not out.exists():  # exit 1 is "findings", not a failure
                samples[-1].exit_code = 2
        if any(s.exit_code not in (0, 1) for s in samples):
            probe = subprocess.run(cmd, capture_output=True, text=True, check=False)
            print(f"{label} failed:\n{probe.stderr}", file=sys.stderr)
            return 2
        medians[label] = statistics.median(s.seconds for s in samples)
    shutil.rmtree(work, ignore_errors=True)
    print(f"\n{target}, {args.runs} runs each, median wall time\n")
    print("| command | median s |\n|---|---:|")
    for label, seconds in medians.items():
        print(f"| {label} | {seconds:.2f} |")
    cold = medians["flaskwarden scan (cold)"]
    floor = medians["floor: parse + one walk, no analysis"]
    print(f"\nanalyses: {cold - floor:.2f} s of {cold:.2f} s ({100 * (cold - floor) / cold:.0f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
