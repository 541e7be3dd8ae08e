"""The live probe: check a running Flask app over HTTP with safe, read-only requests.

``flaskwarden probe URL`` (:mod:`flaskwarden.probe.cli`) runs :func:`run_probe
<flaskwarden.probe.runner.run_probe>`, which fetches the app through
:class:`~flaskwarden.probe.client.SafeClient` (GET/HEAD only, one origin, bounded in
time and size) and runs the checks in :mod:`flaskwarden.probe.checks`. Findings use the
scan rules' ids, so each points at the static check that prevents it.

This package's ``__init__`` and :mod:`~flaskwarden.probe.checks` import neither Flask
nor httpx at the top, so the rule catalog can load them anywhere.
"""
