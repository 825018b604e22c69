"""What every cxr-edge command does the same way: one clear error line and an exit code."""

from __future__ import annotations

import sys

import typer

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def fail(prog: str, message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``prog: error: message`` on stderr and return the Exit to raise (no traceback)."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    return typer.Exit(code)
