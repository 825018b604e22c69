"""The pip command that adds one of cxr-edge's extras ([train], [dicom]) to the install that is running.

cxr-edge is not on PyPI: 'pip install cxr-edge[train]' failed when pasted (and would fetch whatever someone
registered under that name). The command names the folder or wheel this install came from, where pip
recorded it (direct_url.json) and it is still there, and this Python's own pip: the README's device install
runs .venv/bin/edge-classify without activating the venv, where a plain 'pip' is another one."""

from __future__ import annotations

import json
import os
import re
import sys
from importlib import metadata
from urllib.parse import urlparse
from urllib.request import url2pathname

from edge.shell_words import shell_quote


def install_hint(extra: str) -> str:
    """'/path/.venv/bin/python -m pip install -e '/src/cxr-edge[train]'', or the README's way where the source
    is not known or gone."""
    pip = _pip()
    try:
        record = json.loads(metadata.distribution("cxr-edge").read_text("direct_url.json") or "{}")
        url, editable = record.get("url", ""), bool((record.get("dir_info") or {}).get("editable"))
    except (metadata.PackageNotFoundError, ValueError, AttributeError, OSError):
        url, editable = "", False
    # url2pathname: file:///C:/src is C:\src on Windows (the URL's path, /C:/src, is no path there)
    source = url2pathname(urlparse(url).path) if isinstance(url, str) and url.startswith("file:") else ""
    powershell = _powershell(pip)
    if source and os.path.exists(source):
        return f"{pip} {'-e ' if editable else ''}{shell_quote(f'{source}[{extra}]')}{powershell}"
    return f"{pip} {shell_quote(f'.[{extra}]')} from the cxr-edge source folder, as README's Installing says{powershell}"


def own_pip(command: str) -> str:
    """A message's 'pip install ...' as this Python's own pip runs it ('/home/pi/.venv/bin/python3 -m pip install
    ai-edge-litert'): a plain 'pip' beside .venv/bin/edge-classify is another Python's, and Raspberry Pi OS refuses
    it outside a venv (externally-managed-environment)."""
    pip = _pip()
    return command.replace("pip install", pip) + (_powershell(pip) if "pip install" in command else "")


def _pip() -> str:
    """This Python's own 'pip install', quoted for a shell."""
    return f"{shell_quote(sys.executable or 'python3')} -m pip install"


def _powershell(pip: str) -> str:
    # cmd.exe runs a quoted first word; PowerShell reads it as a string unless & comes first (which cmd refuses)
    return " (in PowerShell, begin the line with &)" if pip.startswith('"') else ""


# pydicom names a decoder's requirements by its import names; pip's names differ where PyPI's does: PyPI's
# "gdcm" is an unrelated package (1.1, 2020), and pip could not install "gdcm>=3.0.10" at all
PIP_NAMES = {"gdcm": "python-gdcm"}
NOT_NAMED = {"numpy"}  # installed with cxr-edge


def decoder_hint(missing: list[str]) -> str:
    """The pip commands that install a decoder for a DICOM film's compressed pixel data, from pydicom's
    ``missing_dependencies`` ('gdcm - requires gdcm>=3.0.10', 'pylibjpeg - requires pylibjpeg>=2.0 and
    pylibjpeg-libjpeg>=2.1'), pylibjpeg's first (README's choice): 'pip install pylibjpeg pylibjpeg-libjpeg
    (or: pip install python-gdcm)'."""
    pip = f"{shell_quote(sys.executable or 'python3')} -m pip install"
    commands = []
    for line in sorted(missing, key=lambda m: not m.startswith("pylibjpeg")):
        plugin, _, needs = line.partition(" - requires ")
        names = [re.split(r"[<>=!~;\s]", need.strip(), maxsplit=1)[0] for need in needs.split(" and ")] if needs else [plugin]
        names = [PIP_NAMES.get(n, n) for n in names if n and n not in NOT_NAMED]
        if names:
            commands.append(" ".join(names))
    if not commands:
        return "see README's DICOM lines for the packages to install"
    return f"{pip} {commands[0]}" + (f" (or instead: {'; or '.join(commands[1:])})" if commands[1:] else "")
