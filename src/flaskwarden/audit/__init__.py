"""The audit: ``flaskwarden audit MODULE:APP`` imports the app and checks the live object.

Static analysis cannot see the configuration an app really runs with; the app object
can: effective ``DEBUG``, the secret key, cookie settings, the ``url_map``, registered
blueprints, installed extensions. The import runs in a child process
(:mod:`flaskwarden.audit.process`); the checks are in :mod:`flaskwarden.audit.checks`.
This package's ``__init__`` imports nothing: the catalog loads the checks without Flask.
"""
