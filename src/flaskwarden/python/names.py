"""What names and values look like: secret-named settings, passwords, placeholders.

These decide what a *name* means (``MAIL_PASSWORD`` holds a credential,
``PASSWORD_RESET_TIMEOUT`` does not). They are used only together with the model's
knowledge of what the named thing is, never as a finding on their own.
"""

from __future__ import annotations

import re
from typing import Final

# Decorators (``@app.route``, ``@bp.get`` ...) and methods that register a view.
ROUTE_ATTRS: Final = frozenset({"route", "get", "post", "put", "delete", "patch"})
# Flask-AppBuilder's and Flask-Admin's `@expose("/path")` on a view class's methods:
# routes of the app once the view is added (appbuilder.add_view, admin.add_view).
EXPOSE_PACKAGES: Final = frozenset({"flask_appbuilder", "flask_admin"})
# Flask's request object, by the names it is imported as.
REQUEST_OBJECTS: Final = frozenset({"flask.request", "flask.globals.request"})
# Flask's per-request namespace, ``g``.
G_OBJECTS: Final = frozenset({"flask.g", "flask.globals.g"})
# werkzeug's proxy class: `request = LocalProxy(lambda: flask.request)` is the request.
LOCAL_PROXIES: Final = frozenset({"werkzeug.local.LocalProxy", "werkzeug.LocalProxy"})


def is_expose(qualified: str | None) -> bool:
    """``flask_appbuilder.expose``, ``flask_admin.base.expose``, ..."""
    if not qualified or not qualified.endswith(".expose"):
        return False
    return qualified.split(".", 1)[0] in EXPOSE_PACKAGES


_WORD_SPLIT: Final = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
_SECRET_LAST: Final = frozenset(
    {"SECRET", "TOKEN", "PASSWORD", "PASSWD", "PWD", "PASS", "CREDENTIALS", "APIKEY", "PEPPER"}
)
# A salt is a secret only as part of password hashing (SECURITY_PASSWORD_SALT); an
# itsdangerous salt ("cookie-session") is a namespace, public by design.
_SECRET_SALT_WORDS: Final = frozenset({"PASSWORD", "SECRET", "HASH", "HASHING"})
# Not SESSION: `SESSION_KEY = "cart"` names a key *in* the session, not a secret.
_KEY_QUALIFIERS: Final = frozenset(
    {"SECRET", "API", "PRIVATE", "ACCESS", "SIGNING", "ENCRYPTION", "AUTH", "CSRF"}
)
# Settings that hold a connection URL, which usually carries the password.
_URL_WORDS: Final = frozenset({"URL", "URI", "DSN"})
_SERVICE_WORDS: Final = frozenset(
    {
        "DATABASE",
        "DB",
        "SQLALCHEMY",
        "REDIS",
        "BROKER",
        "MONGO",
        "MONGODB",
        "POSTGRES",
        "POSTGRESQL",
        "MYSQL",
        "AMQP",
        "RABBITMQ",
    }
)
_PASSWORD_WORDS: Final = frozenset({"PASSWORD", "PASSWD", "PWD", "PASSPHRASE", "PASS", "PW"})
_PLACEHOLDER: Final = re.compile(
    r"^(?:\$\{?.*|%\(?.*|\{.*\}|<.*>|\*+|x+|\.\.\.|changeme_?in_?env|your[-_ ].*|none|null"
    r"|unset|not[-_ ]?set|undefined)$",
    re.IGNORECASE,
)


# Passwords that are published conventions, not secrets: "infected" zips malware
# samples so that virus scanners leave them alone; everyone who shares samples uses it.
_PUBLIC_PASSWORDS: Final = frozenset({"infected"})


def _words(name: str) -> list[str]:
    return [w.upper() for w in _WORD_SPLIT.split(name) if w]


_DEV_WORDS: Final = frozenset(
    {"DEV", "DEVEL", "DEVELOP", "DEVELOPMENT", "DEVELOPER", "LOCAL", "LOCALHOST", "CI", "DEBUG"}
)
_TEST_WORDS: Final = frozenset({"TEST", "TESTS", "TESTING", "UNITTEST", "PYTEST"})


def is_example_name(name: str) -> bool:
    """``EXAMPLE_CONFIG_FILE``, ``sample_dsn`` (whole words: not ``COUNTEREXAMPLE``)."""
    return any(word in ("EXAMPLE", "SAMPLE") for word in _words(name))


def is_test_name(name: str) -> bool:
    """``TestingConfig``, ``test_login``, ``tests.helpers`` (not ``latest``, ``contest``)."""
    return any(word in _TEST_WORDS for word in _words(name))


