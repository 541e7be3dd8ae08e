"""The static evaluator: what an expression is on a machine where no variable is set."""

from __future__ import annotations

import ast

import pytest

from flaskwarden.python.evaluate import UNKNOWN, Evaluator, Value

IMPORTS = {"os": "os", "environ": "os.environ", "getenv": "os.getenv", "secrets": "secrets"}


def evaluate(source: str, constants: dict[str, Value] | None = None) -> Value:
    node = ast.parse(source, mode="eval").body
    return Evaluator(IMPORTS, constants).evaluate(node)


@pytest.mark.parametrize(
    "source",
    [
        'os.environ.get("FLASK_DEBUG") == "1"',
        'os.getenv("FLASK_DEBUG", "false").lower() == "true"',
        'os.getenv("FLASK_ENV") == "development"',
        'bool(int(os.environ.get("DEBUG", "0")))',
        'environ.get("DEBUG", "False") == "True"',
        'not os.environ.get("PRODUCTION", "1")',
        '"FLASK_DEBUG" in os.environ',
        '"DEBUG" in environ',
        "False",
        "0",
    ],
)
def test_off_unless_set(source: str) -> None:
    value = evaluate(source)
    assert value.known
    assert not value.truthy


@pytest.mark.parametrize(
    "source",
    [
        'os.getenv("DEBUG", "True") == "True"',
        'os.environ.get("FLASK_DEBUG", "1") == "1"',
        'int(os.environ.get("FLASK_DEBUG", 1))',
        # a non-empty string is true: "False" as a default turns debug on
        'os.environ.get("FLASK_DEBUG", "False")',
        'getenv("DEBUG", "yes").strip().lower() in ("1", "yes", "true")',
        '"PRODUCTION" not in os.environ',
        "True",
    ],
)
def test_on_unless_set(source: str) -> None:
    value = evaluate(source)
    assert value.truthy


@pytest.mark.parametrize(
    "source",
    ['os.environ["FLASK_DEBUG"] == "1"', "sys.argv[1]", "args.debug", "app.config['DEBUG']"],
)
def test_unknowable_values_are_unknown(source: str) -> None:
    value = evaluate(source)
    assert value.value is UNKNOWN
    assert not value.truthy


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"key".encode()', b"key"),
        ('"k\u00e9y".encode("latin-1")', "k\u00e9y".encode("latin-1")),
        ('"key".encode(encoding="utf-16")', "key".encode("utf-16")),
        ('"\\udcad".encode()', UNKNOWN),  # raises at run time: a lone surrogate
        ('"\\udcad".encode("utf-8", "surrogateescape")', b"\xad"),
        ('"key".encode("no-such-codec")', UNKNOWN),
        ('"key".encode(codec)', UNKNOWN),
    ],
)
def test_encode_follows_its_arguments(source: str, expected: object) -> None:
    assert evaluate(source).value == expected


def test_env_lookup_records_variable_and_fallback() -> None:
    value = evaluate('os.environ.get("SECRET_KEY", "dev")')
    assert value.value == "dev"
    assert value.env == ("SECRET_KEY",)
    assert value.fallback is not None
    assert (value.fallback.var, value.fallback.default) == ("SECRET_KEY", "dev")
    assert not value.literal


def test_or_fallback() -> None:
    value = evaluate('os.getenv("SECRET_KEY") or "hard to guess string"')
    assert value.fallback is not None
    assert value.fallback.default == "hard to guess string"


def test_required_lookup_has_no_fallback() -> None:
    value = evaluate('os.environ["SECRET_KEY"]')
    assert value.fallback is None
    assert value.env == ("SECRET_KEY",)


@pytest.mark.parametrize(
    "source",
    [
        "os.urandom(24)",
        "os.urandom(24).hex()",
        "secrets.token_hex(16)",
        'os.environ.get("SECRET_KEY", os.urandom(16))',
        'os.environ.get("SECRET_KEY") or secrets.token_bytes(32)',
    ],
)
def test_per_process_material(source: str) -> None:
    assert evaluate(source).per_process


def test_literals_and_constants() -> None:
    assert evaluate('"supersecretkey"') == Value("supersecretkey", literal=True)
    constants = {"HOST": Value("0.0.0.0", literal=True)}
    value = evaluate("HOST", constants)
    assert value.value == "0.0.0.0"
    assert value.constant == "HOST"
    assert value.literal


def test_nothing_is_executed() -> None:
    assert not evaluate('__import__("os").system("false")').known
    assert not evaluate("open('/etc/passwd').read()").known
