"""Loading the app like gunicorn, and every way that fails: one clear line, no traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flaskwarden.audit.process import AuditError
from flaskwarden.audit.target import Target, TargetError, parse_target
from tests.audit.conftest import AuditProject, reported

APP = 'import os\n\nfrom flask import Flask\n\napp = Flask(__name__)\napp.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\n'  # noqa: E501


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("wsgi:app", Target("wsgi", "app")),
        ("pkg.wsgi:application", Target("pkg.wsgi", "application")),
        ("shop:create_app()", Target("shop", "create_app", call=True)),
        (
            "shop:create_app('production', debug=False)",
            Target("shop", "create_app", True, ("production",), {"debug": False}),
        ),
        ("shop", Target("shop")),
    ],
)
def test_targets_gunicorn_accepts(text: str, target: Target) -> None:
    assert parse_target(text) == target
    assert str(parse_target(text)) == text


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("app.py", "'app.py' is a file name; give the module: app:app"),
        (":app", "no module in ':app'; expected MODULE:APP, e.g. wsgi:app"),
        ("my-app:app", "'my-app' is not a module name (dotted Python identifiers)"),
        ("wsgi:app.wsgi_app", "'app.wsgi_app' must be a name (wsgi:app) or a factory call"),
        ("wsgi:create_app(os.environ)", "the arguments of 'create_app(os.environ)' must be"),
        ("wsgi:app(", "cannot parse 'app(' as an attribute name or a function call"),
    ],
)
def test_malformed_targets(text: str, error: str) -> None:
    with pytest.raises(TargetError, match=r"^" + error.replace("(", r"\(").replace(")", r"\)")):
        parse_target(text)


def failure(audit_project: AuditProject, files: dict[str, str], target: str = "app:app") -> str:
    with pytest.raises(AuditError) as caught:
        audit_project(files, target=target, timeout=10)
    message = str(caught.value)
    assert "\n" not in message
    assert "Traceback" not in message
    return message


def test_module_that_raises_on_import(audit_project: AuditProject) -> None:
    files = {
        "app.py": APP,
        "wsgi.py": "from app import app\n\nraise RuntimeError('DATABASE_URL is not set')\n",
    }
    assert failure(audit_project, files, "wsgi:app") == (
        "importing 'wsgi' raised RuntimeError: DATABASE_URL is not set (at wsgi.py:3); fix it, "
        "or give the app the environment it needs with --env KEY=VALUE"
    )


def test_factory_that_raises_names_the_function(audit_project: AuditProject) -> None:
    files = {
        "shop/__init__.py": "import os\n\n\ndef create_app():\n"
        '    return os.environ["SHOP_DATABASE"]\n'
    }
    assert failure(audit_project, files, "shop:create_app()") == (
        "calling shop:create_app() raised KeyError: 'SHOP_DATABASE' (at shop/__init__.py:5, "
        "in create_app); fix it, or give the app the environment it needs with --env KEY=VALUE"
    )


def test_env_overrides_reach_the_import(audit_project: AuditProject) -> None:
    files = {
        "shop/__init__.py": APP.replace(
            "app = Flask", "DB = os.environ['SHOP_DATABASE']\napp = Flask"
        )
    }
    result, _ = audit_project(files, target="shop:app", env={"SHOP_DATABASE": "/tmp/x.db"})
    assert result.app["name"] == "shop"


def test_missing_module(audit_project: AuditProject, tmp_path: Path) -> None:
    message = failure(audit_project, {"app.py": APP}, "wsgi:app")
    assert message == (
        f"cannot find module 'wsgi' in {tmp_path / 'project'} (the directory the audit imports "
        "from, as gunicorn's --chdir); run from the project directory or pass --chdir"
    )


def test_missing_dependency(audit_project: AuditProject) -> None:
    files = {"app.py": "import flask_sqlalchemy_that_is_not_installed\n" + APP}
    message = failure(audit_project, files)
    assert message.startswith(
        "importing 'app' raised ModuleNotFoundError: no module named "
        "'flask_sqlalchemy_that_is_not_installed' (at app.py:1); install the app's "
        "dependencies into the Python that runs flaskwarden ("
    )


def test_syntax_error(audit_project: AuditProject) -> None:
    files = {"app.py": APP, "views.py": "def broken(:\n    pass\n", "wsgi.py": "import views\n"}
    assert failure(audit_project, files, "wsgi:app") == (
        "importing 'wsgi' failed: syntax error in views.py:1: invalid syntax"
    )


def test_sys_exit_at_import(audit_project: AuditProject) -> None:
    files = {"app.py": "import sys\n\nsys.exit(3)\n"}
    assert failure(audit_project, files).startswith(
        "importing 'app' called sys.exit(3) (at app.py:3)"
    )


def test_process_that_dies_without_a_result(audit_project: AuditProject) -> None:
    files = {
        "app.py": "import os\nimport sys\n\n"
        "print('fatal: no config', file=sys.stderr)\nos._exit(4)\n"
    }
    assert failure(audit_project, files) == (
        "the audit process importing app:app exited with status 4 before reporting: "
        "fatal: no config"
    )


def test_import_that_hangs_is_bounded(audit_project: AuditProject) -> None:
    files = {"app.py": "import time\n\ntime.sleep(60)\n"}
    started = time.monotonic()
    with pytest.raises(AuditError, match=r"^importing app:app did not finish within 1 s"):
        audit_project(files, timeout=1)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("app:application", "module 'app' has no attribute 'application'"),
        ("app:VERSION", "app:VERSION is a str, not a Flask application"),
        ("app:make(1, 2)", "cannot call app:make(1, 2): too many positional arguments"),
        ("app:VERSION()", "app:VERSION is not callable"),
    ],
)
def test_target_that_is_not_an_app(audit_project: AuditProject, target: str, error: str) -> None:
    files = {"app.py": APP + "VERSION = '1.0'\n\n\ndef make(name):\n    return Flask(name)\n"}
    assert failure(audit_project, files, target) == error


def test_bare_module_finds_a_factory(audit_project: AuditProject) -> None:
    files = {
        "shop/__init__.py": "import os\n\nfrom flask import Flask\n\n\ndef create_app():\n"
        "    app = Flask('corner')\n"
        '    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\n    return app\n'
    }
    result, _ = audit_project(files, target="shop")
    assert result.app["name"] == "corner"


def test_bare_module_without_an_app(audit_project: AuditProject) -> None:
    assert failure(audit_project, {"util.py": "X = 1\n"}, "util") == (
        "no Flask app found in module 'util' (tried app, application, create_app(), "
        "make_app()); name it: util:NAME"
    )


def test_wsgi_middleware_is_unwrapped(audit_project: AuditProject) -> None:
    files = {
        "app.py": APP,
        "wsgi.py": "from werkzeug.middleware.proxy_fix import ProxyFix\n\n"
        "from app import app as flask_app\n\napp = ProxyFix(flask_app)\n",
    }
    result, _ = audit_project(files, target="wsgi:app")
    assert result.app["name"] == "app"


def test_guard_refusal_is_reported_in_one_line(audit_project: AuditProject) -> None:
    files = {
        "app.py": "from flask import Flask\n\nfrom flaskwarden.guard import Warden\n\n"
        "app = Flask(__name__)\napp.secret_key = 'dev'\nWarden(app)\n"
    }
    message = failure(audit_project, files)
    assert message.startswith(
        "importing 'app' raised WardenError: flaskwarden refused to start the app 'app': "
        "FW201 SECRET_KEY is a well-known tutorial or placeholder key"
    )
    assert message.endswith("with --env KEY=VALUE")


def test_user_output_does_not_disturb_the_result(audit_project: AuditProject) -> None:
    files = {"app.py": "print('{not json')\nimport sys\nprint('noise', file=sys.stderr)\n" + APP}
    result, _ = audit_project(files)
    assert reported(result) == {("app.py", 8, "FW404")}
