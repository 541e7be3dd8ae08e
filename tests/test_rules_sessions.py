"""FW4: per-app decisions (CSRF, headers) and messages, beyond the annotated fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flaskwarden.findings import Report

ScanDir = Callable[..., Report]

FORM_APP = """
from flask import Flask, redirect, request, session

app = Flask(__name__)


@app.post("/cart/add")
def add():
    session.setdefault("cart", []).append(request.form["sku"])
    return redirect("/")


@app.post("/cart/remove")
def remove():
    session["cart"].remove(request.form["sku"])
    return redirect("/")
"""


def _findings(report: Report, rule: str) -> list[Any]:
    return [f for f in report.findings if f.rule == rule]


def test_csrf_is_one_finding_per_app_listing_the_routes(scan_dir: ScanDir) -> None:
    report = scan_dir({"app.py": FORM_APP}, select=["FW401"])
    (finding,) = _findings(report, "FW401")
    assert finding.line == 7
    assert "2 state-changing form routes" in finding.message
    assert "POST /cart/add (add)" in finding.message
    assert "POST /cart/remove (remove)" in finding.message
    assert "CSRFProtect(app)" in finding.message
    assert [(r.path, r.line) for r in finding.related] == [("app.py", 13)]


def test_csrf_decided_per_app_in_one_repository(scan_dir: ScanDir) -> None:
    """Two apps side by side: the protected one is quiet, the other is reported."""
    protected = FORM_APP.replace(
        "app = Flask(__name__)",
        "from flask_wtf.csrf import CSRFProtect\napp = Flask(__name__)\nCSRFProtect(app)",
    )
    report = scan_dir({"shop/app.py": FORM_APP, "blog/app.py": protected}, select=["FW401"])
    assert [(f.path, f.rule) for f in report.findings] == [("shop/app.py", "FW401")]


def test_csrf_with_forms_only_lists_the_views_that_validate_none(scan_dir: ScanDir) -> None:
    """FlaskForm without CSRFProtect protects only the views that validate a form."""
    forms = FORM_APP.replace(
        "app = Flask(__name__)\n",
        "from flask_wtf import FlaskForm\napp = Flask(__name__)\n\n\n"
        "@app.post('/profile')\ndef profile():\n    form = FlaskForm()\n"
        "    if form.validate_on_submit():\n        session['name'] = request.form['name']\n"
        "    return redirect('/')\n",
    )
    report = scan_dir({"app.py": forms}, select=["FW401"])
    (finding,) = _findings(report, "FW401")
    assert "2 form routes read form data" in finding.message
    assert "POST /cart/add (add)" in finding.message
    assert "/profile" not in finding.message
    assert "validate a FlaskForm in these views" in finding.message
    protected = forms.replace(
        "app = Flask(__name__)",
        "from flask_wtf.csrf import CSRFProtect\napp = Flask(__name__)\nCSRFProtect(app)",
    )
    assert _findings(scan_dir({"app.py": protected}, select=["FW401"]), "FW401") == []


def test_routes_are_shown_with_their_blueprint_prefix(scan_dir: ScanDir) -> None:
    views = """
from flask import Blueprint, redirect, request, session

posts = Blueprint("posts", __name__, url_prefix="/posts")
admin = Blueprint("admin", __name__, url_prefix="/ignored")


@posts.post("/")
def create():
    session["draft"] = request.form["text"]
    return redirect("/")


@admin.post("/users")
def users():
    session["user"] = request.form["name"]
    return redirect("/")
"""
    app = """
from flask import Flask

from views import admin, posts

app = Flask(__name__)
app.register_blueprint(posts)
app.register_blueprint(admin, url_prefix="/admin")
"""
    report = scan_dir({"views.py": views, "app.py": app}, select=["FW401"])
    (finding,) = _findings(report, "FW401")
    assert "POST /posts/ (create)" in finding.message
    assert "POST /admin/users (users)" in finding.message


def test_security_headers_reported_once_per_app_at_the_flask_line(scan_dir: ScanDir) -> None:
    app = """
import os
from flask import Flask, render_template

if os.environ.get("PROFILE"):
    app = Flask(__name__, static_folder="public")
else:
    app = Flask(__name__)


@app.get("/")
def index():
    return render_template("index.html")
"""
    report = scan_dir({"app.py": app, "templates/index.html": "<p>hi</p>"}, select=["FW404"])
    (finding,) = report.findings
    assert (finding.path, finding.line) == ("app.py", 6)
    for header in ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy"):
        assert header in finding.message


def test_header_set_in_a_file_the_prefilter_skips_counts(scan_dir: ScanDir) -> None:
    app = """
from flask import Flask, render_template
from middleware import harden

app = Flask(__name__)
app.after_request(harden)


@app.get("/")
def index():
    return render_template("index.html")
"""
    middleware = (
        "def harden(response):\n"
        '    response.headers["X-Frame-Options"] = "DENY"\n'
        "    return response\n"
    )
    report = scan_dir({"app.py": app, "middleware.py": middleware}, select=["FW404"])
    assert report.findings == []


_PAGE_APP = """
from flask import Flask, render_template

app = Flask(__name__)


@app.get("/")
def index():
    return render_template("index.html")
"""
_NGINX = (
    "server {\n    listen 443 ssl;\n"
    '    add_header X-Content-Type-Options "nosniff";\n'
    '    add_header X-Frame-Options "SAMEORIGIN";\n'
    "    location / { proxy_pass http://127.0.0.1:8000; }\n}\n"
)


@pytest.mark.parametrize(
    "config", ["nginx/site.conf", "deploy/nginx.conf", "docker/conf.d/app.conf", ".htaccess"]
)
def test_headers_added_by_the_committed_proxy_config_count(scan_dir: ScanDir, config: str) -> None:
    report = scan_dir({"app.py": _PAGE_APP, config: _NGINX}, select=["FW404"])
    assert report.findings == []


@pytest.mark.parametrize("config", ["notes/site.conf", "nginx/site.conf.example.txt"])
def test_other_conf_files_are_not_proxy_configs(scan_dir: ScanDir, config: str) -> None:
    report = scan_dir({"app.py": _PAGE_APP, config: _NGINX}, select=["FW404"])
    assert [f.rule for f in report.findings] == ["FW404"]


def test_a_test_naming_a_header_sets_none(scan_dir: ScanDir) -> None:
    test = (
        "def test_no_frame_header(client):\n"
        '    assert "X-Frame-Options" not in client.get("/").headers\n'
    )
    report = scan_dir({"app.py": _PAGE_APP, "tests/test_headers.py": test}, select=["FW404"])
    assert [(f.path, f.rule) for f in report.findings] == [("app.py", "FW404")]


def test_cookie_settings_in_a_skipped_config_module_are_read(scan_dir: ScanDir) -> None:
    """settings.py has no keyword of the scan's prefilter: it is parsed because it sets
    cookie options."""
    report = scan_dir(
        {
            "app.py": (
                "from flask import Flask\n"
                "app = Flask(__name__)\n"
                "app.config.from_object('settings')\n"
            ),
            "settings.py": "SESSION_COOKIE_HTTPONLY = False\n",
        },
        select=["FW402"],
    )
    assert [(f.path, f.line) for f in report.findings] == [("settings.py", 1)]
