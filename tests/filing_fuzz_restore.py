"""OUT backed up by the user and restored from that backup later, for tests/filing_fuzz.py's sequences, drawn only
where FILING_FUZZ_RESTORE is a weight (1; 4 to draw them often), so the seeds run before keep their sequences.

``saveout`` copies OUT beside it ('saved out', as a backup tool or a copy to another disk would: the hard links to the
export broken, times kept or not); ``restoreout`` puts that copy back in OUT's place, the OUT of now removed. The
runs after a restore meet an OUT older than its films: its .filed.csv and MANIFEST.csv naming what the sheet no
longer labels there, its files no longer the export's inodes. The invariants are the suite's: the backup outside OUT
is the user's and never touched (I1); the next run exiting 0 leaves the class folders in step with the sheets (I2),
and MANIFEST.csv names only files there (I3).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.filing_fuzz import World

WEIGHT = int(os.environ.get("FILING_FUZZ_RESTORE") or 0)  # 0: never drawn
KINDS = {"saveout": WEIGHT, "restoreout": WEIGHT} if WEIGHT else {}
NAMES = ("saveout", "restoreout")
SAVED = "saved out"


def draw(rng: random.Random, what: str, i: int) -> tuple:
    """The op ``what``: the copy made or put back with its times kept (cp -a) or not (cp -R)."""
    return (what, rng.random() < 0.5)


def do(w: World, op: tuple) -> None:
    """Op ``op`` done on ``w``: OUT saved beside it (a save made earlier kept), or the saved copy put back."""
    saved, keep = w.base / SAVED, op[1]
    flags = "-a" if keep else "-R"
    if op[0] == "saveout" and not os.path.lexists(saved) and os.path.isdir(w.O):
        subprocess.run(["cp", flags, str(w.O), str(saved)], check=True)
        w.extra["saved_users"] = list(w.user_names)
    elif op[0] == "restoreout" and os.path.isdir(saved):
        shutil.rmtree(w.O, ignore_errors=True)
        w.O.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", flags, str(saved), str(w.O)], check=True)
        w.user_names[:] = [u for u in w.extra.get("saved_users", []) if os.path.lexists(w.O / u)]
