"""Shell splitting, wrapper unwrapping and server detection."""

from __future__ import annotations

import pytest

from flaskwarden.deploy.model import ServerKind
from flaskwarden.deploy.shell import detect_server, exec_commands, serving_command, shell_commands


def _serving(text: str) -> tuple[tuple[str, ...], ServerKind]:
    picked = serving_command(shell_commands(text))
    assert picked is not None
    return picked[0].argv, picked[1].kind


@pytest.mark.parametrize(
    ("text", "argv0", "kind"),
    [
        ("flask db upgrade && exec gunicorn app:app", "gunicorn", ServerKind.GUNICORN),
        ("sh -c 'python -m flask run'", "python", ServerKind.FLASK_RUN),
        ("exec tini -- env A=1 flask run", "flask", ServerKind.FLASK_RUN),
        ("gosu app uv run --frozen waitress-serve app:app", "waitress-serve", ServerKind.WAITRESS),
        ("poetry run uwsgi --ini uwsgi.ini", "uwsgi", ServerKind.UWSGI),
        ("ddtrace-run --service web hypercorn app:app", "hypercorn", ServerKind.HYPERCORN),
        ("python manage.py migrate; python app.py", "python", ServerKind.PYTHON_SCRIPT),
        ("gunicorn app:app 2>&1 > /var/log/app.log", "gunicorn", ServerKind.GUNICORN),
    ],
)
def test_serving_command(text: str, argv0: str, kind: ServerKind) -> None:
    argv, found = _serving(text)
    assert argv[0] == argv0
    assert found is kind


def test_assignments_and_cd() -> None:
    (command,) = shell_commands("cd src && FLASK_DEBUG=1 flask run")[-1:]
    assert command.assignments == (("FLASK_DEBUG", "1"),)
    assert command.cwd == "src"


def test_exec_form_shell() -> None:
    commands = exec_commands(["/bin/sh", "-c", "flask db upgrade && flask run"])
    assert [c.argv[:2] for c in commands] == [("flask", "db"), ("flask", "run")]


def test_flask_options() -> None:
    server = detect_server(["flask", "--app", "shop:create_app()", "--debug", "run", "-h0.0.0.0"])
    assert server.kind is ServerKind.FLASK_RUN
    assert server.app == "shop:create_app()"
    assert server.option("--debug") == "true"
    assert server.option("-h", "--host") == "0.0.0.0"
    assert detect_server(["flask", "run", "--no-debug"]).option("--debug") == "false"
    assert detect_server(["flask", "shell"]).kind is ServerKind.OTHER


def test_gunicorn_and_python_forms() -> None:
    server = detect_server(["gunicorn", "-c", "conf.py", "--reload", "-b", "0.0.0.0:80", "w:app"])
    assert (server.app, server.config, server.option("--reload")) == ("w:app", "conf.py", "true")
    assert detect_server(["python3.12", "-u", "-W", "ignore", "app.py"]).script == "app.py"
    assert detect_server(["python", "-m", "shop"]).module_arg == "shop"
    assert detect_server(["python", "-m", "gunicorn", "w:app"]).kind is ServerKind.GUNICORN
    assert detect_server(["python", "-c", "print(1)"]).kind is ServerKind.OTHER
    assert (
        detect_server(["uwsgi", "--wsgi-file", "app.py", "--callable", "app"]).app == "app.py:app"
    )


def test_a_lone_dash_is_an_option_value() -> None:
    """microblog: gunicorn --access-logfile - --error-logfile - microblog:app."""
    argv = ["gunicorn", "-b", ":5000", "--access-logfile", "-", "--error-logfile", "-", "m:app"]
    server = detect_server(argv)
    assert server.app == "m:app"
    assert server.option("--access-logfile") == "-"


def test_broken_quotes_do_not_raise() -> None:
    assert shell_commands('echo "unterminated') != []
    assert exec_commands([]) == []
