"""This machine's lock on a run folder, in /tmp (train.run_lock takes it with the folder's own, train.folder_lock):
one lock file per folder, by its resolved path, which needs no folder (it may not exist yet)."""

from __future__ import annotations

import hashlib
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from edge.lock_file import let_go, living, taken
from edge.lock_folder import LOCKS, made_lock_folder  # noqa: F401 - LOCKS named here by train.run_lock
from edge.lock_folder import lock_folder_path as edge_lock_folder_path
from edge.output import said_name
from train.folder_busy import busy



def lock_folder() -> Path:
    """/tmp/cxr-edge-locks, made where it is not there (edge.lock_folder: every command's locks in one place)."""
    return made_lock_folder(lock_folder_path())


def lock_folder_path() -> str:
    """Where lock_folder keeps the locks, without making it."""
    return edge_lock_folder_path()


def machine_lock_name(folder: Path) -> str:
    """The name of ``folder``'s lock file in /tmp: by its resolved path, so that any spelling of it is one lock."""
    return hashlib.sha256(os.fsencode(folder.resolve())).hexdigest()[:20] + ".lock"


@contextmanager
def hold_machine_lock(folder: Path, prog: str, clash: str, fcntl) -> Iterator[bool]:
    """The lock in /tmp; yields whether it is held. Its file is removed as it is let go (edge.lock_file: kept, one
    was left per run folder ever written)."""
    try:
        path = str(lock_folder() / machine_lock_name(folder))
        f, held = taken(path, fcntl)  # another user's lock file opened read-only: flock needs no write access
    except OSError as e:  # a read-only /tmp, out of inodes, another user's folder: the command goes on, said
        print(f"{prog}: warning: cannot take the lock in {said_name(str(lock_folder_path()))} ({e.strerror or e}): another cxr-train, cxr-convert, cxr-evaluate or cxr-compare writing {said_name(str(folder))} at "
              "the same time would not be stopped", file=sys.stderr)
        yield False
        return
    with f:
        if not held:
            f.seek(0)
            raise busy(folder, living(f.read().strip()), clash) from None
        if f.writable():
            f.seek(0)
            f.truncate()
            f.write(f"{prog} (process {os.getpid()})")
            f.flush()
        try:
            yield True
        finally:
            let_go(path, f, fcntl)
