"""The ``flaskwarden audit`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from flaskwarden.cli import (
    EXIT_FINDINGS,
    FORMAT_OPTION,
    OUTPUT_OPTION,
    FatalError,
    parse_severity,
    split_codes,
    write_output,
)


def _parse_env(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> Any:
    overrides: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE")
        overrides[key.strip()] = value
    return overrides


def _summary(target: str, app: dict[str, Any]) -> str:
    blueprints = ", ".join(app.get("blueprints", [])) or "none"
    extensions = ", ".join(app.get("extensions", [])) or "none"
    return (
        f"Audited {target}: Flask app {app.get('name', '?')!r}, {app.get('routes', 0)} routes; "
        f"blueprints: {blueprints}; extensions: {extensions}.\n\n"
    )


@click.command()
@click.argument("target")
@click.option(
    "--env",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_parse_env,
    help="Set an environment variable for the import (repeatable). KEY= sets it empty.",
)
@click.option(
    "--chdir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Import from this directory, as gunicorn --chdir does.",
)
@FORMAT_OPTION
@OUTPUT_OPTION
@click.option("--select", multiple=True, help="Only these rules (ids or prefixes: FW1, FW201).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids or prefixes).")
@click.option(
    "--severity",
    callback=parse_severity,
    help="Report only findings at or above: info, low, medium, high, critical.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    help="Seconds the import may take before the audit gives up.",
)
def audit(
    target: str,
    overrides: dict[str, str],
    root: Path,
    fmt: str,
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    severity: Any,
    exit_zero: bool,
    timeout: float,
) -> None:
    """Import the Flask app TARGET and check the live app object.

    THIS RUNS THE APP'S CODE: the module is imported and a factory is called,
    exactly as `gunicorn TARGET` would, in a separate Python process (the same
    interpreter as flaskwarden, so the app's dependencies must be installed
    there). Only audit code you would run. No server is started: app.run() is
    recorded, not run; one request to a non-existent URL goes through the test
    client to read the response headers.

    \b
    TARGET is what you give gunicorn:
      wsgi:app                   an attribute of a module
      "shop:create_app()"        a factory, called with literal arguments
      shop                       app, application, create_app() or make_app()

    The import sees the current environment plus --env overrides; .env and
    .flaskenv files are not loaded (gunicorn does not load them either).
    Reports effective DEBUG and TESTING, secret-key strength, SESSION_COOKIE_*,
    Jinja autoescape, diagnostic-looking and CSRF-unprotected routes,
    unregistered blueprints and missing security headers, with the same rule
    ids as `flaskwarden scan`.
    """
    from flaskwarden import catalog
    from flaskwarden.audit.process import AuditError, run_audit
    from flaskwarden.audit.target import TargetError
    from flaskwarden.report import render

    try:
        result = run_audit(target, root=root, overrides=overrides, timeout=timeout)
    except TargetError as exc:
        raise click.BadParameter(str(exc), param_hint="TARGET") from exc
    except AuditError as exc:
        raise FatalError(str(exc)) from exc
    report = result.report
    selected, unknown = catalog.expand(split_codes(select)) if select else (None, [])
    ignored, unknown_ignored = catalog.expand(split_codes(ignore))
    if unknown or unknown_ignored:
        raise click.UsageError(f"unknown rule selector: {', '.join(unknown + unknown_ignored)}")
    report.findings = [
        f
        for f in report.findings
        if (selected is None or f.rule in selected)
        and f.rule not in ignored
        and (severity is None or f.severity >= severity)
    ]
    color = output is None and fmt == "text" and sys.stdout.isatty()
    text = render(report, fmt, color=color, tool_mode="audit")
    if fmt == "text":
        text = _summary(target, result.app) + text
    write_output(text, output)
    if output is not None and fmt != "text":
        count = len(report.findings)
        noun = "finding" if count == 1 else "findings"
        click.echo(f"Wrote {fmt} report with {count} {noun} to {output}", err=True)
    if report.findings and not exit_zero:
        sys.exit(EXIT_FINDINGS)
