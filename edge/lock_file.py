"""One lock file in the locks' folder (edge.lock_folder), taken and let go so that none is left behind: its holder
removes it as it lets go, while it still holds it. Kept, the folder grew a file per run folder ever written and per
folder ever watched (30,000 of them, 120 MB, on a machine that trained in temporary folders).

Removing a held lock file has a known race: a taker that opened the file just before the holder removed it locks a
file no longer in the folder, beside a third command that makes and locks a new one there, and both go on. So each
taker, once its flock succeeds, checks that the path still names the file it locked, and opens it again where not (a
few times: each retry means another command took and let go of this lock meanwhile). train.machine_lock (run-folder
locks) and edge.watch_lock (watch locks) take theirs here; train.folder_lock does the same in the run folder."""

from __future__ import annotations

import errno
import os
import re
import stat
from typing import IO

TRIES = 5  # opens of a lock file its holders keep removing before this one gives up (OSError)


def _opened(path: str) -> IO[str]:
    """``path`` opened to lock and to write its holder's name; read-only where it is another user's (flock needs no
    write access, only the holder's name does). Never through a link put at its name in this folder every user may
    write ("a+" followed it, and the name written replaced the file it named: the user's answers log, say), nor a
    FIFO or other non-regular file. Read-only too on a read-only /tmp (EROFS: a Pi's root file system remounted so
    after SD-card errors), where a watch that took its lock before still holds it: up to 0.57.0 the refused write
    ended the check, and a second watch of its folder went on. Raises OSError where it is none or cannot be opened:
    the write's refusal where there is none to read (not 'No such file or directory' of a folder it may not write)."""
    try:
        f = open(path, "a+", encoding="utf-8", opener=_not_followed)
    except OSError as refused:
        if not isinstance(refused, PermissionError) and refused.errno != errno.EROFS:
            raise
        try:
            f = open(path, "r", encoding="utf-8", opener=_not_followed)
        except FileNotFoundError:
            raise refused from None
    try:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(f"{path} is no regular file")
    except BaseException:
        f.close()
        raise
    return f


def _not_followed(path: str, flags: int) -> int:
    """os.open for _opened: no link followed, and a FIFO not waited on."""
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0), 0o644)


def names(path: str, f: IO[str]) -> bool:
    """Whether ``path`` names the file open as ``f`` (not removed, nor made again by another command meanwhile)."""
    try:
        return os.path.samestat(os.fstat(f.fileno()), os.stat(path))
    except OSError:
        return False


def taken(path: str, fcntl) -> tuple[IO[str], bool]:
    """The lock file at ``path`` opened and locked exclusively, and True; or, where another process holds it, opened
    unlocked (to read its holder's name; the caller closes it), and False. Raises OSError where it cannot be opened
    or locked (a read-only /tmp, a file system without locks). Where it was removed under each of TRIES tries, other
    commands are taking and letting go of it all the while: held by another, as far as this one can tell (False),
    never gone on without it."""
    tried = 0
    while True:
        tried += 1
        f = _opened(path)
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        except BaseException:
            f.close()
            raise
        if names(path, f) or tried == TRIES:
            if held and not names(path, f):  # held, but a file no longer in the folder: let go, and busy
                fcntl.flock(f, fcntl.LOCK_UN)
                held = False
            return f, held
        f.close()  # removed between this open and this lock (by its last holder, or another taker's holder): again


def let_go(path: str, f: IO[str], fcntl) -> None:
    """Remove the lock file while still holding it (a taker that opened it meanwhile finds it gone once it has the lock,
    and takes a new one), then unlock it. Where it cannot be removed (another user's file in the sticky /tmp folder)
    it stays, unlocked, and is taken by the next holder: nothing is said."""
    if names(path, f):
        try:
            os.unlink(path)
        except OSError:
            pass
    fcntl.flock(f, fcntl.LOCK_UN)


def living(holder: str) -> str:
    """``holder`` as a lock file names it ('cxr-train (process 4242)'), or '' where that process is gone: a holder
    that could not write its name (another user's file, opened read-only) left the last writer's there, and the
    refusal named a process that had ended (review 73b)."""
    m = re.search(r"\(process (\d+)\)$", holder)  # this machine's (a folder lock's says " on HOST")
    if not m:
        return holder
    try:
        os.kill(int(m.group(1)), 0)
    except ProcessLookupError:
        return ""
    except (OSError, OverflowError, ValueError):  # another user's process (EPERM): alive
        pass
    return holder
