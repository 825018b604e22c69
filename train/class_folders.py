"""Which sub-folders of a data folder are classes, and the folder mistakes caught before any is read.

A class is a folder's name, so anything else kept beside the class folders must be left out:
masks, hidden folders, and run folders cxr-train wrote there itself. A run kept inside the data
folder (``--out data/run``, or an old run copied in) would otherwise become a class whose films
are its own plots, or be blamed as a class folder that holds no images. Two mistakes are caught
here because each would otherwise give a wrong model or a puzzling error: a class folder given
in place of its parent (train.folder_level), and two folders whose names differ only in case or punctuation (other
commands take them as one class, training would make two). Folders that cannot be read (a link
to a share not mounted, a folder without read permission) are named, never passed over: a class
or a site's films would otherwise vanish from the run without a word.

Functions of the folder tree (train.film_walk walks a class folder, and tells a ``log`` what it
passed over); train.discovery.discover turns their answers into DataErrors.
"""

from __future__ import annotations

import os
from pathlib import Path

from edge.film_files import SYSTEM_FOLDERS
from edge.output import said_name

GIVEN_SPLIT_DIRS = {"train": "train", "training": "train", "val": "val", "valid": "val",
                    "validation": "val", "test": "test", "testing": "test"}
# lower case; SYSTEM_FOLDERS (lost+found, $RECYCLE.BIN, ...) are at the root of a disk, as edge-classify knows too
SKIP_DIRS = {"masks", "mask", "__macosx"} | SYSTEM_FOLDERS
# a data folder's own files, lower case: one that is a folder (or a link to one) is said where it is read, never a class
SIDE_FILES = {"manifest.csv", "readme.md"}
PART_NAMES = {"train": "train", "val": "validation", "test": "test"}  # as messages name the parts
RUN_FILES = ("run.json", "split.json", "model.keras")  # what every cxr-edge run folder holds


def _split_folders(data_dir: Path) -> dict[str, list[Path]]:
    """{"val": [val/, validation/], ...}: data_dir's folders named like a part of a given split, by part."""
    parts: dict[str, list[Path]] = {}
    for d in sorted(Path(data_dir).iterdir()):
        if d.name.lower() in GIVEN_SPLIT_DIRS and d.is_dir():
            parts.setdefault(GIVEN_SPLIT_DIRS[d.name.lower()], []).append(d)
    return parts


def given_split_dirs(data_dir: Path) -> dict[str, Path]:
    """{"train": dir, "test": dir, ...} when the set comes split in folders, else {}. Where two
    folders name one part (refused by split_twins), the first by name, never the file system's order."""
    given = {part: dirs[0] for part, dirs in _split_folders(data_dir).items()}
    return given if "train" in given and "test" in given else {}


def split_twins(data_dir: Path) -> str | None:
    """Why two folders naming one part of a given split (val/ and validation/, train/ and Train/)
    cannot be taken, or None: one would be read and the other ignored without a word."""
    twins = next((dirs for dirs in _split_folders(data_dir).values() if len(dirs) > 1), None)
    if twins is None:
        return None
    part = PART_NAMES[GIVEN_SPLIT_DIRS[twins[0].name.lower()]]
    return (f"{said_name(str(data_dir))}: its folders {' and '.join(d.name + '/' for d in twins)} both name the {part} split, and "
            "one would be read and the other ignored: merge them into one folder, or rename one")


def split_inside_a_class(data_dir: Path, out: Path | None = None) -> str | None:
    """Why a class folder that holds train/ and test/ folders of its own cannot be a class, or None:
    it is a data set split in folders one level down (COVID-QU-Ex given at its root: "Lung
    Segmentation Data/Train/COVID-19/..."), and taken as a class it would train a classifier of the
    data set's parts, not of the findings."""
    for root in class_roots(data_dir):
        for d in class_dirs(root, out):
            try:
                inner = given_split_dirs(d)
            except OSError:  # cannot be listed: said as such by discovery
                continue
            if inner:
                return (f"{said_name(str(d))} holds train/ and test/ folders of its own: it is a data set split in folders, not a "
                        f"class; give that folder as the data folder")
    return None


