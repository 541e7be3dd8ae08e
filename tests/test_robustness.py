"""Bad input is normal input: each case yields a diagnostic and the scan goes on."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

from flaskwarden.scan import ScanOptions, scan
from tests.conftest import run_scan

GOOD = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"


def _kinds(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {d.path: d.kind for d in report.diagnostics}


def _still_finds_good(report) -> None:  # type: ignore[no-untyped-def]
    assert ("good.py", 3, "FW101") in {(f.path, f.line, f.rule) for f in report.findings}


def test_syntax_error(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir({"good.py": GOOD, "bad.py": "from flask import Flask\ndef broken(:\n"})
    assert _kinds(report) == {"bad.py": "syntax-error"}
    assert report.diagnostics[0].line == 2
    _still_finds_good(report)


def test_non_utf8_bytes(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir({"good.py": GOOD, "latin.py": b"# flask\nx = '\xe9\xff'\n"})
    assert _kinds(report) == {"latin.py": "encoding"}
    _still_finds_good(report)


def test_declared_latin1_encoding_is_honoured(scan_dir) -> None:  # type: ignore[no-untyped-def]
    source = (
        b"# -*- coding: latin-1 -*-\nfrom flask import Flask\n"
        b"app = Flask('\xe9')\napp.run(debug=True)\n"
    )
    report = scan_dir({"latin.py": source})
    assert not report.diagnostics
    assert {(f.path, f.line, f.rule) for f in report.findings} == {
        ("latin.py", 4, "FW101"),
        ("latin.py", 4, "FW102"),
    }


def test_constants_that_fail_at_run_time_are_not_folded(scan_dir) -> None:  # type: ignore[no-untyped-def]
    # a lone surrogate cannot be encoded: that is the program's error, not flaskwarden's
    source = 'from flask import Flask\nMARK = "\\udcad".encode()\nSECRET_KEY = "x" * -1\n'
    report = scan_dir({"good.py": GOOD, "odd.py": source})
    assert _kinds(report) == {}
    _still_finds_good(report)


def test_nul_byte(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir({"good.py": GOOD, "nul.py": b"import flask\n\x00\x00"})
    assert _kinds(report) == {"nul.py": "binary"}
    _still_finds_good(report)


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "(" * 50_000 + "1" + ")" * 50_000 + "  # flask\n",
        "x = " + "-" * 50_000 + "1  # flask\n",
        "x = " + "[" * 50_000 + "]" * 50_000 + "  # flask\n",
        "# flask\nx = 1" + " + 1" * 50_000 + "\n",
    ],
    ids=["parens", "unary", "lists", "long-binop"],
)
def test_deep_nesting(scan_dir, source: str) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir({"good.py": GOOD, "deep.py": source})
    kinds = _kinds(report)
    assert kinds.get("deep.py") in (None, "syntax-error", "too-complex")
    assert "internal-error" not in kinds.values()
    _still_finds_good(report)


def test_symlink_loop_directory(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path, target_is_directory=True)
    report = run_scan(tmp_path)
    assert _kinds(report) == {"pkg/loop": "symlink-loop"}
    _still_finds_good(report)


def test_symlink_loop_file(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    report = run_scan(tmp_path)
    assert _kinds(report) == {"a.py": "symlink-loop", "b.py": "symlink-loop"}
    _still_finds_good(report)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading fails with EACCES (simulated: tests may run as root, who can read anything)."""
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "secret.py").write_text(GOOD)
    import flaskwarden.scan as scan_module

    real_open = open

    def guarded_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(scan_module, "open", guarded_open, raising=False)
    report = run_scan(tmp_path)
    assert _kinds(report) == {"secret.py": "unreadable"}
    _still_finds_good(report)


def test_unreadable_file_for_real() -> None:
    """A real EACCES. Root reads any file whatever its mode, so as root the scan runs
    in a forked child that has become nobody (setuid drops root's capabilities);
    everything it needs is already imported, so where the venv lives does not matter."""
    import json
    import shutil
    import tempfile

    from flaskwarden import catalog
    from flaskwarden.report import render

    catalog.all_rules()  # import every rule module before the child drops privileges
    project = Path(tempfile.mkdtemp(prefix="fw-perm-"))
    secret = project / "secret.py"
    try:
        project.chmod(0o755)
        (project / "good.py").write_text(GOOD)
        secret.write_text(GOOD)
        secret.chmod(0)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: become nobody, scan, report as JSON, exit
            try:
                os.close(read_end)
                if os.geteuid() == 0:
                    os.setgroups([])
                    os.setgid(65534)
                    os.setuid(65534)
                report = scan([project], ScanOptions(no_config=True, cache=False, jobs=1))
                os.write(write_end, render(report, "json").encode())
            finally:
                os._exit(0)
        os.close(write_end)
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        os.close(read_end)
        os.waitpid(pid, 0)
        report = json.loads(b"".join(chunks))
        kinds = {d["path"]: d["kind"] for d in report["diagnostics"]}
        assert kinds == {"secret.py": "unreadable"}
        assert ("good.py", 3, "FW101") in {
            (f["path"], f["line"], f["rule"]) for f in report["findings"]
        }
    finally:
        secret.chmod(0o644)
        shutil.rmtree(project, ignore_errors=True)


