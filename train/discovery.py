"""Find the labelled films under a data folder: its layout, its class folders, and what is refused or said about them.

Supported layouts (class folders are found by name, any depth of ``images/``):
  DIR/CLASS/*.png                      a folder per class
  DIR/CLASS/images/*.png               the Kaggle COVID-19 Radiography Database (masks/ ignored)
  DIR/train/CLASS/*, DIR/test/CLASS/*  a given split, as in the original tutorial (val/ optional)

Sub-folders of a class folder named for masks (masks/, lung masks/, Infection_Masks/) are passed
over and named on cxr-train's discovery line. A class folder that cannot be read (a link to a share
not mounted) stops the run; a sub-folder that cannot be read is warned about. Two folders naming one
part of a given split (val/ and validation/) are refused.

Which folders are classes is train.class_folders'; the films found are read by train.scan and split by train.split.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Callable, Iterable

from edge.figures import counted
from edge.film_files import film_or_lost_suffix, is_image_name
from edge.names import is_text
from edge.output import said_name
from train.class_folders import (GIVEN_SPLIT_DIRS, case_twins, class_dirs, class_folder_names, given_split_dirs,
                                 half_a_split, not_a_data_folder, run_folders, spelt, split_inside_a_class, split_twins,
                                 unreachable_class_folders)
from train.folder_level import (data_folder_below, inner_class_folders, is_images_of_a_class, is_one_class_folder,
                                parent_to_give)
from train.data import DataError, Item, count, stderr_note
from train.film_walk import film_folders
from train.class_choice import as_folders, listed, classes_option, leave_out_option, nameless, nameless_error, not_found, \
    not_text_error, twins_remedy
from train.foreign_files import archives_in, archives_warning, backslash_names, is_archive_name, passed_over_warning
from train.label_sheet import sheet_advice
from train.film_sources import attach_sources
from train.manifest import ManifestError
from train.sheet_folders import sheet_above, sheet_beside_folders
from train.source_column_hint import ByCommand


def _twin_spelt(name: str) -> str:
    """A twin class folder as the refusal shows it: one written decomposed (NFD, as a Mac copies it) is said to be,
    since Café and Café print alike and the user could not tell which folder to rename."""
    return spelt(name) + (" (written decomposed, NFD)" if unicodedata.normalize("NFC", name) != name else "")


def discover(data_dir: Path, classes: list[str] | None = None, min_classes: int = 2, out: Path | None = None,
             log: Callable[[str], None] = stderr_note,
             check_labels: bool = True, leave_out_hint: bool = True,
             by: ByCommand = ByCommand(),
             empty_hint: Callable[[list[str]], str] | None = None) -> tuple[list[Item], dict[str, str] | None, str]:
    """Find (items, given split by path or None, layout name) under data_dir.

    Training needs two classes at least; scoring a model does not (a site may check the
    sensitivity on its confirmed cases alone), so cxr-evaluate asks for one. ``out``: the run
    being written, whose folder is never a class even while it holds nothing yet; run folders
    are left out with a note to ``log``. ``leave_out_hint``: an empty class folder's error says how to
    go on without it (--classes for training, --class-map FOLDER=- for scoring); not where neither
    would (an --add-data folder is listed before its --class-map applies). ``by``: the scoring command and its --by
    columns, for the note on a MANIFEST.csv without a source column (train.source_column_hint). ``empty_hint``: what
    to do with the empty class folders it is given, said after their error in the place of those hints (an --add-data
    folder's: train.empty_class_folders.site_empty_hint)."""
    data_dir = Path(data_dir)
    if problem := (not_a_data_folder(data_dir) or split_twins(data_dir) or half_a_split(data_dir)
                   or split_inside_a_class(data_dir, out)):
        raise DataError(problem)
    _unreachable_classes(data_dir, classes, out, log)
    found = class_folder_names(data_dir, out)
    if backslashed := backslash_names(data_dir, found):
        raise DataError(backslashed)
    if is_one_class_folder(data_dir, found):
        if sheet := sheet_advice(data_dir):  # films and labels.csv: its parent's sub-folders are no classes either
            raise DataError(f"{said_name(str(data_dir))} holds images but no class folders; {sheet}")
        if sheet := sheet_above(data_dir, out):  # nih/images_001: its parent's folders are parts of a download
            raise DataError(f"{said_name(str(data_dir))} holds images but no class folders; {sheet}")
        raise DataError(f"{said_name(str(data_dir))} holds images but no class folders: give "
                        + ("the folder two levels up" if is_images_of_a_class(data_dir) else "its parent")
                        + f" ({said_name(str(parent_to_give(data_dir)))}), whose sub-folders are the classes"
                        + (" (the Kaggle layout: CLASS/images/)" if is_images_of_a_class(data_dir) else ""))
    if min_classes > 1 and (sheet := sheet_beside_folders(data_dir, out)):  # names become labels: never images_001
        raise DataError(sheet)  # before an empty class folder's error, whose --classes would train them
    skipped = run_folders(data_dir, out)
    picked = as_folders(classes, found + [f.name for f, _ in skipped]) if classes is not None else []
    for folder, why in skipped:
        if classes is None or folder.name in picked:  # a run folder --classes would have named
            log(f"note: skipped folder {said_name(str(folder))}: {why}")
    trained = found if classes is None else [p for p in picked if p in found]  # the folders whose names become labels
    if min_classes > 1 and (odd := [f for f in trained if not is_text(f)]):  # cxr-convert could never write them
        raise DataError(not_text_error(odd[0], data_dir))
    if classes is None and min_classes > 1 and (bad := [f for f in found if nameless(f)]):  # names become the labels
        raise DataError(nameless_error(f"{bad[0]} in {said_name(str(data_dir))}", "class folder", "rename the folder"))
    twins = case_twins(found) if classes is None and min_classes > 1 else []
    if twins:  # cxr-evaluate and --add-data (min_classes 1) match names ignoring case: there twins merge
        raise DataError(f"class folders {' and '.join(map(_twin_spelt, twins[0]))} in {said_name(str(data_dir))} differ only in case or "
                        "punctuation and would be trained as different classes (cxr-evaluate takes them as one): "
                        f"{twins_remedy(twins[0])}")
    # no --classes, no model's labels: the folders' names become the labels, a misspelt Kaggle one is asked about
    names_given = classes is not None or min_classes < 2
    given = given_split_dirs(data_dir)
    items: list[Item] = []
    given_split: dict[str, str] | None = None
    passed: list[tuple[str, str, str]] = []  # (path, class, image format) of the images without an image suffix
    archives: list[tuple[str, str]] = []  # (path, class) of the archives in the class folders
    if given:
        layout, given_split = "train/test folders", {}
        for part, d in given.items():
            for it in _class_folders(d, data_dir, out, log, passed, archives):
                items.append(it)
                given_split[it.path] = part
    else:
        items = list(_class_folders(data_dir, data_dir, out, log, passed, archives))
        layout = "kaggle (CLASS/images)" if any("/images/" in i.path for i in items) else "folder per class"
    if classes:
        asked, classes = classes, as_folders(classes, found)
        unknown = [c for c in classes if c not in found]
        if unknown:
            raise DataError(not_found(unknown, asked, found, data_dir))
        items = [i for i in items if i.label in classes]
    else:
        classes = found
    counts = count(items, classes)
    empty = [c for c, n in counts.items() if n == 0]
    if empty:
        masks = [c for c in empty if (Path(data_dir) / c / "masks").is_dir()]
        rest = [c for c in classes if c not in empty]
        raise DataError(f"{'class folder' if len(empty) == 1 else 'class folders'} {', '.join(empty)} in {said_name(str(data_dir))} "
                        f"{'holds' if len(empty) == 1 else 'hold'} no images (files with an image suffix "
                        "such as .png, .jpg, .dcm, or DICOM files whatever their name)"
                        + (f"; the lung masks in {masks[0]}/masks/ are no films" if masks else "")
                        + (empty_hint(empty) if empty_hint else "" if not leave_out_hint else
                           f"; to train without {'it' if len(empty) == 1 else 'them'}: {classes_option(rest)}"
                           if min_classes >= 2 and len(rest) >= min_classes else
                           # scoring: no --classes there, but --class-map leaves a folder out
                           f"; to go on without {'it' if len(empty) == 1 else 'them'}: {leave_out_option(empty)}"
                           if min_classes < 2 and rest else ""))
    if len(classes) < min_classes:
        if below := data_folder_below(data_dir, classes):  # archive/ of archive/COVID-19_Radiography_Dataset
            raise DataError(below)
        if sheet := sheet_advice(data_dir):  # NIH's images_001/images/ beside Data_Entry_2017.csv
            raise DataError(f"{said_name(str(data_dir))} holds no folder per class; {sheet}")
        inner = inner_class_folders(data_dir / classes[0], loose=True) if len(classes) == 1 else []
        raise DataError(f"need at least {min_classes} class{'es' if min_classes > 1 else ''} with images in {said_name(str(data_dir))}, "
                        f"found {', '.join(map(spelt, classes)) or 'none'}: give a folder that holds a sub-folder of "
                        "films per class (DATA/COVID/, DATA/Normal/)"
                        + (f"; {', '.join(map(said_name, packed[:3]))}{', ...' if len(packed) > 3 else ''} there "
                           f"{'is an archive' if len(packed) == 1 else 'are archives'}, not read: unpack "
                           f"{'it' if len(packed) == 1 else 'them'}" if (packed := archives_in(data_dir)) else "")
                        + (f"; if the folders in {classes[0]} ({listed(inner[:5])}{', ...' if len(inner) > 5 else ''}) "
                           f"are the classes, give {said_name(str(data_dir / classes[0]))}" if inner else ""))
    if warning := passed_over_warning(data_dir, [p for p in passed if p[1] in classes]):
        log(warning)
    if warning := archives_warning(data_dir, archives_in(data_dir) + [p for p, c in archives if c in classes]):
        log(warning)  # COVID.zip beside the class folders, Normal/more films.zip: their films were never read
    if loose := loose_images(data_dir):  # no class folder, no label: said, not dropped without a word
        log(f"warning: {counted(len(loose), 'image file')} {'lies' if len(loose) == 1 else 'lie'} in {said_name(str(data_dir))} itself, "
            f"outside any class folder (e.g. {said_name(loose[0])}): "
            "not used; put each in the folder of its class")
    try:
        attach_sources(items, data_dir, log, check_labels, by, names_given=names_given)
    except ManifestError as e:
        raise DataError(str(e)) from None
    return items, given_split, layout


def _unreachable_classes(data_dir: Path, classes: list[str] | None, out: Path | None,
                         log: Callable[[str], None]) -> None:
    """Raise for a class (or split) folder that cannot be read: a link to a share not mounted would
    otherwise make a 3-class run a 2-class one without a word, and a missing class is an error
    everywhere else in discovery (--classes naming no folder, a class folder without images). One
    that --classes leaves out is only said: nothing is lost. Which it leaves out is told by the
    folders its names pick (as_folders), not by their keys: COVID-19 beside a chosen COVID is left out."""
    lost = unreachable_class_folders(data_dir)
    split = [(f, w) for f, w in lost if f.parent == data_dir and f.name.lower() in GIVEN_SPLIT_DIRS]
    if split:  # said before the class folders are listed: listing the split folder would fail
        folder, (what, todo) = split[0]
        raise DataError(f"split folder {said_name(str(folder))} {what}; its films cannot be read, and going on would leave out this "
                        f"part of the split: {todo}")
    picked = as_folders(classes, class_folder_names(data_dir, out)) if classes is not None and lost else None
    for folder, (what, todo) in lost:
        if picked is not None and folder.name not in picked:
            if not folder.is_dir():  # a folder that cannot be listed is said by the walk (train.class_folders)
                log(f"warning: class folder {said_name(str(folder))} {what}; it is not among the classes asked for, so no film is lost")
            continue
        raise DataError(f"class folder {said_name(str(folder))} {what}; its films cannot be read, and going on would leave out its "
                        f"class: {todo}")


def loose_images(data_dir: Path) -> list[str]:
    """The names of the image files directly in ``data_dir``, sorted."""
    try:
        return sorted(p.name for p in data_dir.iterdir() if is_image_name(p.name) and p.is_file())
    except OSError:
        return []


def _class_folders(root: Path, data_dir: Path, out: Path | None = None, log: Callable[[str], None] = stderr_note,
                   passed: list[tuple[str, str, str]] | None = None,
                   archives: list[tuple[str, str]] | None = None) -> Iterable[Item]:
    """The films of root's class folders; ``passed`` gets (path, class, image format) of each image left out for
    want of an image suffix alone (edge.film_files.lacks_image_suffix), ``archives`` (path, class) of each archive
    (.zip, ...), for discovery to say."""
    for class_dir in class_dirs(root, out):
        for dirpath, filenames in film_folders(class_dir, out, log, data_dir=data_dir):  # masks, hidden, run folders, links up
            for name in filenames:
                path = os.path.join(dirpath, name)
                film, what = film_or_lost_suffix(path, name)  # by suffix, or DICOM by content; its bytes read once
                if film:
                    yield Item(Path(path).relative_to(data_dir).as_posix(), class_dir.name)
                elif archives is not None and is_archive_name(name):
                    archives.append((Path(path).relative_to(data_dir).as_posix(), class_dir.name))
                elif passed is not None and what:
                    passed.append((Path(path).relative_to(data_dir).as_posix(), class_dir.name, what))
