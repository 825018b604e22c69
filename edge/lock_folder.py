"""Where every cxr-edge command on this machine keeps its lock files: /tmp/cxr-edge-locks, open to every user as /tmp
is (each lock file stays its maker's). Not under TMPDIR: a batch scheduler's per-job temporary folder (SLURM) gave two
jobs two locks for one folder. train.machine_lock's run-folder locks and edge.watch_lock's watch locks both live here."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

LOCKS = "cxr-edge-locks"


def lock_folder_path() -> str:
    """Where the locks are kept, without making the folder."""
    base = Path("/tmp") if os.name == "posix" and os.path.isdir("/tmp") else Path(tempfile.gettempdir())
    return str(base / LOCKS)


def made_lock_folder(path: str) -> Path:
    """The locks' folder at ``path``, made open to every user where it is not there yet (raises OSError where it
    cannot be made; a chmod refused leaves it as made)."""
    locks = Path(path)
    if not locks.is_dir():
        locks.mkdir(exist_ok=True)
        try:
            locks.chmod(0o1777)
        except OSError:
            pass
    return locks
