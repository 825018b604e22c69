"""More of what a user does between runs of ``python -m train.file_by_label``, for tests/filing_fuzz.py's sequences.

A label respelt in case only ('COVID' -> 'covid', in one row or all), a row's cell given as its path under the
export, by its name alone, or with its folder in another case, a film renamed in the export (its row mended or not),
a duplicate row for one film (the same label, or another), a file of the user's own dropped into a class folder of OUT
(under a new name, or a film's), a class folder of OUT removed by hand, and the command run from another working
directory with the sheet and --out given relative to it, the sheet run
through a symbolic link to the export (current -> export) or by its real path, Finder's or Explorer's litter
(.DS_Store, ._NAME, Thumbs.db) dropped into a class folder, OUT moved (beside, into a folder, back), a sheet re-saved
by Excel (BOM, CRLF, 'sep=;', semicolons), a label made a placeholder ('todo', '?', '') and given back by the next
step; tests/filing_fuzz_hands.py's where FILING_FUZZ_WIDE=1, tests/filing_fuzz_restore.py's (OUT backed up and
restored) where FILING_FUZZ_RESTORE=1. Each op is drawn by :func:`draw` and done by :func:`do`.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
from typing import TYPE_CHECKING

from tests import filing_fuzz_hands as hands
from tests import filing_fuzz_restore as restore

if TYPE_CHECKING:
    from tests.filing_fuzz import World

KINDS = {"respell": 2, "cellpath": 2, "renamefilm": 2, "duprow": 2, "userfile": 1, "rmclass": 1, "cwd": 1,
         "via": 2, "litter": 2, "mvout": 1, "excel": 2, "placeholder": 2, **hands.KINDS,
         **restore.KINDS}
CWDS = (None, "base", "elsewhere", "export", "out")  # where the runs are made from, the paths given relative to it


def draw(rng: random.Random, what: str, i: int) -> tuple:
    """The op ``what`` on film ``i``, its choices drawn from ``rng``."""
    from tests.filing_fuzz import LABELS

    if what in hands.KINDS:
        return hands.draw(rng, what, i)
    if what in restore.KINDS:
        return restore.draw(rng, what, i)
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
    if what == "via":
        return (what, rng.choice(["link", "link", "real"]), rng.random() < 0.5)
    if what == "litter":
        return (what, rng.randrange(6), rng.choice([".DS_Store", "._", "Thumbs.db", "desktop.ini"]))
    if what == "mvout":
        return (what, rng.choice(["out2", "nested", "back"]))
    if what == "excel":
        return (what, i, rng.choice(["full", "full", "semi", "crlf", "plain"]))
    if what == "placeholder":
        return (what, i, rng.choice(["todo", "todo", "TODO", "?", "", "tbd"]))
    return (what, rng.randrange(len(CWDS)))


def do(w: World, op: tuple, r: dict[str, str] | None, sheet: str | None) -> None:
    """Op ``op`` done on ``w`` (``r``: the row of its film, in ``sheet``; None where no sheet names it)."""
    what = op[0]
    if what in hands.NAMES:
        hands.do(w, op, r, sheet)
    elif what in restore.NAMES:
        restore.do(w, op)
    elif what == "respell" and r:
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
    elif what == "via":
        w.extra["via"] = ("current" if op[2] else w.base / "current") if op[1] == "link" else None
    elif what == "litter":
        _litter(w, op[1], op[2])
    elif what == "mvout":
        _move_out(w, op[1])
    elif what == "excel":
        w.extra.setdefault("formats", {})[sheet or sorted(w.sheets)[0]] = op[2]
    elif what == "placeholder" and r:
        w.extra["pending"] = (r["id"], r["label"], op[2])
        r["label"] = op[2]


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


def litter_gone(w: World, rel: str) -> bool:
    """Whether ``rel`` (OUT/FOLDER/NAME) is a desktop's litter gone with its class folder: a folder a run emptied is
    removed with the litter alone in it (train.emptied_folders.remove_emptied: a folder holding a .DS_Store is still a
    class to cxr-train), the litter being the desktop's, remade when it opens a folder, and no film of the user's."""
    head, _, name = rel.partition("/")[2].rpartition("/")
    litter = name.casefold() in {".ds_store", "thumbs.db", "desktop.ini"} or name.startswith("._")
    return litter and head != "" and not os.path.isdir(w.O / head)


def before(w: World) -> None:
    """A placeholder label of the step before given back (the row's own label again), where the row still has it;
    litter gone with its folder no longer the user's."""
    w.user_names[:] = [u for u in w.user_names if not litter_gone(w, "OUT/" + u)]
    pending = w.extra.pop("pending", None)
    found = w.row(int(pending[0])) if pending else None
    if found and w.sheets[found[0]][found[1]]["label"] == pending[2]:
        w.sheets[found[0]][found[1]]["label"] = pending[1]


def settle(w: World) -> None:
    """The link current -> export (where the runs go through it) made or re-pointed at the export's place now."""
    via, link = w.extra.get("via"), w.base / "current"
    if via is None:
        return
    target = w.export if isinstance(via, str) else str(w.E)  # a relative link, or one to the absolute path
    if os.path.islink(link) and os.readlink(link) == target:
        return
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(target, link)


def sheet_path(w: World, sheet: str) -> str:
    """The sheet as the run is given it: through the link current -> export, or by its real path."""
    return str((w.base / "current" if w.extra.get("via") is not None else w.E) / sheet)


def renamed(w: World, old: str, new: str) -> None:
    """A sheet renamed keeps the format Excel saved it in."""
    formats = w.extra.get("formats", {})
    if old in formats:
        formats[new] = formats.pop(old)


def write_sheet(w: World, name: str, lines: list[list[str]]) -> None:
    """The sheet written as it is saved: by a script (commas, LF), or by Excel (BOM, CRLF, 'sep=;', semicolons)."""
    fmt = w.extra.get("formats", {}).get(name, "plain")
    sep, end = {"full": (";", "\r\n"), "semi": (";", "\r\n"), "crlf": (",", "\r\n")}.get(fmt, (",", "\n"))
    with open(w.E / name, "w", newline="", encoding="utf-8-sig" if fmt != "plain" else "utf-8") as f:
        if fmt == "full":
            f.write("sep=;\r\n")
        csv.writer(f, delimiter=sep, lineterminator=end).writerows(hands.arrange(w, name, lines))


def _litter(w: World, k: int, kind: str) -> None:
    """Finder's or Explorer's own file dropped into a class folder of OUT (._NAME beside a film there)."""
    folders = class_folders(w)
    if not folders:
        return
    folder = folders[k % len(folders)]
    films = [n for n in sorted(os.listdir(w.O / folder)) if not n.startswith(".")]
    name = "._" + (films[0] if films else "x.png") if kind == "._" else kind
    path = w.O / folder / name
    if os.path.lexists(path):
        return
    path.write_bytes(b"\x00\x05\x16\x07litter" if kind == "._" else b"Bud1litter")
    w.user_names.append(f"{folder}/{name}")


def _move_out(w: World, how: str) -> None:
    """OUT moved by hand: beside itself as out2, into a folder of its own, or back to the name it had first."""
    new = {"out2": "out2", "nested": f"archive{w.made}/out", "back": "out"}[how]
    if how == "back" and w.out == "out":
        new = "out2"
    if os.path.lexists(w.base / new):
        return
    (w.base / new).parent.mkdir(parents=True, exist_ok=True)
    os.rename(w.O, w.base / new)
    w.out = new
