"""The fast tree walkers must be exact replacements for the standard library's."""

from __future__ import annotations

import ast
import gc
import sysconfig
from pathlib import Path

import pytest

from flaskwarden.python.facts import ModuleFacts, source_lines, source_segment
from flaskwarden.python.nodes import all_statements, child_nodes, walk
from tests.conftest import run_scan

_STDLIB = Path(sysconfig.get_paths()["stdlib"])
# a spread of syntax: pattern matching, async, decorators, f-strings, type hints
_SAMPLES = ["ast.py", "asyncio/tasks.py", "dataclasses.py", "functools.py", "typing.py"]


@pytest.mark.parametrize("name", _SAMPLES)
def test_walk_yields_the_same_nodes_in_the_same_order_as_ast_walk(name: str) -> None:
    tree = ast.parse((_STDLIB / name).read_text(encoding="utf-8"))
    expected = [id(node) for node in ast.walk(tree)]
    assert len(expected) > 1000
    assert [id(node) for node in walk(tree)] == expected
    for node in ast.walk(tree):
        assert [id(c) for c in child_nodes(node)] == [id(c) for c in ast.iter_child_nodes(node)]


@pytest.mark.parametrize("name", _SAMPLES)
def test_all_statements_are_every_statement_once(name: str) -> None:
    tree = ast.parse((_STDLIB / name).read_text(encoding="utf-8"))
    found = list(all_statements(tree.body))
    expected = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
    assert {id(n) for n in found} == {id(n) for n in expected}
    assert len(found) == len(expected)


def test_walk_of_a_match_statement_and_a_leaf() -> None:
    tree = ast.parse("match x:\n    case [1, *rest] if rest: pass\n    case {'k': v}: pass\n")
    assert [type(n) for n in walk(tree)] == [type(n) for n in ast.walk(tree)]
    leaf = ast.Constant(1)
    assert list(walk(leaf)) == [leaf]
    assert child_nodes(leaf) == []


def test_a_scan_keeps_nothing_alive_after_it_returns(tmp_path: Path) -> None:
    """Facts belong to one scan: a module-level registry that kept them (and the
    project) alive made every later allocation and the interpreter's exit slower."""
    (tmp_path / "app.py").write_text(
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
        "app.config['SECRET_KEY'] = 'hunter2hunter2'\napp.run(debug=True)\n"
    )
    (tmp_path / "Dockerfile").write_text('FROM python:3.12\nCMD ["python", "app.py"]\n')
    report = run_scan(tmp_path)
    assert report.findings
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, ModuleFacts)]


@pytest.mark.parametrize(
    "text",
    [
        "x = (1 +\n     2)\nif a == 'é':\n    b = {'k': [1,\r\n 2]}\r\n",
        "def f():\r    return g(a,\r             b)\r",
        "s = 'ünïcode' + f'{x!r:>{w}}'  # ç\ny = [\n  z\n  for z in w\n]\n",
        "a = 1\n\x0cb = 2\nc = (\x0c3)\n",
    ],
)
def test_source_segment_matches_ast_get_source_segment(text: str) -> None:
    tree = ast.parse(text)
    lines = source_lines(text)
    for node in ast.walk(tree):
        assert source_segment(lines, node) == ast.get_source_segment(text, node)
