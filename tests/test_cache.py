"""Parallel and cached scanning give exactly the results of a plain scan."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import flaskwarden.cache as cache_module
from flaskwarden.findings import Report
from flaskwarden.report import render
from flaskwarden.scan import ScanOptions, scan
from tests.conftest import FIXTURES, ROOT

TREES = [ROOT / "examples" / "insecure-shop", ROOT / "examples" / "secure-shop", FIXTURES]


def _scan(path: Path, **options: object) -> Report:
    return scan([path], ScanOptions(no_config=True, **options))  # type: ignore[arg-type]


def _json(report: Report) -> str:
    return render(report, "json")


@pytest.mark.parametrize("tree", TREES, ids=lambda p: p.name)
def test_jobs_and_cache_do_not_change_results(tree: Path, tmp_path: Path) -> None:
    baseline = _json(_scan(tree, jobs=1, cache=False))
    assert _json(_scan(tree, jobs=2, cache=False)) == baseline
    cold = _scan(tree, jobs=2, cache_dir=tmp_path / "cache")
    warm = _scan(tree, jobs=1, cache_dir=tmp_path / "cache")
    assert _json(cold) == baseline
    assert _json(warm) == baseline


def test_results_do_not_depend_on_string_hashing() -> None:
    # Taint flows come out of sets, whose order follows str hashes, randomised per
    # process: which of several paths a finding shows must not follow it.
    case = FIXTURES / "injection" / "many_paths"
    command = [sys.executable, "-m", "flaskwarden", "scan", str(case), "--no-cache"]
    command += ["--no-config", "--format", "json"]
    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert result.returncode == 1, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_warm_scan_reads_from_cache(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(ROOT / "examples" / "insecure-shop", project)
    cache_dir = tmp_path / "cache"
    _scan(project, cache_dir=cache_dir)
    entries = list((cache_dir / "v1").rglob("*"))
    assert any(e.is_file() for e in entries)
    assert (cache_dir / ".gitignore").read_text().strip().endswith("*")
    # a changed file is re-analysed, the rest come from the cache
    app = project / "run.py"
    app.write_text(app.read_text() + "\n# touched\n")
    calls: list[str] = []
    import flaskwarden.scan as scan_module

    real = scan_module._analyze_guarded

    def counting(rel: str, data: bytes):  # type: ignore[no-untyped-def]
        calls.append(rel)
        return real(rel, data)

    scan_module._analyze_guarded = counting  # type: ignore[assignment]
    try:
        _scan(project, cache_dir=cache_dir, jobs=1)
    finally:
        scan_module._analyze_guarded = real  # type: ignore[assignment]
    assert calls == ["run.py"]


def test_corrupt_and_foreign_entries_are_misses(tmp_path: Path) -> None:
    tree = ROOT / "examples" / "insecure-shop"
    cache_dir = tmp_path / "cache"
    baseline = _json(_scan(tree, cache_dir=cache_dir))
    files = sorted(p for p in (cache_dir / "v1").rglob("*") if p.is_file())
    assert len(files) >= 3
    files[0].write_bytes(b"\x80\x04garbage")  # corrupt pickle
    files[1].write_bytes(files[1].read_bytes()[:10])  # truncated
    files[2].write_bytes(pickle.dumps({"not": "facts"}))  # wrong type
    assert _json(_scan(tree, cache_dir=cache_dir)) == baseline
    # and they were rewritten with good entries
    assert _json(_scan(tree, cache_dir=cache_dir)) == baseline


def test_code_change_invalidates_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = ROOT / "examples" / "secure-shop"
    cache_dir = tmp_path / "cache"
    _scan(tree, cache_dir=cache_dir)
    before = {p.name for p in (cache_dir / "v1").rglob("*") if p.is_file()}
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "a-different-flaskwarden")
    _scan(tree, cache_dir=cache_dir)
    after = {p.name for p in (cache_dir / "v1").rglob("*") if p.is_file()}
    assert before and after - before and before & after == before


def test_unwritable_cache_does_not_fail_the_scan(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    report = _scan(ROOT / "examples" / "insecure-shop", cache_dir=blocker)
    assert report.findings
    assert not [d for d in report.diagnostics if d.kind == "internal-error"]


def _scan_into(args: tuple[str, str]) -> str:
    tree, cache_dir = args
    return _json(_scan(Path(tree), cache_dir=Path(cache_dir), jobs=1))


def test_concurrent_runs_share_a_cache_safely(tmp_path: Path) -> None:
    tree = ROOT / "examples" / "insecure-shop"
    baseline = _json(_scan(tree, cache=False))
    context = multiprocessing.get_context("fork")
    with context.Pool(3) as pool:
        outputs = pool.map(_scan_into, [(str(tree), str(tmp_path / "cache"))] * 6)
    assert set(outputs) == {baseline}
    assert not list((tmp_path / "cache").rglob(".tmp-*"))
    assert _json(_scan(tree, cache_dir=tmp_path / "cache")) == baseline


def _git(cwd: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        ["git", "-c", "user.email=t@e.st", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_report_cache_sees_every_input(tmp_path: Path) -> None:
    """An unchanged project is answered from the report cache; a change to any
    input (a deploy file, an ignore file, git's tracking of .env) is not."""
    project = tmp_path / "p"
    shutil.copytree(ROOT / "examples" / "insecure-shop", project)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "x")
    cache_dir = tmp_path / "cache"

    def keys() -> set[tuple[str, int, str]]:
        report = _scan(project, cache_dir=cache_dir)
        assert _json(report) == _json(_scan(project, cache=False))
        return {(f.path, f.line, f.rule) for f in report.findings}

    first = keys()
    assert (".env", 2, "FW205") in first
    assert keys() == first  # answered from the cache
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("ENV FLASK_DEBUG=1", "ENV APP=1"))
    assert ("Dockerfile", 8, "FW105") not in keys()
    _git(project, "rm", "-q", "--cached", ".env")
    (project / ".gitignore").write_text(".env\n")
    assert (".env", 2, "FW205") not in keys()


def test_template_suppression(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir(
        {
            "app.py": (
                "from flask import Flask, render_template, request\n"
                "app = Flask(__name__)\n\n"
                "@app.route('/')\ndef index():\n"
                "    return render_template('page.html', q=request.args['q'])\n"
            ),
            "templates/page.html": (
                "{# flaskwarden: ignore[FW302] #}\n<p>{{ q|safe }}</p>\n<b>{{ q|safe }}</b>\n"
            ),
        }
    )
    assert {(f.path, f.line) for f in report.findings if f.rule == "FW302"} == {
        ("templates/page.html", 3)
    }
