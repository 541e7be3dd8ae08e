"""The audit's child process: ``python -m flaskwarden.audit.child REQUEST RESULT``.

It imports the user's app (see :mod:`flaskwarden.audit.loader`), runs the audit checks
and writes a JSON result to the file named RESULT. Nothing it prints matters: the
user's code may print anything to stdout or stderr, so results never travel there.
``REQUEST`` is a JSON object: ``{"target", "root", "mode"}`` with mode ``"full"``
(every check) or ``"key"`` (only the secret-key sample, for the FW203 comparison).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from flaskwarden.audit.protocol import diagnostic_to_json, finding_to_json
from flaskwarden.audit.target import parse_target


def _run(request: dict[str, Any]) -> dict[str, Any]:
    root = Path(request["root"]).resolve()
    target = parse_target(request["target"])
    try:
        from flaskwarden.audit.loader import LoadError, load_app
        from flaskwarden.audit.tracing import Tracer
    except ImportError as exc:
        return {
            "error": f"cannot import Flask in {sys.executable} ({exc}); the audit imports "
            "the app with the Python that runs flaskwarden: install flaskwarden into the "
            "app's virtual environment"
        }
    from flaskwarden.audit.checks import key_sample, run_checks
    from flaskwarden.audit.context import AuditContext

    tracer = Tracer(root)
    tracer.install()
    try:
        app = load_app(target, tracer, root)
    except LoadError as exc:
        return {"error": str(exc)}
    config = app.config
    ctx = AuditContext(
        app=app,
        target=str(target),
        root=root,
        config_sites=dict(getattr(config, "flaskwarden_sites", {})),
        app_site=getattr(config, "flaskwarden_created", None),
        runs=list(tracer.runs),
        blueprints=list(tracer.blueprints),
        environ=dict(os.environ),
        is_user_file=tracer.is_user_file,
    )
    result: dict[str, Any] = {"secret_key": key_sample(ctx)}
    if request.get("mode") == "key":
        return result
    findings = run_checks(ctx)
    result.update(
        findings=[finding_to_json(f) for f in findings],
        diagnostics=[diagnostic_to_json(d) for d in ctx.diagnostics],
        app={
            "name": app.name,
            "routes": sum(1 for _ in app.url_map.iter_rules()),
            "blueprints": sorted(app.blueprints),
            "extensions": sorted(str(name) for name in app.extensions),
        },
    )
    return result


def main() -> None:
    request_path, result_path = sys.argv[1], sys.argv[2]
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    # The user's module may parse sys.argv at import; give it nothing of ours.
    sys.argv = [request["target"]]
    os.chdir(request["root"])
    try:
        result = _run(request)
    except Exception as exc:  # a flaskwarden bug: say so rather than die without a result
        result = {
            "error": f"internal error in the audit process: {type(exc).__name__}: {exc}. "
            "Please report it with the command you ran."
        }
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")
    # User code may have left non-daemon threads running (schedulers, pools): the
    # result is written, so leave without waiting for them.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
