"""Well-known weak, tutorial and placeholder secret keys.

Shared by the probe (which tests a live session cookie's signature against them,
offline) and the guard (which refuses to start with one). Every key that appears in
the seed articles and in Flask's own documentation and tutorials is here: these are
the first keys an attacker tries.
"""

from __future__ import annotations

from typing import Final

WEAK_KEYS: Final[tuple[str | bytes, ...]] = (
    # From the articles this project was built from
    "supersecretkey",
    "dev-secret-change-in-production",
    "dev-fallback-key",
    "change-this-to-env-var",
    # Flask documentation and tutorial
    "dev",
    "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
    b'_5#y2L"F4Q8z\n\xec]/',
    '_5#y2L"F4Q8z\n\xec]/',
    "A0Zr98j/3yX R~XHH!jmN]LWX/,?RT",
    "5f352379324c22463451387a0aec5d2f",
    "development key",
    "my development key",
    "the secret key",
    "some_secret",
    # Popular books, courses and boilerplates
    "hard to guess string",
    "you-will-never-guess",
    "secret",
    "secret-key",
    "secret_key",
    "secretkey",
    "SECRET_KEY",
    "mysecretkey",
    "my-secret-key",
    "my_secret_key",
    "super-secret",
    "super secret key",
    "super-secret-key",
    "supersecret",
    "your-secret-key",
    "your_secret_key",
    "yoursecretkey",
    "your-secret-key-here",
    "change-me",
    "change_me",
    "changeme",
    "CHANGEME",
    "changethis",
    "replace-me",
    "thisisasecret",
    "ThisIsASecret",
    "this-is-a-secret",
    "s3cr3t",
    "default",
    "key",
    "test",
    "testing",
    "password",
    "flask",
    "admin",
    "1234",
    "12345",
    "123456",
    "abc123",
    "qwerty",
)

MIN_KEY_BYTES: Final = 32


def as_bytes(key: str | bytes) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8")


def is_weak(key: str | bytes | None) -> bool:
    """Missing, a well-known key, or shorter than 32 bytes."""
    if key is None:
        return True
    raw = as_bytes(key)
    return len(raw) < MIN_KEY_BYTES or raw in {as_bytes(k) for k in WEAK_KEYS}
