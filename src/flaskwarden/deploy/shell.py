"""Commands as deployment files write them: shell lines, exec arrays, and the servers
they start.

Nothing here runs a shell. A shell string is split with :mod:`shlex` into simple
commands (``&&``, ``||``, ``;`` and ``|`` separate them; ``cd`` changes the working
directory of the ones after it); wrappers that only exec their arguments (``exec``,
``env A=B``, ``tini --``, ``gosu user``, ``sh -c "..."``, ``poetry run`` ...) are peeled
off; what remains is matched against the servers a Flask app is started with.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

from flaskwarden.deploy.model import Server, ServerKind

_ASSIGNMENT: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON: Final = re.compile(r"^(python|pypy)(\d+(\.\d+)?)?[mw]?(\.exe)?$")
_SEPARATORS: Final = frozenset({"&&", "||", ";", "|", "&", ";;", "(", ")", "|&"})
_PUNCTUATION: Final = frozenset("();&|<>")
_MAX_DEPTH: Final = 6


@dataclass(frozen=True)
class SimpleCommand:
    """One simple command: argv after unwrapping, ``NAME=value`` prefixes (and ``env``
    assignments), and the directory a preceding ``cd`` moved to."""

    argv: tuple[str, ...]
    assignments: tuple[tuple[str, str], ...] = ()
    cwd: str | None = None


def split_words(text: str) -> list[str]:
    """Shell words of ``text``; a line shlex cannot split (an open quote) falls back to
    white space, so a broken line still yields a best-effort command."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars="();&|<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:
        return text.split()


def shell_commands(text: str, depth: int = 0) -> list[SimpleCommand]:
    """The simple commands of a shell string, wrappers peeled, in order."""
    out: list[SimpleCommand] = []
    cwd: str | None = None
    current: list[str] = []
    skip = False
    for word in [*split_words(text), ";"]:
        if skip:
            skip = False
            continue
        if word and set(word) <= _PUNCTUATION and ("<" in word or ">" in word):
            # a redirection: drop it, its target and a file-descriptor number before it
            if current and current[-1].isdigit():
                current.pop()
            skip = True
            continue
        if word in _SEPARATORS or (word and set(word) <= _PUNCTUATION):
            if current:
                for command in exec_commands(current, depth + 1):
                    if command.argv and command.argv[0] == "cd" and len(command.argv) > 1:
                        cwd = _join(cwd, command.argv[1])
                        continue
                    out.append(SimpleCommand(command.argv, command.assignments, command.cwd or cwd))
            current = []
            continue
        current.append(word)
    return out


