"""Run the audit in a child process and turn its result into a report (the parent side).

Why a child process rather than importing the app into flaskwarden's own process:

- The audit runs the user's code. In a child it cannot change the CLI's process:
  ``sys.modules`` (two projects that both have a ``shop`` package, audited one after the
  other by the tests or an editor), ``sys.path``, ``os.environ`` (``--env`` overrides
  reach the child only), signal handlers, atexit hooks, threads, and the tracer's
  patching of Flask itself.
- A hang (a database connection at import, a server started at import) is bounded by
  ``timeout`` and the whole process group is killed; ``sys.exit`` or a crash in the
  user's code ends the child, not the CLI.
- A key generated per process (FW203) shows only when two processes are compared.

Inside the child the import is the one gunicorn makes (:mod:`flaskwarden.audit.loader`).
The cost is one interpreter start-up plus the app's import, about half a second.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flaskwarden.audit.checks import per_process_key
from flaskwarden.audit.protocol import diagnostic_from_json, finding_from_json
from flaskwarden.audit.target import parse_target
from flaskwarden.findings import Diagnostic, Report


class AuditError(Exception):
    """The app could not be audited; ``str()`` is one line saying why and what to do."""


@dataclass
class AuditResult:
    """The report, and a summary of the app that was audited."""

    report: Report
    app: dict[str, Any] = field(default_factory=dict)


def run_audit(
    target: str,
    *,
    root: Path | str = ".",
    overrides: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> AuditResult:
    """Import ``target`` (``MODULE:APP``) from ``root`` in a child process and audit it.

    The child sees ``environ`` (default: this process's environment) updated with
    ``overrides``. Raises :class:`AuditError` when the app cannot be loaded; a
    malformed ``target`` raises :class:`~flaskwarden.audit.target.TargetError`.
    """
    parsed = parse_target(target)
    folder = Path(root).resolve()
    if not folder.is_dir():
        raise AuditError(f"{root} is not a directory")
    env = dict(os.environ if environ is None else environ)
    env.update(overrides or {})
    first = _child(str(parsed), folder, env, timeout, "full")
    report = Report(
        findings=[finding_from_json(f) for f in first.get("findings", [])],
        diagnostics=[diagnostic_from_json(d) for d in first.get("diagnostics", [])],
        root=str(folder),
    )
    sample = first.get("secret_key")
    if sample and not sample.get("from_env"):
        _compare_keys(str(parsed), folder, env, timeout, sample, report)
    app: dict[str, Any] = first.get("app", {})
    report.stats = {
        "routes": int(app.get("routes", 0)),
        "blueprints": len(app.get("blueprints", [])),
        "extensions": len(app.get("extensions", [])),
    }
    report.sort()
    return AuditResult(report, app)


def _compare_keys(
    target: str,
    root: Path,
    env: dict[str, str],
    timeout: float,
    sample: Mapping[str, Any],
    report: Report,
) -> None:
    """FW203: import the app once more in a fresh process and compare key fingerprints."""
    try:
        second = _child(target, root, env, timeout, "key")
    except AuditError as exc:
        report.diagnostics.append(
            Diagnostic(target, "audit-reimport", f"cannot compare SECRET_KEYs (FW203): {exc}")
        )
        return
    other = second.get("secret_key")
    if other:
        finding = per_process_key(sample, other, root, target)
        if finding is not None:
            report.findings.append(finding)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _child(target: str, root: Path, env: dict[str, str], timeout: float, mode: str) -> Any:
    with tempfile.TemporaryDirectory(prefix="flaskwarden-audit-") as tmp:
        request, result = Path(tmp, "request.json"), Path(tmp, "result.json")
        request.write_text(
            json.dumps({"target": target, "root": str(root), "mode": mode}), encoding="utf-8"
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "flaskwarden.audit.child", str(request), str(result)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise AuditError(
                f"importing {target} did not finish within {timeout:g} s (a blocking call at "
                "import: a database or network connection, a server started at import?); "
                "fix the import or raise --timeout"
            ) from None
        finally:
            _kill_group(process)  # whatever the user's code started in the background
        if not result.exists():
            lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line]
            last = f": {lines[-1].strip()}" if lines else ""
            raise AuditError(
                f"the audit process importing {target} exited with status "
                f"{process.returncode} before reporting{last}"
            )
        data = json.loads(result.read_text(encoding="utf-8"))
    if "error" in data:
        raise AuditError(str(data["error"]))
    return data
