"""The run folder's own lock file (LOCK_NAME), for writers on other machines, or in containers with a /tmp of their
own, that reach the folder through another mount: train.run_lock takes it beside this machine's (train.machine_lock).
Removed when the command ends (a killed one's stays, unlocked, and is taken by the next)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from train.folder_busy import busy

# the folder's own lock file (see train.run_lock.run_folder_lock), removed when the command ends (a killed one's
# stays, unlocked, and is taken by the next)
LOCK_NAME = ".cxr-edge.lock"
_MADE: set[str] = set()  # folders a lock held in this process made (os.path.abspath)


def made_by_lock(folder: str | Path) -> bool:
    """Whether a run_folder_lock this process holds made ``folder`` (to hold its lock file): a command that
    removes what it made when it fails counts it as its own."""
    return os.path.abspath(folder) in _MADE


@contextmanager
def hold_folder_lock(folder: Path, prog: str, clash: str, create: bool, fcntl) -> Iterator[bool]:
    """The lock inside ``folder`` (LOCK_NAME); yields whether it is held."""
    made: list[str] = []
    if not folder.is_dir():
        if not create or os.path.lexists(folder):  # not there (nothing of it to mix yet), or a file (--save-model's)
            yield False
            return
        made = [d for d in map(os.path.abspath, (folder, *folder.absolute().parents)) if not os.path.lexists(d)]
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:  # the command says why it cannot write there, in its own words
            yield False
            return
    _MADE.update(made)
    try:
        fd = _locked_inside(folder, prog, clash, fcntl)
        try:
            yield fd is not None
        finally:
            if fd is not None:
                _release_inside(folder / LOCK_NAME, fd)
    finally:
        _MADE.difference_update(made)
        for d in made:  # nearest first; one that holds anything (what the command wrote, another's lock) stays
            try:
                os.rmdir(d)
            except OSError:
                break


def _locked_inside(folder: Path, prog: str, clash: str, fcntl) -> int | None:
    """The descriptor of the folder's lock file, locked, or None where none can be made or locked there. Exclusive,
    also through a read-only descriptor; shared only where NFS refuses that (two such writers, see _lock_exclusive)."""
    import socket

    path = folder / LOCK_NAME
    cloexec = getattr(os, "O_CLOEXEC", 0)
    for _ in range(2):  # once more where its last holder removed it between the open and the lock
        writable = True
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | cloexec, 0o666)
        except OSError:
            try:  # another user's lock file, a read-only folder holding one: flock needs no write access (locally)
                fd, writable = os.open(path, os.O_RDONLY | cloexec), False
            except OSError:  # a read-only folder, no permission: the machine's lock alone
                return None
        try:
            _lock_exclusive(fd, writable, fcntl)
        except BlockingIOError:
            try:  # a holder on a read-only descriptor, as this one, could not write its name: it may be a killed one's
                who = os.pread(fd, 512, 0).decode("utf-8", errors="replace").strip() if writable else ""
            except OSError:
                who = ""
            os.close(fd)
            raise busy(folder, who, clash) from None
        except OSError:  # a file system without locks (ENOLCK)
            os.close(fd)
            return None
        try:  # the file locked is the one in the folder: its last holder removes it as it lets go
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except OSError:
            same = False
        if same:
            if writable:
                try:
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{prog} (process {os.getpid()} on {socket.gethostname()})".encode(), 0)
                except OSError:  # a full disk: the lock holds, without its holder's name
                    pass
            return fd
        os.close(fd)
    return None


def _lock_exclusive(fd: int, writable: bool, fcntl) -> None:
    """flock ``fd`` exclusive, without waiting (BlockingIOError where it is held). A read-only descriptor (another
    user's lock file, a killed command's) is tried exclusive too: a shared lock there let two such writers both go
    ahead into one folder. Shared only where the file system refuses an exclusive lock on a read-only descriptor
    (NFS: EBADF): that still refuses a writer beside an exclusive holder, but two writers that both come to a shared
    lock there both go on (the case left, with the machine's lock as the one check on one machine)."""
    import errno

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise
    except OSError as e:
        if writable or e.errno not in (errno.EBADF, errno.EINVAL, errno.ENOLCK):
            raise
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)


def _release_inside(path: Path, fd: int) -> None:
    """Remove the lock file while it is still held (a writer that opened it meanwhile finds it gone once it has
    the lock, and takes the new one), then let go."""
    try:
        if os.path.samestat(os.fstat(fd), os.stat(path)):
            os.unlink(path)
    except OSError:  # a read-only folder, another user's file: it stays, unlocked, and takes the next writer's lock
        pass
    os.close(fd)