def exec_commands(argv: Sequence[str], depth: int = 0) -> list[SimpleCommand]:
    """The simple commands an exec-form argv runs (``["sh", "-c", "a && b"]`` is two)."""
    if depth > _MAX_DEPTH:
        return []
    words = list(argv)
    assignments: list[tuple[str, str]] = []
    while words:
        head = words[0]
        name = PurePosixPath(head).name
        if _ASSIGNMENT.match(head):
            key, _, value = head.partition("=")
            assignments.append((key, value))
            words = words[1:]
            continue
        if name in ("exec", "command", "nohup", "time", "builtin"):
            words = words[1:]
            continue
        if name == "env":
            words = words[1:]
            while words and (words[0].startswith("-") or _ASSIGNMENT.match(words[0])):
                if _ASSIGNMENT.match(words[0]):
                    key, _, value = words[0].partition("=")
                    assignments.append((key, value))
                elif words[0] in ("-u", "--unset", "-C", "--chdir", "-S") and len(words) > 1:
                    words = words[1:]
                words = words[1:]
            continue
        if name in ("tini", "tini-static", "dumb-init", "catatonit", "runuser", "doppler"):
            words = _after_double_dash_or_options(words[1:])
            continue
        if name in ("gosu", "su-exec", "setuidgid", "s6-setuidgid"):
            words = words[2:]
            continue
        if name in ("chpst", "sudo", "nice", "ionice", "stdbuf", "timeout"):
            words = _skip_options(words[1:], with_value={"-u", "-n", "-g", "-c", "-o", "-e"})
            if name == "timeout" and words:
                words = words[1:]
            continue
        if name in ("ddtrace-run", "opentelemetry-instrument"):
            words = _skip_options(words[1:], with_value=set(), long_values=True)
            continue
        if name == "newrelic-admin" and len(words) > 1 and words[1] == "run-program":
            words = words[2:]
            continue
        if name in ("uv", "poetry", "pipenv", "pdm", "hatch", "rye", "conda", "pixi") and (
            len(words) > 1 and words[1] == "run"
        ):
            words = _skip_options(words[2:], with_value={"-n", "--name", "-e", "--with"})
            continue
        if name in ("sh", "bash", "dash", "ash", "zsh", "ksh") and len(words) > 2:
            flags = [w for w in words[1:] if w.startswith("-")]
            if any("c" in flag.lstrip("-") for flag in flags if not flag.startswith("--")):
                script = next((w for w in words[1:] if not w.startswith("-")), None)
                if script is None:
                    return []
                nested = shell_commands(script, depth + 1)
                return [
                    SimpleCommand(c.argv, (*assignments, *c.assignments), c.cwd) for c in nested
                ]
        break
    if not words:
        return []
    return [SimpleCommand(tuple(words), tuple(assignments))]


def _after_double_dash_or_options(words: list[str]) -> list[str]:
    if "--" in words:
        return words[words.index("--") + 1 :]
    return _skip_options(words, with_value={"-s", "-p", "-e", "-l", "-u", "-g"})


def _skip_options(words: list[str], with_value: set[str], long_values: bool = False) -> list[str]:
    while words and words[0].startswith("-"):
        if words[0] == "--":
            return words[1:]
        takes_value = words[0] in with_value or (
            long_values and words[0].startswith("--") and "=" not in words[0]
        )
        words = words[2:] if takes_value else words[1:]
    return words


def _join(cwd: str | None, path: str) -> str:
    if path.startswith("/") or cwd is None:
        return path
    return f"{cwd.rstrip('/')}/{path}"


# -- servers -----------------------------------------------------------------------

_FLASK_GROUP_VALUES: Final = frozenset({"-A", "--app", "-e", "--env-file"})
_FLASK_RUN_VALUES: Final = frozenset(
    {"-h", "--host", "-p", "--port", "--cert", "--key", "--extra-files", "--exclude-patterns"}
)
_GUNICORN_FLAGS: Final = frozenset(
    {
        "--reload", "--spew", "--preload", "-D", "--daemon", "--capture-output",
        "--check-config", "--print-config", "--enable-stdio-inheritance", "--no-sendfile",
        "--reuse-port", "--proxy-protocol", "--strip-header-spaces", "--initgroups",
        "--disable-redirect-access-to-syslog", "-R", "--version", "-v", "--help", "-h",
        "--do-handshake-on-connect", "--suppress-ragged-eofs",
        "--permit-unconventional-http-method",
        "--permit-unconventional-http-version", "--casefold-http-method",
        "--permit-obsolete-folding", "--header-map", "--no-control-socket",
    }
)  # fmt: skip
_WAITRESS_FLAGS: Final = frozenset(
    {
        "--call", "--expose-tracebacks", "--no-expose-tracebacks", "--ipv4", "--no-ipv4",
        "--ipv6", "--no-ipv6", "--help", "--log-socket-errors", "--no-log-socket-errors",
        "--unix-socket-perms", "--trusted-proxy-headers",
    }
)  # fmt: skip
_ASGI_FLAGS: Final = frozenset(
    {
        "--reload", "--debug", "--factory", "--no-access-log", "--access-log",
        "--proxy-headers", "--no-proxy-headers", "--use-colors", "--no-use-colors",
        "--server-header", "--no-server-header", "--date-header", "--no-date-header",
        "--version", "--help", "--h11-pass-unsupported-upgrade",
    }
)  # fmt: skip
_PYTHON_VALUE_OPTIONS: Final = frozenset({"-W", "-X", "-Q", "--check-hash-based-pycs"})


