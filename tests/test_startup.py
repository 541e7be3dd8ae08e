"""Start-up cost: what a command imports (issue 8, "lazy imports").

Timings are for bench/, not for tests; these tests pin what makes start-up slow:
modules a command imports without needing them. Each runs a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

# Imported only by the modes (and output formats) that use them.
OTHER_MODES = ("flaskwarden.probe.checks", "flaskwarden.audit.checks", "flaskwarden.guard.checks")
HEAVY = ("libcst", "rich")


def imported_after(code: str, cwd: Path) -> set[str]:
    """The modules loaded once ``code`` has run in a fresh interpreter."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_version_imports_no_scanner(tmp_path: Path) -> None:
    modules = imported_after(
        "import sys\nfrom flaskwarden.cli import main\n"
        "sys.argv = ['flaskwarden', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass",
        tmp_path,
    )
    assert "flaskwarden.cli" in modules
    assert not {m for m in modules if m.startswith("flaskwarden.") and m != "flaskwarden.cli"}


def test_json_scan_imports_only_scan_rules(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """\
            import requests
            from flask import Flask

            app = Flask(__name__)

            @app.route("/status")
            def status():
                return requests.get("https://status.example.com").text
            """
        )
    )
    modules = imported_after(
        "import sys\nfrom flaskwarden.cli import main\n"
        "sys.argv = ['flaskwarden', 'scan', '.', '--no-cache', '--format=json']\n"
        "sys.argv += ['--output', 'out.json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass",
        tmp_path,
    )
    report = json.loads((tmp_path / "out.json").read_text())
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("FW504", 8)]
    assert "flaskwarden.rules.injection" in modules  # the scan rules did run
    assert not modules & set(OTHER_MODES)
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
