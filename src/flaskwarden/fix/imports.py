"""Add ``import os`` where a fix needs it, where isort or ruff would have put it.

libcst's own ``AddImportsVisitor`` appends after the last import, which leaves
``import os`` below third-party imports; users then get a lint error from the fix.
Here it goes into the standard-library section in sorted order (plain imports before
``from`` imports, as isort and ruff sort them by default).
"""

from __future__ import annotations

import sys
from typing import Final

import libcst as cst

_OS: Final = "os"


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _small(statement: cst.CSTNode) -> cst.BaseSmallStatement | None:
    """The one small statement of a simple statement line, else None."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def binds_os(module: cst.Module) -> bool:
    """Whether module level has ``import os`` (or ``import os.path``, which binds it too)."""
    for statement in module.body:
        small = _small(statement)
        if not isinstance(small, cst.Import):
            continue
        for alias in small.names:
            name = _dotted(alias.name)
            bound = alias.asname.name if alias.asname is not None else None
            if isinstance(bound, cst.Name):
                if bound.value == _OS:
                    return True
            elif name == _OS or name.startswith("os."):
                return True
    return False


def _is_docstring(statement: cst.CSTNode) -> bool:
    small = _small(statement)
    return isinstance(small, cst.Expr) and isinstance(
        small.value, (cst.SimpleString, cst.ConcatenatedString)
    )


def _is_future(statement: cst.CSTNode) -> bool:
    small = _small(statement)
    return (
        isinstance(small, cst.ImportFrom)
        and small.module is not None
        and _dotted(small.module) == "__future__"
    )


def _import_root(small: cst.Import | cst.ImportFrom) -> str:
    if isinstance(small, cst.ImportFrom):
        if small.relative or small.module is None:
            return ""
        return _dotted(small.module).split(".", 1)[0]
    return _dotted(small.names[0].name).split(".", 1)[0]


def _is_stdlib(small: cst.Import | cst.ImportFrom) -> bool:
    return _import_root(small) in sys.stdlib_module_names


def _goes_after_os(small: cst.Import | cst.ImportFrom) -> bool:
    """Whether ``import os`` sorts before this import."""
    if not _is_stdlib(small) or isinstance(small, cst.ImportFrom):
        return True
    return _dotted(small.names[0].name).lower() > _OS


def add_os_import(module: cst.Module) -> cst.Module:
    """``module`` with ``import os`` added at module level, unless it is already there."""
    if binds_os(module):
        return module
    body = list(module.body)
    start = 0
    if body and _is_docstring(body[0]):
        start = 1
    while start < len(body) and _is_future(body[start]):
        start += 1
    index = start
    while index < len(body):
        small = _small(body[index])
        if not isinstance(small, (cst.Import, cst.ImportFrom)) or _goes_after_os(small):
            break
        index += 1
    new = cst.SimpleStatementLine(body=[cst.Import(names=[cst.ImportAlias(cst.Name(_OS))])])
    if index < len(body) and index == start:
        # First of the imports (or of the module's code): take over the blank lines
        # above, and separate what follows unless it is more standard library.
        following = body[index]
        small = _small(following)
        same_section = isinstance(small, (cst.Import, cst.ImportFrom)) and _is_stdlib(small)
        gap = [] if same_section else [cst.EmptyLine()] * _blank_lines_before(following)
        blank, comments = _split_leading(following)
        new = new.with_changes(leading_lines=blank)
        body[index] = following.with_changes(leading_lines=[*gap, *comments])
    body.insert(index, new)
    return module.with_changes(body=body)


def _blank_lines_before(statement: cst.BaseStatement) -> int:
    return 2 if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) else 1


def _split_leading(
    statement: cst.BaseStatement,
) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """The blank lines above a statement, and the comment lines that belong to it."""
    lines: list[cst.EmptyLine] = []
    if isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        lines = list(statement.leading_lines)
    first_comment = next((i for i, line in enumerate(lines) if line.comment), len(lines))
    return lines[:first_comment], lines[first_comment:]
