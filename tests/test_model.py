"""The project model: what names are, across modules, without running anything."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from flaskwarden.findings import Confidence
from flaskwarden.model import ClassRef, Project, package_of
from flaskwarden.python.facts import ModuleFacts
from flaskwarden.python.source import analyze_python
from tests.conftest import FIXTURES, run_scan


def project(files: dict[str, str]) -> Project:
    modules = []
    for path, text in files.items():
        facts = analyze_python(path, dedent(text).encode())
        assert isinstance(facts, ModuleFacts), facts
        modules.append(facts)
    return Project(modules)


def module(proj: Project, path: str) -> ModuleFacts:
    found = next((m for m in proj.modules if m.path == path), None)
    assert found is not None
    return found


def receiver_kinds(proj: Project, path: str) -> list[str]:
    mod = module(proj, path)
    return [proj.kind_of(call.receiver, mod).kind for call in mod.run_calls]


def test_every_way_to_hold_an_app() -> None:
    proj = project(
        {
            "app.py": """
                import flask
                from flask import Flask as F

                class Site(flask.Flask):
                    pass

                def create_app():
                    made = F(__name__)
                    return made

                a = flask.Flask(__name__)
                b = F(__name__)
                c = b
                d = Site(__name__)
                e = create_app()
                a.run(); b.run(); c.run(); d.run(); e.run(); create_app().run()
            """,
        }
    )
    assert receiver_kinds(proj, "app.py") == ["flask-app"] * 6


_FACTORY = """
    from flask import Flask

    def create_app():
        return Flask(__name__)
