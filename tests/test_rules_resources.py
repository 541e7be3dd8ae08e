"""FW5 and the app-facts analyzer: robustness, cost, and what the messages say.

The annotated fixtures (tests/fixtures/resources/) pin which lines are reported; these
tests cover what fixtures cannot: odd syntax, pickling for the cache, linear cost on
large inputs, and long call chains across modules.
"""

from __future__ import annotations

import ast
import pickle
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flaskwarden.appfacts import AppFacts, analyze_app
from flaskwarden.appfacts import analyzer as app_analyzer
from flaskwarden.python import nodes
from tests.conftest import run_scan

ODD_SYNTAX = """
import functools
from flask import Flask, request

app = Flask(__name__)
cache = {}
handlers = [lambda x: x]


@handlers[0]
def decorated_by_subscript():
    pass


@(lambda f: f)
def decorated_by_lambda():
    pass


class Outer:
    class Inner:
        def method(self, *args, **kwargs):
            global cache
            cache = {**kwargs}


@app.route("/odd", methods=[*["GET"], "POST"])
def odd(*args, **kwargs):
    match request.args.get("k"):
        case "a":
            cache[request.args["k"]] = [y async for y in aiter()] if False else None
        case _:
            pass
    if (n := len(cache)) > 10:
        cache.clear()
    del cache[request.args["k"]], handlers[0]
    return {"n": n, **kwargs}
"""


TRY_STAR = """

def grouped():
    try:
        pass
    except* ValueError:
        cache.clear()
"""


def test_odd_syntax_is_analysed_and_pickles() -> None:
    source = ODD_SYNTAX + (TRY_STAR if sys.version_info >= (3, 11) else "")
    tree = ast.parse(source)
    facts = analyze_app(
        tree,
        source,
        "odd.py",
        {"functools": "functools", "Flask": "flask.Flask", "request": "flask.request"},
    )
    assert isinstance(facts, AppFacts)
    odd = facts.functions["odd"]
    assert odd.entries[0].methods is None  # methods=[*...] is not a literal list
    restored = pickle.loads(pickle.dumps(facts))
    assert restored.functions.keys() == facts.functions.keys()
    assert not any(isinstance(v, ast.AST) for v in _walk(restored))


def _walk(value: Any, depth: int = 0) -> list[Any]:
    """Every value reachable from a facts object (to check no AST node is kept)."""
    if depth > 12:
        return []
    found = [value]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _walk(key, depth + 1) + _walk(item, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            found += _walk(item, depth + 1)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            found += _walk(getattr(value, name), depth + 1)
    return found


def test_analysis_is_linear_in_module_size(monkeypatch: pytest.MonkeyPatch) -> None:
    def module(n: int) -> str:
        lines = ["from flask import Flask, request", "app = Flask(__name__)", "cache = {}"]
        for i in range(n):
            lines += [
                f"def f{i}(key):",
                f"    cache[key] = {i}"
                if i % 50 == 0
                else f"    return f{i - 1}(key) if {i} else key",
            ]
        lines += ['@app.route("/")', "def index():", f"    return f{n - 1}(request.args['k'])"]
        return "\n".join(lines) + "\n"

    # Work is counted, not timed (no timed assertions in the suite): every walk the
    # analyzer does goes through flaskwarden.python.nodes (a children reader or walk).
    count = 0

    def counting(reader: Callable[[ast.AST], list[ast.AST]]) -> Callable[[ast.AST], list[ast.AST]]:
        def counted(node: ast.AST) -> list[ast.AST]:
            nonlocal count
            count += 1
            return reader(node)

        return counted

    def counting_walk(node: ast.AST) -> Iterator[ast.AST]:
        nonlocal count
        for sub in nodes.walk(node):
            count += 1
            yield sub

    for name in ("child_nodes", "syntax_children", "expression_children"):
        monkeypatch.setattr(app_analyzer, name, counting(getattr(nodes, name)))
    monkeypatch.setattr(app_analyzer, "walk", counting_walk)
    visits = []
    for n in (1000, 4000):
        text = module(n)
        count = 0
        analyze_app(
            ast.parse(text), text, "big.py", {"Flask": "flask.Flask", "request": "flask.request"}
        )
        visits.append(count)
    # four times the input costs about four times the work, not sixteen
    assert visits[0] > 10_000
    assert visits[1] <= visits[0] * 5, visits


def test_long_call_chain_across_modules_reaches_the_growth(tmp_path: Path) -> None:
    """A view calling through 60 helper modules: followed without recursion limits."""
    (tmp_path / "app.py").write_text(
        "from flask import Flask, request\n"
        "import m0\n"
        "app = Flask(__name__)\n"
        '@app.route("/")\n'
        "def index():\n"
        '    return str(m0.step(request.args["k"]))\n'
    )
    for i in range(60):
        body = f"import m{i + 1}\ndef step(key):\n    return m{i + 1}.step(key)\n"
        if i == 59:
            body = "seen = set()\ndef step(key):\n    seen.add(key)\n    return key\n"
        (tmp_path / f"m{i}.py").write_text(body)
    report = run_scan(tmp_path, select=["FW501"])
    assert [(f.path, f.line) for f in report.findings] == [("m59.py", 3)]
    assert "reached from view index()" in report.findings[0].message


def test_fw501_message_names_container_view_and_fix(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from flask import Flask, request\n"
        "app = Flask(__name__)\n"
        "results = {}\n"
        '@app.route("/search")\n'
        "def search():\n"
        '    results[request.args["q"]] = 1\n'
        "    return 'ok'\n"
    )
    (finding,) = run_scan(tmp_path, select=["FW501"]).findings
    assert finding.line == 6
    message = finding.message
    assert "results (a module-level dict, line 3)" in message
    assert "view search() (GET /search)" in message
    assert "lru_cache(maxsize=N)" in message
    assert [(r.path, r.line) for r in finding.related] == [("app.py", 3)]


def test_fw503_message_says_which_commands_take_no_timeout(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import os, subprocess\n"
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        '@app.route("/status")\n'
        "def status():\n"
        '    out = os.popen("git status").read()\n'
        '    subprocess.run(["git", "fetch"])\n'
        "    return out\n"
    )
    popen, run = sorted(run_scan(tmp_path, select=["FW503"]).findings, key=lambda f: f.line)
    assert popen.message.startswith("os.popen(...).read() in view status() (GET /status)")
    assert "takes no timeout" in popen.message
    assert "subprocess.run([...], timeout=...)" in popen.message
    assert run.message.startswith("subprocess.run() in view status()")
    assert "Pass timeout=..." in run.message


def test_script_main_is_not_per_request(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text(
        "import time, requests\n"
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        "totals = {}\n"
        "def main(argv):\n"
        "    global totals\n"
        "    totals[argv[0]] = 1\n"
        "    time.sleep(5)\n"
        "    requests.get('https://example.com')\n"
        "if __name__ == '__main__':\n"
        "    import sys\n"
        "    main(sys.argv)\n"
    )
    assert run_scan(tmp_path, select=["FW5"]).findings == []