def test_huge_file_is_skipped_with_a_diagnostic(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir({"good.py": GOOD, "huge.py": "# flask\n" + "x = 1\n" * 400_000})
    assert _kinds(report) == {"huge.py": "too-large"}
    _still_finds_good(report)


def test_binary_files_in_template_dirs_do_not_crash(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir({"good.py": GOOD, "templates/logo.html": bytes(range(256)) * 10})
    assert not [d for d in report.diagnostics if d.kind == "internal-error"]
    _still_finds_good(report)


def test_missing_path_is_a_diagnostic(tmp_path: Path) -> None:
    report = scan([tmp_path / "nope"], ScanOptions(no_config=True))
    assert [d.kind for d in report.diagnostics] == ["not-found"]


def test_standard_library_scans_without_crashing() -> None:
    """CPython's stdlib holds deliberately broken files (bad syntax, bad encodings)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    report = run_scan(stdlib)
    assert report.stats["python_files"] > 1000
    crashes = [d for d in report.diagnostics if d.kind == "internal-error"]
    assert crashes == []


def test_rebinding_through_calls_stays_bounded(scan_dir) -> None:  # type: ignore[no-untyped-def]
    """`config = get(..., config=config)` repeated: taint through nested calls must not
    grow exponentially (this pattern once hung the scan)."""
    body = "\n".join(
        f"    config['K{i}'] = get_config('K{i}', default=None, config=config)" for i in range(60)
    )
    source = (
        "from flask import Flask, request\napp = Flask(__name__)\n\n"
        "def get_config(key, default=None, config=None):\n"
        "    return config.get(key, default)\n\n"
        "@app.route('/')\ndef view():\n"
        "    config = dict(request.args)\n" + body + "\n    return str(config)\n"
    )
    report = scan_dir({"app.py": source, "good.py": GOOD})
    _still_finds_good(report)
    assert not [d for d in report.diagnostics if d.kind == "internal-error"]


def test_unparsed_files_still_report_bad_bytes_and_imported_syntax_errors(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir(
        {
            "good.py": GOOD,
            "views.py": (
                "from flask import Flask\nfrom helpers import h\napp = Flask(__name__)\n\n"
                "@app.route('/')\ndef index():\n    return h()\n"
            ),
            "helpers.py": "def h(:\n    return 1\n",
            "blob.py": b"\x00\x01\x02",
            "latin.py": b"x = '\xff'\n",
        }
    )
    assert _kinds(report) == {
        "helpers.py": "syntax-error",
        "blob.py": "binary",
        "latin.py": "encoding",
    }
    _still_finds_good(report)


def test_a_file_named_on_the_command_line_is_always_parsed(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    report = scan([tmp_path / "broken.py"], ScanOptions(no_config=True, cache=False))
    assert [d.kind for d in report.diagnostics] == ["syntax-error"]


@pytest.mark.parametrize("separator", ["\x0c", "\x0b", "\x1c", "\x85", "\u2028"])
def test_line_separators_python_does_not_count_shift_nothing(scan_dir, separator: str) -> None:  # type: ignore[no-untyped-def]
    """str.splitlines breaks at form feeds and other separators that the parser does
    not count as line ends: snippets, and the analyses that read a function's or a
    class's own lines, must use the parser's numbering."""
    before = f"# page one{separator}still line one\n" if separator != "\x0c" else "\x0c\n"
    app = (
        before + "from flask import Flask, request\n"
        "app = Flask(__name__)\n"
        '@app.route("/u", methods=["POST"])\n'
        "def upload():\n"
        '    f = request.files["f"]\n'
        '    f.save("static/" + f.filename)\n'
        '    return ""\n'
        "app.run(debug=True)\n"
    )
    report = scan_dir({"app.py": app})
    found = {(f.rule, f.snippet.strip()) for f in report.findings}
    assert ("FW101", "app.run(debug=True)") in found
    assert any(rule == "FW307" and "f.save" in snippet for rule, snippet in found), found
