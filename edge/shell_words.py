"""Words of a command that a message gives to paste (an install hint, --classes, the report's commands):
quoted for the shell it will be pasted into."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess

from edge.controls import CONTROL, escaped
from edge.names import as_text, is_text


def shell_quote(word: str, os_name: str | None = None) -> str:
    """``word`` as one word of a command a message gives to paste: in double quotes where needed on Windows
    (``os_name``, else os.name, "nt": cmd.exe passes POSIX single quotes on literally, and PowerShell refused
    'C:\\...\\python.exe' -m pip), shlex.quote's single quotes elsewhere."""
    if (os_name or os.name) != "nt":
        return shlex.quote(word)
    quoted = subprocess.list2cmdline([word])  # quotes only where a space or tab splits the word
    # cmd.exe and PowerShell also split at & | < > ^ ; (C:\R&D\...) and PowerShell reads $ ` ( ) { } @ '
    if quoted == word and re.search(r"""[&|<>^;$`(){}@',]""", word):
        quoted = f'"{word}"'
    return quoted


HAND_TYPED = "(type the path by hand: a line break, control character or undecodable byte in it cannot be pasted)"


def pasteable(word: str) -> bool:
    """Whether ``word`` can be pasted as one word of a one-line command: no line break, ESC or other control
    character (a quoted newline splits the message's line; an ESC runs on the terminal), no undecodable byte."""
    return is_text(word) and not CONTROL.search(word)


def command_words(*words: str, os_name: str | None = None) -> str:
    """``words`` as a command to paste, each shell_quote'd ('runs/my run' -> 'runs/my run' quoted); a word that
    cannot be pasted (:func:`pasteable`) as a JSON-style name ("runs/a\\nb", undecodable bytes as \\xNN), so that
    the message stays one line: :func:`hand_typed` says why. edge.output.said_name's quotes are for naming, not
    pasting: a path with $, ` or ' pasted from them was another path."""
    return " ".join(shell_quote(w, os_name) if pasteable(w) else as_text(escaped(json.dumps(w, ensure_ascii=False)))
                    for w in words)


def hand_typed(*words: str) -> str:
    """' (type the path by hand: ...)' where one of ``words`` cannot be pasted, else ''."""
    return "" if all(map(pasteable, words)) else f" {HAND_TYPED}"


def command_text(*words: str, os_name: str | None = None) -> str:
    """:func:`command_words` with :func:`hand_typed`'s note: 'cxr-convert runs/x', or 'cxr-convert "runs/a\\nb" (type
    the path by hand: ...)'."""
    return command_words(*words, os_name=os_name) + hand_typed(*words)
