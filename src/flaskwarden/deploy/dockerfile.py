"""A Dockerfile parser, to the level a deployment model needs.

It follows BuildKit's front end: parser directives (``# escape=`` and ``# syntax=``)
only at the very top, comments and blank lines dropped (also inside continuations),
the escape character ending a line continues the instruction, heredocs
(``RUN <<EOF`` ... ``EOF``) skipped whole, JSON exec form (``["gunicorn", "app:app"]``)
versus shell form, ``ENV`` in both the ``key=value`` and the legacy ``key value``
forms, ``ARG`` defaults, variable substitution in ``ENV``/``ARG``/``WORKDIR``/``COPY``
(``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:+alt}``), and multi-stage builds
where a stage ``FROM`` an earlier stage inherits its environment, working directory
and command.

Why not a package: ``dockerfile`` (BuildKit's Go parser) needs a compiled wheel per
platform, and ``dockerfile-parse`` stops at instruction level, without stages,
substitution or inheritance, which is the part that decides findings. An unknown
instruction is a diagnostic, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

INSTRUCTIONS: Final = frozenset(
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
        "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL",
        "HEALTHCHECK", "SHELL",
    }
)  # fmt: skip
_DIRECTIVE: Final = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC: Final = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_INSTRUCTIONS: Final = frozenset({"RUN", "COPY", "ADD"})
_VAR: Final = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+?])(?P<word>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True)
class Instruction:
    """One instruction: its keyword (upper case), the raw argument text (continuations
    joined), the exec-form list when it is a JSON array, and its first/last line."""

    keyword: str
    text: str
    line: int
    end_line: int
    exec_form: tuple[str, ...] | None = None
    flags: tuple[tuple[str, str], ...] = ()
    source: str = ""  # the first physical line, stripped (for snippets)


@dataclass
class ParsedDockerfile:
    instructions: list[Instruction]
    escape: str = "\\"
    problems: list[tuple[int, str]] = field(default_factory=list)

    def stage_lines(self) -> list[int]:
        """The line of each ``FROM``."""
        return [i.line for i in self.instructions if i.keyword == "FROM"]


def parse(text: str) -> ParsedDockerfile:
    """Instructions of a Dockerfile; problems (unknown instruction, unterminated
    heredoc) are returned as (line, message), never raised."""
    lines = text.splitlines()
    escape = "\\"
    result = ParsedDockerfile([], escape)
    i = 0
    # Parser directives: only before any instruction, comment or blank line.
    while i < len(lines):
        match = _DIRECTIVE.match(lines[i].strip()) if lines[i].strip().startswith("#") else None
        if match is None:
            break
        name, value = match.group(1).lower(), match.group(2)
        if name == "escape":
            if value in ("\\", "`"):
                escape = value
            else:
                result.problems.append((i + 1, f"invalid escape directive {value!r}; using \\"))
        i += 1
    result.escape = escape
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        parts: list[str] = []
        line = raw.rstrip()
        while True:
            if line.endswith(escape):
                parts.append(line[:-1])
                i += 1
                while i < len(lines) and (not lines[i].strip() or lines[i].strip().startswith("#")):
                    i += 1
                if i >= len(lines):
                    break
                line = lines[i].rstrip()
                continue
            parts.append(line)
            break
        end = i
        i += 1
        keyword, _, rest = "".join(parts).strip().partition(" ")
        keyword, _, tail = keyword.partition("\t")
        keyword, rest = keyword.upper(), f"{tail} {rest}".strip()
        if keyword in _HEREDOC_INSTRUCTIONS or keyword not in INSTRUCTIONS:
            for heredoc in _HEREDOC.finditer(rest):
                strip_tabs, word = heredoc.group(1) == "-", heredoc.group(3)
                while i < len(lines):
                    body = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if body == word:
                        break
                else:
                    result.problems.append((start + 1, f"heredoc <<{word} is not terminated"))
        if keyword not in INSTRUCTIONS:
            result.problems.append((start + 1, f"unknown instruction {keyword!r}; ignored"))
            continue
        flags, rest = _flags(rest)
        exec_form = _exec_form(rest) if keyword in ("CMD", "ENTRYPOINT", "RUN", "SHELL") else None
        if exec_form is None and keyword in ("COPY", "ADD", "VOLUME"):
            exec_form = _exec_form(rest)
        result.instructions.append(
            Instruction(keyword, rest, start + 1, end + 1, exec_form, flags, stripped)
        )
    return result


def _flags(rest: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """``--from=builder --chown=app`` before the arguments."""
    flags: list[tuple[str, str]] = []
    while rest.startswith("--"):
        word, _, remainder = rest.partition(" ")
        name, _, value = word[2:].partition("=")
        flags.append((name.lower(), value))
        rest = remainder.lstrip()
    return tuple(flags), rest


def _exec_form(rest: str) -> tuple[str, ...] | None:
    if not rest.startswith("["):
        return None
    try:
        value = json.loads(rest)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def words(text: str, escape: str = "\\") -> list[str]:
    """Split instruction arguments into words as BuildKit does for ENV/ARG/LABEL:
    white space separates, quotes group (and are removed), the escape character
    escapes the next character (inside single quotes it is literal)."""
    out: list[str] = []
    current: list[str] = []
    quote: str | None = None
    in_word = False
    i = 0
    while i < len(text):
        char = text[i]
        if quote is None and char.isspace():
            if in_word:
                out.append("".join(current))
                current, in_word = [], False
            i += 1
            continue
        in_word = True
        if char == escape and quote != "'" and i + 1 < len(text):
            current.append(text[i + 1])
            i += 2
            continue
        if char in ("'", '"'):
            if quote is None:
                quote = char
                i += 1
                continue
            if quote == char:
                quote = None
                i += 1
                continue
        current.append(char)
        i += 1
    if in_word:
        out.append("".join(current))
    return out


def env_pairs(text: str, escape: str = "\\") -> list[tuple[str, str]]:
    """``ENV a=1 b="two words"`` and the legacy ``ENV a one value`` form."""
    items = words(text, escape)
    if not items:
        return []
    if "=" not in items[0]:
        name, _, value = text.strip().partition(" ")
        if not value:
            name, _, value = text.strip().partition("\t")
        joined = words(value, escape)
        return [(name, " ".join(joined))]
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if sep and name:
            pairs.append((name, value))
    return pairs


def arg_pairs(text: str, escape: str = "\\") -> list[tuple[str, str | None]]:
    """``ARG NAME`` (no default) and ``ARG NAME=default`` (several per line)."""
    pairs: list[tuple[str, str | None]] = []
    for item in words(text, escape):
        name, sep, value = item.partition("=")
        if name:
            pairs.append((name, value if sep else None))
    return pairs


def substitute(text: str, values: Mapping[str, str | None]) -> tuple[str | None, list[str]]:
    """BuildKit variable substitution; returns (result, variables used). The result
    is None when a variable used has no known value (an unset ``ARG`` without
    default, a value the scanner cannot know)."""
    used: list[str] = []
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group("braced") or match.group("bare")
        used.append(name)
        op, word = match.group("op"), match.group("word") or ""
        present = name in values
        value = values.get(name)
        if op is None:
            if present and value is None:
                unknown = True
            return value or ""
        if present and value is None:
            unknown = True
            return ""
        empty = not value
        if op in (":-", "-"):
            use_default = (not present) if op == "-" else empty
            return word if use_default else (value or "")
        if op in (":+", "+"):
            use_alt = present if op == "+" else not empty
            return word if use_alt else ""
        return value or ""

    escaped = text.replace("\\$", "\0")
    result = _VAR.sub(replace, escaped).replace("\0", "$")
    return (None if unknown else result), used


# -- stages ------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvSetting:
    """A variable set by ``ENV`` (value None when it depends on an unknown ``ARG``)."""

    name: str
    value: str | None
    instruction: Instruction
    args_used: tuple[tuple[str, str | None, int], ...] = ()  # (ARG, value, line)


@dataclass(frozen=True)
class Copy:
    sources: tuple[str, ...]
    dest: str
    from_stage: str | None
    line: int
    into_dir: bool = False  # the destination is a directory (ends in / or is .)


@dataclass
class Stage:
    """One build stage with what it inherits from an earlier stage it is built FROM."""

    index: int
    name: str | None
    base: str
    instruction: Instruction
    parent: int | None = None
    env: dict[str, EnvSetting] = field(default_factory=dict)
    args: dict[str, tuple[str | None, int]] = field(default_factory=dict)
    workdir: str = "/"
    cmd: Instruction | None = None
    entrypoint: Instruction | None = None
    copies: list[Copy] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"stage {self.name!r}" if self.name else f"stage {self.index + 1}"


def stages(
    parsed: ParsedDockerfile, build_args: Mapping[str, str | None] | None = None
) -> list[Stage]:
    """Evaluate the stages: ``ENV`` with ``ARG``/``ENV`` substitution, ``WORKDIR``,
    ``COPY``/``ADD``, and the effective ``CMD``/``ENTRYPOINT`` (inherited from an
    earlier stage used as base; setting ``ENTRYPOINT`` resets an inherited ``CMD``).
    ``build_args`` are ``--build-arg`` values (compose ``build.args``)."""
    overrides = dict(build_args or {})
    global_args: dict[str, tuple[str | None, int]] = {}
    result: list[Stage] = []
    by_name: dict[str, Stage] = {}
    current: Stage | None = None
    cmd_inherited = False
    for ins in parsed.instructions:
        if ins.keyword == "FROM":
            scope = {
                k: overrides.get(k, v[0]) if k in overrides else v[0]
                for k, v in global_args.items()
            }
            text, _ = substitute(ins.text, scope)
            items = words(text or ins.text, parsed.escape)
            base = items[0] if items else ""
            name = items[2] if len(items) >= 3 and items[1].upper() == "AS" else None
            current = Stage(len(result), name, base, ins)
            parent = by_name.get(base.lower())
            if parent is not None:
                current.parent = parent.index
                current.env = dict(parent.env)
                current.workdir = parent.workdir
                current.cmd = parent.cmd
                current.entrypoint = parent.entrypoint
                current.copies = list(parent.copies)
                cmd_inherited = True
            result.append(current)
            if name:
                by_name[name.lower()] = current
            continue
        if current is None:
            if ins.keyword == "ARG":
                for arg, default in arg_pairs(ins.text, parsed.escape):
                    global_args[arg] = (default, ins.line)
            continue
        values: dict[str, str | None] = {k: v[0] for k, v in current.args.items()}
        values.update({k: e.value for k, e in current.env.items()})
        if ins.keyword == "ARG":
            for arg, default in arg_pairs(ins.text, parsed.escape):
                if arg in overrides:
                    value = overrides[arg]
                elif default is None and arg in global_args:
                    value = global_args[arg][0]
                elif default is not None:
                    value, _ = substitute(default, values)
                else:
                    value = None
                current.args[arg] = (value, ins.line)
        elif ins.keyword == "ENV":
            for name, raw in env_pairs(ins.text, parsed.escape):
                value, used = substitute(raw, values)
                args_used = tuple(
                    (u, current.args[u][0], current.args[u][1])
                    for u in used
                    if u in current.args and u not in current.env
                )
                current.env[name] = EnvSetting(name, value, ins, args_used)
                values[name] = value
        elif ins.keyword == "WORKDIR":
            path, _ = substitute(ins.text.strip(), values)
            path = (path or ins.text).strip().strip('"')
            current.workdir = path if path.startswith("/") else _posix_join(current.workdir, path)
        elif ins.keyword in ("COPY", "ADD"):
            items = list(ins.exec_form) if ins.exec_form else words(ins.text, parsed.escape)
            if len(items) >= 2 and not _HEREDOC.search(ins.text):
                resolved = [substitute(item, values)[0] or item for item in items]
                raw_dest = resolved[-1]
                into_dir = raw_dest.endswith("/") or raw_dest in (".", "./") or len(resolved) > 2
                dest = (
                    raw_dest if raw_dest.startswith("/") else _posix_join(current.workdir, raw_dest)
                )
                from_stage = dict(ins.flags).get("from")
                current.copies.append(
                    Copy(
                        tuple(resolved[:-1]),
                        dest.rstrip("/") or "/",
                        from_stage,
                        ins.line,
                        into_dir,
                    )
                )
        elif ins.keyword == "CMD":
            current.cmd = ins
            cmd_inherited = False
        elif ins.keyword == "ENTRYPOINT":
            current.entrypoint = ins
            if cmd_inherited:
                current.cmd = None
    return result


def _posix_join(base: str, path: str) -> str:
    if path in ("", ".", "./"):
        return base or "/"
    return f"{base.rstrip('/')}/{path.removeprefix('./')}"
