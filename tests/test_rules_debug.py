"""FW1 rules: severities, confidence and messages (the fixtures pin the lines)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from flaskwarden.findings import Confidence, Finding, Report, Severity
from tests.conftest import run_scan


def scan(tmp_path: Path, files: dict[str, str]) -> Report:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dedent(text), encoding="utf-8")
    return run_scan(tmp_path)


def only(report: Report, rule: str) -> Finding:
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == 1, found
    return found[0]


def test_debug_on_every_interface_is_critical(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                app = Flask(__name__)
                if __name__ == "__main__":
                    app.run(debug=True, host="0.0.0.0")
            """
        },
    )
    debug, host = only(report, "FW101"), only(report, "FW103")
    assert (debug.severity, host.severity) == (Severity.CRITICAL, Severity.CRITICAL)
    assert "every network interface" in debug.message
    assert "debugger console" in host.message


def test_debug_and_host_read_from_the_config_file_are_critical_together(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                app = Flask(__name__, instance_relative_config=True)
                app.config.from_pyfile("settings.py")
                if __name__ == "__main__":
                    app.run(host=app.config["HOST"], debug=app.config["DEBUG"])
            """,
            "instance/settings.py": """
                HOST = "0.0.0.0"
                DEBUG = True
            """,
        },
    )
    host = only(report, "FW103")
    assert host.severity is Severity.CRITICAL
    assert "with debug on" in host.message
    debug = only(report, "FW101")  # once, where the setting is, not again at app.run
    assert (debug.path, debug.line) == ("instance/settings.py", 3)


def test_debug_on_loopback_is_high_and_host_alone_is_medium(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "a.py": """
                from flask import Flask
                app = Flask(__name__)
                if __name__ == "__main__":
                    app.run(debug=True)
            """,
            "b.py": """
                from flask import Flask
                app = Flask(__name__)
                if __name__ == "__main__":
                    app.run(host="0.0.0.0")
            """,
        },
    )
    assert only(report, "FW101").severity is Severity.HIGH
    assert only(report, "FW103").severity is Severity.MEDIUM


def test_debug_switched_on_only_by_a_variable_is_not_critical_binding(tmp_path: Path) -> None:
    # Debug that an environment variable must switch on (inline, or through another
    # module's constant) is not "on": binding every interface stays medium.
    report = scan(
        tmp_path,
        {
            "flags.py": """
                import os
                DEBUG_FLAG = os.environ.get("SITE_DEBUG") or "False"
            """,
            "app.py": """
                import os
                from flask import Flask
                import flags
                app = Flask(__name__)
                if __name__ == "__main__":
                    if flags.DEBUG_FLAG != "False":
                        app.run(host="0.0.0.0", debug=True)
                    if os.environ.get("SITE_DEBUG") == "1":
                        app.run(host="0.0.0.0", debug=True)
            """,
        },
    )
    hosts = [f for f in report.findings if f.rule == "FW103"]
    assert [(f.line, f.severity) for f in hosts] == [(8, Severity.MEDIUM), (10, Severity.MEDIUM)]
    assert not [f for f in report.findings if f.rule == "FW101"]
    assert all("debugger console" not in f.message for f in hosts)


def test_debug_from_an_imported_constant_names_where_it_is_set(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "flags.py": "DEBUG = True\n",
            "app.py": """
                from flask import Flask
                from flags import DEBUG
                app = Flask(__name__)
                if __name__ == "__main__":
                    app.run(debug=DEBUG)
            """,
        },
    )
    finding = only(report, "FW101")
    assert "debug=DEBUG (True)" in finding.message
    assert [(r.path, r.line) for r in finding.related] == [("flags.py", 1)]


def test_truthy_string_is_explained(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                import os
                from flask import Flask
                app = Flask(__name__)
                app.config["DEBUG"] = os.environ.get("DEBUG", "False")
            """
        },
    )
    message = only(report, "FW101").message
    assert "'False' (a non-empty string, which is true)" in message
    assert "unless DEBUG is set" in message


def test_app_known_only_by_parameter_name_is_medium_confidence(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask

                def run_dev(app):
                    app.run(debug=True)
            """
        },
    )
    assert only(report, "FW101").confidence is Confidence.MEDIUM


def test_run_at_import_says_where_and_how_to_fix(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                app = Flask(__name__)

                def serve():
                    app.run()

                serve()
            """,
            "other.py": """
                from flask import Flask
                app = Flask(__name__)
                if __name__ == "__main__":
                    pass
                else:
                    app.run()
            """,
        },
    )
    messages = {f.path: f.message for f in report.findings if f.rule == "FW102"}
    assert "in serve(), which module level calls" in messages["app.py"]
    assert "else branch of the __main__ guard" in messages["other.py"]
    assert all('if __name__ == "__main__"' in m for m in messages.values())


def test_inherited_debug_names_the_heirs_and_the_loader(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "config.py": """
                class Base:
                    DEBUG = True

                class Production(Base):
                    pass

                class Development(Base):
                    pass
            """,
            "app.py": """
                from flask import Flask
                app = Flask(__name__)
                app.config.from_object("config.Production")
            """,
        },
    )
    finding = only(report, "FW101")
    assert (finding.path, finding.line) == ("config.py", 3)
    assert "inherited by Production" in finding.message
    assert "(inherited by Production)" in finding.message  # not by Development
    assert [(r.path, r.line) for r in finding.related] == [("app.py", 4)]


def test_diagnostic_endpoint_message_names_what_leaks(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                from flask import Flask, current_app
                app = Flask(__name__)

                @app.route("/db_info")
                def db_info():
                    return f'Connected to: {current_app.config["DATABASE_URL"]}'
            """
        },
    )
    finding = only(report, "FW106")
    assert "current_app.config['DATABASE_URL']" in finding.message
    assert "'/db_info'" in finding.message


def test_host_message_shows_the_host_only(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                import os
                from flask import Flask
                app = Flask(__name__)
                if __name__ == "__main__":
                    app.run(host=os.environ.get("HOST", "0.0.0.0"))
            """
        },
    )
    message = only(report, "FW103").message
    assert "(host='0.0.0.0' unless HOST is set)" in message
    assert "non-empty string" not in message
