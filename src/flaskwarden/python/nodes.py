"""Fast drop-in versions of :func:`ast.walk` and :func:`ast.iter_child_nodes`.

Every analyzer walks subtrees many times, and the standard library's versions go
through two generator layers per node (``iter_child_nodes`` over ``iter_fields``) and
test every field, names and constants included, which made them a third of a scan's
time. These look only at the fields that can hold nodes (read once per node class
from the class's ASDL signature, e.g. ``Name(identifier id, expr_context ctx)``) and
yield exactly the same nodes in exactly the same (breadth-first) order.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from typing import Final

_AST = ast.AST
# ASDL builtin types: never a node
_SCALARS: Final = frozenset({"identifier", "string", "constant", "int", "object", "bytes"})
_SIGNATURE: Final = re.compile(r"^(\w+)\((.*)\)$")
# per node class: (field name, holds a list) for each field that can hold nodes;
# None for a class whose signature cannot be read (walked field by field instead)
_Plan = tuple[tuple[str, bool], ...] | None


def _plan(cls: type, skip: frozenset[str] = frozenset()) -> _Plan:
    fields: tuple[str, ...] = getattr(cls, "_fields", ())
    match = _SIGNATURE.match((cls.__doc__ or "").strip())
    if match is None or match.group(1) != cls.__name__:
        return None if fields else ()
    parts = [p.strip() for p in match.group(2).split(",") if p.strip()]
    names: list[str] = []
    plan: list[tuple[str, bool]] = []
    for part in parts:
        kind, _, name = part.rpartition(" ")
        names.append(name)
        base = kind.rstrip("*?")
        if base not in _SCALARS and base not in skip:
            plan.append((name, kind.endswith("*")))
    if tuple(names) != fields:
        return None
    return tuple(plan)


def _generic(node: ast.AST) -> list[ast.AST]:
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children.extend(item for item in value if isinstance(item, _AST))
        elif isinstance(value, _AST):
            children.append(value)
    return children


def _children_reader(skip: frozenset[str]) -> Callable[[ast.AST], list[ast.AST]]:
    """A function giving a node's children, leaving out fields of the ASDL types in
    ``skip``; the children come in :func:`ast.iter_child_nodes` order."""
    plans: dict[type, _Plan] = {}
    skipped = tuple(getattr(ast, name) for name in sorted(skip))

    def children(node: ast.AST) -> list[ast.AST]:
        cls = node.__class__
        try:
            plan = plans[cls]
        except KeyError:
            plan = plans[cls] = _plan(cls, skip)
        if plan is None:
            return [child for child in _generic(node) if not isinstance(child, skipped)]
        found: list[ast.AST] = []
        for name, many in plan:
            value = getattr(node, name, None)
            if value is None:
                continue
            if many:
                if None in value:  # Dict.keys holds None for `**mapping`
                    found.extend([item for item in value if item is not None])
                else:
                    found += value
            else:
                found.append(value)
        return found

    return children


child_nodes: Final = _children_reader(frozenset())
child_nodes.__doc__ = "The direct children of a node, as :func:`ast.iter_child_nodes` gives."
syntax_children: Final = _children_reader(frozenset({"expr_context"}))
syntax_children.__doc__ = """The children of a node except expression contexts (``Load``,
``Store``, ``Del``: shared singletons that say how a name is used, never looked at by
an analysis that walks a whole body)."""
expression_children: Final = _children_reader(frozenset({"stmt", "expr_context"}))
expression_children.__doc__ = """The children of a node that are neither statements nor
expression contexts: what a walk over one statement's expressions, which leaves nested
statements to the statement walker, has to visit."""


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and all its descendants, breadth-first, like :func:`ast.walk`."""
    todo = [node]
    extend = todo.extend
    # iterating a list while extending it visits the appended items too
    for current in todo:
        extend(child_nodes(current))
        yield current


_BODY_FIELDS: Final = ("body", "orelse", "finalbody", "handlers", "cases")


def all_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement once, nested ones included (also in nested defs and classes),
    without visiting expressions: statements only sit in statement lists, so imports
    or loops are found without walking every node of the tree."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            yield node
        for name in _BODY_FIELDS:
            children = getattr(node, name, None)
            if isinstance(children, list):
                stack.extend(reversed(children))
