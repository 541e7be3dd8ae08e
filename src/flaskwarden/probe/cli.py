"""The ``flaskwarden probe URL`` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flaskwarden.cli import EXIT_FINDINGS, FORMAT_OPTION, OUTPUT_OPTION, FatalError


@click.command()
@click.argument("url")
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="P",
    help="Also fetch this path of the app (e.g. /login) and check its response. Repeatable.",
)
@FORMAT_OPTION
@OUTPUT_OPTION
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=300),
    default=10.0,
    show_default=True,
    help="Seconds allowed for each request.",
)
@click.option(
    "--budget",
    type=click.FloatRange(min=0.5, max=3600),
    default=60.0,
    show_default=True,
    help="Seconds allowed for all requests together; what is left unchecked is listed.",
)
@click.option(
    "--wordlist",
    type=click.Path(dir_okay=False, path_type=Path),
    help="More candidate SECRET_KEYs, one per line, tried offline on the session cookie.",
)
def probe(
    url: str,
    paths: tuple[str, ...],
    fmt: str,
    output: Path | None,
    timeout: float,
    budget: float,
    wordlist: Path | None,
) -> None:
    """Check the running Flask app at URL over HTTP, with read-only requests.

    Looks for the Werkzeug debugger (critical with its PIN disabled), the development
    server, tracebacks in error pages, a session cookie signed with a well-known key or
    holding secrets, cookie flags, security headers, CORS with credentials and exposed
    .env/.git files. Each finding names the rule that `flaskwarden scan` uses to catch
    the same problem before deploy.

    \b
    Safety: only GET and HEAD; never a debugger command other than fetching its
    JavaScript, never a PIN attempt; no Host header tricks; redirects followed only
    within the URL's origin; every request time-limited, all of them within --budget;
    bodies read up to 1 MiB. Probe only apps you are allowed to test.

    Exit status: 0 no findings, 1 findings, 2 bad usage or the app could not be reached.
    """
    from flaskwarden.probe.runner import ProbeFailed, ProbeOptions, TargetError, run_probe
    from flaskwarden.probe.wordlist import Wordlist, WordlistError
    from flaskwarden.report import render

    try:
        keys = Wordlist(wordlist) if wordlist is not None else None
    except WordlistError as exc:
        raise FatalError(str(exc)) from exc
    options = ProbeOptions(
        paths=paths, timeout=timeout, budget=budget, extra_keys=keys if keys is not None else ()
    )
    try:
        report = run_probe(url, options)
    except TargetError as exc:
        raise click.UsageError(str(exc)) from exc
    except ProbeFailed as exc:
        raise FatalError(str(exc)) from exc
    color = output is None and fmt == "text" and sys.stdout.isatty()
    text = render(report, fmt, color=color, tool_mode="probe")
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise FatalError(f"cannot write {output}: {exc.strerror}") from exc
        count = len(report.findings)
        noun = "finding" if count == 1 else "findings"
        click.echo(f"Wrote {fmt} report with {count} {noun} to {output}", err=True)
    if report.findings:
        sys.exit(EXIT_FINDINGS)
