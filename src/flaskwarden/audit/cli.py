"""The `flaskwarden audit` command (being built in its own issue)."""

from __future__ import annotations

import click


@click.command()
def audit() -> None:
    """Not available yet in this build."""
    raise click.UsageError("'audit' is not available in this build yet")
