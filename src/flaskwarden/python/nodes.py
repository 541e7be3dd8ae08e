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
from collections.abc import Iterator
from typing import Final

_AST = ast.AST
# ASDL builtin types: never a node
_SCALARS: Final = frozenset({"identifier", "string", "constant", "int", "object", "bytes"})
_SIGNATURE: Final = re.compile(r"^(\w+)\((.*)\)$")
# per node class: (field name, holds a list) for each field that can hold nodes;
# None for a class whose signature cannot be read (walked field by field instead)
_Plan = tuple[tuple[str, bool], ...] | None
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
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
        if kind.rstrip("*?") not in _SCALARS:
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


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The direct children of ``node``, in the order :func:`ast.iter_child_nodes` gives."""
    cls = node.__class__
    try:
        plan = _PLANS[cls]
    except KeyError:
        plan = _PLANS[cls] = _plan(cls)
    if plan is None:
        return _generic(node)
    children: list[ast.AST] = []
    for name, many in plan:
        value = getattr(node, name, None)
        if value is None:
            continue
        if many:
            # lists of optional nodes: Dict.keys holds None for `**mapping`
            children.extend([item for item in value if item is not None])
        else:
            children.append(value)
    return children


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and all its descendants, breadth-first, like :func:`ast.walk`."""
    todo = [node]
    extend = todo.extend
    # iterating a list while extending it visits the appended items too
    for current in todo:
        extend(child_nodes(current))
        yield current
