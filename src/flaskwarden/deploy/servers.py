"""Production server configuration files: ``gunicorn.conf.py`` (read as an AST, never
executed) and uWSGI ``.ini`` files; and the INI dialect systemd units share with them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Final

from flaskwarden.python.evaluate import UNKNOWN, Evaluator

GUNICORN_SETTINGS: Final = frozenset(
    {"reload", "reload_engine", "reload_extra_files", "spew", "raw_env", "wsgi_app", "bind",
     "chdir", "pythonpath", "loglevel", "workers", "worker_class"}
)  # fmt: skip


@dataclass(frozen=True)
class Setting:
    """A setting from a server config file: the value when no environment variable is
    set (``UNKNOWN`` when not static), its line and the expression (for gunicorn,
    re-evaluated with a target's environment)."""

    name: str
    value: Any
    line: int
    snippet: str
    node: ast.expr | None = None
    item_lines: tuple[int, ...] = ()


@dataclass
class ServerConfig:
    """A gunicorn or uWSGI configuration file."""

    path: str
    kind: str  # "gunicorn" | "uwsgi"
    settings: dict[str, list[Setting]] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)
    problem: tuple[int, str] | None = None

    def last(self, name: str) -> Setting | None:
        found = self.settings.get(name)
        return found[-1] if found else None

    def all(self, name: str) -> list[Setting]:
        return self.settings.get(name, [])


def parse_gunicorn(path: str, text: str) -> ServerConfig:
    """Module-level assignments of a gunicorn config file (``reload = True``)."""
    config = ServerConfig(path, "gunicorn")
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", 0) or 0
        config.problem = (line, f"cannot parse gunicorn config: {getattr(exc, 'msg', exc)}")
        return config
    lines = text.splitlines()
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                config.imports[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                config.imports[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
    evaluator = Evaluator(config.imports)
    for stmt in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        if value is None:
            continue
        for target in targets:
            if not isinstance(target, ast.Name) or target.id not in GUNICORN_SETTINGS:
                continue
            evaluated = evaluator.evaluate(value)
            items: tuple[int, ...] = ()
            if isinstance(value, (ast.List, ast.Tuple)):
                items = tuple(e.lineno for e in value.elts)
            snippet = lines[stmt.lineno - 1].strip() if stmt.lineno <= len(lines) else ""
            config.settings.setdefault(target.id, []).append(
                Setting(target.id, evaluated.value, stmt.lineno, snippet, value, items)
            )
    return config


@dataclass(frozen=True)
class IniEntry:
    section: str
    key: str
    value: str
    line: int
    raw: str


def parse_ini(text: str, comments: tuple[str, ...] = ("#", ";")) -> list[IniEntry]:
    """Sections and ``key = value`` lines in order, duplicates kept (uWSGI's ``env``
    and systemd's ``Environment=`` repeat), backslash continuations joined."""
    entries: list[IniEntry] = []
    section = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start = i
        raw = lines[i].strip()
        i += 1
        if not raw or raw.startswith(comments):
            continue
        if raw.startswith("[") and raw.endswith("]"):
            section = raw[1:-1].strip()
            continue
        logical = raw
        while logical.endswith("\\") and i < len(lines):
            logical = logical[:-1] + " " + lines[i].strip()
            i += 1
        key, sep, value = logical.partition("=")
        if not sep:
            continue
        entries.append(IniEntry(section, key.strip(), value.strip(), start + 1, raw))
    return entries


def parse_uwsgi(path: str, text: str) -> ServerConfig:
    config = ServerConfig(path, "uwsgi")
    for entry in parse_ini(text):
        if entry.section.lower() != "uwsgi":
            continue
        config.settings.setdefault(entry.key.lower(), []).append(
            Setting(entry.key.lower(), entry.value, entry.line, entry.raw)
        )
    return config


def truthy_setting(value: Any) -> bool:
    """A config value that switches something on: True, a non-zero number, or the
    strings uWSGI and gunicorn accept for it."""
    if value is UNKNOWN or value is None:
        return False
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            return int(text) > 0
        return text in ("true", "yes", "on", "y", "1")
    try:
        return bool(value)
    except Exception:
        return False
