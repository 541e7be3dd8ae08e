"""The ``flaskwarden`` command line.

Exit status: 0 clean, 1 findings at or above the severity threshold, 2 usage or
internal error. Command docstrings are their ``--help``.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Final

import click

from flaskwarden import __version__

# Commands living in their own modules, imported only when used, so that
# `flaskwarden --version` and `flaskwarden scan` start fast.
_LAZY_COMMANDS: Final[dict[str, str]] = {
    "probe": "flaskwarden.probe.cli:probe",
    "audit": "flaskwarden.audit.cli:audit",
    "deploy": "flaskwarden.deploy.cli:deploy",
}
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class FatalError(click.ClickException):
    """An error that stops the command: one line on stderr, exit status 2."""

    exit_code = EXIT_ERROR


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS:
            module_name, _, attr = _LAZY_COMMANDS[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module_name), attr)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="flaskwarden")
def cli() -> None:
    """flaskwarden: find, prove and prevent the ways Flask apps go wrong in production.

    \b
    scan     read source, templates and deployment files (never runs them)
    deploy   show each deployment target and whether DEBUG is effectively on
    probe    check a running app over HTTP (read-only requests)
    audit    import the app and check the real app object (runs its code)
    rules    list the checks; explain RULE shows one in full
    """


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"cannot write {output}: {exc.strerror}") from exc


def _missing_reason(path: Path) -> str:
    if not path.is_symlink():
        return "does not exist"
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop"
    return "is a broken symbolic link"


def split_codes(values: tuple[str, ...]) -> list[str]:
    return [code for value in values for code in value.replace(" ", ",").split(",") if code]


def parse_severity(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from flaskwarden.findings import Severity

    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Output format.",
)
OUTPUT_OPTION = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)


SCAN_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "html", "github"]),
    default="text",
    show_default=True,
    help="Output format: html is one self-contained page, github prints workflow annotations.",
)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@SCAN_FORMAT_OPTION
@OUTPUT_OPTION
@click.option("--select", multiple=True, help="Only these rules (ids or prefixes: FW1, FW201).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids or prefixes).")
@click.option("--exclude", multiple=True, help="Skip paths matching this gitignore-style pattern.")
@click.option(
    "--severity",
    callback=parse_severity,
    help="Report only findings at or above: info, low, medium, high, critical.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read [tool.flaskwarden] from this pyproject.toml instead of the nearest one.",
)
@click.option("--no-config", is_flag=True, help="Ignore any pyproject.toml configuration.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what remains.")
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a unified diff instead of writing them (exit 1 if any).",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff, also apply fixes that need your attention (FW201).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hide the findings recorded in this baseline file; report only new ones.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record every current finding in FILE (for --baseline) and exit 0.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Worker processes for per-file analysis (default: one per CPU).",
)
@click.option("--no-cache", is_flag=True, help="Analyse every file afresh; do not use the cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to keep the analysis cache (default: .flaskwarden_cache in the scanned dir).",
)
def scan(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    severity: Any,
    exit_zero: bool,
    config: Path | None,
    no_config: bool,
    fix: bool,
    diff: bool,
    unsafe_fixes: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Scan PATHS (default: the current directory) without running any of the code.

    Reads Python source, Jinja templates and deployment files. Inside a git
    repository, files ignored by git are skipped. Configure defaults in
    [tool.flaskwarden] of pyproject.toml; suppress one finding with
    `# flaskwarden: ignore[FW101]` on its statement.

    \b
    Fixes (libcst, formatting kept): --fix writes the safe ones (FW101 debug from
    FLASK_DEBUG, FW102 main guard), --unsafe-fixes adds FW103 (loopback host) and FW201
    (secret key from the environment), --diff only shows them.
    Adopting on an old codebase: --write-baseline FILE once, then --baseline FILE.
    """
    from flaskwarden.report import render
    from flaskwarden.scan import ScanOptions

    if baseline is not None and write_baseline is not None:
        raise click.UsageError("use --baseline or --write-baseline, not both")
    if write_baseline is not None and (fix or diff):
        raise click.UsageError("--write-baseline records findings; it does not take --fix/--diff")
    if unsafe_fixes and not (fix or diff):
        raise click.UsageError("--unsafe-fixes applies only with --fix or --diff")
    for path in paths:
        if not path.exists():
            reason = _missing_reason(path)
            raise click.UsageError(f"{path} {reason}")
    if select and not split_codes(select):
        raise click.UsageError("--select names no rule (use e.g. --select FW1)")
    accepted = _load_baseline(baseline)
    options = ScanOptions(
        select=split_codes(select) if select else None,
        ignore=split_codes(ignore),
        exclude=list(exclude),
        severity=severity,
        config=config,
        no_config=no_config,
        jobs=jobs,
        cache=not no_cache,
        cache_dir=cache_dir,
    )
    report = _scan(list(paths), options, accepted)
    if write_baseline is not None:
        from flaskwarden.baseline import render_baseline

        write_output(render_baseline(report), write_baseline)
        click.echo(
            f"Wrote baseline with {_plural(len(report.findings), 'finding')} to {write_baseline}",
            err=True,
        )
        return
    if diff:
        sys.exit(_show_fixes(report, unsafe_fixes, output))
    if fix:
        _apply_fixes(report, unsafe_fixes)
        report = _scan(list(paths), options, accepted)
    if fmt in ("json", "sarif", "html") and _may_fix(report):
        from flaskwarden.fix import attach_fixes

        attach_fixes(report)
    color = output is None and fmt == "text" and sys.stdout.isatty()
    write_output(render(report, fmt, color=color), output)
    if output is not None and fmt != "text":
        found = _plural(len(report.findings), "finding")
        click.echo(f"Wrote {fmt} report with {found} to {output}", err=True)
    if fmt == "text" and not fix and report.findings:
        _fixable_hint(report)
    if report.findings and not exit_zero:
        sys.exit(EXIT_FINDINGS)


