"""Who holds a run folder's lock (train.run_lock), this machine's or the folder's own: a probe that takes nothing and
makes no file, so that a run whose files do not belong together is said to be still written, not stopped."""

from __future__ import annotations

import os
from pathlib import Path

from edge.output import said_name
from train import machine_lock
from train.folder_lock import LOCK_NAME


def writer_of(folder: str | Path) -> str | None:
    """Who holds ``folder``'s lock, this machine's or the folder's own ('cxr-train (process 4242)'), or None: a
    probe that takes nothing and makes no file. Not for a folder whose lock this process holds (it finds itself).
    A run whose files do not belong together is still being written, not stopped, while its writer holds it."""
    try:
        import fcntl
    except ImportError:
        return None
    # through the module, so that the lock folder is looked up where it is now (another host's, in tests)
    for path in (Path(machine_lock.lock_folder_path()) / machine_lock.machine_lock_name(Path(folder)), Path(folder) / LOCK_NAME):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            if _locked_by_another(fd, fcntl):
                try:
                    return os.pread(fd, 512, 0).decode("utf-8", errors="replace").strip() or "another cxr-edge command"
                except OSError:
                    return "another cxr-edge command"
        finally:
            os.close(fd)  # lets go of the probe's lock
    return None


def _locked_by_another(fd: int, fcntl) -> bool:
    """Whether another process holds a lock on ``fd``'s file, tried exclusive first: a writer whose lock file is
    another user's holds a shared one (train.folder_lock._locked_inside), which a shared probe took beside it, so that
    writer went unnamed and cxr-evaluate sent the user to run its cxr-train again. Shared where a read-only descriptor
    takes no exclusive lock (NFS: EBADF): that finds the exclusive holders at least."""
    for op in (fcntl.LOCK_EX, fcntl.LOCK_SH):
        try:
            fcntl.flock(fd, op | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        except OSError:  # EBADF, or a file system without locks (ENOLCK): no writer told by this file
            continue
    return False


def being_written(folder: str | Path) -> str | None:
    """What to say instead of "a cxr-train there stopped ...; run it again" where ``folder``'s writer is alive, or None."""
    if who := writer_of(folder):
        return (f"{said_name(str(folder))} is being written by {who}: its split.json, model.keras and run.json do not belong "
                "together until it is done; wait for it to finish, then run this again")
    return None
