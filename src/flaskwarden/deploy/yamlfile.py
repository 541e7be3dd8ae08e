"""YAML with line numbers, for compose files and Kubernetes manifests.

PyYAML's safe loader (libyaml when available) builds plain data; mappings and
sequences here are :class:`LineDict`/:class:`LineList`, which also remember the line of
each key and item, so a finding can name the line of ``FLASK_DEBUG: "1"``. Anchors,
aliases and merge keys (``<<: *defaults``) are resolved by PyYAML itself. Broken YAML
becomes a message, never an exception.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[Any, Any]):
    """A mapping that knows the line (1-based) of itself and of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence that knows the line (1-based) of itself and of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _Loader(_Base):  # type: ignore[misc]
    pass


def _construct_map(loader: Any, node: yaml.MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            key = str(key)
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = key_node.start_mark.line + 1


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = []
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=False))
        data.item_lines.append(item.start_mark.line + 1)


def _construct_tagged(loader: Any, suffix: str, node: yaml.Node) -> Any:
    """A local tag (Compose's ``!reset``/``!override``, Ansible's ``!vault``,
    CloudFormation's ``!Ref``): the value under it, as plain data. In one file the
    value is what the tag applies, and it is all a rule can judge."""
    if isinstance(node, yaml.MappingNode):
        return _construct_tagged_collection(loader, node, _construct_map)
    if isinstance(node, yaml.SequenceNode):
        return _construct_tagged_collection(loader, node, _construct_seq)
    value = loader.construct_scalar(node)
    return None if suffix == "reset" and value in ("", "null", "~") else value


def _construct_tagged_collection(loader: Any, node: yaml.Node, construct: Any) -> Any:
    generator = construct(loader, node)
    data = next(generator)
    for _ in generator:
        pass
    return data


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_multi_constructor("!", _construct_tagged)


def load_all(text: str) -> tuple[list[Any], str | None]:
    """Every document of ``text``; on a YAML error the documents read before it and
    the error message (with its line)."""
    documents: list[Any] = []
    try:
        for document in yaml.load_all(text, Loader=_Loader):
            documents.append(document)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return documents, f"{problem}{where}"
    except (RecursionError, ValueError, TypeError) as exc:
        return documents, f"cannot load YAML: {type(exc).__name__}"
    return documents, None


def error_line(message: str) -> int:
    """The line number a :func:`load_all` message names (0 when none)."""
    marker = message.rfind("(line ")
    if marker < 0:
        return 0
    digits = message[marker + 6 :].rstrip(")")
    return int(digits) if digits.isdigit() else 0


def scalar(value: object) -> str | None:
    """An environment value as the tool sees it: YAML booleans and numbers become the
    strings compose and Kubernetes pass on; null is an empty value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None