"""


def test_apps_across_modules_and_relative_imports() -> None:
    proj = project(
        {
            "pkg/__init__.py": _FACTORY,
            "pkg/run.py": """
                from . import create_app

                app = create_app()
                app.run()
            """,
            "other.py": """
                import pkg.run as r
                from pkg.run import app as served

                served.run()
                r.app.run()
            """,
        }
    )
    assert receiver_kinds(proj, "pkg/run.py") == ["flask-app"]
    assert receiver_kinds(proj, "other.py") == ["flask-app", "flask-app"]
    resolved = proj.kind_of("import:pkg.run.app", module(proj, "other.py"))
    assert resolved.confidence is Confidence.HIGH


def test_a_package_wins_over_a_module_of_the_same_name() -> None:
    """app.py next to app/: `from app import create_app` is the package, as Python
    imports it, also from app.py itself (Flask-AppBuilder's examples/saml)."""
    proj = project(
        {
            "app/__init__.py": _FACTORY,
            "app.py": """
                from app import create_app

                app = create_app()
                if __name__ == "__main__":
                    app.run(debug=True)
            """,
        }
    )
    assert receiver_kinds(proj, "app.py") == ["flask-app"]
    found = proj.find_module("app", module(proj, "app.py"))
    assert found is not None and found.path == "app/__init__.py"


def test_other_frameworks_are_not_flask_even_when_named_app() -> None:
    proj = project(
        {
            "app.py": """
                import threading
                from celery import Celery
                from flask import Flask
                from quart import Quart

                app = Quart(__name__)
                application = Celery("tasks")
                worker = threading.Thread(target=print)
                app.run(); application.run(); worker.run()
            """,
        }
    )
    assert receiver_kinds(proj, "app.py") == ["other-app", "other", "other"]


def test_name_heuristic_only_when_nothing_is_known() -> None:
    proj = project(
        {
            "app.py": """
                from flask import Flask
                from myproject.factory import create_app

                app = create_app()
                app.run()
            """,
        }
    )
    resolved = proj.kind_of("global:app", module(proj, "app.py"))
    assert (resolved.kind, resolved.confidence) == ("flask-app", Confidence.MEDIUM)


def test_import_time_reachability() -> None:
    proj = project(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)

                def serve():
                    helper()

                def helper():
                    app.run()

                def main():
                    app.run()

                status = serve()

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert proj.import_time_functions(module(proj, "app.py")) == {"serve", "helper"}


def test_constants_across_modules() -> None:
    proj = project(
        {
            "flags.py": "DEBUG = True\n",
            "reexport.py": "from flags import DEBUG\n",
            "app.py": "import flags\nfrom reexport import DEBUG\n",
        }
    )
    app = module(proj, "app.py")
    found = proj.constant("import:flags.DEBUG", app)
    assert found is not None
    assert (found[0].path, found[1], found[2].value.value) == ("flags.py", "DEBUG", True)
    via = proj.constant("import:reexport.DEBUG", app)
    assert via is not None
    assert via[0].path == "flags.py"
    assert proj.constant("import:flags.MISSING", app) is None


def test_config_classes_loaded_by_string_and_inherited() -> None:
    proj = project(
        {
            "pkg/__init__.py": """
                from flask import Flask

                app = Flask(__name__)
                app.config.from_object("pkg.settings.Production")
            """,
            "pkg/base.py": """
                class Common:
                    DEBUG = True
            """,
            "pkg/settings.py": """
                from .base import Common

                class Production(Common):
                    pass

                class Unrelated:
                    DEBUG = True
            """,
        }
    )
    settings = module(proj, "pkg/settings.py")
    base = module(proj, "pkg/base.py")
    production = ClassRef(settings, settings.classes["Production"])
    common = ClassRef(base, base.classes["Common"])
    assert ("pkg/settings.py", "Production") in proj.loaded_classes()
    assert proj.is_config_class(production)
    assert proj.is_config_class(common)  # the base of a loaded class
    assert not proj.is_config_class(ClassRef(settings, settings.classes["Unrelated"]))
    found = proj.effective_attr(production, "DEBUG")
    assert found is not None
    assert found[0] == common


def test_config_modules_loaded_by_path_file_and_name() -> None:
    proj = project(
        {
            "app.py": """
                from flask import Flask

                DEBUG = False
                app = Flask(__name__)
                app.config.from_object("knobs")
                app.config.from_pyfile("settings.py")
                app.config.from_object(__name__)
            """,
            "knobs.py": "DEBUG = True\n",
            "settings.py": "DEBUG = True\n",
            "tool.py": "DEBUG = True\n",
        }
    )
    loaded = proj.loaded_modules()
    assert set(loaded) == {"app.py", "knobs.py", "settings.py"}
    assert not proj.is_config_module(module(proj, "tool.py"))


def test_config_writes_through_an_alias() -> None:
    proj = project(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                cfg = app.config
                cfg["DEBUG"] = True
                cfg.update(TESTING=True)
            """,
        }
    )
    app = module(proj, "app.py")
    assert [(w.key, w.receiver) for w in app.config_writes] == [
        ("DEBUG", "global:app"),
        ("TESTING", "global:app"),
    ]


def test_apps_held_by_instances() -> None:
    proj = project(
        {
            "app.py": """
                from flask import Flask

                class Service:
                    def __init__(self):
                        self.app = Flask(__name__)

                    def serve(self):
                        self.app.run()

                class Site(Flask):
                    def serve(self):
                        self.run()

                class Plain:
                    def serve(self):
                        self.run()
            """,
        }
    )
    assert receiver_kinds(proj, "app.py") == ["flask-app", "flask-app", "unknown"]


def test_package_of_a_scanned_directory(tmp_path: Path) -> None:
    (tmp_path / "app" / "api").mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "api" / "__init__.py").write_text("")
    (tmp_path / "app" / "static").mkdir()
    assert package_of(tmp_path) == ""
    assert package_of(tmp_path / "app") == "app"
    assert package_of(tmp_path / "app" / "api") == "app.api"
    assert package_of(tmp_path / "app" / "static") == ""
    assert package_of(tmp_path / "app" / "__init__.py") == ""


def test_scanning_a_package_directory_resolves_its_own_absolute_imports() -> None:
    # `from shop.base import BaseResource` inside shop/ must resolve whether the scan
    # starts at the project root or at the package itself
    project_root = FIXTURES / "resources" / "class_views_elsewhere"
    whole = {(f.path, f.line, f.rule) for f in run_scan(project_root).findings}
    package = {(f.path, f.line, f.rule) for f in run_scan(project_root / "shop").findings}
    assert whole == {("shop/views.py", 8, "FW503"), ("shop/reports.py", 8, "FW503")}
    assert package == {(path.removeprefix("shop/"), line, rule) for path, line, rule in whole}