def is_dev_name(name: str, *, debug_counts: bool = True) -> bool:
    """Named for development or testing: ``DevelopmentConfig``, ``config.local``,
    ``create_test_app`` (whole words: not ``DeviceConfig``, ``LocaleSettings``).

    ``DebugConfig`` is a development config; with ``debug_counts=False`` a function
    such as ``enable_debug`` is not development set-up just for saying what it does.
    """
    words = set(_words(name))
    if not debug_counts:
        words.discard("DEBUG")
    return bool(words & _TEST_WORDS) or bool(words & _DEV_WORDS)


# Words after SECRET_KEY that make the name about the key, not the key itself.
_META_WORDS: Final = frozenset(
    {
        "FILE", "PATH", "NAME", "ENV", "VAR", "VARIABLE", "LENGTH", "LEN", "SIZE", "BITS",
        "BYTES", "TYPE", "HEADER", "FIELD", "PARAM", "PREFIX", "ID", "URL", "URI", "ARN",
    }
)  # fmt: skip


def is_secret_key_name(name: str) -> bool:
    """``SECRET_KEY``, ``secret_key``, ``JWT_SECRET_KEY``, ``SECRET_KEY_HMAC``,
    ``SECRET_KEY_2`` (not ``SECRET_KEY_FILE``, a path to the key, nor
    ``SECRET_KEY_DB_KEY``, the key under which something stores it)."""
    words = _words(name)
    for i in range(len(words) - 1):
        if words[i : i + 2] == ["SECRET", "KEY"]:
            rest = words[i + 2 :]
            return not any(word in _META_WORDS or word == "KEY" for word in rest)
    return False


def is_secret_name(name: str) -> bool:
    """A setting or variable whose value is a secret (key, token, password, salt)."""
    words = _words(name)
    if not words:
        return False
    last = words[-1]
    if last in _SECRET_LAST or last in _PASSWORD_WORDS:
        return True
    if last == "SALT":
        return any(word in _SECRET_SALT_WORDS for word in words[:-1])
    if last == "KEY" and len(words) >= 2 and words[-2] in _KEY_QUALIFIERS:
        return True
    return is_secret_key_name(name)


def is_connection_url_name(name: str) -> bool:
    """``DATABASE_URL``, ``SQLALCHEMY_DATABASE_URI``, ``SENTRY_DSN``, ``REDIS_URL``."""
    words = _words(name)
    if not words or words[-1] not in _URL_WORDS:
        return False
    return words[-1] == "DSN" or any(w in _SERVICE_WORDS for w in words[:-1])


def is_self_named(name: str, value: object) -> bool:
    """A value that spells its own (compound) name, ``CSRF_TOKEN = "csrf_token"``: the
    name of a form field or header, not a credential. ``password = "password"`` is still
    a (weak) password."""
    words = _words(name)
    if not isinstance(value, str) or len(words) < 2:
        return False
    return _words(value) == words


def is_password_name(name: str) -> bool:
    """``password``, ``db_password``, ``MAIL_PASSWORD``, ``pwd`` (not ``password_hash``)."""
    words = _words(name)
    return bool(words) and words[-1] in _PASSWORD_WORDS


# Values that name something rather than being a secret: an environment variable
# ("PI_DB_PASSWORD"), a dotted option or module ("api_token.jwt.encode.secret"), an
# import path ("app.tests.factories:APIToken").
_NAME_LIKE: Final = re.compile(
    r"^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
    r"|[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+(?::[A-Za-z_]\w*)?)$"
)


def is_name_like(value: object) -> bool:
    """A string that names a variable, option or module, not a credential."""
    return isinstance(value, str) and bool(_NAME_LIKE.match(value.strip()))


def looks_like_credential(value: object) -> bool:
    """Shaped like a password or token: one word, mostly letters and digits. Not a
    sentence ("The secret parameter is missing."), a mask (":****"), a regular
    expression or a symbol; the *name* already said it is meant to be secret."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str) or is_placeholder(value) or is_name_like(value):
        return False
    text = value.strip()
    if text.lower() in _PUBLIC_PASSWORDS:
        return False
    if any(ch.isspace() for ch in text):
        return False
    alnum = sum(ch.isascii() and ch.isalnum() for ch in text)
    return alnum >= max(3, len(text) // 2)


def is_placeholder(value: object) -> bool:
    """Template or masked values that are not themselves credentials."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return True
    text = value.strip()
    return not text or bool(_PLACEHOLDER.match(text))
