"""``[tool.flaskwarden]`` in pyproject.toml, merged with command-line options.

Recognised keys::

    [tool.flaskwarden]
    select = ["FW1", "FW201"]        # rule ids or prefixes; default: all
    ignore = ["FW605"]
    exclude = ["tests/fixtures", "legacy/*.py"]   # gitignore-style, from the scan root
    severity = "medium"              # report findings at or above this level
    [tool.flaskwarden.per-file-ignores]
    "scripts/*.py" = ["FW102"]

A broken file or an unknown key is reported as a diagnostic and the defaults are used
for what could not be read: a typo in the config must not stop a CI scan silently, nor
crash it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pathspec

from flaskwarden import catalog
from flaskwarden.findings import Diagnostic, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KNOWN_KEYS: Final = frozenset({"select", "ignore", "exclude", "severity", "per-file-ignores"})


@dataclass
class Settings:
    """The effective options of one scan."""

    select: set[str] | None = None
    ignore: set[str] = field(default_factory=set)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: list[tuple[pathspec.GitIgnoreSpec, str, set[str]]] = field(
        default_factory=list
    )
    severity: Severity = Severity.INFO
    config_path: Path | None = None

    def enabled(self, rule: str) -> bool:
        if rule in self.ignore:
            return False
        return self.select is None or rule in self.select

    def ignored_in_file(self, rule: str, rel: str) -> bool:
        return any(
            rule in codes and spec.match_file(rel) for spec, _, codes in self.per_file_ignores
        )


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a ``[tool.flaskwarden]`` table, upwards from start."""
    try:
        current = start.resolve()
    except (OSError, RuntimeError):  # a symlink loop: start from where it stands
        current = Path(os.path.abspath(start))
    if not current.is_dir():
        current = current.parent
    for directory in (current, *current.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return candidate  # reported when loaded
            if "flaskwarden" in data.get("tool", {}):
                return candidate
        if (directory / ".git").exists():
            break
    return None


def load_settings(path: Path | None) -> tuple[Settings, list[Diagnostic]]:
    """Read ``[tool.flaskwarden]`` from ``path`` (a pyproject.toml), if any."""
    settings = Settings(config_path=path)
    diagnostics: list[Diagnostic] = []
    if path is None:
        return settings, diagnostics
    where = str(path)

    def problem(message: str) -> None:
        diagnostics.append(Diagnostic(where, "config", message))

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problem(f"cannot read configuration: {exc}; using defaults")
        return settings, diagnostics
    except tomllib.TOMLDecodeError as exc:
        problem(f"invalid TOML: {exc}; using defaults")
        return settings, diagnostics
    table: Any = data.get("tool", {}).get("flaskwarden", {})
    if not isinstance(table, dict):
        problem("[tool.flaskwarden] must be a table; using defaults")
        return settings, diagnostics
    for key in sorted(set(table) - KNOWN_KEYS):
        problem(
            f"unknown key {key!r} in [tool.flaskwarden] (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    if "select" in table:
        codes = _codes(table["select"], "select", problem)
        if codes:
            settings.select = codes
        else:
            # a typo must not silently disable every check
            problem("select names no known rule; ignoring it (all rules stay on)")
    if "ignore" in table:
        settings.ignore = _codes(table["ignore"], "ignore", problem)
    if "exclude" in table:
        settings.exclude = _strings(table["exclude"], "exclude", problem)
    if "severity" in table:
        try:
            settings.severity = Severity.parse(str(table["severity"]))
        except ValueError as exc:
            problem(f"severity: {exc}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        problem("per-file-ignores must be a table of pattern = [codes]")
    else:
        for pattern, raw in per_file.items():
            codes = _codes(raw, f"per-file-ignores[{pattern!r}]", problem)
            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
            settings.per_file_ignores.append((spec, pattern, codes))
    return settings, diagnostics


def _strings(raw: object, key: str, problem: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return list(raw)
    problem(f"{key} must be a list of strings")
    return []


def _codes(raw: object, key: str, problem: Any) -> set[str]:
    ids, unknown = catalog.expand(_strings(raw, key, problem))
    for code in unknown:
        problem(f"unknown rule code {code!r} in {key}")
    return ids
