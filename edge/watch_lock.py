"""Two watches of one folder, or two writers of one log, told of: a copied systemd unit started twice answered every
film twice into the log, and nothing said so.

A watch holds, for its life, a lock on each folder it watches (a file in /tmp/cxr-edge-locks named by the folder's
device and inode, so any path to it is one lock; never a file in the folder, which may be a read-only share) and one
on its standard output's file (flock on the descriptor the shell or systemd opened): a second watch of the folder is
refused, and one appending to a log a watch writes is warned. A batch (``>> answers.jsonl``) only looks at the log's
lock, and says a watch writes there too. Locks are the machine's alone: two devices watching one share are not
stopped. Where no lock can be taken (Windows, a read-only /tmp without the folder's lock file, a file system without
locks) nothing is said; on a /tmp remounted read-only a watch's lock taken before still refuses a second.
"""

from __future__ import annotations

import atexit
import os
import stat
from pathlib import Path

from edge.lock_file import let_go, living, taken
from edge.lock_folder import lock_folder_path, made_lock_folder

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None

_HELD: dict = {}  # the lock files this process holds open, by path: released, and removed, when it ends (a test's
# runs in one process, each a watch in turn, are one holder)
_AT_EXIT = False  # let_go_all is registered to run at the process's end


def _locks() -> str | None:
    """The locks' folder (edge.lock_folder, with the run-folder locks), made where it is not; None where it cannot be."""
    try:
        return str(made_lock_folder(lock_folder_path()))
    except OSError:
        return None


def _holder(f) -> str:
    """' (process N)' as the holder wrote its pid in the lock file, or '' where it cannot be read."""
    try:
        f.seek(0)
        pid = f.read(20).strip()
    except OSError:
        return ""
    return living(f" (process {pid})") if pid.isdigit() else ""


def lock_name(folder: Path) -> str:
    """The name of ``folder``'s watch lock: by its device and inode, so that any path to it (a link, ``./in/``) is one
    lock. Raises OSError where it cannot be read."""
    st = os.stat(folder)
    return f"watch-{st.st_dev}-{st.st_ino}.lock"


def watched_elsewhere(folder: Path) -> str | None:
    """Take this watch's lock on ``folder`` for the process's life and return None; where another watch on this
    machine holds it, the holder in words (' (process 4242)', or '' where its pid cannot be read)."""
    if fcntl is None or (locks := _locks()) is None:
        return None
    try:
        path = os.path.join(locks, lock_name(folder))
        if path in _HELD:
            return None
        f, held = taken(path, fcntl)  # another user's lock file opened read-only: flock needs only a descriptor
    except OSError:
        return None
    if not held:
        who = _holder(f)
        f.close()
        return who
    try:
        f.truncate(0)
        f.write(str(os.getpid()))
        f.flush()
    except OSError:  # read-only: held all the same, its holder not named
        pass
    global _AT_EXIT
    if not _AT_EXIT:
        _AT_EXIT = True
        atexit.register(let_go_all, os.getpid())
    _HELD[path] = f
    return None


def let_go_all(owner: int | None = None) -> None:
    """Let go of this process's watch locks, each file removed (at its end: kept, one was left per folder ever
    watched). Not in a forked child (``owner``, the pid that took them): the locks are its parent's. A killed watch
    leaves its file, unlocked, taken by the next watch of the folder."""
    if owner is not None and owner != os.getpid():
        return
    for path, f in list(_HELD.items()):
        try:
            let_go(path, f, fcntl)
        except OSError:
            pass
        f.close()
    _HELD.clear()


def log_written_by_a_watch(fd: int, hold: bool) -> bool:
    """Whether a watch holds the lock on the regular file ``fd`` writes to (standard output's ``>> answers.jsonl``).
    ``hold`` (a watch): where none does, take it for the process's life; else (a batch) only look."""
    if fcntl is None:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        fcntl.flock(fd, (fcntl.LOCK_EX if hold else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    if not hold:
        fcntl.flock(fd, fcntl.LOCK_UN)
    return False
