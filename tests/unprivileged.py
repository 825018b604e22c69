"""Run a child process as an ordinary user would, even where the suite runs as root.

Root reads a chmod-000 file and writes into a chmod-555 folder, so "permission denied" cannot be
provoked as root, and CI's container runs the suite as root. There the child runs under setpriv
without the two capabilities that let root pass file permissions (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH): still uid 0, it owns the files the test made and can read them, but mode 000
and mode 555 stop it as they stop user pi on a Pi. Tests skip only where that cannot be done.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NO_READ_ALL = ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]


@functools.lru_cache(maxsize=1)
def why_not_a_user() -> str:
    """Why a child cannot be run without root's file-permission powers here ('' when it can)."""
    if not AS_ROOT:
        return ""
    if not shutil.which("setpriv"):
        return "running as root without setpriv: a file without read or write access cannot be provoked"
    p = subprocess.run([*NO_READ_ALL, "true"], capture_output=True, text=True, timeout=30)
    if p.returncode:
        said = p.stderr.strip().splitlines() or [f"exit code {p.returncode}"]
        return f"running as root and setpriv cannot drop capabilities here: {said[0]}"
    with tempfile.TemporaryDirectory() as d:  # a container may grant them back some other way: try one
        locked = Path(d, "locked")
        locked.write_bytes(b"")
        locked.chmod(0)
        if subprocess.run([*NO_READ_ALL, "cat", str(locked)], capture_output=True, timeout=30).returncode == 0:
            return "running as root and setpriv's child still reads a chmod-000 file here"
    return ""


def can_be_denied() -> bool:
    """Whether a child process here is refused a chmod-000 file and a chmod-555 folder."""
    return not why_not_a_user()


def user_prefix() -> list[str]:
    """What to put before a command so that file permissions stop it: nothing for an ordinary user,
    setpriv as root. Skips the test where root cannot drop the capabilities."""
    why = why_not_a_user()
    if why:
        pytest.skip(why)
    return NO_READ_ALL if AS_ROOT else []


def run_as_a_user(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, **kwargs) in a child that file permissions stop (see user_prefix)."""
    return subprocess.run([*user_prefix(), *cmd], **kwargs)


def as_a_user(code: str, *args: object) -> dict:
    """What ``code`` (Python that prints JSON as its last line) prints, run with ``args`` where a mode-000
    folder cannot be read, with this checkout's code first on the path."""
    p = run_as_a_user([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                      timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


# another user, not root without its powers: a file root made (a killed root command's) is then not the child's own
ANOTHER_USER = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@functools.lru_cache(maxsize=1)
def why_no_other_user() -> str:
    """Why a child cannot be run as another user (uid 65534, nobody) than the one owning the test's files ('' when
    it can): that needs root, to make the files and to change user."""
    if not AS_ROOT:
        return "not running as root: no file of another user can be made here, nor a child run as one"
    if not shutil.which("setpriv"):
        return "running as root without setpriv: no child can be run as another user"
    p = subprocess.run([*ANOTHER_USER, sys.executable, "-c", "import os, edge; assert os.geteuid() == 65534"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if p.returncode:
        said = p.stderr.strip().splitlines() or [f"exit code {p.returncode}"]
        return f"running as root, but a child as user 65534 (nobody) cannot run this checkout's Python here: {said[-1]}"
    return ""


def another_user_prefix() -> list[str]:
    """What to put before a command to run it as another user than the test's files' (skips where none can be)."""
    if why := why_no_other_user():
        pytest.skip(why)
    return ANOTHER_USER
