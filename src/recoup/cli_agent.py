"""Agent commands of the CLI (``understand``, ``eval``), registered on the main Typer app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the agent commands to ``app``."""
