"""FW1/FW2/FW6 rules over deployment files: what starts the app, and with what.

Each rule reads the deployment model (:mod:`flaskwarden.deploy.analysis`), built once
per scan: targets (Dockerfile stages, compose services, Kubernetes containers, Procfile
processes, systemd units), the server each starts, the app module it loads and its
effective DEBUG with the reason chain. Development targets (a file, stage, service or
namespace named for development, testing, CI or local use) are never reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flaskwarden import catalog
from flaskwarden.deploy.analysis import model_for
from flaskwarden.deploy.build import development_reason
from flaskwarden.deploy.envfile import redacted
from flaskwarden.deploy.envsecrets import git_states, is_test_file, secret_entries
from flaskwarden.deploy.model import CodeRef, DebugState, Origin, ServerKind, Switch, Target
from flaskwarden.deploy.resolve import config_reload_switches
from flaskwarden.discover import FileKind
from flaskwarden.findings import Confidence, Finding, Location, Severity
from flaskwarden.rules import ScanContext, project_rule


@dataclass
class _Group:
    """Targets that share one offending line (a Dockerfile ENV used by two services)."""

    origin: Origin
    targets: list[Target] = field(default_factory=list)
    switches: list[Switch] = field(default_factory=list)


def _grouped(pairs: Iterable[tuple[Origin, Target, Switch | None]]) -> list[_Group]:
    groups: dict[tuple[str, int], _Group] = {}
    for origin, target, switch in pairs:
        group = groups.setdefault((origin.path, origin.line), _Group(origin))
        if target not in group.targets:
            group.targets.append(target)
        if switch is not None:
            group.switches.append(switch)
    return [groups[k] for k in sorted(groups)]


def _names(targets: list[Target]) -> str:
    first = targets[0].name
    more = len(targets) - 1
    return first if not more else f"{first} (and {more} more target{'s' if more > 1 else ''})"


def _finding(
    rule: str,
    origin: Origin,
    message: str,
    severity: Severity | None = None,
    confidence: Confidence = Confidence.HIGH,
    related: Iterable[Location] = (),
) -> Finding:
    spec = catalog.spec(rule)
    return Finding(
        rule=rule,
        message=message,
        path=origin.path,
        line=origin.line,
        severity=spec.severity if severity is None else severity,
        confidence=confidence,
        snippet=origin.snippet,
        related=tuple(dict.fromkeys(related)),
    )


def _code_locations(refs: Iterable[CodeRef]) -> list[Location]:
    """One location per line (the first message for it wins)."""
    seen: dict[tuple[str, int], Location] = {}
    for ref in refs:
        seen.setdefault((ref.path, ref.line), Location(ref.path, ref.line, message=ref.message))
    return list(seen.values())


def _app_hint(target: Target) -> str:
    """The app import string to suggest for gunicorn."""
    server = target.server
    if server is not None and server.app and ":" in server.app:
        return f"'{server.app}'" if "(" in server.app else server.app
    module = target.app_module
    if module is None:
        return "module:app"
    dotted = module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    prefix = target.context_dir.replace("/", ".") + "." if target.context_dir else ""
    return f"{dotted.removeprefix(prefix)}:app"


@project_rule("FW104")
def dev_server_entrypoint(ctx: ScanContext) -> Iterator[Finding]:
    """Development server as the production entrypoint.

    ## What it does
    Finds deployment files whose command starts Flask's development server: a
    Dockerfile `CMD`/`ENTRYPOINT`, a compose `command`/`entrypoint`, a Kubernetes
    container `command`/`args`, a Procfile process or a systemd `ExecStart` running
    `flask run` (also `python -m flask run`, behind `sh -c`, `exec`, `tini --`, an
    entrypoint script), or `python app.py` / `python -m pkg` whose module calls
    `app.run()` when run as a script, or `python manage.py runserver` where that
    Flask-Script command is a `Server` or a command function calling `app.run()`.
    Targets named for development (`Dockerfile.dev`, `docker-compose.override.yml`, a
    `dev` stage, service or namespace) are not reported.
    gunicorn, uWSGI, waitress, hypercorn and uvicorn are production servers: not reported.

    ## Why is this bad?
    Werkzeug's development server is not built for production: it is not hardened,
    handles requests in one process, and with debug on serves the interactive debugger
    (remote code execution). A container or PaaS process started with `flask run` puts
    it straight on the network.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    RUN pip install flask
    CMD ["flask", "--app", "shop", "run", "--host", "0.0.0.0"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    RUN pip install flask gunicorn
    CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop:app"]
    ```

    ## Fix safety
    No automatic fix: choose a WSGI server (gunicorn, uWSGI, waitress) and its worker
    settings. Binding 0.0.0.0 with gunicorn inside a container is fine.

    ## References
    - CWE-489: Active Debug Code
    - https://flask.palletsprojects.com/en/stable/deploying/
    - https://flask.palletsprojects.com/en/stable/cli/#run-the-development-server
    """
    model = model_for(ctx)
    pairs = []
    for target in model.production:
        extras = model.extras(target)
        if extras.dev_server is not None and target.command is not None:
            pairs.append((target.command.origin, target, None))
    for group in _grouped(pairs):
        target = group.targets[0]
        extras = model.extras(target)
        debug = target.debug
        state = ""
        if debug is not None and debug.state is DebugState.ON and debug.debugger:
            rule = " (FW105)" if debug.switches else ""
            state = f" Debug is on here, so it also serves the interactive debugger{rule}."
        server = target.server
        how = "`flask run`" if server and server.kind is ServerKind.FLASK_RUN else extras.dev_how
        dev = extras.dev_server
        refs = [dev] if dev is not None and dev.path != group.origin.path else []
        if debug is not None:
            refs += debug.code
        related = _code_locations(refs)
        yield _finding(
            "FW104",
            group.origin,
            f"{_names(group.targets)} starts Flask's development server ({how}) as its "
            "entrypoint: Werkzeug's server is not hardened for production and serves the "
            f"debugger when debug is on.{state} Run a WSGI server instead, e.g. "
            f"`gunicorn --bind 0.0.0.0:8000 {_app_hint(target)}`.",
            related=related,
        )


@project_rule("FW105")
def debug_in_deploy_config(ctx: ScanContext) -> Iterator[Finding]:
    """Debug switched on by deployment configuration.

    ## What it does
    Resolves the effective debug mode of every deployment target with Flask's own rules
    and reports the deployment setting that turns it on: `FLASK_DEBUG=1` (any value but
    empty, `0`, `false`, `no`) in a Dockerfile `ENV`, compose `environment`/`env_file`,
    Kubernetes `env`/ConfigMap, systemd `Environment=`, gunicorn `raw_env`, uWSGI `env`,
    a Procfile assignment, `flask --debug`, `--debugger`; a `.flaskenv`/`.env` that
    `flask run` (or `app.run()`, with python-dotenv installed) loads; `FLASK_ENV=development`
    when the project pins Flask < 2.3 or its code reads `FLASK_ENV` itself
    (`debug=os.getenv("FLASK_ENV") == "development"`). `app.run(debug=False)` overrides
    `FLASK_DEBUG`; `flask run` ignores `app.run()`; Flask >= 2.3 ignores `FLASK_ENV`: those
    are not reported. The message carries the reason chain; related locations point at
    the code that makes the setting take effect. Severity follows what the setting does:
    critical when the development server serves the debugger on all interfaces, high
    when it serves it on loopback, medium under gunicorn or uWSGI (no debugger).

    ## Why is this bad?
    With the development server, debug mode serves the Werkzeug debugger: any request
    that raises gets a Python console (remote code execution). Under gunicorn or uWSGI it
    still turns on `app.debug` (exceptions propagate, debug-only extensions such as the
    debug toolbar activate). The setting lives in a file nobody reviews as code.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    ENV FLASK_DEBUG=1
    CMD ["flask", "--app", "shop", "run", "--host", "0.0.0.0"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    ENV FLASK_DEBUG=0
    CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop:app"]
    ```

    ## Fix safety
    No automatic fix: remove the setting from the deployment file and enable debug only
    on a developer's machine (`flask run --debug`, an uncommitted `.env`).

    ## References
    - CWE-489: Active Debug Code
    - https://flask.palletsprojects.com/en/stable/config/#DEBUG
    - https://flask.palletsprojects.com/en/stable/cli/#environment-variables-from-dotenv
    """
    model = model_for(ctx)
    pairs = []
    for target in model.production:
        debug = target.debug
        if debug is None or debug.state is not DebugState.ON:
            continue
        for switch in (*debug.switches, *debug.latent):
            pairs.append((switch.origin, target, switch))
    for group in _grouped(pairs):
        target = group.targets[0]
        debug = target.debug
        assert debug is not None
        switch = group.switches[0]
        latent = switch in debug.latent
        if debug.debugger:
            severity = Severity.CRITICAL if debug.all_interfaces else Severity.HIGH
            effect = (
                "the development server serves the interactive Werkzeug debugger: any error "
                "page becomes a Python console (remote code execution)"
            )
        else:
            severity = Severity.MEDIUM
            effect = (
                "app.debug is on in the production server (no interactive debugger, but "
                "exceptions propagate and debug-only behaviour turns on)"
            )
        related = _code_locations(debug.code)
        related += [Location(o.path, o.line, message=f"via {o.what}") for o in switch.related]
        command = target.command
        if command is not None and command.origin.path != group.origin.path:
            related.append(Location(command.origin.path, command.origin.line,
                                    message=f"{target.name} is started here"))  # fmt: skip
        chain = " → ".join(debug.chain)
        what = (
            f"{switch.description} asks for debug mode in {_names(group.targets)}; today "
            f"{debug.masked_by} turns it on regardless (FW101), and once that is fixed to "
            "read FLASK_DEBUG this setting keeps it on"
            if latent
            else f"{switch.description} turns debug mode on for {_names(group.targets)}"
        )
        yield _finding(
            "FW105",
            group.origin,
            f"{what}: {effect}. Why: {chain}. Remove it from the deployment configuration; "
            "enable debug only locally (flask run --debug).",
            severity=severity,
            confidence=Confidence.HIGH if debug.certain and not latent else Confidence.MEDIUM,
            related=related,
        )


@project_rule("FW103")
def deploy_all_interfaces(ctx: ScanContext) -> Iterator[Finding]:
    """The development server bound to every interface by a deployment file
    (`flask run --host 0.0.0.0`, `--host=::`, `FLASK_RUN_HOST=0.0.0.0`, or an
    environment variable that an `app.run(host=os.getenv(...))` reads). A production
    server (gunicorn, uWSGI, waitress) binding 0.0.0.0 is how containers are reached
    and is not reported."""
    model = model_for(ctx)
    pairs = []
    for target in model.production:
        host = model.extras(target).host
        if host is not None:
            pairs.append((host.origin, target, host))
    for group in _grouped(pairs):
        target = group.targets[0]
        debug = target.debug
        on = debug is not None and debug.state is DebugState.ON and debug.debugger
        extra = " with debug on: anyone who can reach it gets the debugger console" if on else ""
        related = _code_locations(debug.code) if debug is not None else []
        yield _finding(
            "FW103",
            group.origin,
            f"{_names(group.targets)} runs Flask's development server and "
            f"{group.switches[0].description}{extra}. Serve the network with gunicorn or "
            "uWSGI (binding 0.0.0.0 is fine for them), not the development server.",
            severity=Severity.CRITICAL if on else Severity.MEDIUM,
            related=related,
        )


@project_rule("FW606")
def server_reload_in_production(ctx: ScanContext) -> Iterator[Finding]:
    """Reload or debug settings in a production server's configuration.

    ## What it does
    Finds production servers started with code reloading or debugging switched on:
    `gunicorn --reload`/`--spew` (also through `GUNICORN_CMD_ARGS`), `reload = True` or
    `spew = True` in a gunicorn config file (read as syntax, never run), uWSGI
    `py-autoreload` (command line or `.ini`), `uvicorn`/`hypercorn --reload`,
    `hypercorn --debug`, `waitress-serve --expose-tracebacks`. Targets and config files
    named for development are not reported.

    ## Why is this bad?
    Reloaders watch the file system and restart workers on change, a development
    convenience that costs CPU, drops in-flight requests and restarts on any write to
    the code directory. `spew` traces every executed line into the logs;
    `--expose-tracebacks` sends tracebacks to clients.

    ## Example
    ```python title=gunicorn.conf.py
    bind = "0.0.0.0:8000"
    workers = 4
    reload = True
    ```

    ## Use instead
    ```python title=gunicorn.conf.py
    bind = "0.0.0.0:8000"
    workers = 4
    ```

    ## Fix safety
    No automatic fix: remove the setting; use `--reload` only in a development command.

    ## References
    - CWE-489: Active Debug Code
    - https://docs.gunicorn.org/en/stable/settings.html#reload
    - https://uwsgi-docs.readthedocs.io/en/latest/Options.html#py-autoreload
    """
    model = model_for(ctx)
    pairs: list[tuple[Origin, Target | None, Switch]] = []
    for production in model.production:
        for switch in model.extras(production).reload:
            pairs.append((switch.origin, production, switch))
    for path, config in sorted(model.inputs.server_configs.items()):
        if _development(path):
            continue
        for switch in config_reload_switches(config):
            pairs.append((switch.origin, None, switch))
    seen: set[tuple[str, int]] = set()
    for origin, owner, switch in pairs:
        key = (origin.path, origin.line)
        if key in seen:
            continue
        seen.add(key)
        where = f" in {owner.name}" if owner is not None else ""
        yield _finding(
            "FW606",
            origin,
            f"{switch.description} switches on reloading or tracing for a production "
            f"server{where}: workers restart on file changes (or internals are traced or "
            "exposed). Remove it; reload only in development commands.",
        )


def _development(path: str) -> bool:
    return development_reason(path) is not None


@project_rule("FW205")
def committed_env_file(ctx: ScanContext) -> Iterator[Finding]:
    """Env file with secrets committed, or not ignored by git.

    ## What it does
    Finds `.env`, `.flaskenv`, `.env.*` and `*.env` files that hold secret-looking values
    (`SECRET_KEY`, `*_PASSWORD`, `*_TOKEN`, `API_KEY`, a database URL with a password)
    and that git tracks, or that no `.gitignore` rule ignores (asked of git itself inside
    a work tree; outside one, the `.gitignore` files above the file decide). Example
    files (`.env.example`, `.env.sample`, `.env.template`) with empty or placeholder
    values are fine; files for tests are reported at info severity.

    ## Why is this bad?
    A committed env file publishes its secrets to everyone with access to the repository
    and its history, forks and CI logs: the secret key signs sessions (forgeable logins),
    the database password opens the data. Removing the file later does not remove it
    from history.

    ## Example
    ```env title=.env
    SECRET_KEY=8f42a73054b1749f8f58848be5e6502c
    DATABASE_URL=postgresql://shop:hunter2@db/shop
    ```

    ## Use instead
    ```env title=.env.example
    SECRET_KEY=
    DATABASE_URL=postgresql://user:password@localhost/shop
    ```

    ## Fix safety
    No automatic fix: add the file to `.gitignore`, `git rm --cached` it, and rotate
    every secret it held (they are in the history).

    ## References
    - CWE-538: Insertion of Sensitive Information into Externally-Accessible File
    - https://flask.palletsprojects.com/en/stable/config/#configuring-from-environment-variables
    """
    model = model_for(ctx)
    candidates = {}
    for source in ctx.files:
        if source.kind is not FileKind.ENV:
            continue
        entries = model.inputs.dotenv.get(source.rel)
        if not entries:
            continue
        secrets = secret_entries(source.rel, entries)
        if secrets:
            candidates[source.rel] = secrets
    if not candidates:
        return
    states = git_states(ctx.root, candidates)
    for rel, secrets in sorted(candidates.items()):
        state = states.get(rel)
        if state in ("ignored", "no-git-ignored"):
            continue
        status = {
            "tracked": "is tracked by git (committed or staged)",
            "untracked": "is not ignored by git (the next `git add .` commits it)",
            "no-git-unignored": "is not covered by any .gitignore rule",
        }.get(state or "", "is not ignored by git")
        first = secrets[0]
        names = ", ".join(f"{e.name} (line {e.line})" for e in secrets[:5])
        more = f" and {len(secrets) - 5} more" if len(secrets) > 5 else ""
        test = is_test_file(rel)
        origin = Origin(rel, first.line, redacted(first.name, first.raw), "env file")
        yield _finding(
            "FW205",
            origin,
            f"{rel} holds secrets ({names}{more}) and {status}: anyone with the repository "
            "has them. Add it to .gitignore, `git rm --cached` it, rotate the secrets, and "
            "commit a .env.example with placeholders instead.",
            severity=Severity.INFO if test else None,
        )
