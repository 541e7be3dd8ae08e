"""Dotenv files (``.env``, ``.flaskenv``, ``*.env``, compose ``env_file``) read with
python-dotenv's own parser, keeping the line of each variable.

``${VAR}`` and ``${VAR:-default}`` are expanded as python-dotenv does, but only from
the file itself: the scanner's own environment is never consulted, so a value that
depends on the process environment is unknown (None).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Final

from dotenv.parser import parse_stream
from dotenv.variables import Literal, parse_variables

from flaskwarden.python.names import is_secret_name

_REDACT: Final = re.compile(r"(?P<head>^\s*(?:export\s+)?[^=:\s]+\s*[=:]\s*)(?P<value>.+)$")
_PAIR: Final = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<sep>\s*[=:]\s*)(?P<value>\"[^\"]*\"|'[^']*'|\S+)"
)


@dataclass(frozen=True)
class DotenvEntry:
    name: str
    value: str | None  # None: not knowable statically (or ``KEY`` with no ``=``)
    line: int
    raw: str  # the physical line, stripped


def parse_dotenv(text: str) -> tuple[list[DotenvEntry], list[tuple[int, str]]]:
    """Variables in file order and problems as (line, message)."""
    lines = text.splitlines()
    entries: list[DotenvEntry] = []
    problems: list[tuple[int, str]] = []
    known: dict[str, str | None] = {}
    try:
        bindings = list(parse_stream(io.StringIO(text)))
    except Exception as exc:  # the parser is third-party: never let it end the scan
        return [], [(0, f"cannot parse as a dotenv file: {type(exc).__name__}")]
    for binding in bindings:
        line = binding.original.line
        if binding.error:
            problems.append((line, "line is not NAME=value; python-dotenv skips it"))
            continue
        if binding.key is None:
            continue
        value = _expand(binding.value, known) if binding.value is not None else None
        known[binding.key] = value
        raw = lines[line - 1].strip() if 0 < line <= len(lines) else binding.key
        entries.append(DotenvEntry(binding.key, value, line, raw))
    return entries, problems


def _expand(value: str, known: dict[str, str | None]) -> str | None:
    if "${" not in value:
        return value
    parts: list[str] = []
    for atom in parse_variables(value):
        if isinstance(atom, Literal):
            parts.append(atom.value)
            continue
        name = getattr(atom, "name", "")
        default = getattr(atom, "default", None)
        if name in known:
            found = known[name]
            if found is None:
                return None
            parts.append(found)
        elif default is not None:
            parts.append(default)
        else:
            return None
    return "".join(parts)


def redacted(name: str, raw: str) -> str:
    """``raw`` with secret values hidden: the value of ``name`` when it holds a secret,
    and any other ``SECRET_NAME=value`` on the same line (snippets are shown in reports
    and stored in baselines)."""
    if is_secret_name(name):
        match = _REDACT.match(raw)
        return f"{match.group('head')}<redacted>" if match else f"{name}=<redacted>"

    def hide(match: re.Match[str]) -> str:
        if is_secret_name(match.group("name")):
            return f"{match.group('name')}{match.group('sep')}<redacted>"
        return match.group(0)

    return _PAIR.sub(hide, raw)
