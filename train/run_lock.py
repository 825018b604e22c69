"""One writer at a time per run folder.

cxr-convert started while `cxr-train --replace` rewrote the same folder put the old model's .tflite
files and reports beside the new model, and read the new split's cached inputs under the old
split's labels (wrong operating points); two cxr-train into one new --out both said "done", and
one run was lost. Each takes this lock first; the second is refused at once, in words.

Here: run_folder_lock, which takes both locks. Its parts: train.machine_lock (the lock in /tmp),
train.folder_lock (the folder's own lock file), train.lock_probe (who holds a lock: writer_of,
being_written), train.folder_busy (RunFolderBusy); their public names are importable from here too.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from edge.output import said_name
from train.folder_busy import RunFolderBusy
from train.folder_lock import LOCK_NAME, hold_folder_lock, made_by_lock
from train.lock_probe import being_written, writer_of
from train.machine_lock import LOCKS, hold_machine_lock, lock_folder, lock_folder_path

__all__ = ["LOCKS", "LOCK_NAME", "REPORT_CLASH", "RunFolderBusy", "being_written", "lock_folder", "lock_folder_path",
           "made_by_lock", "run_folder_lock", "writer_of"]

# cxr-evaluate and cxr-compare take this lock on their report folder: two at once both said "report: ...",
# and the folder kept one report
REPORT_CLASH = "two reports at once into one folder would keep one of them without a word"
_SAID_NO_LOCK = False  # the warning that no lock is taken here (no fcntl) was given


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
    with hold_machine_lock(Path(folder), prog, clash, fcntl) as held_here, \
            hold_folder_lock(Path(folder), prog, clash, create, fcntl) as held_inside:
        if held_here or held_inside:
            _clear_leftovers(Path(folder), prog)
        yield


def _clear_leftovers(folder: Path, prog: str) -> None:
    """With the lock held, nothing else writes the folder: what a killed writer left is removed, and said."""
    from edge.leftovers import clear_leftovers

    if folder.is_dir() and (cleared := clear_leftovers(folder))[0]:
        n, size = cleared
        print(f"{prog}: note: removed {n} temporary file{'s' if n > 1 else ''} or staging folder{'s' if n > 1 else ''} "
              f"({size / 2**20:.1f} MB) left in {said_name(str(folder))} by a command that was killed (none still running)", file=sys.stderr)
