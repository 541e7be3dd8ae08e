"""Effective DEBUG (and host, reload) of each deployment target, with Flask's semantics.

What Flask does, and so what this module models (Flask 3.1 source; 2.x differences
noted):

- ``flask run`` loads ``--env-file``, ``.env`` and ``.flaskenv`` (found from the
  working directory upwards) when python-dotenv is installed and ``FLASK_SKIP_DOTENV``
  is not set; a variable already in the environment is never overridden, and ``.env``
  wins over ``.flaskenv``. ``--debug/--no-debug`` sets ``FLASK_DEBUG``. After loading the
  app it sets ``app.debug`` from ``FLASK_DEBUG``, so neither ``app.run()`` (ignored under
  the CLI) nor the code's own ``DEBUG`` matter. ``--debugger`` (``FLASK_RUN_DEBUGGER``)
  serves the debugger even without debug mode. ``--host`` / ``FLASK_RUN_HOST`` bind.
- ``python app.py`` reaching ``app.run()``: ``debug=`` passed explicitly decides;
  otherwise ``run()`` loads the dotenv files (python-dotenv installed, not skipped,
  ``load_dotenv=True``) and, when ``FLASK_DEBUG`` is in the environment, it decides;
  otherwise the app's ``DEBUG`` config does.
- Any server: ``Flask(...)`` reads ``FLASK_DEBUG`` when the app is created, so under
  gunicorn/uWSGI/waitress ``app.debug`` is on unless the code sets ``DEBUG`` itself. A
  production server never serves the interactive debugger, so this is less severe.
- ``FLASK_DEBUG`` is on unless empty, ``0``, ``false`` or ``no``. ``FLASK_ENV`` is
  ignored by Flask >= 2.3; Flask < 2.3 turns debug on for ``FLASK_ENV=development``
  when ``FLASK_DEBUG`` is unset. Code that reads ``FLASK_ENV`` itself
  (``debug=os.getenv("FLASK_ENV") == "development"``) is evaluated with the target's
  environment.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from flaskwarden.deploy.build import DeployInputs, join_relative, shlex_split
from flaskwarden.deploy.code import ModuleSource, module_source
from flaskwarden.deploy.envfile import redacted
from flaskwarden.deploy.model import (
    CodeRef,
    DebugResolution,
    DebugState,
    Environment,
    EnvVar,
    Origin,
    Server,
    ServerKind,
    Switch,
    Target,
)
from flaskwarden.deploy.servers import ServerConfig, truthy_setting
from flaskwarden.deploy.shell import detect_server, parse_options, render, uwsgi_app
from flaskwarden.discover import SourceFile
from flaskwarden.model import ClassRef, Project, is_dev_name
from flaskwarden.python.evaluate import Value
from flaskwarden.python.facts import ModuleFacts, RunCall, Span
from flaskwarden.python.source import module_name
from flaskwarden.rules.debug import ALL_INTERFACES, dev_server

_FALSE_WORDS: Final = frozenset({"0", "false", "no"})
_DEFAULT_APPS: Final = ("wsgi.py", "app.py")


def debug_flag(value: str) -> bool:
    """Flask's ``get_debug_flag`` for a known ``FLASK_DEBUG`` value."""
    return bool(value) and value.lower() not in _FALSE_WORDS


@dataclass(frozen=True)
class _Entry:
    """The development server a script starts: the run call, and the Flask-Script
    command that leads to it ("" for a plain ``app.run()``; ``builtin`` for the
    ``runserver`` Flask-Script adds by itself, which no code spells out)."""

    call: RunCall
    command: str = ""
    builtin: bool = False


@dataclass(frozen=True)
class _ConfigChoice:
    """A dict of configuration classes by name (``config = {"default": ...}``), and an
    environment variable whose literal default is one of its keys."""

    module: ModuleFacts
    name: str
    keys: tuple[str, ...]
    refs: tuple[str, ...]
    var: str
    default: str


@dataclass(frozen=True)
class _ServerOptions:
    host: str | None = None
    debug: bool | None = None


def _script_server_options(args: list[str]) -> _ServerOptions:
    """Flask-Script ``runserver`` options that override the code: ``-h/--host``,
    ``-d/--debug``, ``-D/--no-debug`` (Flask-Script 2.0)."""
    options, _ = parse_options(
        args,
        flags={"-d", "--debug", "-D", "--threaded", "--passthrough-errors", "-r", "--reload",
               "-R"},
        values={"-h", "--host", "-p", "--port", "--processes", "--ssl-crt", "--ssl-key"},
    )  # fmt: skip
    host: str | None = None
    debug: bool | None = None
    for name, value in options:
        if name in ("-h", "--host"):
            host = value
        elif name in ("-d", "--debug"):
            debug = value == "true"
        elif name == "-D":
            debug = False
    return _ServerOptions(host, debug)


def _bind_from_deployment(
    host: str, origin: Origin, result: DebugResolution, extras: Extras
) -> None:
    """A development server's host given by the deployment (``--host``, ``-h``,
    ``FLASK_RUN_HOST``): every interface is FW103 on that setting."""
    if host and host.strip("[]") in ALL_INTERFACES:
        result.all_interfaces = True
        extras.host = Switch(origin, f"binds {host} (every interface)")
        result.chain.append(f"it binds {host}: every network interface")


def _skip_dotenv(env: Environment) -> EnvVar | None:
    var = env.get("FLASK_SKIP_DOTENV")
    if var is None or not var.value:
        return None
    return None if var.value.lower() in _FALSE_WORDS else var


