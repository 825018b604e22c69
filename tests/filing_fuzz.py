"""Random rerun sequences of ``python -m train.file_by_label`` against its safety invariants, seeded (replayable).

A tiny export is made (films at the top, in sub-folders, under one name in two folders, symbolic links out of it and
within it), one user file put in a class folder of OUT and one in OUT itself, a backup of the export kept in OUT
(``cp -al``). Between runs an operation a hospital would do: a label corrected, a row made 'todo', CT or lateral,
a row removed or added back, a film deleted or re-exported (new bytes, in place or as a new file), OUT or the export
moved, a second sheet of the same folder, and tests/filing_fuzz_steps.py's. After each run: (I1) no file the tester made is removed or changed; (I2)
with exit 0, the class folders hold the films the sheet labels, by their bytes, once per label (in the
folder of its first row's spelling); (I3) MANIFEST.csv
names only files there; (I4) no exception (checked and run by tests/filing_fuzz_checks.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from tests import filing_fuzz_steps as more
from train.filing_plan import folder_name
from train.label_spellings import first_spelling

LABELS = ("Normal", "COVID", "Pneumonia", "Pneumonia/Viral")
HEADER = ["filename", "label", "modality", "view", "patient"]
USER_FILES = ("Normal/user_scan.png", "notes.txt")  # in OUT; with the backup folder, the user's own


def png(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (8, 8), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


@dataclass
class World:
    base: Path
    export: str = "export"
    out: str = "out"
    films: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (path in the export, kind)
    sheets: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # sheet name -> rows (with 'id')
    made: int = 1000  # bytes drawn so far (each film's bytes distinct)
    user_names: list[str] = field(default_factory=list)  # the user's files in OUT's class folders ('Normal/x.png')
    cwd: str | None = None  # where the runs are made from (tests.filing_fuzz_steps.CWDS)
    extra: dict = field(default_factory=dict)  # tests.filing_fuzz_steps' state: via link, sheet formats, pending

    @property
    def E(self) -> Path:
        return self.base / self.export

    @property
    def O(self) -> Path:
        return self.base / self.out

    def new_bytes(self) -> bytes:
        self.made += 1
        return png(self.made)

    def write_sheets(self) -> None:
        for name, rows in self.sheets.items():
            more.write_sheet(self, name, [HEADER] + [[r[h] for h in HEADER] for r in rows])

    def row(self, i: int) -> tuple[str, int] | None:
        for name, rows in self.sheets.items():
            for k, r in enumerate(rows):
                if r["id"] == str(i):
                    return name, k
        return None


def build(base: Path, seed: int) -> World:
    """The export, its sheet, and OUT with the user's files and a backup in it, drawn from ``seed``."""
    rng, w = random.Random(seed), World(base)
    kinds = ["top", "top", "sub", "sub", "dup", "symabs", "symrel"]
    rows = []
    for i in range(rng.randint(6, 10)):
        kind = rng.choice(kinds)
        rel = {"top": f"p{i}.png", "sub": f"sub{i % 2}/p{i}.png", "dup": f"d{i}/im.png",
               "symabs": f"p{i}.png", "symrel": f"sub{i % 2}/l{i}.png"}[kind]
        path = w.E / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "symabs":
            target = base / "store" / f"s{i}.png"
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(w.new_bytes())
            os.symlink(target, path)
        elif kind == "symrel":
            (w.E / "tgt").mkdir(exist_ok=True)
            (w.E / "tgt" / f"t{i}.png").write_bytes(w.new_bytes())
            os.symlink(f"../tgt/t{i}.png", path)
        else:
            path.write_bytes(w.new_bytes())
        w.films[i] = (rel, kind)
        cell = rel if kind == "dup" or rng.random() < 0.3 else os.path.basename(rel)
        rows.append({"id": str(i), "filename": cell, "label": rng.choice(LABELS), "modality": "X-ray",
                     "view": "PA", "patient": f"pt{i % 3}"})
    w.sheets["labels.csv"] = rows
    w.write_sheets()
    (w.E / "readme.txt").write_text("the export's own notes\n")
    (w.O / "Normal").mkdir(parents=True)
    clash = rng.random() < 0.2  # the user's file under a film's name in a class folder
    name = os.path.basename(w.films[0][0]) if clash else "user_scan.png"
    (w.O / "Normal" / name).write_bytes(w.new_bytes())
    w.user_names.append(f"Normal/{name}")
    (w.O / "notes.txt").write_text("the user's notes\n")
    subprocess.run(["cp", "-al", str(w.E), str(w.O / "backup")], check=True)
    return w


