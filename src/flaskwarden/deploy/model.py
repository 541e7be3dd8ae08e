"""The deployment model: what each deployment target starts, and with which environment.

A *target* is one thing that starts a process: a Dockerfile stage, a compose service, a
Kubernetes container, a Procfile process, a systemd unit. Each has a command (where it
is written), the server that command starts, the app module it loads, and the
environment it runs with, layered the way the tool that starts it layers it. Every
value keeps the place it was written (:class:`Origin`), so a finding can point at the
deployment-file line that decides it and the text report can show the reason chain.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

TargetKind = Literal["dockerfile", "compose", "k8s", "procfile", "systemd"]


@dataclass(frozen=True)
class Origin:
    """Where a value was written: a file (relative to the scan root), a 1-based line,
    the line's text (stripped, secrets already redacted) and what kind of setting it is
    (``Dockerfile ENV``, ``compose environment``, ``.flaskenv`` ...)."""

    path: str
    line: int
    snippet: str
    what: str

    def short(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class EnvVar:
    """One environment variable as a target sees it.

    ``value`` is None when it cannot be known statically (passed through from the
    shell, a Secret, a ``valueFrom``). ``via`` lists the places that contributed
    without deciding the value (a compose line that interpolates ``${FLASK_DEBUG}``
    from the project ``.env``), ``overrides`` the earlier definitions this one hides.
    """

    name: str
    value: str | None
    origin: Origin
    via: tuple[Origin, ...] = ()
    overrides: tuple[EnvVar, ...] = ()

    def describe(self) -> str:
        shown = "(unknown)" if self.value is None else repr(self.value)
        if self.origin.what == self.origin.path.rsplit("/", 1)[-1]:
            return f"{self.name}={shown} ({self.origin.short()})"
        return f"{self.name}={shown} ({self.origin.what}, {self.origin.short()})"


class Environment:
    """An ordered environment built layer by layer; later layers win.

    ``set`` records the overridden definition so the reason chain can say
    "FLASK_DEBUG=0 in the Dockerfile, overridden by compose environment".
    ``setdefault`` is how dotenv files load: they never override what is set.
    """

    def __init__(self, items: Iterable[EnvVar] = ()) -> None:
        self._vars: dict[str, EnvVar] = {}
        for item in items:
            self.set(item)

    def set(self, var: EnvVar) -> None:
        previous = self._vars.get(var.name)
        if previous is not None:
            var = EnvVar(var.name, var.value, var.origin, var.via, (*var.overrides, previous))
        self._vars[var.name] = var

    def setdefault(self, var: EnvVar) -> bool:
        if var.name in self._vars:
            return False
        self._vars[var.name] = var
        return True

    def update(self, other: Environment | Iterable[EnvVar]) -> None:
        for var in other:
            self.set(var)

    def get(self, name: str) -> EnvVar | None:
        return self._vars.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._vars

    def __iter__(self) -> Iterator[EnvVar]:
        return iter(self._vars.values())

    def __len__(self) -> int:
        return len(self._vars)

    def copy(self) -> Environment:
        env = Environment()
        env._vars = dict(self._vars)
        return env

    def values(self) -> dict[str, str | None]:
        return {name: var.value for name, var in self._vars.items()}


class ServerKind(str, enum.Enum):
    """What a command starts."""

    FLASK_RUN = "flask run"
    PYTHON_SCRIPT = "python script"
    GUNICORN = "gunicorn"
    UWSGI = "uwsgi"
    WAITRESS = "waitress"
    HYPERCORN = "hypercorn"
    UVICORN = "uvicorn"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def production(self) -> bool:
        return self in (
            ServerKind.GUNICORN,
            ServerKind.UWSGI,
            ServerKind.WAITRESS,
            ServerKind.HYPERCORN,
            ServerKind.UVICORN,
        )


@dataclass(frozen=True)
class Command:
    """The command a target runs: argv of the process that serves (after unwrapping
    ``sh -c``, ``exec``, ``env A=B``, ``tini --`` ...), prefix assignments, and where
    it is written."""

    argv: tuple[str, ...]
    origin: Origin
    text: str
    assignments: tuple[tuple[str, str], ...] = ()
    # The complete command as the tool would run it (ENTRYPOINT + CMD), for display.
    full: str = ""
    cwd: str | None = None  # where a preceding `cd` moved


@dataclass(frozen=True)
class Server:
    """The server a command starts, the app it loads and its options."""

    kind: ServerKind
    app: str | None = None  # "module:attr", a file path, or None for Flask's default
    # Options as given (name -> value; flags map to "true"), in order, for rules.
    options: tuple[tuple[str, str], ...] = ()
    config: str | None = None  # gunicorn -c / uwsgi --ini
    module_arg: str | None = None  # python -m <module>
    script: str | None = None  # python <file>

    def option(self, *names: str) -> str | None:
        for name, value in reversed(self.options):
            if name in names:
                return value
        return None


class DebugState(str, enum.Enum):
    ON = "on"
    OFF = "off"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CodeRef:
    """A place in the project's Python code the resolution relies on."""

    path: str
    line: int
    message: str


@dataclass(frozen=True)
class Switch:
    """A deployment setting that switches debug (or something debug-like) on: an
    environment variable, a command-line flag, a config-file line."""

    origin: Origin
    description: str
    related: tuple[Origin, ...] = ()


@dataclass
class DebugResolution:
    """Effective DEBUG of a target, with the reason chain users need to see."""

    state: DebugState
    chain: list[str] = field(default_factory=list)
    switches: list[Switch] = field(default_factory=list)
    code: list[CodeRef] = field(default_factory=list)
    # True when the interactive Werkzeug debugger is served (dev server), not only
    # app.debug set under a production server.
    debugger: bool = False
    all_interfaces: bool = False
    # False when the conclusion rests on a heuristic (the code reads FLASK_ENV).
    certain: bool = True
    # Deployment settings that turn debug on but are masked today by code that turns
    # it on by itself (debug=True): fixing the code as FW101 suggests leaves them live.
    latent: list[Switch] = field(default_factory=list)
    masked_by: str = ""


@dataclass
class Target:
    """One deployment target."""

    kind: TargetKind
    name: str
    origin: Origin  # where the target is declared (FROM line, service key ...)
    context_dir: str  # the directory commands run in (for dotenv files, modules)
    env: Environment
    command: Command | None
    development: str | None = None  # why it is considered a development target
    server: Server | None = None
    app_module: str | None = None  # project path of the module the app comes from
    notes: list[str] = field(default_factory=list)
    debug: DebugResolution | None = None
    # Working directory inside the container and COPY destinations, to map container
    # paths (python /app/app.py) back to project files.
    workdir: str = ""
    path_map: tuple[tuple[str, str], ...] = ()
    # Dotenv files copied into the image (Dockerfile targets), None when not a container.
    shipped: frozenset[str] | None = None

    @property
    def production(self) -> bool:
        return self.development is None
