"""Which Flask (and whether python-dotenv) a project installs, from its dependency files.

Read: ``requirements*.txt``/``.in`` (and files under ``requirements/``), ``pyproject.toml``
(PEP 621 dependencies and optional dependencies, PEP 735 groups, Poetry and PDM
tables), ``Pipfile``, and the lock files ``poetry.lock``, ``uv.lock``, ``pdm.lock``,
``Pipfile.lock``. A lock file's exact version wins over a specifier.

The question that matters is narrow: *can the installed Flask be >= 2.3?* Flask 2.3
stopped reading ``FLASK_ENV``. An installer picks the newest version a specifier
allows, so a specifier honours ``FLASK_ENV`` only when its upper bound is below 2.3
(``flask==2.2.5``, ``flask<2.3``, ``~=2.2.0``, Poetry ``~2.2``); ``flask>=2.0`` and an
unpinned ``flask`` install Flask 3.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Final

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_NAME: Final = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_CLAUSE: Final = re.compile(r"^\s*(===|==|~=|!=|<=|>=|<|>|\^|~)?\s*([0-9][0-9A-Za-z.*+!-]*)\s*$")
_LOCKFILES: Final = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "pipfile.lock"})
FLASK_ENV_REMOVED: Final = (2, 3)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    """One mention of a package: its specifier text (or exact locked version)."""

    name: str
    spec: str
    path: str
    line: int
    extras: frozenset[str] = frozenset()
    locked: bool = False

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class Dependencies:
    """Every dependency mention found, by normalised package name."""

    files: list[str] = field(default_factory=list)
    packages: dict[str, list[Requirement]] = field(default_factory=dict)
    problems: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, requirement: Requirement) -> None:
        self.packages.setdefault(normalize(requirement.name), []).append(requirement)

    def best(self, name: str) -> Requirement | None:
        """The most telling mention: a locked version, else an exact pin, else any."""
        found = self.packages.get(normalize(name), [])
        for requirement in found:
            if requirement.locked:
                return requirement
        for requirement in found:
            if _exact(requirement.spec) is not None:
                return requirement
        return found[0] if found else None

    def has_dotenv(self) -> tuple[bool | None, str]:
        """Whether python-dotenv is installed: True/False, or None when the project
        has no dependency file at all."""
        direct = self.best("python-dotenv")
        if direct is not None:
            return True, f"python-dotenv is a dependency ({direct.where()})"
        for requirement in self.packages.get("flask", []):
            if "dotenv" in requirement.extras:
                return True, f"flask[dotenv] installs python-dotenv ({requirement.where()})"
        if not self.files:
            return None, "no dependency file found"
        return False, f"python-dotenv is not among the dependencies ({', '.join(self.files)})"

    def flask_honours_flask_env(self) -> tuple[bool, str]:
        """Whether the installed Flask still reads FLASK_ENV (< 2.3), with the reason."""
        requirement = self.best("flask")
        if requirement is None:
            why = "Flask's version is not pinned" if self.files else "no dependency file found"
            return False, f"{why}: assuming the newest Flask, which ignores FLASK_ENV"
        below = allows_only_below(requirement.spec, FLASK_ENV_REMOVED)
        shown = requirement.spec or "(any version)"
        if below:
            return (
                True,
                f"Flask {shown} ({requirement.where()}) is older than 2.3 and reads FLASK_ENV",
            )
        return (
            False,
            f"Flask {shown} ({requirement.where()}) can be >= 2.3, which ignores FLASK_ENV",
        )


def _version(text: str) -> tuple[int, ...] | None:
    parts: list[int] = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
        if digits.group() != piece:
            break
    return tuple(parts) if parts else None


def _exact(spec: str) -> tuple[int, ...] | None:
    clauses = [c for c in re.split(r"[,|]", spec) if c.strip()]
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if match and match.group(1) in ("==", "===", None) and "*" not in match.group(2):
            if match.group(1) is None and len(clauses) > 1:
                continue
            return _version(match.group(2))
    return None


def allows_only_below(spec: str, bound: tuple[int, ...]) -> bool:
    """True when every version ``spec`` allows is lower than ``bound``."""
    for clause in re.split(r",", spec.split("||")[0]):
        clause = clause.strip()
        if not clause or clause == "*":
            continue
        match = _CLAUSE.match(clause)
        if match is None:
            continue
        op, text = match.group(1) or "==", match.group(2)
        if "*" in text:
            prefix = _version(text.replace(".*", "").replace("*", ""))
            if op == "==" and prefix is not None and len(prefix) >= 1:
                upper = (*prefix[:-1], prefix[-1] + 1)
                if upper <= bound:
                    return True
            continue
        version = _version(text)
        if version is None:
            continue
        if op in ("==", "===") and version < bound:
            return True
        if op == "<" and version <= bound:
            return True
        if op == "<=" and version < bound:
            return True
        if op in ("~=", "~", "^"):
            upper = _caret_upper(version) if op == "^" else _tilde_upper(version, op)
            if upper <= bound:
                return True
    return False


def _tilde_upper(version: tuple[int, ...], op: str) -> tuple[int, ...]:
    if op == "~=":
        head = version[:-1] if len(version) > 1 else version
    else:  # Poetry ~1.2.3 -> <1.3; ~1 -> <2
        head = version[:2] if len(version) >= 2 else version[:1]
    return (*head[:-1], head[-1] + 1)


def _caret_upper(version: tuple[int, ...]) -> tuple[int, ...]:
    for index, part in enumerate(version):
        if part != 0 or index == len(version) - 1:
            return (*version[:index], part + 1)
    return (version[0] + 1,)


def read_dependencies(files: Iterable[tuple[str, str]]) -> Dependencies:
    """Parse each (path, text) dependency file; problems are collected, not raised."""
    deps = Dependencies()
    for path, text in files:
        name = PurePosixPath(path).name.lower()
        deps.files.append(path)
        try:
            if name == "pyproject.toml":
                _pyproject(deps, path, text)
            elif name == "pipfile":
                _pipfile(deps, path, text)
            elif name == "pipfile.lock":
                _pipfile_lock(deps, path, text)
            elif name in _LOCKFILES:
                _toml_lock(deps, path, text)
            else:
                _requirements(deps, path, text)
        except tomllib.TOMLDecodeError as exc:
            if name != "pyproject.toml":  # the config loader already reports pyproject
                deps.problems.append((path, 0, f"cannot read dependencies: {exc}"))
        except (ValueError, TypeError, AttributeError) as exc:
            deps.problems.append((path, 0, f"cannot read dependencies: {exc}"))
    return deps


def _requirements(deps: Dependencies, path: str, text: str) -> None:
    logical = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not logical:
            start = number
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        _requirement_line(deps, logical.strip(), path, start)
        logical = ""


def _requirement_line(deps: Dependencies, line: str, path: str, number: int) -> None:
    if not line or line.startswith(("-", "git+", "http:", "https:", "file:", ".", "/")):
        return
    line = line.split(";", 1)[0]
    line = re.sub(r"--hash[= ]\S+", "", line).strip()
    if " @ " in line:
        return
    match = _NAME.match(line)
    if match is None:
        return
    extras = frozenset(e.strip().lower() for e in (match.group(2) or "[]")[1:-1].split(",") if e)
    spec = re.sub(r"\s+", "", match.group(3).strip().strip("()"))
    deps.add(Requirement(match.group(1), spec, path, number, extras))


def _line_of(text: str, package: str) -> int:
    pattern = re.compile(rf"(?i)(?<![\w-]){re.escape(package)}(?![\w-])")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return 0


def _pep508_list(deps: Dependencies, items: Any, path: str, text: str) -> None:
    if not isinstance(items, list):
        return
    for item in items:
        if isinstance(item, str):
            match = _NAME.match(item)
            if match is not None:
                _requirement_line(deps, item, path, _line_of(text, match.group(1)))


def _poetry_table(deps: Dependencies, table: Any, path: str, text: str) -> None:
    if not isinstance(table, dict):
        return
    for name, value in table.items():
        if name.lower() == "python":
            continue
        extras: frozenset[str] = frozenset()
        if isinstance(value, dict):
            extras = frozenset(str(e).lower() for e in value.get("extras", []))
            value = value.get("version", "")
        spec = str(value) if isinstance(value, str) else ""
        if spec and spec[0].isdigit() and not any(c in spec for c in "<>=,"):
            spec = spec if "*" in spec else f"=={spec}"
        deps.add(Requirement(name, spec.replace(" ", ""), path, _line_of(text, name), extras))


def _pyproject(deps: Dependencies, path: str, text: str) -> None:
    data = tomllib.loads(text)
    project = data.get("project", {})
    if isinstance(project, dict):
        _pep508_list(deps, project.get("dependencies"), path, text)
        optional = project.get("optional-dependencies", {})
        if isinstance(optional, dict):
            for items in optional.values():
                _pep508_list(deps, items, path, text)
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for items in groups.values():
            _pep508_list(deps, items, path, text)
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    if isinstance(poetry, dict):
        _poetry_table(deps, poetry.get("dependencies"), path, text)
        _poetry_table(deps, poetry.get("dev-dependencies"), path, text)
        for group in (poetry.get("group") or {}).values():
            if isinstance(group, dict):
                _poetry_table(deps, group.get("dependencies"), path, text)
    pdm = tool.get("pdm", {}) if isinstance(tool, dict) else {}
    if isinstance(pdm, dict):
        for items in (pdm.get("dev-dependencies") or {}).values():
            _pep508_list(deps, items, path, text)


def _pipfile(deps: Dependencies, path: str, text: str) -> None:
    data = tomllib.loads(text)
    for section in ("packages", "dev-packages"):
        table = data.get(section, {})
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            extras: frozenset[str] = frozenset()
            if isinstance(value, dict):
                extras = frozenset(str(e).lower() for e in value.get("extras", []))
                value = value.get("version", "")
            spec = value if isinstance(value, str) and value != "*" else ""
            deps.add(Requirement(name, spec, path, _line_of(text, name), extras))


def _pipfile_lock(deps: Dependencies, path: str, text: str) -> None:
    data = json.loads(text)
    for section in ("default", "develop"):
        table = data.get(section, {}) if isinstance(data, dict) else {}
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            version = value.get("version", "") if isinstance(value, dict) else ""
            if isinstance(version, str) and version:
                deps.add(Requirement(name, version, path, _line_of(text, name), locked=True))


def _toml_lock(deps: Dependencies, path: str, text: str) -> None:
    data = tomllib.loads(text)
    packages = data.get("package", [])
    if not isinstance(packages, list):
        return
    lines = text.splitlines()
    for package in packages:
        if not isinstance(package, dict):
            continue
        name, version = package.get("name"), package.get("version")
        if isinstance(name, str) and isinstance(version, str):
            line = next((n for n, t in enumerate(lines, 1) if t.strip() == f'name = "{name}"'), 0)
            deps.add(Requirement(name, f"=={version}", path, line, locked=True))
