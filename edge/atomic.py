"""Write outputs atomically: a temporary file in the same folder, fsync, then rename.

A killed run or a full disk leaves either the old file or none, never a half-written model or
report; the temporary file is removed on failure. A set of files that belong together (a report
and its plots) is written into a staging folder first and moved in at the end (staged_folder). What
a killed writer leaves of either, edge.leftovers removes.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from edge.leftovers import LIVE, clear_leftovers, lock_descriptor

try:
    import fcntl  # a live writer holds a lock on what it writes (edge.leftovers.clear_leftovers); not on Windows
except ImportError:
    fcntl = None


NAME_MAX = 255  # bytes in one file name (ext4, XFS, btrfs, APFS; NTFS counts 255 UTF-16 units)


def _hold(path: str | Path) -> int | None:
    """A descriptor holding a shared lock on ``path`` (a temporary file or stage) while its writer
    lives: a cleanup in another process, another container's pid 1 included, finds it locked. None
    where locks cannot be taken (Windows, which could not then rename or remove the open file)."""
    if (fd := lock_descriptor(path)) is None:
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
    (leftovers._TEMPORARY, _STAGE), which it then never holds unlocked while its writer lives. clear_leftovers takes a
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
    LIVE.update((os.path.basename(tmp), os.path.basename(born)))
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
        LIVE.difference_update((os.path.basename(tmp), os.path.basename(born)))


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
    LIVE.add(stage.name)
    held = None
    born = _born(folder)
    LIVE.add(os.path.basename(born))
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
        LIVE.difference_update((stage.name, os.path.basename(born)))
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
        from edge.output import said_name  # a newline in the path forged a line of the error, an ESC ran on the terminal

        self.path, self.why = Path(path), why
        super().__init__(f"{said_name(str(self.path))} is damaged: {why}")


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
