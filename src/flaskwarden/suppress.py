"""Suppression comments in files other than Python (deployment files, env files).

Python files get statement-aware suppressions from their parser; here a comment
``# flaskwarden: ignore[FW105]`` (or ``{# flaskwarden: ignore[FW302] #}`` in a
template) applies to the line it is on and to the next line, so it can stand above
the line it silences in formats that have no trailing comments.
"""

from __future__ import annotations

import re
from typing import Final

from flaskwarden import catalog

_MARKER: Final = re.compile(rb"flaskwarden:\s*ignore\[(?P<codes>[^\]]*)\]", re.IGNORECASE)


def line_suppressions(data: bytes) -> dict[int, frozenset[str]]:
    found: dict[int, frozenset[str]] = {}
    if b"flaskwarden" not in data:
        return found
    for number, line in enumerate(data.splitlines(), start=1):
        match = _MARKER.search(line)
        if match is None:
            continue
        codes = frozenset(
            code
            for raw in re.split(rb"[\s,]+", match.group("codes"))
            if raw and catalog.is_code(code := raw.decode("ascii", "replace").upper())
        )
        for covered in (number, number + 1):
            found[covered] = found.get(covered, frozenset()) | codes
    return found
