"""FW2: secrets and credentials in Python code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from flaskwarden.findings import Finding, Severity
from flaskwarden.model import Project, is_dev_name
from flaskwarden.python import names
from flaskwarden.python.facts import ConfigWrite, Event, ModuleFacts
from flaskwarden.python.names import is_secret_key_name, is_test_name
from flaskwarden.rules import location, make_finding, python_rule


def _severity(rule: Severity, module: ModuleFacts, scope: str) -> Severity:
    """Secrets in tests (test modules, test data builders, test configs) are reported
    as info; in development configs as low."""
    if module.is_test or is_test_name(scope) or is_test_name(module.module.rpartition(".")[2]):
        return Severity.INFO
    if (scope and is_dev_name(scope)) or names.is_dev_name(module.module, debug_counts=False):
        return min(rule, Severity.LOW)  # DevelopmentConfig, config/development.py
    return rule


def _what_it_signs(name: str) -> str:
    """What an attacker who knows this key can do, by the setting it is."""
    upper = name.upper()
    if upper in ("SECRET_KEY", "SECRET_KEY_FALLBACKS"):
        return "anyone with the source can sign session cookies and impersonate any user."
    if "CSRF" in upper:
        return "anyone with the source can mint valid CSRF tokens, defeating the protection."
    if "JWT" in upper:
        return "anyone with the source can sign tokens the app accepts as any user."
    return "anyone with the source can forge what the app signs with it."


def _env_name(name: str) -> str:
    upper = name.upper()
    return "SECRET_KEY" if upper in ("SECRET_KEY", "SECRET_KEY_FALLBACKS") else upper


def _events(module: ModuleFacts, *kinds: str) -> Iterator[Event]:
    for event in module.events:
        if event.kind in kinds:
            yield event


def _in(scope: str) -> str:
    return f" in {scope}" if scope else ""


@python_rule("FW201")
def hardcoded_secret_key(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """`SECRET_KEY` written into the code as a literal.

    ## What it does
    Finds a string or bytes literal used as Flask's secret key: `app.secret_key = "..."`,
    `app.config["SECRET_KEY"] = "..."`, `config.update(SECRET_KEY=...)`,
    `from_mapping(SECRET_KEY=...)`, and `SECRET_KEY = "..."` in configuration classes and
    modules (`from_object`/`from_pyfile` targets, `local_settings.py`), including other
    `*_SECRET_KEY` settings such as `JWT_SECRET_KEY`. Keys in tests are reported as info,
    in development-named configs as low. A placeholder the module refuses to start with
    (`if app.config["SECRET_KEY"] == "CHANGE ME": sys.exit(...)`, raise, or a call of a
    function that exits) is not reported: like `os.environ["SECRET_KEY"]`, it fails fast.

    ## Why is this bad?
    The secret key signs the session cookie. Anyone who reads the repository (or an
    image, a backup, a fork) can forge sessions: log in as any user, set any session
    value. Keys committed once live on in git history (CWE-798).

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)
    app.secret_key = "supersecretkey"
    ```

    ## Use instead
    ```python
    import os
    from flask import Flask

    app = Flask(__name__)
    app.secret_key = os.environ["SECRET_KEY"]
    ```

    ## Fix safety
    Unsafe: after the change the app needs `SECRET_KEY` in its environment, and existing
    sessions signed with the old key become invalid. Rotate the key: it is public now.

    ## References
    - CWE-798: Use of Hard-coded Credentials
    - https://flask.palletsprojects.com/en/stable/config/#SECRET_KEY
    """
    for event in _events(module, "secret-key-literal"):
        yield make_finding(
            "FW201",
            module,
            event.span,
            f"{event.detail} is a literal{_in(event.scope)}: {_what_it_signs(event.detail)} "
            f'Load it from the environment (os.environ["{_env_name(event.detail)}"]) or a '
            "secret manager, and rotate this one.",
            severity=_severity(Severity.HIGH, module, event.scope),
        )
    for write in module.config_writes:
        if write.form != "attr" or not is_secret_key_name(write.key):
            continue
        value = write.value
        if not value.literal or value.env or not isinstance(value.value, (str, bytes)):
            continue
        if not value.value or project.is_app(write.receiver, module) is None:
            continue
        if value.value in module.refused_secrets:
            continue  # the module exits when the key is still this literal
        related = []
        if value.constant and value.constant in module.constants:
            if is_secret_key_name(value.constant):
                continue  # reported at the constant itself
            const = module.constants[value.constant]
            related.append(location(module, const.span, f"{value.constant} is defined here"))
        yield make_finding(
            "FW201",
            module,
            write.span,
            "app.secret_key is a literal: anyone with the source can sign session cookies "
            'and impersonate any user. Load it from the environment (os.environ["SECRET_KEY"]) '
            "or a secret manager, and rotate this one.",
            severity=_severity(Severity.HIGH, module, write.scope),
            related=related,
        )


@python_rule("FW202")
def insecure_secret_fallback(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """A secret read from the environment with a literal fallback.

    ## What it does
    Finds secret-named settings (`SECRET_KEY`, `*_TOKEN`, `*_PASSWORD`, `API_KEY`, ...)
    read as `os.environ.get("SECRET_KEY", "literal")`, `os.getenv(...)` with a default, or
    `os.getenv(...) or "literal"`, and the same written as a statement: a literal bound
    in the branch of `if os.environ.get("SECRET_KEY"):` (or `if not SECRET_KEY:` after
    the lookup) that runs where the variable is not set. `os.environ["SECRET_KEY"]`,
    which fails fast when the variable is missing, is the fix.

    ## Why is this bad?
    When the variable is missing in a deployment (a typo, a new environment, a container
    started by hand) the app starts anyway with the public fallback value, silently: the
    production secret key becomes `"dev"` and sessions can be forged (CWE-1188).

    ## Example
    ```python
    import os
    from flask import Flask

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev-fallback-key")
    ```

    ## Use instead
    ```python
    import os
    from flask import Flask

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    ```

    ## Fix safety
    Unsafe: the app then refuses to start where the variable is missing, which is the
    point, but must be planned for in every environment.

    ## References
    - CWE-1188: Initialization of a Resource with an Insecure Default
    """
    for event in _events(module, "secret-fallback"):
        target, _, var = event.detail.partition("|")
        # the variable's name is not a literal (os.environ.get(Keys.SECRET)): say so
        when = f"{var} is not set" if var != "?" else "its environment variable is not set"
        fix = f'os.environ["{var}"]' if var != "?" else "os.environ[...]"
        yield make_finding(
            "FW202",
            module,
            event.span,
            f"{target} falls back to a literal when {when}: a deployment missing "
            f"the variable silently runs with a public secret. Use {fix} so start-up "
            "fails instead.",
            severity=_severity(Severity.HIGH, module, event.scope),
        )
    for write in module.config_writes:
        if write.form != "attr" or not is_secret_key_name(write.key):
            continue
        fallback = write.value.fallback
        if fallback is None or not isinstance(fallback.default, (str, bytes)):
            continue
        if not fallback.default or project.is_app(write.receiver, module) is None:
            continue
        yield make_finding(
            "FW202",
            module,
            write.span,
            f"app.secret_key falls back to a literal when {fallback.var} is not set: a "
            "deployment missing the variable silently runs with a public secret. Use "
            f'os.environ["{fallback.var}"] so start-up fails instead.',
            severity=_severity(Severity.HIGH, module, write.scope),
        )


@python_rule("FW203")
def per_process_secret_key(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """`SECRET_KEY` generated at start-up (`os.urandom`, `secrets.token_hex`, `uuid4`).

    ## What it does
    Finds a secret key made fresh by each process: `SECRET_KEY = os.urandom(24)`,
    `app.secret_key = secrets.token_hex()`, `self.SECRET_KEY = os.urandom(32)` in the
    `__init__` of a config class loaded with `from_object(Config())`, or such a call as
    the fallback of an environment lookup.

    ## Why is this bad?
    Each gunicorn worker gets a different key, so a session cookie signed by one worker is
    rejected by the next: users are logged out at random, and everybody at every restart
    or deploy. It looks secure and fails in production only.

    ## Example
    ```python
    import os
    from flask import Flask

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.urandom(24)
    ```

    ## Use instead
    ```python
    import os
    from flask import Flask

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    ```

    ## Fix safety
    Unsafe: the key must then be provided, the same for all workers, by the deployment.

    ## References
    - https://flask.palletsprojects.com/en/stable/config/#SECRET_KEY
    """
    for event in _events(module, "per-process-secret"):
        yield make_finding(
            "FW203",
            module,
            event.span,
            f"{event.detail} is generated per process: every worker and every restart gets "
            "a different key, so sessions break across workers and deploys. Generate one "
            'key once and provide it to all processes (os.environ["SECRET_KEY"]).',
            severity=_severity(Severity.MEDIUM, module, event.scope),
        )
    for write in module.config_writes:
        if write.form != "attr" or not is_secret_key_name(write.key):
            continue
        if not write.value.per_process or project.is_app(write.receiver, module) is None:
            continue
        if _key_replaced_later(write, module):
            continue
        yield make_finding(
            "FW203",
            module,
            write.span,
            "app.secret_key is generated per process: every worker and every restart gets a "
            "different key, so sessions break across workers and deploys. Provide one key "
            'to all processes (os.environ["SECRET_KEY"]).',
            severity=_severity(Severity.MEDIUM, module, write.scope),
        )


def _key_replaced_later(write: ConfigWrite, module: ModuleFacts) -> bool:
    """``app.secret_key = os.urandom(24)`` followed, in the same block, by another
    secret key for the same app (``app.config["SECRET_KEY"] = ...``): the random key is
    gone before any request is served. A later key set only in a nested block (``if
    os.environ.get("SECRET_KEY"):``) leaves the random one as the fallback."""
    return any(
        later.receiver == write.receiver
        and later.scope == write.scope
        and later.span.line > write.span.line
        and later.span.column == write.span.column
        and not later.env_gated
        and not later.gates
        and is_secret_key_name(later.key)
        and not later.value.per_process
        for later in module.config_writes
    )


_CREDENTIAL_TEXT: Final = {
    "credential-literal": "{detail} is a literal credential{scope}",
    "password-hash-literal": "a literal password is hashed with {detail}(){scope}, so the "
    "password itself is in the source",
    "dsn-password": "a {detail}:// connection string carries a password{scope}",
}


@python_rule("FW204")
def hardcoded_credentials(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """Passwords and other credentials written into the code.

    ## What it does
    Finds literal passwords passed to `generate_password_hash`, user tables and calls with
    literal `password=` values, secret-named settings (`MAIL_PASSWORD`, `API_TOKEN`, ...)
    set to literals, and connection strings with `user:password@`. Test code (`tests/`,
    `conftest.py`, `test_*.py`) is not checked: test fixtures need credentials. Placeholders
    such as `"${DB_PASSWORD}"` or `"<password>"` are ignored. Credentials in the
    `if __name__ == "__main__":` block of a module the app imports (a manual self-test
    of a library) are reported as info; in a script nothing imports, as usual.

    ## Why is this bad?
    Whoever can read the code can log in: the admin account of a seeded user table, the
    database, the mail server. Credentials in git history stay valid until rotated
    (CWE-798).

    ## Example
    ```python
    from werkzeug.security import generate_password_hash

    users = {"admin": generate_password_hash("secret123")}
    ```

    ## Use instead
    ```python
    import os
    from werkzeug.security import generate_password_hash

    users = {"admin": generate_password_hash(os.environ["ADMIN_PASSWORD"])}
    ```

    ## Fix safety
    No automatic fix: move the value to the environment or a secret manager and rotate it.

    ## References
    - CWE-798: Use of Hard-coded Credentials
    """
    if module.is_test:
        # Test suites need credentials for their fixtures; RULES.md allows at most
        # info for secrets in tests, and hundreds of info lines hide what matters.
        return
    for event in _events(module, *_CREDENTIAL_TEXT):
        what = _CREDENTIAL_TEXT[event.kind].format(detail=event.detail, scope=_in(event.scope))
        if not _CREDENTIAL_TEXT[event.kind].startswith("{detail}"):
            what = what[0].upper() + what[1:]  # a sentence; a leading name keeps its case
        severity = _severity(Severity.HIGH, module, event.scope)
        if event.main and project.is_imported(module):
            # the __main__ block of a module the app imports: a manual self-test, run
            # by hand, like test code (at most info)
            severity = Severity.INFO
            what += " (in the __main__ block of a module the app imports)"
        yield make_finding(
            "FW204",
            module,
            event.span,
            f"{what}: anyone who can read the code can use it. Read it "
            "from the environment or a secret manager, and rotate it.",
            severity=severity,
        )


@python_rule("FW206")
def weak_password_hash(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """Passwords hashed with a fast digest, or stored as they came in.

    ## What it does
    Finds `hashlib.md5/sha1/sha256/...` (or `hashlib.new("md5", ...)`) applied to a
    password-like value, and a password taken straight from the request (`request.form`,
    `request.json`, a form field's `.data`) stored on a model, or bound into the password
    column of an SQL `INSERT`/`UPDATE` (`execute(sql, (..., request.form["password"]))`),
    without hashing. A digest of
    something that is not a password (a URL, a file) is fine, and so is setting
    `user.password` on a model whose `@password.setter` (or `__init__`) hashes it. So is a
    breach check with the Pwned Passwords range API: a SHA-1 whose hex digest is split at
    5 characters (the prefix is sent, the rest compared with the reply) is never stored.

    ## Why is this bad?
    General-purpose digests are built to be fast: a leaked table of SHA-256 password hashes
    is cracked by a GPU at billions of guesses per second, and unsalted ones by lookup.
    Plain-text passwords need no cracking at all (CWE-916).

    ## Example
    ```python
    import hashlib

    def store(user, password):
        user.password_hash = hashlib.sha256(password.encode()).hexdigest()
    ```

    ## Use instead
    ```python
    from werkzeug.security import generate_password_hash

    def store(user, password):
        user.password_hash = generate_password_hash(password)
    ```

    ## Fix safety
    No automatic fix: existing hashes must be migrated (rehash on next login).

    ## References
    - CWE-916: Use of Password Hash With Insufficient Computational Effort
    - https://werkzeug.palletsprojects.com/en/stable/utils/#werkzeug.security.generate_password_hash
    """
    for event in _events(module, "weak-hash"):
        yield make_finding(
            "FW206",
            module,
            event.span,
            f"A password is hashed with {event.detail}, a fast digest: leaked hashes are "
            "cracked at billions of guesses per second. Use "
            "werkzeug.security.generate_password_hash (scrypt/pbkdf2) or bcrypt/argon2.",
            severity=_severity(Severity.HIGH, module, event.scope),
        )
    for event in _events(module, "plaintext-password"):
        if project.hashes_on_set(event.detail, event.ref, module):
            continue  # User(password=...) with a hashing @password.setter
        if event.ref and project.is_data_model(event.ref, module) is False:
            continue  # a project class that is not a DB model carries it on (a DTO)
        yield make_finding(
            "FW206",
            module,
            event.span,
            f"The password from the request is stored as {event.detail} without hashing: "
            "anyone who reads the database reads every password. Store "
            "generate_password_hash(password) instead.",
            severity=_severity(Severity.HIGH, module, event.scope),
        )
