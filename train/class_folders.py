"""Which sub-folders of a data folder are classes, and the folder mistakes caught before any is read.

A class is a folder's name, so anything else kept beside the class folders must be left out:
masks, hidden folders, and run folders cxr-train wrote there itself. A run kept inside the data
folder (``--out data/run``, or an old run copied in) would otherwise become a class whose films
are its own plots, or be blamed as a class folder that holds no images. Two mistakes are caught
here because each would otherwise give a wrong model or a puzzling error: a class folder given
in place of its parent, and two folders whose names differ only in case or punctuation (other
commands take them as one class, training would make two).

Pure functions of the folder tree; train.data.discover turns their answers into DataErrors.
"""

from __future__ import annotations

import os
from pathlib import Path

from edge.batch import is_image_file

GIVEN_SPLIT_DIRS = {"train": "train", "training": "train", "val": "val", "valid": "val",
                    "validation": "val", "test": "test", "testing": "test"}
# lower case; the last two are at the root of a USB stick written by Windows
SKIP_DIRS = {"masks", "mask", "__macosx", "system volume information", "$recycle.bin"}
RUN_FILES = ("run.json", "split.json", "model.keras")  # what every cxr-edge run folder holds


def given_split_dirs(data_dir: Path) -> dict[str, Path]:
    """{"train": dir, "test": dir, ...} when the set comes split in folders, else {}."""
    top = {d.name.lower(): d for d in Path(data_dir).iterdir() if d.is_dir()}
    given = {GIVEN_SPLIT_DIRS[k]: d for k, d in top.items() if k in GIVEN_SPLIT_DIRS}
    return given if "train" in given and "test" in given else {}


def half_a_split(data_dir: Path) -> str | None:
    """Why folders named like a given split (train/ and val/, but no test/) cannot be taken as one,
    or None. Taken as classes they would train a 'train' against 'val' classifier without a word."""
    top = sorted(d.name for d in Path(data_dir).iterdir() if d.is_dir() and d.name.lower() in GIVEN_SPLIT_DIRS)
    if len(top) < 2 or given_split_dirs(data_dir):
        return None
    return (f"{data_dir}'s folders {', '.join(top)} look like a split given in folders, but cxr-train takes one only "
            "with train/ and test/ (val/ besides them is optional): add a test/ folder of the films to score the "
            "model on, or put the class folders directly in the data folder for a split of cxr-train's own")


def not_a_class(folder: Path, out: Path | None = None) -> str | None:
    """Why a sub-folder that looks like a class folder is a run instead (None: it is a class).
    ``out`` is the run being written: its folder, or one above it (the teacher's
    ``--out data/run/teacher`` is inside ``data/run``), may hold nothing yet."""
    if out is not None:
        mine, here = Path(out).resolve(), folder.resolve()
        if mine == here or here in mine.parents:
            return "it is this run's --out folder" if mine == here else "it holds this run's --out folder"
    # teacher/: a default run stopped while its teacher trained holds nothing else yet
    marks = [m for sub in ("", "teacher/") for m in (sub + f for f in RUN_FILES) if (folder / m).is_file()]
    return f"it is a cxr-edge run folder (holds {marks[0]}), not a class" if marks else None


def _dirs(root: Path) -> list[Path]:
    return sorted(d for d in Path(root).iterdir()
                  if d.is_dir() and not d.name.startswith(".") and d.name.lower() not in SKIP_DIRS)


def class_dirs(root: Path, out: Path | None = None) -> list[Path]:
    """The class folders directly under ``root``: not masks, hidden folders or run folders."""
    return [d for d in _dirs(root) if not_a_class(d, out) is None]


def class_roots(data_dir: Path) -> list[Path]:
    """Where the class folders are: train/, test/ (and val/) when the set comes split so, else data_dir."""
    return list(given_split_dirs(Path(data_dir)).values()) or [Path(data_dir)]


def class_folder_names(data_dir: Path, out: Path | None = None) -> list[str]:
    """The names of data_dir's class folders (under train/ and test/ when it comes split so),
    whether or not they hold images: what a user may name in --classes or --class-map."""
    return sorted({d.name for r in class_roots(data_dir) for d in class_dirs(r, out)})


def left_out_text(data_dir: Path, classes: list[str], out: Path | None = None) -> str:
    """'; not used: masks/ folders, class folders Lung_Opacity, Viral Pneumonia (not in --classes)'
    or '': what the discovery line should say was passed over, so that a count lower than the
    user expects has its reason beside it."""
    roots = class_roots(data_dir)
    unused = sorted(set(class_folder_names(data_dir, out)) - set(classes))
    masks = any(e.name.lower() in ("masks", "mask") and e.is_dir()
                for r in roots for d in class_dirs(r, out) for e in os.scandir(d))
    parts = (["masks/ folders"] if masks else []) + \
            ([f"class folder{'s' if len(unused) > 1 else ''} {', '.join(unused)} (not in --classes)"] if unused else [])
    return f"; not used: {', '.join(parts)}" if parts else ""


def run_folders(data_dir: Path, out: Path | None = None) -> list[tuple[Path, str]]:
    """The run folders left out of data_dir's classes, each with why: told to the user, who may
    have meant one as a class (or wonder why a folder they see is missing)."""
    return [(d, why) for r in class_roots(data_dir) for d in _dirs(r) if (why := not_a_class(d, out))]


def case_twins(names: list[str]) -> list[list[str]]:
    """Groups of class folder names that differ only in case, punctuation, spaces or Unicode spelling
    (``normal`` and ``Normal``, ``COVID`` and ``COVID-19``, ``Normal`` and ``Normal ``): the names
    other commands take as one class (train.class_names.same_class_key)."""
    from train.class_names import same_class_key

    groups: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        groups.setdefault(same_class_key(name), []).append(name)
    return [g for g in groups.values() if len(g) > 1]


def spelt(name: str) -> str:
    """A folder name as a message shows it: quoted where spaces at its ends would not show."""
    return repr(name) if name != name.strip() or not name else name


def _holds_images(folder: Path) -> bool:
    return any(p.is_file() and is_image_file(str(p), p.name) for p in folder.iterdir())  # UID-named DICOMs too


def is_one_class_folder(data_dir: Path, names: list[str]) -> bool:
    """Whether data_dir is itself one class's folder (base/COVID given for base): no class folders
    but images in it, or only an images/ folder of them (the Kaggle layout's CLASS/images)."""
    data_dir = Path(data_dir)
    if any(n.lower() != "images" for n in names):
        return False
    return _holds_images(data_dir) or any(_holds_images(data_dir / n) for n in names)


def parent_to_give(data_dir: Path) -> Path:
    """The folder above data_dir, as the user wrote it where that says something (base for
    base/COVID), else absolute (COVID given from inside base)."""
    data_dir = Path(data_dir)
    if data_dir.name in ("", ".", "..") or data_dir.parent == Path("."):
        return data_dir.resolve().parent
    return data_dir.parent


def not_a_data_folder(data_dir: Path) -> str | None:
    """Why ``data_dir`` cannot be a data folder (a file, or nothing there), or None."""
    if Path(data_dir).is_dir():
        return None
    return f"data folder {data_dir} " + ("is a file; give the folder that holds a sub-folder per class"
                                         if Path(data_dir).exists() else "does not exist")
