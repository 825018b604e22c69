"""A data folder given one level off, caught before a film is read: a class's own folder given in place of the data
folder (base/COVID, or the Kaggle layout's CLASS/images/: is_one_class_folder, is_images_of_a_class, and the folder
to give instead, parent_to_give), or the folder above the data folder (archive/ of Kaggle's
archive/COVID-19_Radiography_Dataset/, whose one sub-folder would make one class of every film: data_folder_below,
inner_class_folders). Apart from train.class_folders, which says which sub-folders are classes; train.discovery
(and cxr-evaluate's convert.site_folders, --add-data's train.extra_data) turn their answers into DataErrors."""

from __future__ import annotations

from pathlib import Path

from edge.film_files import is_image_file
from edge.mask_folders import is_mask_folder
from edge.output import said_name
from train.class_folders import class_dirs, given_split_dirs, spelt


def _holds_images(folder: Path) -> bool:
    return any(p.is_file() and is_image_file(str(p), p.name) for p in folder.iterdir())  # UID-named DICOMs too


def is_one_class_folder(data_dir: Path, names: list[str]) -> bool:
    """Whether data_dir is itself one class's folder (base/COVID given for base): no class folders
    but images in it, or only an images/ folder of them (the Kaggle layout's CLASS/images)."""
    data_dir = Path(data_dir)
    if any(n.lower() != "images" for n in names):
        return False
    return _holds_images(data_dir) or any(_holds_images(data_dir / n) for n in names)


def _holds_films(folder: Path) -> bool:
    """Whether ``folder`` holds films itself or in an images/ folder of its own (the Kaggle layout's CLASS/images/)."""
    try:
        return _holds_images(folder) or any(_holds_images(d) for d in folder.iterdir()
                                            if d.name.lower() == "images" and d.is_dir())
    except OSError:
        return False


def inner_class_folders(folder: Path, labels: list[str] | None = None, loose: bool = False,
                        named_only: bool = False) -> list[str]:
    """The sub-folders of a would-be class folder that are class folders themselves, or []: the database's
    metadata spreadsheets beside them (COVID.metadata.xlsx), or one in the Kaggle layout (COVID/images/), or two
    named as ``labels`` (the model's or run's classes) that hold films. Folders of patients or studies under a
    class (COVID/patient 4/) are none of these; ``loose`` takes any two that hold films, for a hint where the
    folder is refused already (the only class of a training set); ``named_only`` only two named as ``labels``
    (a folder that is a class by its name or by --class-map: its scanners' images/ folders are its films)."""
    from edge.class_key import same_class_key
    from train.kaggle_metadata import metadata_files

    try:
        subs = [d for d in class_dirs(folder) if d.name.lower() != "images" and not is_mask_folder(d.name)]
    except OSError:  # cannot be listed: said as such by discovery
        return []
    names = [d.name for d in subs]
    if not subs:
        return []
    if not named_only and (metadata_files(folder) or any(_holds_films(d) and not _holds_images(d) for d in subs)):
        return names
    keys = {same_class_key(label) for label in labels or []}
    if sum(same_class_key(d.name) in keys and _holds_films(d) for d in subs) >= 2:
        return names
    return names if loose and sum(map(_holds_films, subs)) >= 2 else []


def data_folder_below(data_dir: Path, names: list[str], labels: list[str] | None = None,
                      mapping: dict[str, str] | None = None) -> str | None:
    """Why a would-be class folder of ``data_dir`` must be given as the data folder instead, or None: it holds class
    folders of its own (inner_class_folders). Kaggle's download unzips to archive/COVID-19_Radiography_Dataset/COVID/,
    and archive/ given made one class of every film: cxr-evaluate advised --class-map
    COVID-19_Radiography_Dataset=COVID, which scored them all as COVID. A folder --class-map leaves out (``mapping``:
    old_export=-) is never looked into; one that is a class by its name or by the map (covid_positive=COVID, films per
    scanner in scannerA/images/) only for two sub-folders named as ``labels``."""
    from edge.class_key import same_class_key
    from train.class_names import LEAVE_OUT

    if given_split_dirs(Path(data_dir)):
        return None
    mapping = mapping or {}
    left_out = {same_class_key(m) for m, label in mapping.items() if label == LEAVE_OUT}
    named = {same_class_key(n) for n in [*(labels or []), *(m for m in mapping if same_class_key(m) not in left_out)]}
    for name in names:
        if (key := same_class_key(name)) in left_out:
            continue
        if inner := inner_class_folders(Path(data_dir) / name, labels, named_only=key in named):
            shown = ", ".join(spelt(n) for n in inner[:5]) + (", ..." if len(inner) > 5 else "")
            return (f"the folder {spelt(name)} in {said_name(str(data_dir))} holds class folders of its own ({shown}): it is the "
                    f"data folder, not a class; give {Path(data_dir) / name}")
    return None


def is_images_of_a_class(data_dir: Path) -> bool:
    """Whether data_dir is the films' folder inside a class folder, as in the Kaggle layout's CLASS/images/: named
    images (any case), or beside a mask folder (COVID/films/ with COVID/masks/)."""
    data_dir = Path(data_dir)
    name = (data_dir.resolve() if data_dir.name in ("", ".", "..") else data_dir).name
    if name.lower() == "images":
        return True
    try:
        return any(d.name != name and is_mask_folder(d.name) and d.is_dir() for d in data_dir.resolve().parent.iterdir())
    except OSError:
        return False


def parent_to_give(data_dir: Path) -> Path:
    """The data folder to give in place of data_dir, one class's films: the folder above it, as the user wrote it
    where that says something (base for base/COVID), else absolute (COVID given from inside base); two above for
    the Kaggle layout's CLASS/images/ (is_images_of_a_class), whose parent is a class folder, not the data folder."""
    data_dir = Path(data_dir)
    for _ in range(2 if is_images_of_a_class(data_dir) else 1):
        data_dir = one_up(data_dir)
    return data_dir


def one_up(folder: Path) -> Path:
    """The folder above ``folder``, as the user wrote it where that says something (base for base/COVID), else
    absolute (COVID given from inside base, or '.')."""
    folder = Path(folder)
    return folder.resolve().parent if folder.name in ("", ".", "..") or folder.parent == Path(".") else folder.parent
