"""Words of a command that a message gives to paste (an install hint, --classes, the report's commands):
quoted for the shell it will be pasted into."""

from __future__ import annotations

import os
import re
import shlex
import subprocess


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