@dataclass(frozen=True)
class DebugWriter:
    """A place where the code assigns DEBUG, with its value under no environment."""

    module: ModuleFacts
    span: Span
    static: Value


@dataclass
class Extras:
    """Findings-relevant facts besides DEBUG that resolution discovers."""

    dev_server: CodeRef | None = None
    dev_how: str = "app.run()"  # how the script starts it, for messages
    host: Switch | None = None  # a deployment setting that binds every interface
    reload: list[Switch] = field(default_factory=list)
    confidence_medium: bool = False


class Resolver:
    """Resolves targets against the project's code and dependencies."""

    def __init__(
        self,
        inputs: DeployInputs,
        project: Project,
        files: dict[str, SourceFile],
        read: Callable[[SourceFile], bytes | None],
    ) -> None:
        self.inputs = inputs
        self.project = project
        self._files = files
        self._read = read
        self._sources: dict[str, ModuleSource | None] = {}
        self.old_flask, self.why_flask = inputs.dependencies.flask_honours_flask_env()
        self.extras: dict[int, Extras] = {}
        self._writers: list[DebugWriter] | None = None
        self._choices: list[_ConfigChoice] | None = None

    # -- code access ------------------------------------------------------------------

    def source(self, module: ModuleFacts) -> ModuleSource | None:
        if module.path not in self._sources:
            found: ModuleSource | None = None
            source_file = self._files.get(module.path)
            data = self._read(source_file) if source_file is not None else None
            if data is not None:
                found = module_source(module, data.decode("utf-8", "replace"))
            self._sources[module.path] = found
        return self._sources[module.path]

    def module_at(self, rel: str) -> ModuleFacts | None:
        if not rel.endswith(".py"):
            return None
        found = self.project.find_module(module_name(rel))
        if found is not None and found.path == rel:
            return found
        return None

    def find_app_module(self, spec: str, cwd: str) -> tuple[ModuleFacts | None, str]:
        """The module an app import string names (``pkg.mod:app``, ``app.py``,
        ``pkg/mod.py:create_app()``), looked up from ``cwd``; and the attribute."""
        module_part, _, attr = spec.partition(":")
        attr = attr.split("(", 1)[0].strip() or "app"
        candidates: list[str] = []
        if module_part.endswith(".py") or "/" in module_part:
            rel = join_relative(cwd, module_part)
            if rel is not None:
                candidates.append(rel if rel.endswith(".py") else f"{rel}.py")
                candidates.append(posixpath.join(rel, "__init__.py"))
        else:
            as_path = module_part.replace(".", "/")
            for base in (cwd, join_relative(cwd, "src")):
                if base is not None:
                    candidates.append(posixpath.join(base, f"{as_path}.py"))
                    candidates.append(posixpath.join(base, as_path, "__init__.py"))
        for rel in candidates:
            module = self.module_at(posixpath.normpath(rel))
            if module is not None:
                return module, attr
        if module_part and not module_part.endswith(".py") and "/" not in module_part:
            return self.project.find_module(module_part), attr
        return None, attr

    # -- entry --------------------------------------------------------------------------

    def resolve(self, target: Target) -> None:
        extras = Extras()
        self.extras[id(target)] = extras
        command = target.command
        if command is None:
            target.debug = DebugResolution(DebugState.UNKNOWN, ["no command found for this target"])
            return
        server = detect_server(command.argv)
        target.server = server
        env = target.env.copy()
        for key, value in command.assignments:
            origin = Origin(command.origin.path, command.origin.line, command.origin.snippet,
                            "command-line assignment")  # fmt: skip
            env.set(EnvVar(key, value, origin))
        cwd = self.working_dir(target, command.cwd)
        intro = f"`{render(command.argv)}` ({command.origin.what}, {command.origin.short()})"
        if server.kind is ServerKind.FLASK_RUN:
            target.debug = self._flask_run(target, server, env, cwd, intro, extras)
        elif server.kind is ServerKind.PYTHON_SCRIPT:
            target.debug = self._script(target, server, env, cwd, intro, extras)
        elif server.kind.production:
            target.debug = self._wsgi(target, server, env, cwd, intro, extras)
        else:
            target.debug = DebugResolution(
                DebugState.UNKNOWN, [f"{intro} does not start a known Flask server"]
            )

    def working_dir(self, target: Target, cd: str | None) -> str:
        """The project directory a target's command runs in."""
        workdir = target.workdir
        if cd:
            workdir = cd if cd.startswith("/") else posixpath.join(workdir or "", cd)
        if target.path_map and workdir.startswith("/"):
            mapped = self.to_project(target, workdir)
            if mapped is not None:
                return mapped
            return target.context_dir
        if cd and not cd.startswith("/"):
            return join_relative(target.context_dir, cd) or target.context_dir
        return target.context_dir

    def to_project(self, target: Target, container_path: str) -> str | None:
        path = posixpath.normpath(container_path)
        for dest, project in sorted(target.path_map, key=lambda p: -len(p[0])):
            dest = posixpath.normpath(dest)
            if path == dest:
                return project
            if path.startswith(f"{dest.rstrip('/')}/"):
                return join_relative(project, posixpath.relpath(path, dest))
        return None

    def project_path(self, target: Target, cwd: str, path: str) -> str | None:
        if path.startswith("/"):
            return self.to_project(target, path)
        return join_relative(cwd, path)

    # -- dotenv -------------------------------------------------------------------------

    def dotenv_ok(self) -> tuple[bool, str]:
        installed, why = self.inputs.dependencies.has_dotenv()
        if installed is None:
            return True, f"{why}; assuming python-dotenv is installed, as a dotenv file is kept"
        return installed, why

    def nearest_dotenv(self, target: Target, cwd: str, name: str) -> str | None:
        """The file ``find_dotenv(name, usecwd=True)`` finds: in ``cwd`` or the nearest
        directory above it (only files the image ships, for container targets)."""
        directory = cwd
        while True:
            rel = posixpath.join(directory, name) if directory else name
            if rel in self.inputs.dotenv and (target.shipped is None or rel in target.shipped):
                return rel
            if not directory:
                return None
            directory = posixpath.dirname(directory)

    def load_dotenv(
        self, env: Environment, files: Iterable[str | None]
    ) -> tuple[Environment, list[str]]:
        """``env`` with the dotenv ``files`` (highest precedence first) loaded the way
        Flask loads them: no variable already set is overridden."""
        loaded = env.copy()
        names = []
        for rel in files:
            if rel is None:
                continue
            names.append(rel)
            for entry in self.inputs.dotenv.get(rel, []):
                if entry.value is None and "=" not in entry.raw:
                    continue
                origin = Origin(rel, entry.line, _redact(entry.name, entry.raw),
                                posixpath.basename(rel))  # fmt: skip
                loaded.setdefault(EnvVar(entry.name, entry.value, origin))
        return loaded, names

    # -- flask run -----------------------------------------------------------------------

    def _flask_run(
        self, target: Target, server: Server, env: Environment, cwd: str, intro: str,
        extras: Extras,
    ) -> DebugResolution:  # fmt: skip
        command = target.command
        assert command is not None
        chain = [
            f"{intro} starts Flask's development server (Werkzeug). Under `flask run` "
            "app.run() is ignored and app.debug is set from FLASK_DEBUG after the app loads"
        ]
        extras.dev_server = CodeRef(command.origin.path, command.origin.line, "flask run")
        env = self._dotenv_for_cli(target, server, env, cwd, chain)
        app_spec = server.app or _value(env.get("FLASK_APP"))
        module, attr = self._flask_app(app_spec, cwd)
        code: list[CodeRef] = []
        if module is not None:
            target.app_module = module.path
            source = self.source(module)
            line = source.app_line(attr) if source is not None else 1
            code.append(CodeRef(module.path, line, f"the app `flask run` loads ({module.path})"))
            chain.append(f"it loads the app from {module.path}")
        elif app_spec:
            chain.append(f"it loads the app {app_spec!r} (not found in the scan)")
        cli_debug = server.option("--debug")
        cli_origin = command.origin
        if cli_debug is not None:
            on = cli_debug == "true"
            flag = "--debug" if on else "--no-debug"
            chain.append(f"{flag} on the command line sets FLASK_DEBUG={'1' if on else '0'}")
            result = DebugResolution(DebugState.ON if on else DebugState.OFF, chain, code=code)
            if on:
                result.switches.append(Switch(cli_origin, f"`flask {flag}` on the command line"))
        else:
            result = self._env_debug(env, chain, code)
        debugger_opt = server.option("--debugger")
        debugger_var = env.get("FLASK_RUN_DEBUGGER")
        debugger: bool | None = None
        if debugger_opt is not None:
            debugger = debugger_opt == "true"
            if debugger:
                result.switches.append(Switch(cli_origin, "`--debugger` on the command line"))
        elif debugger_var is not None and debugger_var.value is not None:
            debugger = debug_flag(debugger_var.value)
            if debugger:
                result.switches.append(Switch(debugger_var.origin, debugger_var.describe()))
        if debugger is True and result.state is not DebugState.ON:
            chain.append("the debugger is switched on explicitly, so it is served without debug")
            result.state = DebugState.ON
        result.debugger = result.state is DebugState.ON and debugger is not False
        if debugger is False and result.state is DebugState.ON:
            chain.append("--no-debugger: debug mode without the interactive debugger")
        host = server.option("-h", "--host")
        host_origin = cli_origin
        host_var = env.get("FLASK_RUN_HOST")
        if host is None and host_var is not None and host_var.value is not None:
            host, host_origin = host_var.value, host_var.origin
        if host is not None:
            _bind_from_deployment(host, host_origin, result, extras)
        reload_opt = server.option("--reload")
        if reload_opt == "true":
            chain.append("--reload restarts the server on code changes")
        return result

    def _dotenv_for_cli(
        self, target: Target, server: Server, env: Environment, cwd: str, chain: list[str]
    ) -> Environment:
        skip = _skip_dotenv(env)
        ok, why = self.dotenv_ok()
        env_file = server.option("-e", "--env-file") or _value(env.get("FLASK_ENV_FILE"))
        files = [
            self.project_path(target, cwd, env_file) if env_file else None,
            self.nearest_dotenv(target, cwd, ".env"),
            self.nearest_dotenv(target, cwd, ".flaskenv"),
        ]
        present = [f for f in files if f is not None and f in self.inputs.dotenv]
        if not present:
            return env
        if skip is not None:
            chain.append(f"{skip.describe()} stops it loading {', '.join(present)}")
            return env
        if not ok:
            chain.append(f"{why}, so it does not load {', '.join(present)}")
            return env
        loaded, names = self.load_dotenv(env, present)
        chain.append(
            f"{why}, so it loads {', '.join(names)} (never overriding variables already set)"
        )
        return loaded

    def _flask_app(self, spec: str | None, cwd: str) -> tuple[ModuleFacts | None, str]:
        if spec:
            return self.find_app_module(spec, cwd)
        for name in _DEFAULT_APPS:
            rel = join_relative(cwd, name)
            module = self.module_at(rel) if rel is not None else None
            if module is not None:
                return module, "app"
        return None, "app"

    # -- environment semantics -------------------------------------------------------

    def _env_debug(
        self, env: Environment, chain: list[str], code: list[CodeRef], at_creation: bool = False
    ) -> DebugResolution:
        """Flask's ``get_debug_flag`` over the environment (``FLASK_ENV`` on < 2.3)."""
        var = env.get("FLASK_DEBUG")
        when = " when the app is created" if at_creation else ""
        if var is not None and var.value is None:
            chain.append(f"FLASK_DEBUG is set ({var.origin.what}) but its value is not known")
            return DebugResolution(DebugState.UNKNOWN, chain, code=code)
        if var is not None and var.value:
            on = debug_flag(var.value)
            chain.append(f"Flask reads {var.describe()}{when}: debug {'on' if on else 'off'}")
            result = DebugResolution(DebugState.ON if on else DebugState.OFF, chain, code=code)
            if on:
                result.switches.append(Switch(var.origin, var.describe(), var.via))
            return result
        flask_env = env.get("FLASK_ENV")
        if flask_env is not None and flask_env.value == "development":
            if self.old_flask:
                chain.append(f"{self.why_flask}; {flask_env.describe()} turns debug on{when}")
                result = DebugResolution(DebugState.ON, chain, code=code)
                result.switches.append(
                    Switch(flask_env.origin, flask_env.describe(), flask_env.via)
                )
                return result
            chain.append(f"{flask_env.describe()} is ignored: {self.why_flask}")
        chain.append(f"FLASK_DEBUG is not set{when}: debug off")
        return DebugResolution(DebugState.OFF, chain, code=code)

    # -- python script ---------------------------------------------------------------

    def _script(
        self, target: Target, server: Server, env: Environment, cwd: str, intro: str,
        extras: Extras,
    ) -> DebugResolution:  # fmt: skip
        module: ModuleFacts | None = None
        if server.script is not None:
            rel = self.project_path(target, cwd, server.script)
            module = self.module_at(rel) if rel is not None else None
            what = server.script
        else:
            name = server.module_arg or ""
            module = self.find_app_module(f"{name.replace('.', '/')}/__main__.py", cwd)[0]
            if module is None:
                module = self.find_app_module(name, cwd)[0]
            what = f"-m {name}"
        if module is None:
            return DebugResolution(
                DebugState.UNKNOWN, [f"{intro} runs {what}, which is not in the scan"]
            )
        target.app_module = module.path
        args = [value for _, value in server.options]
        found = self._main_run_call(module, args)
        if found is None:
            return DebugResolution(
                DebugState.UNKNOWN,
                [f"{intro} runs {module.path}, which does not start Flask's development server"],
            )
        call, command = found.call, found.command
        extras.dev_server = CodeRef(module.path, call.span.line, "app.run() starts here")
        if command:
            extras.dev_how = f"Flask-Script's `{command}` command, which runs app.run()"
        run_ref = CodeRef(module.path, call.span.line, f"{call.span.snippet} ({module.path})")
        where = f"{call.span.snippet} ({module.path}:{call.span.line})"
        if not command:
            chain = [f"{intro} runs {module.path} as __main__, which calls {where}: "
                     "Werkzeug's development server"]  # fmt: skip
        elif call.command is None:
            chain = [f"{intro} runs the Flask-Script command `{command}` of {module.path}, "
                     f"which calls {where}: Werkzeug's development server"]  # fmt: skip
        elif not found.builtin:
            chain = [f"{intro} runs the Flask-Script command `{command}` of {module.path}, "
                     f"{where}: Flask-Script's Server runs app.run(), Werkzeug's "
                     "development server"]  # fmt: skip
        else:
            chain = [f"{intro} runs Flask-Script's built-in `runserver` command "
                     f"({where}): Server() runs app.run(), Werkzeug's development server, "
                     "on 127.0.0.1 with the debugger when app.debug is on"]  # fmt: skip
        env_code = self._code_dotenv(target, env, chain)
        source = self.source(module)
        code = [run_ref]
        result: DebugResolution
        cli = _script_server_options(args[args.index(command) + 1 :]) if command else None
        switch = "debug" if call.command is None else "use_debugger"
        if cli is not None and cli.debug is not None:
            flag = "--debug" if cli.debug else "--no-debug"
            chain.append(f"{flag} on the command line turns the debugger "
                         f"{'on' if cli.debug else 'off'}")  # fmt: skip
            result = DebugResolution(DebugState.ON if cli.debug else DebugState.OFF, chain,
                                     code=code)  # fmt: skip
            if cli.debug and target.command is not None:
                described = f"`{command} {flag}` on the command line"
                result.switches.append(Switch(target.command.origin, described))
        elif call.kwargs.get(switch) is not None:
            result = self._explicit_debug(module, source, call, env_code, chain, code, switch)
        elif call.command is not None:
            # Server reads app.debug before it calls app.run(): dotenv files app.run()
            # loads come too late to matter
            chain.append("Server() has no use_debugger= argument, so it serves the debugger "
                         "when app.debug is on: the app's DEBUG config decides")  # fmt: skip
            result = self._config_debug(env_code, chain, code)
        else:
            result = self._run_without_debug(target, module, call, env_code, cwd, chain, code)
        debugger_kw = call.kwargs.get("use_debugger") if call.command is None else None
        debugger_off = debugger_kw is not None and debugger_kw.known and not debugger_kw.truthy
        result.debugger = result.state is DebugState.ON and not debugger_off
        if cli is not None and cli.host is not None and target.command is not None:
            _bind_from_deployment(cli.host, target.command.origin, result, extras)
            return result  # the command line's host replaces the code's
        self._script_host(module, source, call, env_code, result, extras)
        return result

    def _main_run_call(self, module: ModuleFacts, args: list[str]) -> _Entry | None:
        """The dev-server run call that executes when the module runs as __main__ with
        ``args``: ``app.run()``, or what the Flask-Script command ``args`` names runs."""
        source = self.source(module)
        reachable = set(self.project.import_time_functions(module))
        if source is not None:
            stack = list(source.main_calls)
            while stack:
                name = stack.pop()
                if name in reachable:
                    continue
                reachable.add(name)
                function = module.functions.get(name)
                if function is not None:
                    stack.extend(function.calls)

        def runs(call: RunCall) -> bool:
            if call.context in ("main", "import", "main-else") and not call.scope:
                return True
            return bool(call.scope) and call.scope.split(".", 1)[0] in reachable

        managers = [
            call
            for call in module.run_calls
            if call.command is None
            and runs(call)
            and self.project.kind_of(call.receiver, module).kind == "script-manager"
        ]
        if managers:  # manager.run(): the command named on the command line runs
            return self._script_command(module, managers[-1], args)
        for call in module.run_calls:
            if call.command is None and runs(call) and dev_server(call, module, self.project):
                return _Entry(call)
        return None

    def _script_command(
        self, module: ModuleFacts, manager: RunCall, args: list[str]
    ) -> _Entry | None:
        """What ``manage.py <command>`` starts under Flask-Script: a ``Server`` added
        under that name, a ``@manager.command`` function calling ``app.run()``, or the
        ``runserver`` Flask-Script adds by itself."""
        command = next((arg for arg in args if not arg.startswith("-")), "")
        if not command:
            return None  # Flask-Script prints its usage
        servers = [
            call for call in module.run_calls
            if call.command is not None and dev_server(call, module, self.project)
        ]  # fmt: skip
        named = [call for call in servers if call.command == command]
        if not named and command == "runserver":
            named = [call for call in servers if call.command == ""]  # `server = Server()`
        if named:
            return _Entry(named[-1], command)  # the last add_command wins
        function = module.functions.get(command)
        if function is not None and any(
            decorator.attr in ("command", "option", "options")
            and self.project.kind_of(decorator.receiver, module).kind == "script-manager"
            for decorator in function.decorators
        ):
            for call in module.run_calls:
                if (
                    call.command is None
                    and call.scope.split(".", 1)[0] == command
                    and dev_server(call, module, self.project)
                ):
                    return _Entry(call, command)
            return None
        if command == "runserver":
            builtin = RunCall(
                receiver="call:import:flask_script.Server",
                scope="",
                context="main",
                kwargs={},
                kwarg_spans={},
                span=manager.span,
                command=command,
            )
            return _Entry(builtin, command, builtin=True)
        return None

    def _code_dotenv(self, target: Target, env: Environment, chain: list[str]) -> Environment:
        """A project module calling python-dotenv's ``load_dotenv()`` loads ``.env``."""
        loader = next(
            (
                m for m in self.project.modules
                if not m.is_test and "dotenv.load_dotenv" in m.imports.values()
            ),
            None,
        )  # fmt: skip
        if loader is None:
            return env
        rel = self.nearest_dotenv(target, posixpath.dirname(loader.path), ".env")
        if rel is None:
            return env
        loaded, _ = self.load_dotenv(env, [rel])
        chain.append(f"{loader.path} imports python-dotenv's load_dotenv, which loads {rel}")
        return loaded

    def _explicit_debug(
        self, module: ModuleFacts, source: ModuleSource | None, call: RunCall,
        env: Environment, chain: list[str], code: list[CodeRef], name: str = "debug",
    ) -> DebugResolution:  # fmt: skip
        """``app.run(debug=...)`` (or a Flask-Script ``Server(use_debugger=...)``, whose
        ``name`` this is) decides, whatever the environment says."""
        static = call.kwargs[name]
        span = call.kwarg_spans.get(name, call.span)
        node = source.expression_at(span) if source is not None else None
        text = f"{name}={_expr_text(node)}"
        value = source.evaluator(env.values()).evaluate(node) if source and node else static
        where = f"({module.path}:{span.line})"
        if not value.known:
            chain.append(f"{text} {where} is passed explicitly; its value is not known statically")
            return DebugResolution(DebugState.UNKNOWN, chain, code=code)
        on = value.truthy
        if on and static.truthy:
            chain.append(f"{text} {where} turns debug on in the code itself (see FW101)")
            result = DebugResolution(DebugState.ON, chain, code=code)
            self._latent(result, env, f"{text} ({module.path}:{span.line})", False)
            return result
        deciding = [env.get(var) for var in value.env if env.get(var) is not None]
        settings = ", ".join(v.describe() for v in deciding if v is not None)
        with_env = f" with {settings}" if settings else ""
        chain.append(
            f"{text} {where} is passed explicitly (FLASK_DEBUG does not override it) and is "
            f"{'True' if on else 'False'}{with_env}"
        )
        result = DebugResolution(DebugState.ON if on else DebugState.OFF, chain, code=code)
        if on:
            for var in deciding:
                if var is not None:
                    result.switches.append(Switch(var.origin, var.describe(), var.via))
        return result

    def _run_without_debug(
        self, target: Target, module: ModuleFacts, call: RunCall, env: Environment, cwd: str,
        chain: list[str], code: list[CodeRef],
    ) -> DebugResolution:  # fmt: skip
        load = call.kwargs.get("load_dotenv")
        skip = _skip_dotenv(env)
        if load is not None and load.known and not load.truthy:
            chain.append("app.run(load_dotenv=False): no dotenv file, FLASK_DEBUG not re-read")
            return self._config_debug(env, chain, code)
        if skip is not None:
            chain.append(f"{skip.describe()}: app.run() neither loads dotenv files nor re-reads "
                         "FLASK_DEBUG")  # fmt: skip
            return self._config_debug(env, chain, code)
        files = [
            self.nearest_dotenv(target, cwd, ".env"),
            self.nearest_dotenv(target, cwd, ".flaskenv"),
        ]
        present = [f for f in files if f is not None]
        run_env = env
        if present:
            ok, why = self.dotenv_ok()
            if ok:
                run_env, names = self.load_dotenv(env, present)
                chain.append(f"{why}, so app.run() loads {', '.join(names)}")
            else:
                chain.append(f"{why}, so app.run() does not load {', '.join(present)}")
        if "FLASK_DEBUG" in run_env or (self.old_flask and "FLASK_ENV" in run_env):
            chain.append("app.run() has no debug= argument, so FLASK_DEBUG in the environment "
                         "decides")  # fmt: skip
            return self._env_debug(run_env, chain, code)
        chain.append("app.run() has no debug= argument and FLASK_DEBUG is not set: the app's "
                     "DEBUG config decides")  # fmt: skip
        return self._config_debug(env, chain, code)

    def _script_host(
        self, module: ModuleFacts, source: ModuleSource | None, call: RunCall,
        env: Environment, result: DebugResolution, extras: Extras,
    ) -> None:  # fmt: skip
        static = call.kwargs.get("host")
        if static is None or source is None:
            return
        span = call.kwarg_spans.get("host", call.span)
        node = source.expression_at(span)
        if node is None:
            return
        value = source.evaluator(env.values()).evaluate(node)
        if not (value.known and value.value in ALL_INTERFACES):
            return
        result.all_interfaces = True
        if static.known and static.value in ALL_INTERFACES:
            return  # the code binds every interface by itself: FW103 on the code
        for name in value.env:
            var = env.get(name)
            if var is not None:
                extras.host = Switch(
                    var.origin,
                    f"{var.describe()} makes host={span.snippet.split('host=')[-1][:40]} "
                    f"({module.path}:{span.line}) bind {value.value!r}",
                )
                result.chain.append(f"{var.describe()} makes app.run() bind {value.value!r}")
                return

    # -- production servers ----------------------------------------------------------

    def _wsgi(
        self, target: Target, server: Server, env: Environment, cwd: str, intro: str,
        extras: Extras,
    ) -> DebugResolution:  # fmt: skip
        env = env.copy()
        config = self._server_config(target, server, cwd)
        options = list(server.options)
        cmd_args = env.get("GUNICORN_CMD_ARGS") if server.kind is ServerKind.GUNICORN else None
        if cmd_args is not None and cmd_args.value:
            extra, _ = parse_options(shlex_split(cmd_args.value), ("--reload", "--spew"))
            options += extra
            for name, value in extra:
                if name in ("--reload", "--spew") and value == "true":
                    extras.reload.append(Switch(cmd_args.origin, f"GUNICORN_CMD_ARGS has {name}"))
        chain = [f"{intro} starts {server.kind.value}, a production server: it never serves "
                 "the interactive debugger"]  # fmt: skip
        if config is not None:
            chain.append(f"it reads its configuration from {config.path}")
            self._config_env(config, env)
        for name, value in options:
            if name in ("-e", "--env") and "=" in value:
                key, _, val = value.partition("=")
                command = target.command
                assert command is not None
                env.set(EnvVar(key, val, command.origin))
        self._reload_switches(target, server, config, options, env, extras)
        app_spec = server.app
        if app_spec is None and config is not None:
            app_spec = _config_app(config)
        code: list[CodeRef] = []
        base = cwd
        chdir_setting = config.last("chdir") if config is not None else None
        chdir = server.option("--chdir") or (
            str(chdir_setting.value) if chdir_setting is not None else None
        )
        if chdir:
            base = self.project_path(target, cwd, chdir) or cwd
        if app_spec:
            module, attr = self.find_app_module(app_spec, base)
            if module is not None:
                target.app_module = module.path
                source = self.source(module)
                line = source.app_line(attr) if source is not None else 1
                code.append(CodeRef(module.path, line, f"the app {server.kind.value} loads"))
                chain.append(f"it loads {app_spec} from {module.path}")
            else:
                chain.append(f"it loads {app_spec} (not found in the scan)")
        env = self._code_dotenv(target, env, chain)
        return self._config_debug(env, chain, code)

    # -- the code's own DEBUG ------------------------------------------------------------

    def debug_writers(self) -> list[DebugWriter]:
        """Where the project's code sets DEBUG on an app: ``app.config["DEBUG"] = ...``,
        ``app.debug = ...``, ``config.update(DEBUG=...)``, ``DEBUG`` in a configuration
        class or module (not one named for development or testing)."""
        if self._writers is not None:
            return self._writers
        found: list[DebugWriter] = []
        for module in self.project.modules:
            if module.is_test:
                continue
            for write in module.config_writes:
                if write.key == "DEBUG" and self.project.is_app(write.receiver, module):
                    found.append(DebugWriter(module, write.span, write.value))
            for cls in module.classes.values():
                attr = cls.attrs.get("DEBUG")
                if attr is None or is_dev_name(cls.name):
                    continue
                if self.project.is_config_class(ClassRef(module, cls)):
                    found.append(DebugWriter(module, attr.span, attr.value))
            constant = module.constants.get("DEBUG")
            if (
                constant is not None
                and not is_dev_name(module.module.rsplit(".", 1)[-1])
                and self.project.is_config_module(module)
            ):
                found.append(DebugWriter(module, constant.span, constant.value))
        self._writers = found
        return found

    def _config_debug(
        self, env: Environment, chain: list[str], code: list[CodeRef]
    ) -> DebugResolution:
        """DEBUG as the app object holds it: set from FLASK_DEBUG when ``Flask(...)``
        runs, then by whatever the code assigns (evaluated with this environment)."""
        writers = self.debug_writers()
        if not writers:
            chain.append("the code never sets DEBUG, so the value Flask reads at creation stands")
            result = self._env_debug(env, chain, code, at_creation=True)
            return self._chosen_config(env, self._flask_env_read(env, result, ()))
        values = env.values()
        env_on: list[tuple[DebugWriter, Value]] = []
        literal_on: list[DebugWriter] = []
        unknown = False
        read_vars: set[str] = set()
        for writer in writers:
            source = self.source(writer.module)
            node = source.statement_value(writer.span, "DEBUG") if source is not None else None
            value = source.evaluator(values).evaluate(node) if source and node else writer.static
            read_vars.update(value.env)
            if not value.known:
                unknown = True
            elif value.truthy:
                (
                    literal_on.append(writer)
                    if writer.static.truthy
                    else env_on.append((writer, value))
                )
        if env_on:
            result = DebugResolution(DebugState.ON, chain, code=list(code))
            for writer, value in env_on:
                where = f"{writer.module.path}:{writer.span.line}"
                deciding = [v for v in (env.get(n) for n in value.env) if v is not None]
                shown = ", ".join(v.describe() for v in deciding)
                chain.append(f"`{writer.span.snippet}` ({where}) is True with {shown}")
                result.code.append(CodeRef(writer.module.path, writer.span.line,
                                           f"{writer.span.snippet} ({where})"))  # fmt: skip
                for var in deciding:
                    result.switches.append(Switch(var.origin, var.describe(), var.via))
            return result
        if literal_on:
            writer = literal_on[0]
            where = f"`{writer.span.snippet}` ({writer.module.path}:{writer.span.line})"
            chain.append(f"{where} turns debug on in the code itself (see FW101)")
            result = DebugResolution(DebugState.ON, chain, code=list(code))
            self._latent(result, env, where, True)
            return result
        if unknown:
            chain.append("the code sets DEBUG to a value not known statically")
            return DebugResolution(DebugState.UNKNOWN, chain, code=list(code))
        first = writers[0]
        chain.append(f"the code sets DEBUG ({first.module.path}:{first.span.line}: "
                     f"`{first.span.snippet}`), overriding FLASK_DEBUG from the environment: "
                     "debug off")  # fmt: skip
        result = DebugResolution(DebugState.OFF, chain, code=list(code))
        return self._chosen_config(env, self._flask_env_read(env, result, read_vars))

    def _chosen_config(self, env: Environment, result: DebugResolution) -> DebugResolution:
        """The configuration a name picks from a dict of classes: with
        ``config = {"default": DevelopmentConfig, ...}`` and
        ``create_app(os.getenv("FLASK_CONFIG") or "default")``, a deployment that
        does not set FLASK_CONFIG runs DevelopmentConfig (the Flasky layout)."""
        if result.state is not DebugState.OFF:
            return result
        loaded = self.project.loaded_classes()
        for choice in self.config_choices():
            setting = env.get(choice.var)
            chosen = setting.value if setting is not None else choice.default
            if chosen is None or chosen not in choice.keys:
                continue
            cls = self.project.resolve_class(choice.refs[choice.keys.index(chosen)], choice.module)
            if cls is None or (cls.module.path, cls.cls.name) not in loaded:
                continue
            found = self.project.effective_attr(cls, "DEBUG")
            if found is None or not (found[1].value.known and found[1].value.truthy):
                continue
            holder, attr = found
            why = (
                f"{setting.describe()} picks" if setting is not None
                else f"{choice.var} is not set, so the code's default {choice.default!r} picks"
            )  # fmt: skip
            where = f"{holder.module.path}:{attr.span.line}"
            result.chain.append(
                f"but {why} {choice.name}[{chosen!r}] = {cls.cls.name} "
                f"({choice.module.path}), whose DEBUG = {attr.value.value!r} ({where}) "
                "the app loads: debug probably on"
            )
            result.state = DebugState.ON
            result.certain = False
            result.code.append(
                CodeRef(holder.module.path, attr.span.line, f"{cls.cls.name}.DEBUG ({where})")
            )
            if setting is not None:
                result.switches.append(Switch(setting.origin, setting.describe(), setting.via))
            return result
        return result

    def config_choices(self) -> list[_ConfigChoice]:
        """Dicts of names one of whose keys is the literal default of an environment
        lookup somewhere in the code (the same for every target: computed once)."""
        if self._choices is not None:
            return self._choices
        defaults = [
            (var, default)
            for module in self.project.modules
            if not module.is_test
            for var, values in sorted(module.env_defaults.items())
            for default in sorted(values)
        ]
        self._choices = [
            _ConfigChoice(module, name, keys, module.mappings[name], var, default)
            for module in self.project.modules
            for name, keys in sorted(module.mapping_keys.items())
            if name in module.mappings
            for var, default in defaults
            if default in keys
        ]
        return self._choices

    def _latent(
        self, result: DebugResolution, env: Environment, masked_by: str, at_creation: bool
    ) -> None:
        """Record the deployment settings that would keep debug on once the code stops
        turning it on by itself (the fix FW101 suggests reads FLASK_DEBUG)."""
        probe = self._env_debug(env, [], [], at_creation)
        if probe.state is DebugState.ON and probe.switches:
            result.latent = probe.switches
            result.masked_by = masked_by
            names = ", ".join(s.description for s in probe.switches)
            result.chain.append(
                f"{names} is masked by it today, but keeps debug on once the code reads "
                "FLASK_DEBUG as FW101 suggests"
            )

    def _flask_env_read(
        self, env: Environment, result: DebugResolution, evaluated: Iterable[str]
    ) -> DebugResolution:
        """FLASK_ENV=development on Flask >= 2.3 when the code reads FLASK_ENV in a way
        not evaluated above (typically to pick DevelopmentConfig)."""
        var = env.get("FLASK_ENV")
        if result.state is not DebugState.OFF or var is None or var.value != "development":
            return result
        if self.old_flask or "FLASK_ENV" in set(evaluated):
            return result
        readers = [m for m in self.project.modules if not m.is_test and "FLASK_ENV" in m.env_reads]
        if not readers:
            return result
        refs = []
        for module in readers:
            source = self.source(module)
            for line in source.env_read_lines("FLASK_ENV") if source is not None else [1]:
                refs.append(CodeRef(module.path, line, f"reads FLASK_ENV ({module.path}:{line})"))
        where = ", ".join(f"{r.path}:{r.line}" for r in refs[:3])
        result.chain.append(
            f"but the code reads FLASK_ENV itself ({where}), typically to choose a development "
            f"configuration, and {var.describe()}: debug probably on"
        )
        result.state = DebugState.ON
        result.certain = False
        result.code.extend(refs)
        result.switches.append(Switch(var.origin, var.describe(), var.via))
        return result

    def _server_config(self, target: Target, server: Server, cwd: str) -> ServerConfig | None:
        configs = self.inputs.server_configs
        kind = "gunicorn" if server.kind is ServerKind.GUNICORN else "uwsgi"
        wanted = server.config
        if wanted is None and server.kind is ServerKind.GUNICORN:
            wanted = "gunicorn.conf.py"  # gunicorn reads ./gunicorn.conf.py by default
        if wanted is None or server.kind not in (ServerKind.GUNICORN, ServerKind.UWSGI):
            return None
        wanted = wanted.removeprefix("python:")
        rel = self.project_path(target, cwd, wanted)
        if rel is not None and rel in configs and configs[rel].kind == kind:
            return configs[rel]
        if server.config is None:
            return None
        base = posixpath.basename(wanted)
        matches = sorted(p for p, c in configs.items() if c.kind == kind and p.endswith(base))
        return configs[matches[0]] if len(matches) == 1 else None

    def _config_env(self, config: ServerConfig, env: Environment) -> None:
        if config.kind == "gunicorn":
            for setting in config.all("raw_env"):
                values = setting.value if isinstance(setting.value, (list, tuple)) else []
                for index, item in enumerate(values):
                    if not isinstance(item, str) or "=" not in item:
                        continue
                    key, _, value = item.partition("=")
                    line = (
                        setting.item_lines[index]
                        if index < len(setting.item_lines)
                        else setting.line
                    )
                    snippet = self.inputs.line(config.path, line)
                    env.set(
                        EnvVar(key, value, Origin(config.path, line, snippet, "gunicorn raw_env"))
                    )
        else:
            for setting in config.all("env"):
                key, sep, value = str(setting.value).partition("=")
                if sep:
                    origin = Origin(config.path, setting.line, setting.snippet, "uWSGI env")
                    env.set(EnvVar(key.strip(), value.strip(), origin))

    def _reload_switches(
        self, target: Target, server: Server, config: ServerConfig | None,
        options: list[tuple[str, str]], env: Environment, extras: Extras,
    ) -> None:  # fmt: skip
        command = target.command
        assert command is not None
        flags = {
            ServerKind.GUNICORN: ("--reload", "--spew"),
            ServerKind.HYPERCORN: ("--reload", "--debug"),
            ServerKind.UVICORN: ("--reload",),
            ServerKind.WAITRESS: ("--expose-tracebacks",),
            ServerKind.UWSGI: ("--py-autoreload", "--python-autoreload", "--py-auto-reload"),
        }.get(server.kind, ())
        for name, value in server.options:
            if name in flags and truthy_setting(value):
                extras.reload.append(Switch(command.origin, f"`{name}` on the command line"))
        if config is not None:
            extras.reload.extend(config_reload_switches(config))


def config_reload_switches(config: ServerConfig) -> list[Switch]:
    """Settings of a server config file that reload or trace in production."""
    names = (
        ("reload", "spew")
        if config.kind == "gunicorn"
        else ("py-autoreload", "python-autoreload", "py-auto-reload")
    )
    found = []
    for name in names:
        setting = config.last(name)
        if setting is not None and truthy_setting(setting.value):
            origin = Origin(config.path, setting.line, setting.snippet, f"{config.kind} config")
            found.append(Switch(origin, f"`{setting.snippet}` in {config.path}"))
    return found


def _config_app(config: ServerConfig) -> str | None:
    if config.kind == "gunicorn":
        setting = config.last("wsgi_app")
        return setting.value if setting is not None and isinstance(setting.value, str) else None
    options = [(name, s.value) for name, items in config.settings.items() for s in items]
    return uwsgi_app(options)


def _value(var: EnvVar | None) -> str | None:
    return var.value if var is not None else None


def _redact(name: str, raw: str) -> str:
    return redacted(name, raw)


def _expr_text(node: ast.expr | None) -> str:
    if node is None:
        return "..."
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError):
        return "..."
