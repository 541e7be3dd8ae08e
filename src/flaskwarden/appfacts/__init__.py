"""Application-structure facts for the FW4-FW6 rules: routes, hooks and what they call,
per-request state, blueprints and their registration, session and cookie settings.

:func:`analyze_app` runs per file (registered in ``scan.EXTRA_ANALYZERS``, so it runs in
the worker processes and is cached); :mod:`flaskwarden.appfacts.graph` joins the facts
of all modules once per scan.
"""

from __future__ import annotations

from flaskwarden.appfacts.analyzer import analyze_app
from flaskwarden.appfacts.facts import AppFacts

__all__ = ["AppFacts", "analyze_app"]
