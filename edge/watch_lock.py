"""Two watches of one folder, or two writers of one log, told of: a copied systemd unit started twice answered every
film twice into the log, and nothing said so.

A watch holds, for its life, a lock on each folder it watches (a file in /tmp/cxr-edge-locks named by the folder's
device and inode, so any path to it is one lock; never a file in the folder, which may be a read-only share) and one
on its standard output's file (flock on the descriptor the shell or systemd opened): a second watch of the folder is
refused, and one appending to a log a watch writes is warned. A batch (``>> answers.jsonl``) only looks at the log's
lock, and says a watch writes there too. Locks are the machine's alone: two devices watching one share are not
stopped. Where no lock can be taken (Windows, a read-only /tmp, a file system without locks) nothing is said.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from edge.lock_folder import lock_folder_path, made_lock_folder

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None

_HELD: dict = {}  # the lock files this process holds open, by path: released when it ends (a test's runs in one
# process, each a watch in turn, are one holder)


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
    return f" (process {pid})" if pid.isdigit() else ""


def _lock_file(path: str):
    """The lock file at ``path`` (in a folder every user may write), opened: never through a link put at its name,
    which "a+" followed, so that the pid written below replaced the file it named (answers.jsonl of the watch's
    user), nor a FIFO or other non-regular file. Raises OSError where it is none or cannot be opened."""
    safe = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | safe, 0o644)
        mode = "a+"
    except PermissionError:  # another user's lock file: flock needs only a descriptor
        fd, mode = os.open(path, os.O_RDONLY | safe), "r"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is no regular file")
        return os.fdopen(fd, mode, encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


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
        f = _lock_file(path)
    except OSError:
        return None
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        who = _holder(f)
        f.close()
        return who
    except OSError:
        f.close()
        return None
    try:
        f.truncate(0)
        f.write(str(os.getpid()))
        f.flush()
    except OSError:  # read-only: held all the same, its holder not named
        pass
    _HELD[path] = f
    return None


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
