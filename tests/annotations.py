"""Reading ``# expect:`` / ``# ok:`` / ``# todo-expect:`` annotations from fixtures.

Annotations pin (file, line, rule):

- ``# expect: FW101`` (or ``FW101, FW103``): this line must be reported for these rules;
- ``# ok: FW101``: a look-alike that must *not* be reported for that rule;
- ``# todo-expect: FW305``: a known gap, listed and counted, never silently missing;
- ``expect-next-line:`` / ``ok-next-line:`` / ``todo-expect-next-line:``: the same for
  the following line, for formats where a trailing comment would change the meaning.

Templates use ``{# expect: FW302 #}``. The comment marker does not matter: any line
containing the annotation counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

_ANNOTATION: Final = re.compile(
    r"\b(?P<kind>expect|ok|todo-expect)(?P<next>-next-line)?:\s*(?P<codes>FW\d{3}(?:\s*,\s*FW\d{3})*)"
)

Key = tuple[str, int, str]
_DOTFILE: Final = re.compile(r"^\.(?:github|circleci)$")


@dataclass
class Annotations:
    expected: set[Key] = field(default_factory=set)
    ok: set[Key] = field(default_factory=set)
    todo: set[Key] = field(default_factory=set)


def read_annotations(root: Path) -> Annotations:
    found = Annotations()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if any(
            part.startswith(".") and part not in (".", "..") and not _DOTFILE.match(part)
            for part in path.relative_to(root).parts[:-1]
        ):
            continue  # .flaskwarden_cache/, .git/ ...: not the fixture's files
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _ANNOTATION.finditer(line):
                target = number + 1 if match.group("next") else number
                codes = [c.strip() for c in match.group("codes").split(",")]
                bucket = {
                    "expect": found.expected,
                    "ok": found.ok,
                    "todo-expect": found.todo,
                }[match.group("kind")]
                bucket.update((rel, target, code) for code in codes)
    return found
