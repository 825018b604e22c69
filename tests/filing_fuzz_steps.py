"""More of what a user does between runs of ``python -m train.file_by_label``, for tests/filing_fuzz.py's sequences.

A label respelt in case only ('COVID' -> 'covid', in one row or all), a row's cell given as its path under the
export, by its name alone, or with its folder in another case, a film renamed in the export (its row mended or not),
a duplicate row for one film (the same label, or another), a file of the user's own dropped into a class folder of OUT
(under a new name, or a film's), a class folder of OUT removed by hand, and the command run from another working
directory with the sheet and --out given relative to it. Each op is drawn by :func:`draw` and done by :func:`do`.
"""

from __future__ import annotations

import os
import random
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.filing_fuzz import World

KINDS = {"respell": 2, "cellpath": 2, "renamefilm": 2, "duprow": 2, "userfile": 1, "rmclass": 1, "cwd": 1}
CWDS = (None, "base", "elsewhere", "export", "out")  # where the runs are made from, the paths given relative to it


def draw(rng: random.Random, what: str, i: int) -> tuple:
    """The op ``what`` on film ``i``, its choices drawn from ``rng``."""
    from tests.filing_fuzz import LABELS

    if what == "respell":
        return (what, i, rng.choice(["lower", "upper", "title"]), rng.random() < 0.6)
    if what == "cellpath":
        return (what, i, rng.choice(["path", "name", "foldercase"]))
    if what == "renamefilm":
        return (what, i, rng.random() < 0.7)
    if what == "duprow":
        return (what, i, rng.choice(LABELS + ("same", "same")))
    if what == "userfile":
        return (what, i, rng.choice(LABELS), rng.random() < 0.4)
    if what == "rmclass":
        return (what, rng.randrange(6))
    return (what, rng.randrange(len(CWDS)))


def do(w: World, op: tuple, r: dict[str, str] | None, sheet: str | None) -> None:
    """Op ``op`` done on ``w`` (``r``: the row of its film, in ``sheet``; None where no sheet names it)."""
    what = op[0]
    if what == "respell" and r:
        old = r["label"]
        new = {"lower": old.lower(), "upper": old.upper(), "title": old.title()}[op[2]]
        for rows in (w.sheets.values() if op[3] else [[r]]):
            for row in rows:
                if row["label"].lower() == old.lower():
                    row["label"] = new
    elif what == "cellpath" and r:
        rel = w.films[int(r["id"])][0]
        head, _, name = rel.rpartition("/")
        r["filename"] = {"path": rel, "name": name, "foldercase": f"{head.upper()}/{name}" if head else name}[op[2]]
    elif what == "renamefilm":
        _rename(w, op[1], r if op[2] else None)
    elif what == "duprow" and r and sheet:
        dup = dict(r)
        if op[2] != "same":
            dup["label"] = op[2]
        w.sheets[sheet].append(dup)
    elif what == "userfile":
        _user_file(w, op[1], op[2], op[3])
    elif what == "rmclass":
        folders = class_folders(w)
        if folders:
            gone = folders[op[1] % len(folders)]
            shutil.rmtree(w.O / gone)
            w.user_names[:] = [u for u in w.user_names if not u.startswith(gone + "/")]
    elif what == "cwd":
        w.cwd = CWDS[op[1]]


def class_folders(w: World) -> list[str]:
    """OUT's class folders (its real folders, but the backup and dotted ones)."""
    return [d for d in sorted(os.listdir(w.O)) if not d.startswith(".") and d != "backup"
            and (w.O / d).is_dir() and not (w.O / d).is_symlink()]


def cwd_of(w: World) -> str | None:
    """The folder the runs are made from (None: this process's own, the paths given absolute)."""
    if w.cwd is None:
        return None
    folder = {"base": w.base, "elsewhere": w.base / "elsewhere", "export": w.E, "out": w.O}[w.cwd]
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


def _rename(w: World, i: int, row: dict[str, str] | None) -> None:
    """Film ``i`` renamed in its folder of the export (a re-export under new names); ``row``, if given, mended."""
    rel, kind = w.films[i]
    head, _, name = rel.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    new_name = f"{stem}_r{w.made}.{ext}" if dot else f"{name}_r{w.made}"
    w.made += 1
    new = f"{head}/{new_name}" if head else new_name
    if not os.path.lexists(w.E / rel) or os.path.lexists(w.E / new):
        return
    os.rename(w.E / rel, w.E / new)
    w.films[i] = (new, kind)
    if row is not None:
        row["filename"] = new if "/" in row["filename"] else new_name


def _user_file(w: World, i: int, label: str, clash: bool) -> None:
    """A file of the user's own put in OUT's class folder of ``label``: under film ``i``'s name (``clash``) or one
    of its own; none where a file of that name is there."""
    from tests.filing_fuzz import folder_name

    folder = folder_name(label)
    name = os.path.basename(w.films[i][0]) if clash else f"mine_{w.made}.png"
    path = w.O / folder / name
    if os.path.lexists(path):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(w.new_bytes())
    w.user_names.append(f"{folder}/{name}")
