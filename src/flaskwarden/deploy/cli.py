"""The `flaskwarden deploy` command (being built in its own issue)."""

from __future__ import annotations

import click


@click.command()
def deploy() -> None:
    """Not available yet in this build."""
    raise click.UsageError("'deploy' is not available in this build yet")
