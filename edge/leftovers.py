"""What a killed writer left: the temporary files and staging folders of edge.atomic, found and removed.

A writer killed mid-way (kill -9, the OOM killer, a power cut) leaves a hidden temporary file or stage that nothing
else removes: whole model copies, on a disk likely full already. clear_leftovers removes them, under a run folder's
lock or before a set of outputs is written, and tells them from a live writer's (another command's, another
container's) by the lock that writer holds and the pid in the name (edge.atomic names them so); temporary_for says
which file a temporary one was to become.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

try:
    import fcntl  # a live writer holds a lock on what it writes (edge.atomic._hold); not on Windows
except ImportError:
    fcntl = None

LIVE: set[str] = set()  # the temporary files and stages this process is writing now (clear_leftovers keeps them)

# The names edge.atomic's atomic_path and staged_folder give their temporary files and folders, with the writer's
# process id (from 0.27; older writers' names have none). A map's temporary name holds its film's stem, newline and
# all ("scan\n1.png"): '.' spans any character (DOTALL), and each name ends at \Z, where '$' also matched before a
# last newline (".x.0123456789abcdef.tmp\n", a name no writer gives, was removed as a leftover).
_TEMPORARY = re.compile(r"^\..*\.[0-9a-f]{16}(\.p(?P<pid>[0-9]+))?\.tmp(\.[^./]*)?\Z", re.DOTALL)
_TEMPORARY_PARTS = re.compile(r"^\.(?P<stem>.*)\.[0-9a-f]{16}(\.p[0-9]+)?\.tmp(?P<suffix>\.[^./]*)?\Z", re.DOTALL)
_STAGE = re.compile(r"^\.staging-[0-9a-f]{16}(\.p(?P<pid>[0-9]+))?\Z")
_BORN = re.compile(r"^\.[0-9a-f]{16}\.p(?P<pid>[0-9]+)\.born\Z")  # atomic._born's: a writer killed before it named it


def temporary_for(name: str) -> str | None:
    """The name of the file that ``name``, a temporary file of atomic_path, was to become
    (".film.0a1b2c3d4e5f6789.p42.tmp.png" -> "film.png"), or None where ``name`` is none: a command
    that checks what a folder holds knows its own killed writes' leftovers by it."""
    m = _TEMPORARY_PARTS.match(name)
    return None if m is None else m["stem"] + (m["suffix"] or "")


def lock_descriptor(path: str | Path) -> int | None:
    """A read-only descriptor of ``path`` to take a lock on (the writer's shared one, edge.atomic._hold, or the
    cleanup's test of it, _locked); None where locks cannot be taken (Windows) or the file cannot be opened."""
    if fcntl is None:
        return None
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None


def _locked(path: Path) -> bool | None:
    """Whether a writer holds ``path``'s lock (edge.atomic._hold); None where that cannot be told."""
    if (fd := lock_descriptor(path)) is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)


# A writer created its file or stage, then locked it: a cleanup between the two found it unlocked and
# removed it, and the writer, which went on under that name unlocked, lost it to the next cleanup (a
# helper's stress test: 2 writes of 7,497 failed). Writers since 0.40 lock it before it takes its name (_born), so
# one found unlocked with a pid in its name is a dead writer's; where no lock can be tested (Windows, a file system
# without locks), or for a name without a pid (writers before 0.27), what a killed writer left is older than this.
# (Kept young whatever its writer, a rerun started within 30 s of a kill -9 kept the killed cxr-convert's six model
# copies, and nothing removed them later.)
YOUNG_S = 30.0


def _young(path: Path) -> bool:
    """Whether ``path`` changed within the last YOUNG_S seconds: its writer may not have locked it yet."""
    try:
        return time.time() - path.lstat().st_mtime < YOUNG_S
    except OSError:
        return False


def _writer_alive(path: Path) -> bool:
    """Whether the writer of a temporary file or stage still writes it: a cxr-evaluate --save-model
    writing into a run folder while cxr-convert takes its lock. Told by the lock it holds (from 0.27; held
    before the name is taken from 0.40); where no lock can be tested, by its age and the pid in its name,
    which is all older writers' names hold."""
    locked = _locked(path)
    if locked:
        return True
    if _BORN.match(path.name):  # made before it is locked: its pid tells, whatever its age
        return _pid_alive(path.name)
    m = _STAGE.match(path.name) or _TEMPORARY.match(path.name)
    if locked is False and m is not None and m["pid"] is not None:  # a name with its writer's pid: locked if alive
        return False
    return _young(path) or _pid_alive(path.name)


def _pid_alive(name: str) -> bool:
    m = _STAGE.match(name) or _TEMPORARY.match(name) or _BORN.match(name)
    if m is None or m.group("pid") is None:
        return False
    pid = int(m.group("pid"))
    if pid == os.getpid():  # ours only while this process writes it: in a container every run is pid 1
        return name in LIVE
    if os.name == "nt":  # Windows has no harmless signal 0 (os.kill would stop it)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):  # another user's live process, or no way to tell: kept
        return True
    return True


# The folders of a run that cxr-train and cxr-convert alone write (a report folder inside a run folder,
# cxr-evaluate's default, is another command's: its live stage must not go)
RUN_PARTS = (".", "cache", "members", "teacher", "teacher/cache", "teacher/members")


def clear_leftovers(folder: str | Path, parts: tuple[str, ...] = RUN_PARTS, of: str | None = None) -> tuple[int, int]:
    """Remove the temporary files and staging folders that a killed writer (kill -9, the OOM killer,
    a power cut) left in ``folder``'s ``parts`` (not below them): whole model copies nothing else
    removes, on the disk that was likely full already. Called under a run folder's lock; what a
    process still running wrote (another command's output saved into the run folder) is left, as
    is a stage that holds old files a failed move could not put back (``.replaced``, named in that
    error). ``of``: only the temporary files of the file of this name (a folder of the user's, where a
    --save-model copy was written, may hold other programs' files). Returns (how many, bytes)."""
    found, size = 0, 0
    paths = []
    for part in parts:
        try:
            paths += [p for p in (Path(folder) / part).iterdir()
                      if (_STAGE.match(p.name) or _TEMPORARY.match(p.name) or _BORN.match(p.name))
                      if of is None or temporary_for(p.name) == of]
        except OSError:
            continue
    for p in paths:
        if _STAGE.match(p.name) and (p / ".replaced").exists() or _writer_alive(p):
            continue
        try:
            if p.is_dir() and not p.is_symlink():
                size += sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
                shutil.rmtree(p)
            elif p.exists() or p.is_symlink():
                size += p.lstat().st_size
                p.unlink()
            else:
                continue
        except OSError:  # not ours to remove after all: left as it is
            continue
        found += 1
    return found, size
