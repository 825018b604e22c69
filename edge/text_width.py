"""How wide text shows in a terminal, so that columns of class and file names line up whatever their script.

Python's padding counts characters: a Chinese class name (two columns a letter) pushed its row's figures right of
the others, and a macOS folder's decomposed 'é' (two characters, one column) pulled them left. Pure functions.
"""

from __future__ import annotations

import unicodedata


def shown_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: a Chinese, Japanese or Korean letter two (East Asian wide and
    full-width), a combining accent none (a macOS folder's decomposed 'é'), nor a mark or format character that
    shows nothing of its own (an emoji's variation selector U+FE0F, a zero-width space or joiner), any other one."""
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me", "Cf") else 2 if unicodedata.east_asian_width(ch) in "WF"
               else 1 for ch in text)


def padded(text: str, width: int) -> str:
    """``text`` followed by the spaces that make it ``width`` terminal columns wide (as it is where it is wider)."""
    return text + " " * max(0, width - shown_width(text))
