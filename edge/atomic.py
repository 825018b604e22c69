"""Write outputs atomically: a temporary file in the same folder, fsync, then rename.

A killed run or a full disk leaves either the old file or none, never a half-written model or
report; the temporary file is removed on failure. A set of files that belong together (a report
and its plots) is written into a staging folder first and moved in at the end (staged_folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

try:
    import fcntl  # a live writer holds a lock on what it writes (clear_leftovers); not on Windows
except ImportError:
    fcntl = None


NAME_MAX = 255  # bytes in one file name (ext4, XFS, btrfs, APFS; NTFS counts 255 UTF-16 units)
_LIVE: set[str] = set()  # the temporary files and stages this process is writing now (clear_leftovers keeps them)


def _hold(path: str | Path) -> int | None:
    """A descriptor holding a shared lock on ``path`` (a temporary file or stage) while its writer
    lives: a cleanup in another process, another container's pid 1 included, finds it locked. None
    where locks cannot be taken (Windows, which could not then rename or remove the open file)."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:  # a file system without locks: the pid in the name is what is left
        os.close(fd)
        return None
    return fd


def _release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def _born(folder: Path) -> str:
    """A name in ``folder`` for a temporary file or stage to be made and locked under before it takes its own
    (_TEMPORARY, _STAGE), which it then never holds unlocked while its writer lives. clear_leftovers takes a
    _born name only where the pid in it is gone (a writer killed in those microseconds)."""
    return str(folder / f".{secrets.token_hex(8)}.p{os.getpid()}.born")


