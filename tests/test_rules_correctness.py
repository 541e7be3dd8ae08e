"""FW6: blueprint registration and route methods across modules."""

from __future__ import annotations

from collections.abc import Callable

from flaskwarden.findings import Report

ScanDir = Callable[..., Report]

BLUEPRINT = """
from flask import Blueprint

bp = Blueprint("{name}", __name__)


@bp.get("/{name}")
def view():
    return "{name}"
"""


def test_unregistered_blueprint_named_with_its_routes(scan_dir: ScanDir) -> None:
    factory = """
from flask import Flask
from pkg import shop, admin


def create_app():
    app = Flask(__name__)
    app.register_blueprint(shop.bp)
    return app
"""
    report = scan_dir(
        {
            "pkg/__init__.py": factory,
            "pkg/shop.py": BLUEPRINT.format(name="shop"),
            "pkg/admin.py": BLUEPRINT.format(name="admin"),
        },
        select=["FW603"],
    )
    (finding,) = report.findings
    assert (finding.path, finding.line) == ("pkg/admin.py", 4)
    assert "view()" in finding.message and "app.register_blueprint(bp)" in finding.message


def test_no_blueprint_reported_when_registration_is_computed(scan_dir: ScanDir) -> None:
    factory = """
from flask import Flask
from pkg import shop


def create_app(extra):
    app = Flask(__name__)
    app.register_blueprint(shop.bp)
    for blueprint in extra:
        app.register_blueprint(blueprint)
    return app
"""
    report = scan_dir(
        {
            "pkg/__init__.py": factory,
            "pkg/shop.py": BLUEPRINT.format(name="shop"),
            "pkg/admin.py": BLUEPRINT.format(name="admin"),
        },
        select=["FW603"],
    )
    assert report.findings == []


def test_method_branch_reported_at_the_route_with_the_fix(scan_dir: ScanDir) -> None:
    app = """
from flask import Flask, request

app = Flask(__name__)


@app.route("/newsletter", methods=["GET"])
def newsletter():
    if request.method == "POST":
        return "thanks"
    return "form"
"""
    (finding,) = scan_dir({"app.py": app}, select=["FW601"]).findings
    assert finding.line == 7
    assert 'methods=["GET", "POST"]' in finding.message
    assert [(r.path, r.line) for r in finding.related] == [("app.py", 9)]
