"""Keep secrets out of reports: values of secret-named settings in env files are
masked wherever a report shows source lines (code frames in text and HTML), as the
JSON and SARIF snippets already are. A CI log must not become the leak."""

from __future__ import annotations

import re
from typing import Final

from flaskwarden.discover import FileKind, classify
from flaskwarden.python.names import is_secret_name

_ASSIGNMENT: Final = re.compile(r"^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*)(.+)$")


def redact_lines(path: str, lines: list[str]) -> list[str]:
    """``lines`` of ``path`` with secret values replaced (env files only)."""
    if classify(path) is not FileKind.ENV:
        return lines
    out = []
    for line in lines:
        match = _ASSIGNMENT.match(line)
        if match and is_secret_name(match.group(2)) and match.group(4).strip():
            line = f"{match.group(1)}{match.group(2)}{match.group(3)}<redacted>"
        out.append(line)
    return out
