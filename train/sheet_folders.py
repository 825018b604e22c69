"""Folders that only hold the films of a sheet of labels beside them, refused as classes.

NIH's ChestX-ray14 unpacks to Data_Entry_2017.csv beside images_001/ ... images_012/ (the parts the download came
in), and ieee8023's covid-chestxray-dataset to metadata.csv beside images/, docs/ and annotations/. Each folder
looked like a class: cxr-train trained classes images_001, images_002, ... (and told ieee8023's user to train
--classes docs,images), and one of them given as the data folder was told to give its parent, which is that same
folder. Where a sheet of labels lies beside folders named as parts of one download or as a folder of images, the
labels are the sheet's: the refusal gives its filing command (train.label_sheet.sheet_advice). A sheet whose labels
are the folders' names agrees with them (a folder per class with its labels.csv), and is not refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from edge.class_key import same_class_key
from edge.output import said_name
from train.class_folders import class_folder_names, spelt
from train.folder_level import is_images_of_a_class, one_up
from train.label_sheet import label_sheets, sheet_advice

_NUMBERED = re.compile(r"^(.*[^\W\d_].*?)[ ._-]*(\d+)$")  # images_001, part 2, batch-03: a stem with letters, a number
# the stems a download's parts are named by; class_0/class_1 and stage_1/stage_2 are classes (session 70's review)
PART_STEMS = {"images", "image", "imgs", "img", "part", "parts", "batch", "chunk", "shard", "archive", "files", "data",
              "volume", "vol", "disk", "zip"}


def download_parts(names: list[str]) -> list[str]:
    """The names among ``names`` that number the parts of one download (images_001, images_002: two or more with
    one stem of PART_STEMS, ignoring case, and different numbers), in their order."""
    stems: dict[str, set[int]] = {}
    for name in names:
        if m := _NUMBERED.match(name):
            if m.group(1).lower().strip(" ._-") in PART_STEMS:
                stems.setdefault(m.group(1).lower(), set()).add(int(m.group(2)))
    return [n for n in names if (m := _NUMBERED.match(n)) and len(stems.get(m.group(1).lower(), ())) >= 2]


def _storage(names: list[str]) -> tuple[list[str], str] | None:
    """The folders among ``names`` that hold films of any label, and why in words, or None."""
    if parts := download_parts(names):
        return parts, "parts of one download"
    if images := [n for n in names if n.lower() == "images"]:
        return images, "a folder of films of any label"
    return None


def sheet_beside_folders(folder: Path, out: Path | None = None) -> str | None:
    """Why ``folder``'s sub-folders are no classes (NIH's images_001/, ieee8023's images/ beside the sheet of labels
    that names their films' labels), ending in the sheet's filing command; or None."""
    names = class_folder_names(folder, out)
    if not (storage := _storage(names)):
        return None
    sheets = label_sheets(folder)
    if not sheets or any(same_class_key(name) in {same_class_key(label) for label in sheets[0].labels} for name in names):
        return None  # no sheet, or one that labels the films as their folders do
    shown, why = storage
    listed = ", ".join(map(spelt, shown[:5])) + (", ..." if len(shown) > 5 else "")
    return (f"the {'folders' if len(shown) > 1 else 'folder'} {listed} in {said_name(str(folder))} "
            f"{'are' if len(shown) > 1 else 'is'} {why}, not {'classes' if len(shown) > 1 else 'a class'}; "
            f"{sheet_advice(folder)}")


def sheet_above(data_dir: Path, out: Path | None = None) -> str | None:
    """For ``data_dir`` that holds films but no class folders: why the folder above it (two above for images/, or a
    folder beside masks/) is no data folder of classes either, as :func:`sheet_beside_folders` says; or None, where
    giving that folder is the way on."""
    above = one_up(Path(data_dir))
    if problem := sheet_beside_folders(above, out):
        return problem
    return sheet_beside_folders(one_up(above), out) if is_images_of_a_class(data_dir) else None
