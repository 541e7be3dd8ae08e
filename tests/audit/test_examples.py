"""The audit on the two example shops, imported as gunicorn would (cwd = the example).

Each example is copied to a temporary directory first: importing the shops creates
their data folders (secure-shop's ``instance/``), which must not land in the repository.
Findings are pinned by (file, rule, source line text) so that they survive edits that
only move lines.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flaskwarden.audit.process import AuditError, AuditResult, run_audit
from tests.audit.conftest import STRONG_KEY, clean_environ

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = pytest.mark.skipif(
    not (EXAMPLES / "insecure-shop" / "wsgi.py").exists()
    or not (EXAMPLES / "secure-shop" / "wsgi.py").exists(),
    reason="examples/insecure-shop and examples/secure-shop are not in this checkout",
)

INSECURE_SHOP = {
    ("shop/__init__.py", "FW404", "app = Flask(__name__)"),
    ("shop/api.py", "FW603", 'bp = Blueprint("api", __name__, url_prefix="/api")'),
    ("shop/cart.py", "FW401", '@bp.route("/add", methods=["POST"])'),
    ("shop/config.py", "FW101", "DEBUG = True"),
    ("shop/config.py", "FW201", 'SECRET_KEY = "supersecretkey"'),
    ("shop/config.py", "FW402", "SESSION_COOKIE_SECURE = False"),
    ("shop/config.py", "FW402", "SESSION_COOKIE_HTTPONLY = False"),
    ("shop/debug.py", "FW106", "return jsonify(dict(os.environ))"),
    ("shop/debug.py", "FW106", "snapshot = tracemalloc.take_snapshot()"),
}


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(
        EXAMPLES / name, target, ignore=shutil.ignore_patterns("instance", "__pycache__")
    )
    return target


def audit(root: Path, tmp_path: Path, **env: str) -> AuditResult:
    return run_audit("wsgi:app", root=root, environ=clean_environ(tmp_path, env), timeout=60)


def pinned(result: AuditResult, prefix: str = "FW") -> set[tuple[str, str, str]]:
    return {
        (f.path, f.rule, f.snippet) for f in result.report.findings if f.rule.startswith(prefix)
    }


def test_insecure_shop_production_config(tmp_path: Path) -> None:
    result = audit(copy_example("insecure-shop", tmp_path), tmp_path)
    assert pinned(result) == INSECURE_SHOP
    assert result.report.diagnostics == []
    (csrf,) = [f for f in result.report.findings if f.rule == "FW401"]
    assert "9 state-changing routes" in csrf.message
    assert {loc.path for loc in csrf.related} == {"shop/cart.py", "shop/auth.py", "shop/admin.py"}


def test_insecure_shop_development_config_has_a_per_process_key(tmp_path: Path) -> None:
    result = audit(copy_example("insecure-shop", tmp_path), tmp_path, SHOP_CONFIG="development")
    assert pinned(result, "FW2") | pinned(result, "FW101") == {
        ("shop/config.py", "FW101", "DEBUG = True"),
        ("shop/config.py", "FW201", "SECRET_KEY = os.urandom(24)"),
        ("shop/config.py", "FW203", "SECRET_KEY = os.urandom(24)"),
    }


def test_secure_shop_has_no_findings(tmp_path: Path) -> None:
    result = audit(copy_example("secure-shop", tmp_path), tmp_path, SECRET_KEY=STRONG_KEY)
    assert result.report.findings == []
    assert result.report.diagnostics == []
    assert result.app["blueprints"] == ["admin", "api", "auth", "cart", "catalog"]
    assert result.app["extensions"] == ["csrf"]


def test_secure_shop_in_development_is_flagged_for_debug_only(tmp_path: Path) -> None:
    root = copy_example("secure-shop", tmp_path)
    result = audit(root, tmp_path, SECRET_KEY=STRONG_KEY, SHOP_CONFIG="development")
    assert pinned(result) == {("shop/config.py", "FW101", "DEBUG = True")}


def test_secure_shop_without_its_key_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as caught:
        audit(copy_example("secure-shop", tmp_path), tmp_path)
    assert str(caught.value).startswith(
        "importing 'wsgi' raised KeyError: 'SECRET_KEY' (at shop/__init__.py:"
    )


def run_cli(
    args: list[str], cwd: Path, tmp_path: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """The real command line, in its own process, from the example's directory."""
    return subprocess.run(
        [sys.executable, "-c", "from flaskwarden.cli import main; main()", *args],
        cwd=cwd,
        env=clean_environ(tmp_path, env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_command_line_on_the_examples(tmp_path: Path) -> None:
    insecure = run_cli(
        ["audit", "wsgi:app", "--format", "json"], copy_example("insecure-shop", tmp_path), tmp_path
    )
    assert insecure.returncode == 1, insecure.stderr
    payload = json.loads(insecure.stdout)
    assert {(f["path"], f["rule"]) for f in payload["findings"]} == {
        (path, rule) for path, rule, _ in INSECURE_SHOP
    }
    assert payload["stats"] == {"blueprints": 5, "extensions": 0, "routes": 23}

    secure_root = copy_example("secure-shop", tmp_path)
    secure = run_cli(["audit", "wsgi:app"], secure_root, tmp_path, SECRET_KEY=STRONG_KEY)
    assert secure.returncode == 0, secure.stderr
    assert secure.stdout.startswith("Audited wsgi:app: Flask app 'shop', 26 routes;")
    assert secure.stdout.rstrip().endswith("No findings.")

    missing_key = run_cli(["audit", "wsgi:app"], secure_root, tmp_path)
    assert missing_key.returncode == 2
    assert missing_key.stdout == ""
    assert missing_key.stderr.startswith("Error: importing 'wsgi' raised KeyError: 'SECRET_KEY'")
    assert len(missing_key.stderr.strip().splitlines()) == 1