def gen_ops(seed: int, n_films: int, steps: int) -> list[tuple]:
    """``steps`` operations drawn from ``seed``, each on a film by its id (an operation that does not apply is none)."""
    rng, ops = random.Random(seed * 7919 + 1), []
    for _ in range(steps):
        i = rng.randrange(n_films)
        what = rng.choices(["label", "todo", "ct", "lateral", "drop", "add", "delete", "replace", "mv_out",
                            "mv_export", "sheet2", "none", "tidy", "mvfilm", "rename_sheet", "case", *more.KINDS],
                           [6, 2, 2, 2, 2, 3, 2, 3, 1, 1, 1, 1, 2, 2, 1, 1, *more.KINDS.values()])[0]
        if what in more.KINDS:
            ops.append(more.draw(rng, what, i))
        elif what == "label":
            ops.append((what, i, rng.choice(LABELS), rng.random() < 0.6))
        elif what == "add":
            ops.append((what, i, rng.choice(LABELS), rng.randrange(2)))
        elif what == "replace":
            ops.append((what, i, rng.choice(["new", "inplace"])))
        elif what == "mvfilm":
            ops.append((what, i, rng.random() < 0.5))
        elif what == "sheet2":
            ops.append((what, tuple(sorted(rng.sample(range(n_films), rng.randint(0, n_films // 2))))))
        else:
            ops.append((what, i))
    return ops


def apply(w: World, op: tuple) -> None:
    more.before(w)
    what, found = op[0], (w.row(op[1]) if len(op) > 1 and isinstance(op[1], int) else None)
    r = w.sheets[found[0]][found[1]] if found else None
    if what == "label" and r:
        r["label"] = op[2]
        if op[3]:
            r["modality"], r["view"] = "X-ray", "PA"
    elif what in ("todo", "ct", "lateral") and r:
        key, value = {"todo": ("label", "todo"), "ct": ("modality", "CT"), "lateral": ("view", "L")}[what]
        r[key] = value
    elif what == "drop" and found:
        del w.sheets[found[0]][found[1]]
    elif what == "add" and not found:
        rel = w.films[op[1]][0]
        sheet = sorted(w.sheets)[op[3] % len(w.sheets)]
        w.sheets[sheet].append({"id": str(op[1]), "filename": rel, "label": op[2], "modality": "X-ray",
                                "view": "PA", "patient": "pt9"})
    elif what == "delete" and os.path.lexists(w.E / w.films[op[1]][0]):
        os.remove(w.E / w.films[op[1]][0])
    elif what == "replace":
        _replace(w, op[1], op[2])
    elif what == "mv_out":
        new = f"out{w.made}"
        os.rename(w.O, w.base / new)
        w.out = new
    elif what == "mv_export":
        new = f"export{w.made}"
        os.rename(w.E, w.base / new)
        more.hands.export_moved(w, w.export, new)
        w.export = new
        w.made += 1
    elif what == "sheet2" and "test_labels.csv" not in w.sheets:
        first = next(iter(w.sheets))
        moved = [r for r in w.sheets[first] if int(r["id"]) in op[1]]
        w.sheets[first] = [r for r in w.sheets[first] if int(r["id"]) not in op[1]]
        w.sheets["test_labels.csv"] = moved
        if op[1] and op[1][0] % 2:  # films of its own too, new to the export
            i = max(w.films) + 1
            w.films[i] = (f"test/q{i}.png", "sub")
            (w.E / "test").mkdir(exist_ok=True)
            (w.E / "test" / f"q{i}.png").write_bytes(w.new_bytes())
            moved.append({"id": str(i), "filename": f"q{i}.png", "label": "COVID", "modality": "X-ray",
                          "view": "PA", "patient": "pt8"})
    elif what == "tidy":
        _tidy(w)
    elif what == "mvfilm":
        _move_film(w, op[1], r if op[2] else None)
    elif what == "rename_sheet" and "labels.csv" in w.sheets:
        os.rename(w.E / "labels.csv", w.E / "labels_v2.csv")
        more.renamed(w, "labels.csv", "labels_v2.csv")
        w.sheets["labels_v2.csv"] = w.sheets.pop("labels.csv")
    elif what == "case" and r:
        head, _, name = r["filename"].rpartition("/")
        r["filename"] = f"{head}/{name.upper()}" if head else name.upper()
    elif what in more.KINDS:
        more.do(w, op, r, found[0] if found else None)
    w.write_sheets()
    more.settle(w)


def _tidy(w: World) -> None:
    """What the user does where a run said a file is left for them to remove by hand: each file of the class folders
    holding no film the sheets label there (the user's own kept) removed."""
    want = sum((labelled(w, s)[0] for s in w.sheets), Counter())
    users = set(_user_class_files(w))
    for folder in sorted(os.listdir(w.O)):
        d = w.O / folder
        if folder.startswith(".") or folder == "backup" or not d.is_dir() or d.is_symlink():
            continue
        for name in sorted(os.listdir(d)):
            p = d / name
            if f"{folder}/{name}" in users or not p.is_file():
                continue
            if want[(folder, key := _digest(p))] > 0:
                want[(folder, key)] -= 1
            else:
                os.remove(p)


def _move_film(w: World, i: int, row: dict[str, str] | None) -> None:
    """Film ``i`` moved within the export (a folder re-organised); ``row``, if given, has its cell mended."""
    rel, kind = w.films[i]
    swap = {"sub0/": "sub1/", "sub1/": "sub0/", "moved/": ""}
    new = next((swap[p] + rel[len(p):] for p in swap if rel.startswith(p)), None)
    new = new if new is not None else ("e" + rel[1:] if rel.startswith("d") else
                                       "d" + rel[1:] if rel.startswith("e") else "moved/" + rel)
    if not os.path.lexists(w.E / rel) or os.path.lexists(w.E / new):
        return
    (w.E / new).parent.mkdir(parents=True, exist_ok=True)
    os.rename(w.E / rel, w.E / new)
    w.films[i] = (new, kind)
    if row is not None:
        row["filename"] = new


def _replace(w: World, i: int, mode: str) -> None:
    """Film ``i`` re-exported with new bytes: written over in place (its inode kept), or a new file put in its
    place (a link re-pointed to a new file); a film deleted is made again."""
    rel, kind = w.films[i]
    path, data = w.E / rel, w.new_bytes()
    if kind.startswith("sym") and mode == "new" or not os.path.lexists(path) and kind.startswith("sym"):
        target = w.base / "store" / f"s{i}_{w.made}.png"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(data)
        if os.path.lexists(path):
            os.remove(path)
        os.symlink(target, path)
    elif mode == "inplace" and os.path.exists(path):
        with open(path, "r+b") as f:
            f.write(data)
            f.truncate()
    else:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

def _digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]

def _user_class_files(w: World) -> list[str]:
    return list(w.user_names)

def labelled(w: World, sheet: str) -> tuple[Counter, set[str]]:
    """(class folder, bytes) of each film the sheet labels and is there; the bytes of those it names unlabelled."""
    want, unlabelled, firsts = Counter(), set(), {}
    known = {label.lower() for label in LABELS}  # a label respelt in case only ('covid') is one still: filed in
    for r in w.sheets[sheet]:  # the folder of its first row's spelling (train.label_spellings), film found or not
        path, ok = w.E / w.films[int(r["id"])][0], r["modality"] == "X-ray" and r["view"] == "PA"
        label = r["label"].strip()  # a cell padded with spaces (tests/filing_fuzz_hands.py) is its label still
        folder = first_spelling(folder_name(label), firsts) if ok and label.lower() in known else None
        if not os.path.exists(path):
            continue
        if folder:
            want[(folder, _digest(path))] = 1  # two rows of one film and label: filed once
        else:
            unlabelled.add(_digest(path))
    return want, unlabelled
