"""One writer at a time per run folder.

cxr-convert started while `cxr-train --replace` rewrote the same folder put the old model's .tflite
files and reports beside the new model, and read the new split's cached inputs under the old
split's labels (wrong operating points); two cxr-train into one new --out both said "done", and
one run was lost. Each takes this lock first; the second is refused at once, in words.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOCKS = "cxr-edge-locks"
# cxr-evaluate and cxr-compare take this lock on their report folder: two at once both said "report: ...",
# and the folder kept one report
REPORT_CLASH = "two reports at once into one folder would keep one of them without a word"


class RunFolderBusy(ValueError):
    """Another cxr-train or cxr-convert is writing this run folder."""


def lock_folder() -> Path:
    """/tmp/cxr-edge-locks: one place for every command on this machine. Under TMPDIR, a batch
    scheduler's per-job temporary folder (SLURM) gave two jobs two locks for one run folder. Open to
    every user, as /tmp is (each lock file stays its maker's)."""
    locks = Path(lock_folder_path())
    if not locks.is_dir():
        locks.mkdir(exist_ok=True)
        try:
            locks.chmod(0o1777)
        except OSError:
            pass
    return locks


def lock_folder_path() -> str:
    """Where lock_folder keeps the locks, without making it."""
    base = Path("/tmp") if os.name == "posix" and os.path.isdir("/tmp") else Path(tempfile.gettempdir())
    return str(base / LOCKS)


@contextmanager
def run_folder_lock(folder: str | Path, prog: str, clash: str = "two at once would mix their files") -> Iterator[None]:
    """Hold the lock of ``folder`` (by its resolved path, so any spelling of it) inside the block, or
    raise RunFolderBusy. The lock file lives in /tmp (lock_folder), not the run folder, which may
    not exist yet; where locks cannot be taken there (no fcntl; a read-only /tmp, out of inodes, or another
    user's folder, said in a warning), none is. ``clash``:
    what two writers at once would do, said to the second (cxr-evaluate's and cxr-compare's report folders
    take this lock too)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks of this kind
        yield
        return
    key = hashlib.sha256(os.fsencode(Path(folder).resolve())).hexdigest()[:20]
    try:
        path = lock_folder() / f"{key}.lock"
        try:
            f = open(path, "a+", encoding="utf-8")
        except PermissionError:  # another user's lock file: flock needs no write access, only its holder's name does
            f = open(path, "r", encoding="utf-8")
    except OSError as e:  # a read-only /tmp, out of inodes, another user's folder: the command goes on, said
        print(f"{prog}: warning: cannot take the lock in {lock_folder_path()} ({e.strerror or e}): another cxr-train, cxr-convert, cxr-evaluate or cxr-compare writing {folder} at "
              "the same time would not be stopped", file=sys.stderr)
        yield
        return
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            who = f.read().strip() or "another cxr-edge command"
            raise RunFolderBusy(f"{folder} is being written by {who}: {clash}; wait for "
                                "it to finish (or stop it), then run this again") from None
        if f.writable():
            f.seek(0)
            f.truncate()
            f.write(f"{prog} (process {os.getpid()})")
            f.flush()
        _clear_leftovers(Path(folder), prog)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _clear_leftovers(folder: Path, prog: str) -> None:
    """With the lock held, nothing else writes the folder: what a killed writer left is removed, and said."""
    from edge.atomic import clear_leftovers

    if folder.is_dir() and (cleared := clear_leftovers(folder))[0]:
        n, size = cleared
        print(f"{prog}: note: removed {n} temporary file{'s' if n > 1 else ''} or staging folder{'s' if n > 1 else ''} "
              f"({size / 2**20:.1f} MB) left in {folder} by a command that was killed (none still running)", file=sys.stderr)
