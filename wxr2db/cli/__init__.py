"""The `wxr2db` command line: the typer app (commands.py) and how it prints listings (output.py)."""

from .commands import app

__all__ = ["app"]
