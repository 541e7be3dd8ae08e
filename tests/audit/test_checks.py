"""Each audit rule on small real Flask projects; ``# expect:`` / ``# ok:`` pin the lines."""

from __future__ import annotations

from pathlib import Path

from tests.audit.conftest import AuditProject, assert_annotated, reported

KEY_FROM_ENV = 'app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]'


def test_debug_from_the_config_class_the_app_loads(audit_project: AuditProject) -> None:
    files = {
        "config.py": """
            class Config:
                DEBUG = False  # ok: FW101


            class DevelopmentConfig(Config):
                DEBUG = True  # ok: FW101


            class ProductionConfig(Config):
                DEBUG = True  # expect: FW101
            """,
        "app.py": f"""
            import os

            from flask import Flask

            import config

            app = Flask(__name__)
            app.config.from_object(config.ProductionConfig)
            {KEY_FROM_ENV}
            """,
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW101"})


def test_debug_from_flask_debug_in_the_environment(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask

            app = Flask(__name__)  # expect: FW101
            {KEY_FROM_ENV}
            """
    }
    result, root = audit_project(files, env={"FLASK_DEBUG": "1"})
    assert_annotated(result, root, {"FW101"})
    (finding,) = [f for f in result.report.findings if f.rule == "FW101"]
    assert "FLASK_DEBUG=1 in the environment turns DEBUG on" in finding.message


def test_debug_set_in_a_factory_called_with_literal_arguments(
    audit_project: AuditProject,
) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask


            def create_app(name, debug=False):
                app = Flask(name)
                {KEY_FROM_ENV}
                app.debug = debug  # expect: FW101
                return app
            """
    }
    result, root = audit_project(files, target='app:create_app("shop", debug=True)')
    assert_annotated(result, root, {"FW101"})
    assert result.app["name"] == "shop"
    (finding,) = [f for f in result.report.findings if f.rule == "FW101"]
    assert (finding.column, finding.snippet) == (5, "app.debug = debug  # expect: FW101")


def test_app_run_at_import_is_recorded_not_served(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask

            app = Flask(__name__)
            {KEY_FROM_ENV}


            def main():
                app.run(port=5001)  # ok: FW102


            app.run(host="0.0.0.0", debug=True)  # expect: FW102

            if __name__ == "__main__":
                main()
            """
    }
    result, root = audit_project(files, timeout=15)
    assert_annotated(result, root, {"FW102", "FW101"})


def test_diagnostic_routes(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import functools
            import os
            import tracemalloc

            from flask import Flask, current_app, jsonify, request


            def login_required(view):
                @functools.wraps(view)
                def wrapped(*args, **kwargs):
                    return view(*args, **kwargs)

                return wrapped


            app = Flask(__name__)
            {KEY_FROM_ENV}


            @app.get("/debug/env")
            def env():
                return jsonify(dict(os.environ))  # expect: FW106


            @app.get("/stats")
            def stats():
                snapshot = tracemalloc.take_snapshot()  # expect: FW106
                return str(snapshot.statistics("lineno")[:5])


            @app.get("/admin/config")
            @login_required
            def admin_config():
                return jsonify(dict(current_app.config))  # ok: FW106


            @app.route("/settings", methods=["GET", "POST"])
            def settings():
                return request.form.get("theme", "light")  # ok: FW106


            @app.get("/healthz")
            def healthz():
                return {{"status": "ok"}}  # ok: FW106


            @app.get("/proxy-info")
            def proxy_info():
                return request.environ.get("REMOTE_ADDR", "")  # ok: FW106
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW106"})
    messages = sorted(f.message for f in result.report.findings if f.rule == "FW106")
    assert messages[0].startswith("/debug/env (view env) reads the process environment")
    assert messages[1].startswith("/stats (view stats) reads tracemalloc memory statistics")


def test_testing_flags(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask

            app = Flask(__name__)
            {KEY_FROM_ENV}
            app.config["TESTING"] = True  # expect: FW109
            app.config.from_mapping(LOGIN_DISABLED=True)  # expect: FW109
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW109"})


def test_weak_and_missing_secret_keys(audit_project: AuditProject) -> None:
    files = {
        "app.py": """
            from flask import Flask

            app = Flask(__name__)
            app.secret_key = "changeme"  # expect: FW201

            other = Flask("other")  # ok: FW201
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW201", "FW203"})
    (finding,) = [f for f in result.report.findings if f.rule == "FW201"]
    assert finding.message.startswith(
        "SECRET_KEY is a well-known tutorial or placeholder key in the app as imported"
    )


def test_missing_secret_key_is_reported_where_the_app_is_created(
    audit_project: AuditProject,
) -> None:
    files = {
        "app.py": """
            from flask import Flask

            app = Flask(__name__)  # expect: FW201
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW201", "FW203"})


def test_key_generated_per_process(audit_project: AuditProject) -> None:
    files = {
        "app.py": """
            import os

            from flask import Flask

            app = Flask(__name__)
            app.config["SECRET_KEY"] = os.urandom(32)  # expect: FW203
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW201", "FW203"})


def test_key_read_from_a_file_is_stable(audit_project: AuditProject) -> None:
    files = {
        "secret.key": "0f3a9c2e7b614d58a1e9c3b7d2f06a4e8c1b5d9f3a7e2c6b",
        "app.py": """
            from pathlib import Path

            from flask import Flask

            app = Flask(__name__)
            app.config["SECRET_KEY"] = Path("secret.key").read_text()  # ok: FW203, FW201
            """,
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW201", "FW203"})


def test_autoescape_turned_off(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask

            app = Flask(__name__)  # expect: FW302
            app.jinja_options = {{**app.jinja_options, "autoescape": False}}
            {KEY_FROM_ENV}
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW302"})


CSRF_APP = f"""
    import os

    from flask import Flask, jsonify, redirect, request, session
    from flask_wtf import FlaskForm
    from flask_wtf.csrf import CSRFProtect
    from wtforms import StringField

    app = Flask(__name__)
    {KEY_FROM_ENV}
    PROTECTION


    class SignupForm(FlaskForm):
        email = StringField()


    @app.post("/cart/add")  # FIRST
    def add():
        session.setdefault("cart", []).append(request.form["sku"])
        return redirect("/cart")


    @app.route("/cart/remove", methods=["POST"])
    def remove():
        session.pop("cart", None)
        return redirect("/cart")


    @app.post("/api/orders")  # ok: FW401
    def api_orders():
        return jsonify(request.get_json())


    @app.route("/signup", methods=["GET", "POST"])  # ok: FW401
    def signup():
        form = SignupForm()
        if form.validate_on_submit():
            return redirect("/")
        return "form"
    """


def test_state_changing_routes_without_csrf(audit_project: AuditProject) -> None:
    source = CSRF_APP.replace("PROTECTION", "").replace("# FIRST", "# expect: FW401")
    result, root = audit_project({"app.py": source})
    assert_annotated(result, root, {"FW401"})
    (finding,) = [f for f in result.report.findings if f.rule == "FW401"]
    assert finding.message.startswith(
        "2 state-changing routes (POST /cart/add, POST /cart/remove) accept requests carrying "
        "the session cookie and no CSRF protection is installed"
    )
    assert [(r.path, r.line, r.message) for r in finding.related] == [
        ("app.py", 23, "POST /cart/remove")
    ]


def test_csrf_protect_covers_every_route(audit_project: AuditProject) -> None:
    source = CSRF_APP.replace("PROTECTION", "CSRFProtect(app)").replace("# FIRST", "# ok: FW401")
    result, root = audit_project({"app.py": source})
    assert_annotated(result, root, {"FW401"})


def test_csrf_protect_switched_off(audit_project: AuditProject) -> None:
    disabled = 'app.config["WTF_CSRF_ENABLED"] = False; CSRFProtect(app)'
    source = CSRF_APP.replace("PROTECTION", disabled).replace("# FIRST", "# expect: FW401")
    source = source.replace("# ok: FW401\n    def signup", "# expect: FW401\n    def signup")
    result, _ = audit_project({"app.py": source})
    (finding,) = [f for f in result.report.findings if f.rule == "FW401"]
    assert "CSRFProtect is installed but WTF_CSRF_ENABLED is False" in finding.message
    assert "POST /signup" in finding.message  # FlaskForm's own check is off too
    assert (finding.path, finding.line) == ("app.py", 17)


def test_insecure_cookie_settings(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask

            app = Flask(__name__)
            {KEY_FROM_ENV}
            app.config["SESSION_COOKIE_HTTPONLY"] = False  # expect: FW402
            app.config["SESSION_COOKIE_SAMESITE"] = "None"  # expect: FW402
            app.config["SESSION_COOKIE_SECURE"] = False  # expect: FW402
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW402"})
    assert sorted(f.cwe for f in result.report.findings if f.rule == "FW402") == [614, 1004, 1275]


def test_https_app_with_flasks_default_insecure_cookie(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask

            app = Flask(__name__)
            {KEY_FROM_ENV}
            app.config["PREFERRED_URL_SCHEME"] = "https"  # expect: FW402
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW402"})


def test_no_security_headers(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask

            app = Flask(__name__)  # expect: FW404
            {KEY_FROM_ENV}
            """
    }
    result, root = audit_project(files)
    assert_annotated(result, root, {"FW404"})


def test_headers_from_talisman_or_the_guard(audit_project: AuditProject) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask
            from flask_talisman import Talisman

            from flaskwarden.guard import Warden

            app = Flask(__name__)  # ok: FW404
            {KEY_FROM_ENV}
            Talisman(app)

            guarded = Flask("guarded")  # ok: FW404
            guarded.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
            Warden(guarded)
            """
    }
    for target in ("app:app", "app:guarded"):
        result, root = audit_project(files, target=target)
        assert_annotated(result, root, {"FW404"})


def test_a_hook_that_fails_on_a_bare_request_is_a_diagnostic(
    audit_project: AuditProject,
) -> None:
    files = {
        "app.py": f"""
            import os

            from flask import Flask

            app = Flask(__name__)
            {KEY_FROM_ENV}
            app.config["PROPAGATE_EXCEPTIONS"] = True


            @app.before_request
            def connect():
                raise ConnectionError("database unreachable")
            """
    }
    result, _ = audit_project(files)
    assert "FW404" not in {f.rule for f in result.report.findings}
    assert [(d.kind, d.message) for d in result.report.diagnostics] == [
        (
            "audit-request",
            "could not check response headers (FW404): a request to the app raised "
            "ConnectionError: database unreachable",
        )
    ]


def test_blueprints_defined_but_not_registered(audit_project: AuditProject) -> None:
    route = """


            @bp.get("/")
            def index():
                return "x"
            """
    files = {
        "shop/__init__.py": f"""
            import os

            from flask import Blueprint, Flask

            from shop import api, views

            empty = Blueprint("empty", __name__)  # ok: FW603


            def create_app():
                app = Flask(__name__)
                {KEY_FROM_ENV}
                app.register_blueprint(views.bp)
                return app
            """,
        "shop/views.py": """
            from flask import Blueprint

            bp = Blueprint("views", __name__)  # ok: FW603
            child = Blueprint("child", __name__)  # ok: FW603


            @child.get("/c")
            def c():
                return "c"
            """
        + route
        + "bp.register_blueprint(child)\n",
        "shop/api.py": """
            from flask import Blueprint

            bp = Blueprint("api", __name__)  # expect: FW603
            """
        + route,
        "shop/admin.py": """
            import flask

            admin = flask.Blueprint("admin", __name__)  # expect: FW603


            @admin.route("/")
            def dashboard():
                return "admin"
            """,
        "shop/tests/helpers.py": """
            from flask import Blueprint

            bp = Blueprint("t", __name__)  # ok: FW603
            """
        + route,
    }
    result, root = audit_project(files, target="shop:create_app()")
    assert_annotated(result, root, {"FW603"})
    by_path = {f.path: f.message for f in result.report.findings if f.rule == "FW603"}
    assert by_path["shop/api.py"].startswith("blueprint 'api' has routes but the app never")
    assert by_path["shop/admin.py"].startswith("blueprint admin has routes but its module is never")


def test_paths_are_relative_to_the_project(audit_project: AuditProject, tmp_path: Path) -> None:
    files = {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n"}
    result, _ = audit_project(files)
    assert reported(result) == {("app.py", 3, "FW201"), ("app.py", 3, "FW404")}
    assert result.report.root == str(tmp_path / "project")
