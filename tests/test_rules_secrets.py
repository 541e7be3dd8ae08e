"""FW2 rules: severities (tests are info, development configs low) and messages."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from flaskwarden.findings import Finding, Report, Severity
from flaskwarden.python import names
from tests.conftest import run_scan


def scan(tmp_path: Path, files: dict[str, str]) -> Report:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dedent(text), encoding="utf-8")
    return run_scan(tmp_path)


def severities(report: Report) -> dict[tuple[str, str], Severity]:
    return {(f.path, f.rule): f.severity for f in report.findings}


APP_KEY = """
    from flask import Flask
    app = Flask(__name__)
    app.secret_key = "test-secret"
"""
HASHED = """
    from werkzeug.security import generate_password_hash
    HASH = generate_password_hash("secret123")
"""


def test_secrets_in_tests_are_info_and_test_credentials_are_not_reported(
    tmp_path: Path,
) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": APP_KEY,
            "tests/helpers.py": APP_KEY,
            "conftest.py": APP_KEY,
            "end_to_end_tests/interface.py": APP_KEY,
            "e2e/client.py": APP_KEY,
            "contest/app.py": APP_KEY,
            "test_app.py": HASHED,
            "pkg/login_test.py": HASHED,
        },
    )
    assert severities(report) == {
        ("app.py", "FW201"): Severity.HIGH,
        ("tests/helpers.py", "FW201"): Severity.INFO,
        ("conftest.py", "FW201"): Severity.INFO,
        ("end_to_end_tests/interface.py", "FW201"): Severity.INFO,
        ("e2e/client.py", "FW201"): Severity.INFO,
        ("contest/app.py", "FW201"): Severity.HIGH,
    }


def test_secrets_in_test_data_modules_are_info(tmp_path: Path) -> None:
    """ckan's lib/create_test_data.py: a module that builds test data, whether the
    password sits in its class or at module level."""
    users = """\
        import pika
        class DataBuilder:
            users = [{"name": "tester", "password": "tester-Pa55"}]
        fixtures = pika.PlainCredentials("admin", "fixture-Pa55")
    """
    report = scan(tmp_path, {"lib/create_test_data.py": users, "lib/latest_data.py": users})
    found = sorted((f.path, f.line, f.severity) for f in report.findings if f.rule == "FW204")
    assert found == [
        ("lib/create_test_data.py", 3, Severity.INFO),
        ("lib/create_test_data.py", 4, Severity.INFO),
        ("lib/latest_data.py", 3, Severity.HIGH),  # "latest" is not "test"
        ("lib/latest_data.py", 4, Severity.HIGH),
    ]


def test_secrets_in_tests_drop_out_above_info(tmp_path: Path) -> None:
    scan(tmp_path, {"tests/test_login.py": APP_KEY, "app.py": APP_KEY})
    report = run_scan(tmp_path, severity=Severity.LOW)
    assert [(f.path, f.rule) for f in report.findings] == [("app.py", "FW201")]


def test_development_config_keys_are_low(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "config.py": """
                class DevelopmentConfig:
                    SECRET_KEY = "dev"

                class ProductionConfig:
                    SECRET_KEY = "prod-key-in-git"
            """
        },
    )
    by_line = {f.line: f.severity for f in report.findings if f.rule == "FW201"}
    assert by_line == {3: Severity.LOW, 6: Severity.HIGH}


def first(report: Report, rule: str) -> Finding:
    found = [f for f in report.findings if f.rule == rule]
    assert found, report.findings
    return found[0]


def test_messages_say_what_why_and_fix(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                import os
                import hashlib
                from flask import Flask
                app = Flask(__name__)
                app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev")
                app.config["MAIL_PASSWORD"] = "hunter2"

                def store(password):
                    return hashlib.md5(password.encode()).hexdigest()
            """,
            "keys.py": """
                import os
                from flask import Flask
                app = Flask(__name__)
                app.secret_key = os.urandom(24)
            """,
        },
    )
    fallback = first(report, "FW202").message
    assert "SECRET_KEY" in fallback and 'os.environ["SECRET_KEY"]' in fallback
    per_process = first(report, "FW203").message
    assert "every worker" in per_process
    credential = first(report, "FW204").message
    assert "MAIL_PASSWORD" in credential and "rotate" in credential
    weak = first(report, "FW206").message
    assert "md5" in weak and "generate_password_hash" in weak