@contextmanager
def temporary_file(path: str | Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path`` (named and locked as clear_leftovers knows a live
    writer's), removed at the end whatever happens unless the block renamed it: for a writer that puts
    the file in place itself (edge.explain links a map to a new name, replacing nothing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The name is chosen before the file exists, so a Ctrl-C landing the moment it is created
    # still finds it to remove (mkstemp creates it before the caller can know its name).
    tail = f".{secrets.token_hex(8)}.p{os.getpid()}.tmp{path.suffix}"  # its writer's pid: see clear_leftovers
    # within a name's 255 bytes: a map named for a film of 234 bytes could not be written
    stem = os.fsencode(path.stem)[:max(1, NAME_MAX - 1 - len(tail.encode()))].decode("utf-8", "ignore")
    tmp = str(path.parent / f".{stem}{tail}")
    born = _born(path.parent)
    _LIVE.update((os.path.basename(tmp), os.path.basename(born)))
    held = None
    try:
        # Mode 0o666 under the umask, like any other output (mkstemp's 0600 needed a chmod). Made and locked
        # under a _born name, then given its own: found by that name, it is locked, or its writer is dead.
        os.close(os.open(born, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        held = _hold(born)
        os.rename(born, tmp)
        yield Path(tmp)
    except BaseException as e:
        if isinstance(e, OSError) and e.filename in (None, tmp) and e.strerror:
            # Name the file the user asked for, not our temporary one: "No space left on device: 'run/model.keras'".
            raise OSError(e.errno, e.strerror, str(path)) from e
        raise
    finally:
        for name in (tmp, born):
            with contextlib.suppress(OSError):  # never created (an unwritable folder), or already renamed
                os.unlink(name)
        _release(held)
        _LIVE.difference_update((os.path.basename(tmp), os.path.basename(born)))


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write to; it replaces ``path`` only if the block succeeds."""
    with temporary_file(path) as tmp:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)


@contextmanager
def staged_folder(folder: str | Path, last: tuple[str, ...] = (), retire: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a hidden folder inside ``folder`` to write a set of outputs into (a report and its
    plots); they replace the files of the same names in ``folder`` only if the block succeeds.

    Each file alone is atomic anyway; this keeps a set together, so an interrupted rewrite does not
    leave new plots beside an old report that contradicts them. The moves are renames within one
    file system (no space needed), the names in ``last`` (the report that points at the rest) at the end.
    Each old file is first kept aside in the stage, so that a move that fails half-way (on Windows,
    a file open in Excel cannot be replaced or renamed) puts back the files already replaced: the old
    set stays whole. ``retire``: the names this kind of set may hold; those this one did not write
    are removed once it is in, so that an --out folder used again holds no plot or list of an
    earlier run (another data set's left-out films) beside a report that never mentions it.
    """
    folder = Path(folder)
    created = [d for d in (folder, *folder.parents) if not d.exists()]  # removed again if the set fails
    folder.mkdir(parents=True, exist_ok=True)
    # what a killed writer of a set here left (a report folder is no run folder: no run lock cleans it)
    clear_leftovers(folder, (".",))
    stage = folder / f".staging-{secrets.token_hex(8)}.p{os.getpid()}"
    keep_stage = done = False
    _LIVE.add(stage.name)
    held = None
    born = _born(folder)
    _LIVE.add(os.path.basename(born))
    try:
        os.mkdir(born)  # and locked under a _born name, then given its own (as temporary_file does)
        held = _hold(born)
        os.rename(born, stage)
        yield stage
        files = [p for p in stage.rglob("*") if p.is_file()]
        files.sort(key=lambda p: (p.relative_to(stage).as_posix() in last, p.as_posix()))
        keep_stage = True  # until the moves are made or undone: the stage may hold the old files
        _move_in(files, stage, folder)
        keep_stage = False
        written = {p.relative_to(stage).as_posix() for p in files}
        for name in (n for n in retire if n not in written):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
        done = True
    except BaseException as e:
        # kept only where an old file could not be put back (_move_in's error says where it is)
        keep_stage = keep_stage and getattr(e, "old_files_kept", False)
        if not isinstance(e, OSError):
            raise
        name = str(e.filename or "")
        if name.startswith(str(stage) + os.sep) and e.strerror:  # name the file the user will look for
            raise OSError(e.errno, e.strerror, str(folder / Path(name).relative_to(stage))) from e
        raise
    finally:
        if not keep_stage:  # removed while still locked: a cleanup elsewhere never takes a live writer's stage
            shutil.rmtree(stage, ignore_errors=True)
            shutil.rmtree(born, ignore_errors=True)
        _release(held)
        _LIVE.difference_update((stage.name, os.path.basename(born)))
        for d in created if not done else ():  # nearest first; one that holds anything stays
            with contextlib.suppress(OSError):
                d.rmdir()


def _move_in(files: list[Path], stage: Path, folder: Path) -> None:
    """Move ``files`` from ``stage`` into ``folder`` in order, or, where one move fails, none: the
    moves made are undone and the error raised. Where undoing fails too, the error says where the
    old files were left (the stage's ``.replaced`` folder, which is then kept)."""
    aside = stage / ".replaced"
    # (destination, its old file's second name or None, the old file moved there, the new file placed)
    done: list[tuple[Path, Path | None, bool, bool]] = []
    try:
        for src in files:
            rel = src.relative_to(stage)
            dst = folder / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            old, moved = None, False
            if os.path.lexists(dst) and not dst.is_dir():
                old = aside / rel
                old.parent.mkdir(parents=True, exist_ok=True)
                moved = _set_aside(dst, old)
            done.append((dst, old, moved, False))
            os.replace(src, dst)
            done[-1] = (dst, old, moved, True)
    except BaseException as e:
        stranded = []
        for dst, old, moved, placed in reversed(done):
            try:
                if old is not None and (placed or moved):
                    os.replace(old, dst)
                elif placed:
                    os.unlink(dst)
            except OSError:
                if old is not None:
                    stranded.append(dst.name)
        if stranded and isinstance(e, OSError):
            err = OSError(e.errno, f"{e.strerror}; the files it was to replace ({', '.join(stranded)}) could not "
                          f"be put back and are in {aside}", e.filename)
            err.old_files_kept = True
            raise err from e
        if stranded:
            e.old_files_kept = True
        raise


def _set_aside(path: Path, keep: Path) -> bool:
    """Keep ``path``'s file as ``keep`` too: a second name (a hard link), so that ``path`` stays in
    place until os.replace swaps it atomically for the new file; moved there instead on Windows (a
    link to a file open elsewhere could not be removed afterwards) and where links are not made
    (FAT, exFAT, some network shares). True where moved."""
    if os.name != "nt":
        try:
            os.link(path, keep, follow_symlinks=False)
            return False
        except OSError:
            pass
    os.replace(path, keep)
    return True


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | Path, text: str) -> None:
    """``text`` as UTF-8. A file or folder name's bytes that are not UTF-8 (held as lone surrogates) are
    written as ``\\xNN``, as the CSV files write them (edge.names.as_text): one Latin-1 film name lost
    cxr-evaluate's whole report, and written as its bytes it left a report.md no UTF-8 reader opens."""
    from edge.names import as_text

    write_bytes(path, as_text(text).encode("utf-8"))


def write_json(path: str | Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, allow_nan=False, default=_jsonable) + "\n")


def _jsonable(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


class DamagedFile(ValueError):
    """A file that is there but cannot be understood (cut short, edited by hand, another tool's): ``path``, and
    ``why`` without the file's name, so that each caller says both in its own sentence without cutting this
    message apart (three did, on its words)."""

    def __init__(self, path: Path, why: str):
        self.path, self.why = Path(path), why
        super().__init__(f"{self.path} is damaged: {why}")


def read_json(path: Path) -> dict:
    """A JSON file's object; DamagedFile where it is no JSON object (a file cut short, edited by hand),
    not json's bare "Expecting value: line 2 column 1"."""
    try:
        data = json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DamagedFile(path, f"not readable as JSON ({e})") from None
    if not isinstance(data, dict):
        raise DamagedFile(path, "it holds no JSON object")
    return data


# The names atomic_path and staged_folder give their temporary files and folders, with the writer's
# process id (from 0.27; older writers' names have none).
_TEMPORARY = re.compile(r"^\..*\.[0-9a-f]{16}(\.p(?P<pid>[0-9]+))?\.tmp(\.[^./]*)?$")
_TEMPORARY_PARTS = re.compile(r"^\.(?P<stem>.*)\.[0-9a-f]{16}(\.p[0-9]+)?\.tmp(?P<suffix>\.[^./]*)?$")
_STAGE = re.compile(r"^\.staging-[0-9a-f]{16}(\.p(?P<pid>[0-9]+))?$")
_BORN = re.compile(r"^\.[0-9a-f]{16}\.p(?P<pid>[0-9]+)\.born$")  # _born's: a writer killed before it named it


def temporary_for(name: str) -> str | None:
    """The name of the file that ``name``, a temporary file of atomic_path, was to become
    (".film.0a1b2c3d4e5f6789.p42.tmp.png" -> "film.png"), or None where ``name`` is none: a command
    that checks what a folder holds knows its own killed writes' leftovers by it."""
    m = _TEMPORARY_PARTS.match(name)
    return None if m is None else m["stem"] + (m["suffix"] or "")


def _locked(path: Path) -> bool | None:
    """Whether a writer holds ``path``'s lock (_hold); None where that cannot be told."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
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
        return name in _LIVE
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
