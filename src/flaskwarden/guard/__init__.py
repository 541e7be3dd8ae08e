"""The runtime guard: ``from flaskwarden.guard import Warden``; ``Warden(app)``.

`Warden` refuses to start an app whose debug mode, testing flags or secret key would
turn a deployment into the seed incident, fills in safe session cookie defaults and
adds security headers. See ``docs/guard.md``.

This package's ``__init__`` does not import Flask: the rule catalog imports
:mod:`flaskwarden.guard.checks` without Flask installed, and that imports this package
first. `Warden` is loaded on first access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flaskwarden.guard.warden import Warden, WardenError, WardenState

__all__ = ["Warden", "WardenError", "WardenState"]


def __getattr__(name: str) -> object:
    if name in __all__:
        return getattr(importlib.import_module("flaskwarden.guard.warden"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
