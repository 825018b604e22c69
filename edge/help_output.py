"""Where --help is printed: a narrow terminal (a Pi's serial console, a split tmux pane, a phone's SSH app), or
no standard output at all.

Click, under Typer, lays help out at least 50 columns wide whatever COLUMNS says, and keeps an option's text in a
column right of a 30-column name column: at 40 columns every line ran past the edge and the terminal cut it
mid-word, each option's words in a 10-letter strip. Here help takes the terminal's width (down to MIN_WIDTH), and
where the text column would be narrower than NARROW_TEXT, each option's text goes under its name instead, as man
pages do. A wide terminal (the default 80) gets Click's own layout unchanged.

With standard output closed (`--help >&-`) Click prints the help nowhere and exits 0: a script checking that a
command is installed and takes its options saw success with no help read. --version already refused so.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from typing import Sequence

HELP_OPTION = "--help"  # Typer's only help option name; no command here adds -h

MIN_WIDTH = 30  # below this nothing reads well whatever the layout: lines may then run past the edge
MAX_WIDTH = 80  # Click's own: long lines are hard to read on a wide terminal
NARROW_TEXT = 30  # an option's text in a column narrower than this goes under its name
TEXT_INDENT = 4  # how far under its name an option's text starts


def help_width(columns: int | None = None) -> int:
    """The width help is laid out in: the terminal's (COLUMNS where set, as Click reads it) less 2, as Click, but
    down to MIN_WIDTH rather than Click's 50."""
    if columns is None:
        columns = shutil.get_terminal_size().columns
    return max(min(columns, MAX_WIDTH) - 2, MIN_WIDTH)


def asks_for_help(args: Sequence[str] | None = None) -> bool:
    """Whether ``args`` (the command line's, by default) ask for --help: Click takes it before every other option,
    wherever it stands before '--' (but as the value of an option that takes one, `--out --help`: not told here)."""
    args = sys.argv[1:] if args is None else list(args)
    return HELP_OPTION in (args[:args.index("--")] if "--" in args else args)


def help_unprintable(args: Sequence[str] | None = None) -> str | None:
    """Why the --help asked for in ``args`` cannot be printed (standard output closed), or None."""
    if asks_for_help(args) and sys.stdout is None:
        return "standard output is closed: --help has nowhere to print; give it a file or a pipe"
    return None


def fit_help_to_terminal() -> None:
    """Make every command's --help (and usage lines) use the formatter below. Typer vendors Click as typer._click
    (0.26 and later), earlier Typers use Click itself; another layout is left as it is."""
    try:
        from typer._click import core, formatting
    except ImportError:
        try:
            from click import core, formatting  # type: ignore[no-redef]
        except ImportError:
            return
    if not isinstance(getattr(core.Context, "formatter_class", None), type) or not hasattr(formatting, "wrap_text"):
        return
    core.Context.formatter_class = _narrow_formatter(formatting)


def _narrow_formatter(formatting):
    """Click's HelpFormatter, with help_width's width and, where it is narrow, each option's text under its name."""

    class NarrowHelpFormatter(formatting.HelpFormatter):
        def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None) -> None:
            if width is None and getattr(formatting, "FORCED_WIDTH", None) is None:  # a test's forced width stays
                width = help_width()
            super().__init__(indent_increment=indent_increment, width=width, max_width=max_width)

        def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
            rows = list(rows)
            first_col = min(max((len(first) for first, _ in rows), default=0), col_max) + col_spacing
            if self.width - self.current_indent - first_col >= NARROW_TEXT:
                super().write_dl(rows, col_max, col_spacing)
                return
            indent = " " * (self.current_indent + TEXT_INDENT)
            width = max(self.width, len(indent) + 10)
            for first, second in rows:
                # a name too long for the line (--score-other-classes / --no-...) at its spaces, never a hyphen
                name = textwrap.fill(first, width, initial_indent=" " * self.current_indent, subsequent_indent=indent,
                                     break_long_words=False, break_on_hyphens=False)
                self.write(name + "\n")
                if second:
                    self.write(_wrapped(second, width, indent) + "\n")

    return NarrowHelpFormatter


class _CommaWrapper(textwrap.TextWrapper):
    """textwrap's, but a word may also end a line after a comma: a list of values ('int8,int8-full,int16x8,...',
    longer than a narrow line) was cut mid-word ('int8-fu' / 'll')."""

    def _split(self, text: str) -> list[str]:
        return [piece for chunk in super()._split(text) for piece in re.split(r"(?<=,)(?=[^\s,])", chunk) if piece]


def _wrapped(text: str, width: int, indent: str) -> str:
    """An option's help text wrapped to ``width``, each line starting with ``indent``; its paragraphs (split by a
    blank line) kept apart, as Click keeps them."""
    wrapper = _CommaWrapper(width, initial_indent=indent, subsequent_indent=indent)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.expandtabs()) if p.strip()]
    return "\n\n".join(wrapper.fill(p) for p in paragraphs)
