"""What every rule's fixer shares: finding the node a finding points at, and its safety.

A fixer is a libcst transformer for one rule id. It is built for one finding and
rewrites the one node that starts at the finding's position (lines 1-based, columns
0-based code points, as libcst counts them); every other node is left exactly as it
was, comments and formatting included. ``applied`` says whether it found its node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar, Final

import libcst as cst
from libcst.metadata import CodePosition, ParentNodeProvider, PositionProvider

from flaskwarden.findings import Finding

_WORD_BREAK: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD: Final = re.compile(r"[^A-Za-z0-9]+")


class RuleFix(cst.CSTTransformer):
    """Base class: a transformer that rewrites the node one finding points at."""

    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider)

    rule: ClassVar[str]
    description: ClassVar[str]
    # Safe fixes keep a correctly deployed app working; unsafe ones need the user's
    # attention (a variable to set), so they run only with --unsafe-fixes.
    safe: ClassVar[bool] = True
    # The replacement uses ``os``: the driver adds ``import os`` when it is missing.
    needs_os: ClassVar[bool] = False
    # Fixes run from the end of the file backwards so that each one finds its node
    # where the scan saw it. At the same position, a fix that moves the whole
    # statement (a higher order) runs after those that only replace what follows.
    order: ClassVar[int] = 0

    def __init__(self, finding: Finding, line: int, column: int) -> None:
        super().__init__()
        self.finding = finding
        self.target = CodePosition(line, column)
        self.applied = False

    @classmethod
    def wanted(cls, finding: Finding) -> bool:
        """Whether this finding is one the fixer should touch at all."""
        return True

    def starts_at_target(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` (from the tree being visited) starts where the finding does."""
        return bool(self.get_metadata(PositionProvider, node).start == self.target)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """The nodes enclosing ``node``, innermost first."""
        current = node
        while True:
            parent = self.get_metadata(ParentNodeProvider, current, None)
            if parent is None:
                return
            yield parent
            current = parent


def env_name(setting: str) -> str:
    """The environment variable for a setting: ``secret_key`` -> ``SECRET_KEY``."""
    words = _NOT_WORD.split(_WORD_BREAK.sub("_", setting))
    return "_".join(word.upper() for word in words if word)


def is_string_literal(node: cst.BaseExpression) -> bool:
    """A plain (possibly implicitly concatenated) str or bytes literal, no f-string."""
    if isinstance(node, cst.SimpleString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return is_string_literal(node.left) and is_string_literal(node.right)
    return False


def is_true(node: cst.BaseExpression) -> bool:
    """The literal ``True`` (without parentheses)."""
    return isinstance(node, cst.Name) and node.value == "True" and not node.lpar


def string_value(node: cst.BaseExpression) -> str | None:
    """The value of a plain str literal, else None."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
