"""The ``flaskwarden deploy`` command: the deployment model, and why DEBUG is what it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from flaskwarden.deploy.analysis import DeployModel, build_model
from flaskwarden.deploy.model import DebugState, Target
from flaskwarden.discover import FileKind, SourceFile, compile_excludes, discover
from flaskwarden.findings import Diagnostic
from flaskwarden.model import Project, package_of
from flaskwarden.python.facts import ModuleFacts
from flaskwarden.python.source import analyze_python, wanted
from flaskwarden.scan import MAX_FILE_SIZE, ScanOptions, UsageError, read_file, resolve_settings
from flaskwarden.scan import scan_root as _scan_root

_SHOWN_ENV = ("FLASK_", "GUNICORN_CMD_ARGS", "WERKZEUG_")


def load_model(path: Path, no_config: bool = False) -> tuple[DeployModel, list[Diagnostic], Path]:
    """Discover and parse ``path`` as ``scan`` does, then build its deployment model."""
    paths = [path]
    root = _scan_root(paths)
    settings, diagnostics = resolve_settings(paths, ScanOptions(no_config=no_config))
    excludes = compile_excludes(settings.exclude) if settings.exclude else None
    base = settings.config_path.parent if settings.config_path else root
    files, found = discover(paths, root, excludes, base)
    diagnostics += found
    modules: list[ModuleFacts] = []
    lazy: dict[str, _Lazy] = {}
    for source in files:
        if source.kind is not FileKind.PYTHON:
            continue
        data = read_file(source, MAX_FILE_SIZE)
        if isinstance(data, Diagnostic):
            continue
        if not wanted(data):
            lazy[source.rel] = _Lazy(source.rel, data)
            continue
        result = analyze_python(source.rel, data)
        if isinstance(result, ModuleFacts):
            modules.append(result)
    texts: dict[str, bytes | None] = {}

    def read(source: SourceFile) -> bytes | None:
        if source.rel not in texts:
            data = read_file(source, MAX_FILE_SIZE)
            if isinstance(data, Diagnostic):
                diagnostics.append(data)
                texts[source.rel] = None
            else:
                texts[source.rel] = data
        return texts[source.rel]

    project = Project(modules, lazy, package_of(root))
    model = build_model(root, project, files, read, diagnostics)
    return model, diagnostics, root


class _Lazy:
    def __init__(self, rel: str, data: bytes) -> None:
        self.rel, self.data = rel, data

    def __call__(self) -> ModuleFacts | None:
        result = analyze_python(self.rel, self.data)
        return result if isinstance(result, ModuleFacts) else None


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--no-config", is_flag=True, help="Ignore any pyproject.toml configuration.")
def deploy(path: Path, fmt: str, no_config: bool) -> None:
    """Show how PATH (default: the current directory) is deployed, without running it.

    For each deployment target (Dockerfile stage, compose service, Kubernetes
    container, Procfile process, systemd unit): the command and where it is written,
    the server it starts, the app module it loads, its Flask environment variables and
    its effective DEBUG with the reason chain. `scan` reports FW103/FW104/FW105/FW606
    from the same model.
    """
    if not path.exists():
        raise click.UsageError(f"{path} does not exist")
    try:
        model, diagnostics, root = load_model(path, no_config)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(as_json(model, diagnostics, root), indent=2))
    else:
        click.echo(as_text(model, diagnostics, root), nl=False)


def _debug_label(target: Target) -> str:
    debug = target.debug
    if debug is None or target.server is None:
        return "unknown (no server found)"
    if debug.state is DebugState.ON:
        parts = ["ON"]
        parts.append("interactive debugger served" if debug.debugger else "no debugger")
        if debug.all_interfaces:
            parts.append("every network interface")
        if not debug.certain:
            parts.append("probably")
        return ", ".join(parts)
    return "off" if debug.state is DebugState.OFF else "unknown"


def as_text(model: DeployModel, diagnostics: list[Diagnostic], root: Path) -> str:
    """The deployment model as text a person reads top to bottom."""
    lines: list[str] = []
    production = len(model.production)
    lines.append(
        f"{len(model.targets)} deployment target(s) in {root}: {production} production, "
        f"{len(model.targets) - production} development"
    )
    _, why = model.inputs.dependencies.flask_honours_flask_env()
    _, dotenv_why = model.inputs.dependencies.has_dotenv()
    lines.append(f"Flask: {why}")
    lines.append(f"python-dotenv: {dotenv_why}")
    for target in model.targets:
        lines.append("")
        lines.append(f"{target.name}  ({target.origin.short()})")
        if target.development:
            lines.append(f"  development  {target.development}: not reported")
        command = target.command
        if command is not None:
            lines.append(f"  command   {command.full or command.text}")
            lines.append(f"            {command.origin.what}, {command.origin.short()}")
        else:
            lines.append("  command   (none found)")
        server = target.server
        if server is not None:
            lines.append(f"  server    {server.kind.value}")
        if target.app_module:
            lines.append(f"  app       {target.app_module}")
        lines.append(f"  DEBUG     {_debug_label(target)}")
        debug = target.debug
        if debug is not None:
            for number, step in enumerate(debug.chain, start=1):
                prefix = "  why       " if number == 1 else "            "
                lines.append(f"{prefix}{number}. {step}")
        shown = [v for v in target.env if v.name.startswith(_SHOWN_ENV)]
        for index, var in enumerate(shown):
            prefix = "  env       " if index == 0 else "            "
            lines.append(f"{prefix}{var.describe()}")
            for hidden in var.overrides:
                lines.append(f"              overrides {hidden.describe()}")
        for note in target.notes:
            lines.append(f"  note      {note}")
    if diagnostics:
        lines.append("")
        lines.append("Diagnostics:")
        for diag in diagnostics:
            where = f"{diag.path}:{diag.line}" if diag.line else diag.path
            lines.append(f"  {where}: {diag.kind}: {diag.message}")
    return "\n".join(lines) + "\n"


def as_json(model: DeployModel, diagnostics: list[Diagnostic], root: Path) -> dict[str, Any]:
    """The deployment model as a stable JSON document."""
    flask_env, why = model.inputs.dependencies.flask_honours_flask_env()
    dotenv, dotenv_why = model.inputs.dependencies.has_dotenv()
    targets = []
    for target in model.targets:
        command = target.command
        debug = target.debug
        targets.append(
            {
                "kind": target.kind,
                "name": target.name,
                "path": target.origin.path,
                "line": target.origin.line,
                "development": target.development,
                "command": None
                if command is None
                else {
                    "argv": list(command.argv),
                    "text": command.full or command.text,
                    "path": command.origin.path,
                    "line": command.origin.line,
                    "what": command.origin.what,
                },
                "server": None if target.server is None else target.server.kind.value,
                "app_module": target.app_module,
                "debug": None
                if debug is None
                else {
                    "state": debug.state.value,
                    "debugger": debug.debugger,
                    "all_interfaces": debug.all_interfaces,
                    "certain": debug.certain,
                    "chain": list(debug.chain),
                    "switches": [
                        {"path": s.origin.path, "line": s.origin.line, "setting": s.description}
                        for s in debug.switches
                    ],
                    "code": [
                        {"path": c.path, "line": c.line, "what": c.message} for c in debug.code
                    ],
                },
                "env": {
                    var.name: {
                        "value": var.value,
                        "path": var.origin.path,
                        "line": var.origin.line,
                        "what": var.origin.what,
                    }
                    for var in target.env
                    if var.name.startswith(_SHOWN_ENV)
                },
                "notes": list(target.notes),
            }
        )
    return {
        "root": str(root),
        "flask_reads_flask_env": flask_env,
        "flask_version": why,
        "python_dotenv": dotenv,
        "python_dotenv_reason": dotenv_why,
        "targets": targets,
        "diagnostics": [
            {"path": d.path, "line": d.line, "kind": d.kind, "message": d.message}
            for d in diagnostics
        ],
    }
