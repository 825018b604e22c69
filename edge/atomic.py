"""Write outputs atomically: a temporary file in the same folder, fsync, then rename.

A killed run or a full disk leaves either the old file or none, never a half-written model or
report; the temporary file is removed on failure. A set of files that belong together (a report
and its plots) is written into a staging folder first and moved in at the end (staged_folder).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write to; it replaces ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The name is chosen before the file exists, so a Ctrl-C landing the moment it is created
    # still finds it to remove (mkstemp creates it before the caller can know its name).
    tmp = str(path.parent / f".{path.stem}.{secrets.token_hex(8)}.tmp{path.suffix}")
    try:
        # Mode 0o666 under the umask, like any other output (mkstemp's 0600 needed a chmod).
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        yield Path(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:  # never created (an unwritable folder), or already renamed
            pass
        if isinstance(e, OSError) and e.filename in (None, tmp) and e.strerror:
            # Name the file the user asked for, not our temporary one: "No space left on device: 'run/model.keras'".
            raise OSError(e.errno, e.strerror, str(path)) from e
        raise


@contextmanager
def staged_folder(folder: str | Path, last: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a hidden folder inside ``folder`` to write a set of outputs into (a report and its
    plots); they replace the files of the same names in ``folder`` only if the block succeeds.

    Each file alone is atomic anyway; this keeps a set together, so an interrupted rewrite does not
    leave new plots beside an old report that contradicts them. The moves are renames within one
    file system (no space needed), the names in ``last`` (the report that points at the rest) at the end.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stage = folder / f".staging-{secrets.token_hex(8)}"
    try:
        stage.mkdir()
        yield stage
        files = [p for p in stage.rglob("*") if p.is_file()]
        for src in sorted(files, key=lambda p: (p.relative_to(stage).as_posix() in last, p.as_posix())):
            dst = folder / src.relative_to(stage)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    except OSError as e:
        name = str(e.filename or "")
        if name.startswith(str(stage) + os.sep) and e.strerror:  # name the file the user will look for
            raise OSError(e.errno, e.strerror, str(folder / Path(name).relative_to(stage))) from e
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, allow_nan=False, default=_jsonable) + "\n")


def _jsonable(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())
