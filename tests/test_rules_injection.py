"""Details of the injection findings that fixtures (file, line, rule) do not pin."""

from __future__ import annotations

from flaskwarden.findings import Confidence

APP = """\
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/a/<name>")
def by_name(name):
    return open(os.path.join("data", name)).read()


@app.route("/b/<path:name>")
def by_path(name):
    return open(os.path.join("data", name)).read()


@app.route("/c")
def by_query():
    return open(os.path.join("data", request.args["name"])).read()
"""


def test_route_parameters_that_cannot_hold_a_slash_are_one_level_traversals(scan_dir) -> None:  # type: ignore[no-untyped-def]
    """Werkzeug's default converter stops at '/': such a parameter reaches the parent
    directory ('..') at most, so its path findings are low confidence and say so;
    a <path:...> parameter or a query argument can hold '../../'."""
    report = scan_dir({"app.py": APP})
    found = {f.line: f for f in report.findings if f.rule == "FW306"}
    assert set(found) == {10, 15, 20}
    assert found[10].confidence is Confidence.LOW
    assert "cannot match '/'" in found[10].message
    for line in (15, 20):
        assert found[line].confidence is Confidence.HIGH
        assert "'../' reads or writes any file" in found[line].message