def half_a_split(data_dir: Path) -> str | None:
    """Why folders named like a given split (train/ and val/, but no test/) cannot be taken as one,
    or None. Taken as classes they would train a 'train' against 'val' classifier without a word."""
    top = sorted(d.name for d in Path(data_dir).iterdir() if d.is_dir() and d.name.lower() in GIVEN_SPLIT_DIRS)
    if len(top) < 2 or given_split_dirs(data_dir):
        return None
    return (f"{said_name(str(data_dir))}: its folders {', '.join(top)} look like a split given in folders, but cxr-train takes one only "
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
    marks = [m for sub in ("", "teacher/") for m in (sub + f for f in RUN_FILES) if _is_file(folder / m)]
    return f"it is a cxr-edge run folder (holds {marks[0]}), not a class" if marks else None


def _is_file(path: Path) -> bool:
    """Path.is_file, False where the folder above cannot be searched: a folder without read access is
    a class folder that discovery names as unreadable where its films are needed, never a crash here."""
    try:
        return path.is_file()
    except OSError:
        return False


def _named_like_a_class(name: str) -> bool:
    return not name.startswith(".") and name.lower() not in SKIP_DIRS and name.lower() not in SIDE_FILES


def named_like_a_file(name: str) -> bool:
    """Whether a link that leads nowhere was most likely a file's (MANIFEST.csv, notes.txt): its name
    ends in a short suffix with a letter. A folder's name has none (COVID-19, Viral Pneumonia), and
    neither has a DICOM film's (IM000001, 1.2.826.0.1.3680043.8.498.131003)."""
    suffix = os.path.splitext(name)[1][1:]
    return 0 < len(suffix) <= 5 and suffix.isalnum() and not suffix.isdigit()


def _dirs(root: Path) -> list[Path]:
    return sorted(d for d in Path(root).iterdir() if d.is_dir() and _named_like_a_class(d.name))


def unreadable_why(error: OSError) -> tuple[str, str]:
    """(what is wrong, what to do) for a folder that cannot be listed: ('cannot be read
    (Permission denied)', 'give this user read access to it')."""
    return f"cannot be read ({error.strerror or error})", "give this user read access to it"


def unreachable(path: Path) -> tuple[str, str] | None:
    """(what is wrong, what to do) where ``path`` is a link that leads nowhere or a folder that cannot
    be listed, else None (a readable folder, a file, a link to either). A share not mounted leaves
    its links pointing at nothing: the films behind them must be missed aloud."""
    try:
        if path.is_symlink():
            try:
                os.stat(path)
            except FileNotFoundError:
                return (f"is a link to nothing: {said_name(os.readlink(path))} (is a share unmounted?)",
                        "mount it, or remove the link")
            except OSError as e:
                return (f"is a link to {said_name(os.readlink(path))} that cannot be followed ({e.strerror or e})",
                        "fix or remove the link")
        if path.is_dir():
            with os.scandir(path):
                pass
    except OSError as e:
        return unreadable_why(e)
    return None


def unreachable_class_folders(data_dir: Path) -> list[tuple[Path, tuple[str, str]]]:
    """The would-be class folders (and split folders: a test/ link to nothing would make train/
    a class) that cannot be read, each with (what is wrong, what to do)."""
    data_dir = Path(data_dir)
    given = given_split_dirs(data_dir)
    found = [d for d in sorted(data_dir.iterdir()) if not given or d.name.lower() in GIVEN_SPLIT_DIRS]
    found += [d for r in given.values() for d in sorted(r.iterdir())]
    return [(d, why) for d in found if _named_like_a_class(d.name)
            and not (d.is_symlink() and named_like_a_file(d.name)) and (why := unreachable(d))]


def class_dirs(root: Path, out: Path | None = None) -> list[Path]:
    """The class folders directly under ``root``: not masks, hidden folders or run folders."""
    return [d for d in _dirs(root) if not_a_class(d, out) is None]


def class_roots(data_dir: Path) -> list[Path]:
    """Where the class folders are: train/, test/ (and val/) when the set comes split so, else data_dir."""
    return list(given_split_dirs(Path(data_dir)).values()) or [Path(data_dir)]


def class_folder_names(data_dir: Path, out: Path | None = None) -> list[str]:
    """The names of data_dir's class folders (under train/ and test/ when it comes split so),
    whether or not they hold images: what a user may name in --classes or --class-map. A link to
    nothing among them is named too: discovery stops at it rather than lose its class unseen."""
    lost = [d.name for d, _ in unreachable_class_folders(data_dir)
            if not (d.parent == Path(data_dir) and d.name.lower() in GIVEN_SPLIT_DIRS)]
    return sorted({d.name for r in class_roots(data_dir) for d in class_dirs(r, out)} | set(lost))


def left_out_text(data_dir: Path, classes: list[str], out: Path | None = None) -> str:
    """'; not used: masks/ folders, class folders Lung_Opacity, Viral Pneumonia (not in --classes)'
    or '': what the discovery line should say was passed over, so that a count lower than the
    user expects has its reason beside it."""
    text = not_used_text(data_dir, sorted(set(class_folder_names(data_dir, out)) - set(classes)), "not in --classes", out)
    return f"; {text}" if text else ""


def not_used_text(data_dir: Path, unused: list[str], why: str, out: Path | None = None) -> str:
    """'not used: masks/ folders, class folders Lung_Opacity, Viral Pneumonia (WHY)' or '': the words cxr-train,
    cxr-evaluate and cxr-compare all say for what a data folder holds that they pass over (``unused``: the class
    folders left out, ``why`` in the command's own terms), so that a user sees the same line whichever scored it."""
    masks = mask_folder_names(data_dir, out)
    parts = ([masks_text(masks)] if masks else []) + \
            ([f"class folder{'s' if len(unused) > 1 else ''} {', '.join(unused)} ({why})"] if unused else [])
    return f"not used: {', '.join(parts)}" if parts else ""


def mask_folder_names(data_dir: Path, out: Path | None = None) -> list[str]:
    """The names of the mask folders discovery passes over in data_dir's class folders, at any depth."""
    from train.film_walk import film_folders

    masks: set[str] = set()
    for root in class_roots(data_dir):
        for class_dir in class_dirs(root, out):
            for _ in film_folders(class_dir, out, lambda message: None, masks, data_dir):  # warnings: said by discovery
                pass
    return sorted(masks)


def masks_text(names: list[str]) -> str:
    """'masks/ folders' (the Kaggle layout), else each name: 'mask folders infection masks/, lung masks/',
    so that a user whose folder only looked like a mask folder sees it named."""
    if all(n.lower() in ("masks", "mask") for n in names):
        return "masks/ folders"
    return f"mask folder{'s' if len(names) > 1 else ''} {', '.join(spelt(n) + '/' for n in names)}"


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


def not_a_data_folder(data_dir: Path) -> str | None:
    """Why ``data_dir`` cannot be a data folder (a file, or nothing there), or None."""
    if Path(data_dir).is_dir():
        return None
    from edge.cliutil import broken_link
    from train.foreign_files import archive_given

    if link := broken_link(data_dir):
        return f"data folder {link}"
    if packed := archive_given(data_dir):  # --data download.zip: the command that unpacks it, the folder to give
        return packed
    return f"data folder {said_name(str(data_dir))} " + ("is a file; give the folder that holds a sub-folder per class"
                                         if Path(data_dir).exists() else "does not exist")
