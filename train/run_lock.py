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

from edge.output import said_name

LOCKS = "cxr-edge-locks"
# cxr-evaluate and cxr-compare take this lock on their report folder: two at once both said "report: ...",
# and the folder kept one report
REPORT_CLASH = "two reports at once into one folder would keep one of them without a word"
# the folder's own lock file (see run_folder_lock), removed when the command ends (a killed one's stays, unlocked,
# and is taken by the next)
LOCK_NAME = ".cxr-edge.lock"
_MADE: set[str] = set()  # folders a lock held in this process made (os.path.abspath)
_SAID_NO_LOCK = False  # the warning that no lock is taken here (no fcntl) was given


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
def run_folder_lock(folder: str | Path, prog: str, clash: str = "two at once would mix their files",
                    create: bool = False) -> Iterator[None]:
    """Hold the lock of ``folder`` (by its resolved path, so any spelling of it) inside the block, or
    raise RunFolderBusy. Two locks, the machine's and the folder's own:

    - one in /tmp (lock_folder), which needs no folder (it may not exist yet); where locks cannot be taken
      there (no fcntl; a read-only /tmp, out of inodes, or another user's folder, said in a warning), none is;
    - one inside the folder (LOCK_NAME), for writers on other machines, or in containers with a /tmp of their
      own, that reach it through another mount: the /tmp lock is one machine's, keyed on the path as that one
      sees it, and two cxr-train through two mounts of one share both said "done" and mixed their files. Taken
      where the folder is there, or with ``create`` (where the command makes it anyway: made here, and removed
      again if it is left empty); where its lock file cannot be made (a read-only folder, a file system without
      locks) the machine's lock alone holds, without a word. The file is removed on release (a killed command's
      stays, unlocked, and is taken by the next).

    ``clash``: what two writers at once would do, said to the second (cxr-evaluate's and cxr-compare's report
    folders take this lock too)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks of this kind; said once a command (cxr-train takes two)
        global _SAID_NO_LOCK
        if not _SAID_NO_LOCK:
            _SAID_NO_LOCK = True
            print(f"{prog}: warning: no folder lock on this platform (no fcntl, as on Windows): nothing stops a second "
                  f"cxr-edge command writing into {said_name(str(folder))} at the same time, and two at once would mix their files; "
                  "run one at a time", file=sys.stderr)
        yield
        return
    with _machine_lock(Path(folder), prog, clash, fcntl) as held_here, \
            _folder_lock(Path(folder), prog, clash, create, fcntl) as held_inside:
        if held_here or held_inside:
            _clear_leftovers(Path(folder), prog)
        yield


def writer_of(folder: str | Path) -> str | None:
    """Who holds ``folder``'s lock, this machine's or the folder's own ('cxr-train (process 4242)'), or None: a
    probe that takes nothing and makes no file. Not for a folder whose lock this process holds (it finds itself).
    A run whose files do not belong together is still being written, not stopped, while its writer holds it."""
    try:
        import fcntl
    except ImportError:
        return None
    for path in (Path(lock_folder_path()) / _machine_lock_name(Path(folder)), Path(folder) / LOCK_NAME):
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
    another user's holds a shared one (_locked_inside), which a shared probe took beside it, so that writer went
    unnamed and cxr-evaluate sent the user to run its cxr-train again. Shared where a read-only descriptor takes no
    exclusive lock (NFS: EBADF): that finds the exclusive holders at least."""
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


def made_by_lock(folder: str | Path) -> bool:
    """Whether a run_folder_lock this process holds made ``folder`` (to hold its lock file): a command that
    removes what it made when it fails counts it as its own."""
    return os.path.abspath(folder) in _MADE


def _busy(folder: Path, who: str, clash: str) -> RunFolderBusy:
    return RunFolderBusy(f"{said_name(str(folder))} is being written by {who or 'another cxr-edge command'}: {clash}; wait for "
                         "it to finish (or stop it), then run this again")


def _machine_lock_name(folder: Path) -> str:
    """The name of ``folder``'s lock file in /tmp: by its resolved path, so that any spelling of it is one lock."""
    return hashlib.sha256(os.fsencode(folder.resolve())).hexdigest()[:20] + ".lock"


@contextmanager
def _machine_lock(folder: Path, prog: str, clash: str, fcntl) -> Iterator[bool]:
    """The lock in /tmp; yields whether it is held."""
    try:
        path = lock_folder() / _machine_lock_name(folder)
        try:
            f = open(path, "a+", encoding="utf-8")
        except PermissionError:  # another user's lock file: flock needs no write access, only its holder's name does
            f = open(path, "r", encoding="utf-8")
    except OSError as e:  # a read-only /tmp, out of inodes, another user's folder: the command goes on, said
        print(f"{prog}: warning: cannot take the lock in {said_name(str(lock_folder_path()))} ({e.strerror or e}): another cxr-train, cxr-convert, cxr-evaluate or cxr-compare writing {said_name(str(folder))} at "
              "the same time would not be stopped", file=sys.stderr)
        yield False
        return
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            raise _busy(folder, f.read().strip(), clash) from None
        if f.writable():
            f.seek(0)
            f.truncate()
            f.write(f"{prog} (process {os.getpid()})")
            f.flush()
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextmanager
def _folder_lock(folder: Path, prog: str, clash: str, create: bool, fcntl) -> Iterator[bool]:
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
            raise _busy(folder, who, clash) from None
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


def _clear_leftovers(folder: Path, prog: str) -> None:
    """With the lock held, nothing else writes the folder: what a killed writer left is removed, and said."""
    from edge.leftovers import clear_leftovers

    if folder.is_dir() and (cleared := clear_leftovers(folder))[0]:
        n, size = cleared
        print(f"{prog}: note: removed {n} temporary file{'s' if n > 1 else ''} or staging folder{'s' if n > 1 else ''} "
              f"({size / 2**20:.1f} MB) left in {said_name(str(folder))} by a command that was killed (none still running)", file=sys.stderr)