def test_credential_names_keep_their_spelling(tmp_path: Path) -> None:
    report = scan(tmp_path, {"cfg.py": 'gdrive_watch_callback_token = "a8f3k2lq9"\n'})
    assert first(report, "FW204").message.startswith("gdrive_watch_callback_token is a")


def test_fallback_with_a_computed_variable_name_says_so(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "app.py": """
                import os
                from flask import Flask
                KEY_VAR = "APP_SECRET_KEY"
                app = Flask(__name__)
                app.config["SECRET_KEY"] = os.environ.get(KEY_VAR.strip()) or "fallback"
            """
        },
    )
    message = first(report, "FW202").message
    assert "?" not in message and "its environment variable is not set" in message


def test_test_and_dev_scopes_are_whole_words(tmp_path: Path) -> None:
    report = scan(
        tmp_path,
        {
            "settings.py": """
                class TestingConfig:
                    SECRET_KEY = "testing-key"

                class DeviceConfig:
                    SECRET_KEY = "device-key"

                def latest_settings():
                    SECRET_KEY = "latest-key"
                    return SECRET_KEY
            """
        },
    )
    by_line = {f.line: f.severity for f in report.findings if f.rule == "FW201"}
    assert by_line == {3: Severity.INFO, 6: Severity.HIGH, 9: Severity.HIGH}


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("SECRET_KEY", True),
        ("JWT_SECRET_KEY", True),
        ("MAIL_PASSWORD", True),
        ("db_pwd", True),
        ("API_KEY", True),
        ("GITHUB_TOKEN", True),
        ("SECURITY_PASSWORD_SALT", True),
        ("salt", False),
        ("SESSION_KEY", False),
        ("PASSWORD_RESET_TIMEOUT", False),
        ("SECURITY_PASSWORD_HASH", False),
        ("password_hash", False),
        ("TOKEN_EXPIRY", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert names.is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("value", "credential"),
    [
        ("hunter2", True),
        ("ghp_0123456789abcdef", True),
        ("p@ss-w0rd!", True),
        ("", False),
        ("********", False),
        (":****", False),
        ("${DB_PASSWORD}", False),
        ("<password>", False),
        ("The secret parameter is missing.", False),
        (r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", False),
    ],
)
def test_credential_shapes(value: str, credential: bool) -> None:
    assert names.looks_like_credential(value) is credential


def test_dev_and_test_names_are_whole_words() -> None:
    assert names.is_dev_name("DevelopmentConfig")
    assert names.is_dev_name("config.local")
    assert names.is_dev_name("UnitTestConfig")
    assert not names.is_dev_name("DeviceConfig")
    assert not names.is_dev_name("LatestConfig")
    assert not names.is_dev_name("enable_debug", debug_counts=False)
    assert names.is_test_name("test_login")
    assert not names.is_test_name("contest")


def test_development_modules_are_low(tmp_path: Path) -> None:
    key = 'SECRET_KEY = "committed-key"\n'
    report = scan(
        tmp_path,
        {"config/development.py": key, "config/production.py": key, "devices.py": key},
    )
    assert severities(report) == {
        ("config/development.py", "FW201"): Severity.LOW,
        ("config/production.py", "FW201"): Severity.HIGH,
        ("devices.py", "FW201"): Severity.HIGH,
    }


def test_credentials_in_a_library_self_test_are_info(tmp_path: Path) -> None:
    """A module the app imports runs its __main__ block only by hand: a self-test. A
    script nothing imports (manage.py creating an admin) is reported as usual."""
    report = scan(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/app.py": """
                from flask import Flask
                from .hsm import Module
                app = Flask(__name__)
            """,
            "shop/hsm.py": """
                class Module:
                    def __init__(self, config):
                        self.config = config

                if __name__ == "__main__":
                    module = Module({"slot": 2, "password": "12345678"})
            """,
            "manage.py": """
                from shop.app import app

                if __name__ == "__main__":
                    users = [{"username": "admin", "password": "admin-pass"}]
            """,
        },
    )
    found = {(f.path, f.severity) for f in report.findings if f.rule == "FW204"}
    assert found == {("shop/hsm.py", Severity.INFO), ("manage.py", Severity.HIGH)}
    (selftest,) = [f for f in report.findings if f.path == "shop/hsm.py"]
    assert "__main__ block of a module the app imports" in selftest.message