def parse_options(
    args: Sequence[str], flags: Iterable[str] = (), values: Iterable[str] | None = None
) -> tuple[list[tuple[str, str]], list[str]]:
    """Split ``args`` into (option, value) pairs and positional arguments.

    An option in ``flags`` takes no value ("true"; ``--no-x`` is "false" for ``--x``);
    ``--opt=value`` carries its own; with ``values`` given only those take the next
    word, otherwise any option not in ``flags`` does unless the next word is an option.
    """
    flag_set = set(flags)
    value_set = set(values) if values is not None else None
    options: list[tuple[str, str]] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            positional.extend(args[i + 1 :])
            break
        if word.startswith("--") and "=" in word:
            name, _, value = word.partition("=")
            options.append((name, value))
        elif word.startswith("-") and len(word) > 1:
            if word in flag_set:
                options.append((word, "true"))
            elif word.startswith("--no-") and f"--{word[5:]}" in flag_set:
                options.append((f"--{word[5:]}", "false"))
            elif value_set is not None and word not in value_set:
                attached = _attached_short(word, value_set)
                options.append(attached if attached else (word, "true"))
            elif i + 1 < len(args) and (
                value_set is not None
                or not args[i + 1].startswith("-")
                or args[i + 1] == "-"  # --access-logfile -: "-" is stdout, a value
            ):
                options.append((word, args[i + 1]))
                i += 1
            else:
                options.append((word, "true"))
        else:
            positional.append(word)
        i += 1
    return options, positional


def _attached_short(word: str, value_set: set[str]) -> tuple[str, str] | None:
    """``-h0.0.0.0`` is ``-h 0.0.0.0`` for click and argparse short options."""
    if not word.startswith("--") and len(word) > 2 and word[:2] in value_set:
        return word[:2], word[2:]
    return None


def detect_server(argv: Sequence[str]) -> Server:
    """The server ``argv`` starts (``ServerKind.OTHER`` for any other program)."""
    if not argv:
        return Server(ServerKind.UNKNOWN)
    program = PurePosixPath(argv[0]).name
    rest = list(argv[1:])
    if _PYTHON.match(program):
        return _python(rest)
    return _program(program, rest)


def _program(program: str, rest: list[str]) -> Server:
    if program == "flask":
        return _flask(rest)
    if program == "gunicorn":
        options, positional = parse_options(rest, _GUNICORN_FLAGS)
        config = _last(options, "-c", "--config")
        app = positional[0] if positional else None
        return Server(ServerKind.GUNICORN, app, tuple(options), config)
    if program in ("uwsgi", "uwsgi-core"):
        options, positional = parse_options(rest)
        config = _last(options, "--ini", "--yaml", "--json", "--xml")
        if config is None and positional and positional[0].endswith(".ini"):
            config = positional[0]
        return Server(ServerKind.UWSGI, uwsgi_app(options), tuple(options), config)
    if program == "waitress-serve":
        options, positional = parse_options(rest, _WAITRESS_FLAGS)
        return Server(ServerKind.WAITRESS, positional[0] if positional else None, tuple(options))
    if program in ("hypercorn", "uvicorn"):
        options, positional = parse_options(rest, _ASGI_FLAGS)
        kind = ServerKind.HYPERCORN if program == "hypercorn" else ServerKind.UVICORN
        config = _last(options, "-c", "--config") if kind is ServerKind.HYPERCORN else None
        return Server(kind, positional[0] if positional else None, tuple(options), config)
    return Server(ServerKind.OTHER, options=(("program", program),))


