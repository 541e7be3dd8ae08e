"""Speed and memory of flaskwarden against bandit, semgrep and ruff's S rules.

Usage::

    make bench-setup                       # peers into .bench-venv (nothing committed)
    .venv/bin/python bench/speed.py PATH [--runs 5] [--semgrep-rules DIR] [--scale 1,2,4]

Each tool runs ``--runs`` times on PATH; the table shows the median wall time, the
peak resident memory of the run (from ``wait4``'s rusage, the whole process tree's
largest process) and each tool's time relative to flaskwarden's cold scan.
flaskwarden *cold* starts with an empty cache directory every run; *warm* reuses one
that a first, unmeasured run filled. Semgrep needs local rule files (``--config``
pointing at a directory: the registry is not reachable here) and runs with metrics
off. ``--scale`` also times flaskwarden cold on 1x, 2x and 4x copies of PATH and
prints the slope (seconds per copy) to show cost grows linearly.

Timings are measurements of this machine at this moment: run the script on an idle
machine and report the table it prints, not numbers from elsewhere.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".bench-venv" / "bin"
VENV = Path(sys.executable).parent


@dataclass
class Sample:
    seconds: float
    peak_mb: float
    exit_code: int


def run(cmd: list[str], cwd: Path | None = None) -> Sample:
    """Run a command to completion, measuring wall time and peak memory."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Sample(seconds, usage.ru_maxrss / 1024, process.returncode)


def tool(name: str) -> str | None:
    for directory in (VENV, BENCH_VENV):
        candidate = directory / name
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def measure(label: str, make_cmd, runs: int, setup=None) -> list[Sample]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        if setup is not None:
            setup()
        samples.append(run(make_cmd()))
    bad = [s.exit_code for s in samples if s.exit_code not in (0, 1)]
    if bad:
        print(f"warning: {label} exited with {bad[0]}", file=sys.stderr)
    return samples


def target_and_flaskwarden(parser: argparse.ArgumentParser, path: Path) -> tuple[Path, str]:
    """The directory to measure and the flaskwarden executable, or a usage error."""
    target = path.resolve()
    if not target.is_dir():
        parser.error(f"{target} is not a directory")
    fw = tool("flaskwarden")
    if fw is None:
        parser.error("flaskwarden is not installed (make install)")
    return target, fw


def median(samples: list[Sample]) -> float:
    return statistics.median(s.seconds for s in samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="flaskwarden --jobs")
    parser.add_argument("--semgrep-rules", type=Path, help="directory of local semgrep rules")
    parser.add_argument("--scale", default="", help="e.g. 1,2,4: copies for the linearity check")
    args = parser.parse_args()
    target, fw = target_and_flaskwarden(parser, args.path)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    work = Path(tempfile.mkdtemp(prefix="fw-bench-"))
    cache = work / "cache"

    def fw_cmd() -> list[str]:
        return [fw, "scan", str(target), "--no-config", "--format", "json", "-o",
                str(work / "out.json"), "--cache-dir", str(cache), *jobs]  # fmt: skip

    results: dict[str, list[Sample]] = {}
    results["flaskwarden (cold)"] = measure(
        "flaskwarden", fw_cmd, args.runs, setup=lambda: shutil.rmtree(cache, ignore_errors=True)
    )
    run(fw_cmd())  # fill the cache
    results["flaskwarden (warm)"] = measure("flaskwarden", fw_cmd, args.runs)

    bandit = tool("bandit")
    if bandit:
        results["bandit"] = measure(
            "bandit", lambda: [bandit, "-r", str(target), "-q", "-f", "json", "-o",
                               str(work / "bandit.json")], args.runs)  # fmt: skip
    ruff = tool("ruff")
    if ruff:
        results["ruff --select S"] = measure(
            "ruff", lambda: [ruff, "check", "--select", "S", "--no-cache", "--exit-zero",
                             "--isolated", str(target)], args.runs)  # fmt: skip
    semgrep = tool("semgrep")
    if semgrep and args.semgrep_rules:
        results["semgrep"] = measure(
            "semgrep", lambda: [semgrep, "scan", "--config", str(args.semgrep_rules),
                                "--metrics=off", "--quiet", "--json", "-o",
                                str(work / "semgrep.json"), str(target)], args.runs)  # fmt: skip

    cold = median(results["flaskwarden (cold)"])
    lines = sum(p.read_bytes().count(b"\n") for p in target.rglob("*.py") if p.is_file())
    print(f"\n{target} ({lines:,} lines of Python), {args.runs} runs each, median wall time\n")
    print("| tool | median s | peak MB | x flaskwarden cold |")
    print("|---|---:|---:|---:|")
    for label, samples in results.items():
        peak = max(s.peak_mb for s in samples)
        print(f"| {label} | {median(samples):.2f} | {peak:.0f} | {median(samples) / cold:.1f} |")

    if args.scale:
        factors = [int(f) for f in args.scale.split(",")]
        print("\nLinearity (flaskwarden cold):\n\n| copies | median s |\n|---:|---:|")
        points = []
        for factor in factors:
            tree = work / f"x{factor}"
            for i in range(factor):
                skip = shutil.ignore_patterns(".git", ".flaskwarden_cache")
                shutil.copytree(target, tree / f"copy{i}", symlinks=True, ignore=skip)

            def scaled_cmd(tree: Path = tree) -> list[str]:
                return [fw, "scan", str(tree), "--no-config", "--format", "json", "-o",
                        str(work / "out.json"), "--cache-dir", str(cache), *jobs]  # fmt: skip

            samples = measure(
                "flaskwarden", scaled_cmd, max(1, args.runs // 2),
                setup=lambda: shutil.rmtree(cache, ignore_errors=True),
            )  # fmt: skip
            points.append((factor, median(samples)))
            print(f"| {factor} | {median(samples):.2f} |")
            shutil.rmtree(tree, ignore_errors=True)
        if len(points) > 1:
            xs, ys = zip(*points, strict=True)
            mean_x, mean_y = statistics.mean(xs), statistics.mean(ys)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum(
                (x - mean_x) ** 2 for x in xs
            )
            intercept = mean_y - slope * mean_x
            print(f"\nslope {slope:.2f} s per copy, intercept {intercept:.2f} s")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