def _load_baseline(path: Path | None) -> Any:
    if path is None:
        return None
    from flaskwarden.baseline import BaselineError, load_baseline

    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise click.UsageError(str(exc)) from exc


def _scan(paths: list[Path], options: Any, accepted: Any) -> Any:
    """Run the scan pipeline, then hide what the baseline (if any) accepts."""
    from flaskwarden.scan import UsageError
    from flaskwarden.scan import scan as run_scan

    try:
        report = run_scan(paths, options)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    if accepted is not None:
        from flaskwarden.baseline import apply_baseline

        apply_baseline(report, accepted)
    return report


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _unsafe_hint(plan: Any) -> None:
    if plan.unsafe_available:
        count = plan.unsafe_available
        click.echo(
            f"{count} more {'fix' if count == 1 else 'fixes'} available with --unsafe-fixes "
            "(see docs/workflow.md: they need your attention).",
            err=True,
        )


# Rules with a fixer (flaskwarden.fix.rules.FIXERS): without one of these findings the
# fix engine (and libcst, a noticeable import) is not loaded at all.
_FIXABLE_RULES: Final = frozenset({"FW101", "FW102", "FW103", "FW201"})


def _may_fix(report: Any) -> bool:
    return any(f.rule in _FIXABLE_RULES for f in report.findings)


def _fixable_hint(report: Any) -> None:
    """After a text report: how many findings ``--fix`` would fix (as ruff says it)."""
    if not _may_fix(report):
        return
    from flaskwarden.fix import plan_fixes

    plan = plan_fixes(report, unsafe=False)
    if plan.fixed:
        more = (
            f" ({plan.unsafe_available} more with --unsafe-fixes)" if plan.unsafe_available else ""
        )
        click.echo(f"{plan.fixed} fixable with `flaskwarden scan --fix`{more}.", err=True)
    elif plan.unsafe_available:
        click.echo(
            f"{plan.unsafe_available} fixable with `flaskwarden scan --fix --unsafe-fixes`.",
            err=True,
        )


def _show_fixes(report: Any, unsafe: bool, output: Path | None) -> int:
    """--diff: print what --fix would change; exit 1 when it would change anything."""
    from flaskwarden.fix import plan_fixes

    plan = plan_fixes(report, unsafe=unsafe)
    write_output(plan.diff(), output)
    for problem in plan.problems:
        click.echo(problem, err=True)
    click.echo(
        f"Would fix {_plural(plan.fixed, 'finding')} in {_plural(len(plan.files), 'file')}.",
        err=True,
    )
    _unsafe_hint(plan)
    return EXIT_FINDINGS if plan.files else EXIT_CLEAN


def _apply_fixes(report: Any, unsafe: bool) -> None:
    from flaskwarden.fix import plan_fixes, write_fixes

    plan = plan_fixes(report, unsafe=unsafe)
    written, problems = write_fixes(plan)
    for problem in plan.problems + problems:
        click.echo(problem, err=True)
    fixed = sum(len(f.change.applied) for f in written)
    click.echo(f"Fixed {_plural(fixed, 'finding')} in {_plural(len(written), 'file')}.", err=True)
    _unsafe_hint(plan)


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def rules(fmt: str) -> None:
    """List every check: id, name, severity, CWE and which modes check it."""
    from flaskwarden import catalog

    all_rules = catalog.all_rules()
    if fmt == "json":
        payload = [
            {
                "id": rule.id,
                "name": rule.spec.name,
                "title": rule.spec.title,
                "severity": rule.spec.severity.label,
                "confidence": rule.spec.confidence.label,
                "cwe": list(rule.spec.cwe),
                "modes": sorted(rule.modes, key=catalog.MODES.index),
                "docs": rule.docs.markdown() if rule.docs else None,
            }
            for rule in all_rules
        ]
        click.echo(json.dumps(payload, indent=2))
        return
    for rule in all_rules:
        cwe = ", ".join(f"CWE-{c}" for c in rule.spec.cwe) or "-"
        modes = ",".join(sorted(rule.modes, key=catalog.MODES.index))
        click.echo(
            f"{rule.id}  {rule.spec.name:<28} {rule.spec.severity.label:<8} {cwe:<28} {modes}"
        )


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the full documentation of RULE (for example FW101)."""
    from flaskwarden import catalog

    try:
        found = catalog.get(rule)
    except KeyError:
        raise click.UsageError(f"unknown rule {rule!r}; `flaskwarden rules` lists them") from None
    spec = found.spec
    cwe = ", ".join(f"CWE-{c}" for c in spec.cwe) or "none"
    click.echo(f"{spec.id} {spec.name}: {spec.title}")
    click.echo(
        f"severity: {spec.severity.label}   CWE: {cwe}   checked by: "
        f"{', '.join(sorted(found.modes, key=catalog.MODES.index)) or 'not yet implemented'}"
    )
    click.echo()
    if found.docs is not None:
        click.echo(found.docs.markdown())


def main() -> None:
    """Console-script entry point: internal errors exit 2 with one clear line."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug in flaskwarden, not the user's input
        click.echo(
            f"flaskwarden: internal error: {type(exc).__name__}: {exc}. "
            "Please report it with the command you ran.",
            err=True,
        )
        sys.exit(EXIT_ERROR)
