"""The `flaskwarden probe` command (being built in its own issue)."""

from __future__ import annotations

import click


@click.command()
def probe() -> None:
    """Not available yet in this build."""
    raise click.UsageError("'probe' is not available in this build yet")
