"""Describe a change to a file as edits (for JSON and SARIF) and as a unified diff."""

from __future__ import annotations

import difflib

from flaskwarden.findings import Edit


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _position(lines: list[str], first: int, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` characters into ``lines[first:]``."""
    line = first
    while line < len(lines) and offset >= len(lines[line]) and lines[line].endswith("\n"):
        offset -= len(lines[line])
        line += 1
    return line + 1, offset + 1


def edits_between(path: str, before: str, after: str) -> tuple[Edit, ...]:
    """The smallest regions of ``before`` to replace to get ``after``.

    Lines and columns are 1-based, columns count code points and the end is exclusive
    (SARIF's ``unicodeCodePoints`` regions); an insertion is an empty region.
    """
    old, new = _lines(before), _lines(after)
    edits = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        prefix = 0
        while prefix < min(len(removed), len(added)) and removed[prefix] == added[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < min(len(removed), len(added)) - prefix
            and removed[-1 - suffix] == added[-1 - suffix]
        ):
            suffix += 1
        start = _position(old, i1, prefix)
        end = _position(old, i1, len(removed) - suffix)
        edits.append(
            Edit(path, start[0], start[1], end[0], end[1], added[prefix : len(added) - suffix])
        )
    return tuple(edits)


def unified_diff(path: str, before: str, after: str) -> str:
    """A ``git apply``-able diff (``a/`` and ``b/`` prefixes) of one file."""
    out = []
    for line in difflib.unified_diff(
        _lines(before), _lines(after), fromfile=f"a/{path}", tofile=f"b/{path}"
    ):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
