"""Still more of what a user does between runs of ``python -m train.file_by_label``, for tests/filing_fuzz.py's
sequences, drawn only where FILING_FUZZ_WIDE is a weight (1; 4 to draw them often), so the seeds run before keep
their sequences: a label or a file cell padded with spaces (' Normal', a trailing blank or tab, a no-break space),
the sheet re-saved by Excel with its columns reordered and a notes column added (commas, quotes and a line break in
it), OUT moved to a path with a space or a non-ASCII name (NFC or NFD, as macOS writes it), and a class folder
emptied by hand (its files removed, the folder kept), a cell given a Windows path (sub0\\p1.png), the sheet
saved under another name (a space, a non-ASCII letter), OUT moved into the export (which it may lie in). The invariants are the suite's: a padded cell is the same
label or film; the columns are told by name; OUT anywhere keeps its films in step; a folder emptied by hand is
filled again by the next run (I2).
"""

from __future__ import annotations

import os
import random
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.filing_fuzz import World

WIDE = int(os.environ.get("FILING_FUZZ_WIDE") or 0)  # how much more often than weight 1 they are drawn; 0: never
KINDS = {k: n * WIDE for k, n in {"pad": 2, "reorder": 2, "outname": 1, "emptyclass": 1, "winpath": 1,
                                   "sheetname": 1, "outinside": 1}.items()} if WIDE else {}
NAMES = ("pad", "reorder", "outname", "emptyclass", "winpath", "sheetname", "outinside")  # what :func:`do` does
SHEET_NAMES = ("labels (1).csv", "étiquettes.csv", "labels final.CSV")
OUT_NAMES = ("my out", "résultats", "résultats (2)", "ＯＵＴ", "x-ray films ")


def draw(rng: random.Random, what: str, i: int) -> tuple:
    """The op ``what`` on film ``i``, its choices drawn from ``rng``."""
    if what == "pad":
        return (what, i, rng.choice(["label", "label", "file"]), rng.choice([" ", "  ", "\t", " \u00a0"]),
                rng.choice(["end", "start", "both"]))
    if what == "reorder":
        return (what, i, rng.randrange(120), rng.random() < 0.6)
    if what == "outname":
        return (what, rng.randrange(len(OUT_NAMES)), rng.random() < 0.5)
    if what == "outinside":
        return (what, rng.randrange(len(OUT_NAMES)))
    if what == "sheetname":
        return (what, rng.randrange(len(SHEET_NAMES)), rng.random() < 0.5)
    return (what, rng.randrange(6)) if what == "emptyclass" else (what, i)


def do(w: World, op: tuple, r: dict[str, str] | None, sheet: str | None) -> None:
    """Op ``op`` done on ``w`` (``r``: the row of its film, in ``sheet``; None where no sheet names it)."""
    from tests.filing_fuzz_steps import class_folders

    what = op[0]
    if what == "pad" and r:
        key = "label" if op[2] == "label" else "filename"
        value = r[key].strip()
        r[key] = {"end": value + op[3], "start": op[3] + value, "both": op[3] + value + op[3]}[op[4]]
    elif what == "reorder":
        w.extra.setdefault("orders", {})[sheet or sorted(w.sheets)[0]] = (op[2], op[3])
    elif what == "outname":
        name = OUT_NAMES[op[1]]
        name = unicodedata.normalize("NFD" if op[2] else "NFC", name)
        if not os.path.lexists(w.base / name):
            os.rename(w.O, w.base / name)
            w.out = name
    elif what == "winpath" and r:
        r["filename"] = w.films[int(r["id"])][0].replace("/", "\\")
    elif what == "sheetname":
        _rename_sheet(w, sorted(w.sheets)[0], unicodedata.normalize("NFD" if op[2] else "NFC", SHEET_NAMES[op[1]]))
    elif what == "outinside" and not w.out.startswith(w.export + "/"):
        name = f"{w.export}/{OUT_NAMES[op[1] % len(OUT_NAMES)]}"
        if not os.path.lexists(w.base / name):
            os.rename(w.O, w.base / name)
            w.out = name
    elif what == "emptyclass":
        folders = class_folders(w)
        if folders:
            gone = folders[op[1] % len(folders)]
            for name in os.listdir(w.O / gone):
                if os.path.isfile(w.O / gone / name) or os.path.islink(w.O / gone / name):
                    os.remove(w.O / gone / name)
            w.user_names[:] = [u for u in w.user_names if not u.startswith(gone + "/")]


def _rename_sheet(w: World, old: str, new: str) -> None:
    """The sheet saved under another name (Excel's 'labels (1).csv', a translated one), the old file removed."""
    from tests.filing_fuzz_steps import renamed

    if new in w.sheets or os.path.lexists(w.E / new):
        return
    os.rename(w.E / old, w.E / new)
    renamed(w, old, new)
    if old in w.extra.get("orders", {}):
        w.extra["orders"][new] = w.extra["orders"].pop(old)
    w.sheets[new] = w.sheets.pop(old)


def arrange(w: World, name: str, lines: list[list[str]]) -> list[list[str]]:
    """The sheet's columns as Excel saved it last: permuted, with a notes column where ``reorder`` put one."""
    order = w.extra.get("orders", {}).get(name)
    if order is None:
        return lines
    seed, notes = order
    idx = list(range(len(lines[0])))
    random.Random(seed).shuffle(idx)
    out = [[line[k] for k in idx] for line in lines]
    out[0] = [h.title() if seed % 3 == 0 else f" {h.upper()}" if seed % 3 == 1 else h for h in out[0]]
    if notes:
        out = [row + (["notes"] if n == 0 else [f'seen by Dr. "A", ward {n},\nre-read']) for n, row in enumerate(out)]
    return out


def label_of(value: str) -> str:
    """A label cell as the command reads it (spaces round it not part of it)."""
    return value.strip()


def export_moved(w: World, old: str, new: str) -> None:
    """OUT inside the export moves with it."""
    if w.out.startswith(old + "/"):
        w.out = new + w.out[len(old):]
