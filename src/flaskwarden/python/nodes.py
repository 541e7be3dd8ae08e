"""Fast drop-in versions of :func:`ast.walk` and :func:`ast.iter_child_nodes`.

Every analyzer walks subtrees many times, and the standard library's versions go
through two generator layers per node (``iter_child_nodes`` over ``iter_fields``),
which made them a third of a scan's time. These read ``_fields`` directly and yield
exactly the same nodes in exactly the same (breadth-first) order.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

_AST = ast.AST


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The direct children of ``node``, in the order :func:`ast.iter_child_nodes` gives."""
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            for item in value:
                if isinstance(item, _AST):
                    children.append(item)
        elif isinstance(value, _AST):
            children.append(value)
    return children


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and all its descendants, breadth-first, like :func:`ast.walk`."""
    todo = [node]
    append = todo.append
    # iterating a list while appending to it visits the appended items too
    for current in todo:
        for name in current._fields:
            value = getattr(current, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, _AST):
                        append(item)
            elif isinstance(value, _AST):
                append(value)
        yield current