def uwsgi_app(options: Sequence[tuple[str, str]]) -> str | None:
    """The app a uWSGI command line or ini section loads (module:callable or a file)."""
    module = _last(options, "--module", "-w", "--wsgi", "module", "wsgi")
    if module:
        return module
    mount = _last(options, "--mount", "mount")
    if mount and "=" in mount:
        return mount.split("=", 1)[1]
    wsgi_file = _last(options, "--wsgi-file", "--file", "wsgi-file", "file")
    if wsgi_file:
        callable_ = _last(options, "--callable", "callable") or "application"
        return f"{wsgi_file}:{callable_}"
    return None


def _last(options: Sequence[tuple[str, str]], *names: str) -> str | None:
    for name, value in reversed(options):
        if name in names:
            return value
    return None


def _flask(rest: list[str]) -> Server:
    group: list[tuple[str, str]] = []
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        word = rest[i]
        if "=" in word and word.startswith("--"):
            name, _, value = word.partition("=")
            group.append((name, value))
        elif word in _FLASK_GROUP_VALUES and i + 1 < len(rest):
            group.append((word, rest[i + 1]))
            i += 1
        elif attached := _attached_short(word, {"-A", "-e"}):
            group.append(attached)
        elif word in ("--debug", "--no-debug"):
            group.append(("--debug", "true" if word == "--debug" else "false"))
        else:
            group.append((word, "true"))
        i += 1
    if i >= len(rest) or rest[i] != "run":
        sub = rest[i] if i < len(rest) else ""
        return Server(ServerKind.OTHER, options=(("program", f"flask {sub}".strip()),))
    options, _ = parse_options(
        rest[i + 1 :],
        flags={"--reload", "--debugger", "--with-threads", "--debug", "--eager-loading"},
        values=_FLASK_RUN_VALUES,
    )
    all_options = (*group, *options)
    app = _last(all_options, "-A", "--app")
    return Server(ServerKind.FLASK_RUN, app, tuple(all_options))


def _python(rest: list[str]) -> Server:
    i = 0
    while i < len(rest):
        word = rest[i]
        if word == "-m" or (word.startswith("-m") and len(word) > 2 and not word.startswith("--")):
            module = rest[i + 1] if word == "-m" and i + 1 < len(rest) else word[2:]
            args = rest[i + 2 :] if word == "-m" else rest[i + 1 :]
            if not module:
                return Server(ServerKind.UNKNOWN)
            if module in ("flask", "gunicorn", "uwsgi", "hypercorn", "uvicorn"):
                return _program(module, args)
            if module == "waitress":
                return _program("waitress-serve", args)
            return Server(ServerKind.PYTHON_SCRIPT, module_arg=module, options=_argv(args))
        if word == "-c":
            return Server(ServerKind.OTHER, options=(("program", "python -c"),))
        if word in _PYTHON_VALUE_OPTIONS:
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        return Server(ServerKind.PYTHON_SCRIPT, script=word, options=_argv(rest[i + 1 :]))
    return Server(ServerKind.OTHER, options=(("program", "python"),))


def _argv(args: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple(("arg", a) for a in args)


def serving_command(commands: Sequence[SimpleCommand]) -> tuple[SimpleCommand, Server] | None:
    """The command among ``commands`` that serves the app: a known server first (a
    ``flask db upgrade && gunicorn app:app`` line serves with gunicorn), else the last
    Python script, else the last command."""
    detected = [(c, detect_server(c.argv)) for c in commands]
    for command, server in detected:
        if server.kind not in (ServerKind.OTHER, ServerKind.UNKNOWN, ServerKind.PYTHON_SCRIPT):
            return command, server
    scripts = [(c, s) for c, s in detected if s.kind is ServerKind.PYTHON_SCRIPT]
    if scripts:
        return scripts[-1]
    return detected[-1] if detected else None


def render(argv: Sequence[str]) -> str:
    return shlex.join(argv)
