"""The labelled films of a site's folder, its class folders matched to the model's labels.

cxr-evaluate and cxr-compare score folders named the site's way (train.class_names). This
module decides which folders to read before any is checked, so that a folder the user left
out (``--class-map Other=-``) is never refused for being empty, and it catches the mistakes a
user makes with such a folder: a ``--class-map`` name that matches no folder (a typo would
otherwise be ignored silently), and a class folder given in place of its parent.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from edge.film_files import is_image_file
from edge.figures import counted
from edge.output import said_name
from train.class_names import LEAVE_OUT, match_classes, parse_class_map, same_class_key
from train.class_folders import class_folder_names, class_roots, mask_folder_names, not_used_text, unreachable
from train.data import DataError, Item
from train.discovery import discover
from train.empty_class_folders import empty_unknown, empty_unknown_text, holds_films
from train.folder_level import data_folder_below
from train.label_sheet import sheet_advice
from train.foreign_files import backslash_names
from train.source_column_hint import ByCommand


def _holds_images(folder: Path) -> bool:
    return any(p.is_file() and is_image_file(str(p), p.name) for p in folder.iterdir())  # UID-named DICOMs too


def _refuse_a_class_folder(data_dir: Path, folders: list[str], labels: list[str]) -> None:
    """Raise DataError pointing at the parent when ``data_dir`` is itself one class's folder
    (eval/COVID given for eval/): discover would find no class in it and say only that. Files named
    COVID\\img.png in place of class folders are an archive unpacked badly, not one class's films."""
    if backslashed := backslash_names(data_dir, folders):
        raise DataError(backslashed)
    inside = [Path(data_dir), *(Path(data_dir) / f for f in folders if f.lower() == "images")]
    if any(f.lower() != "images" for f in folders) or not any(_holds_images(d) for d in inside):
        return
    try:
        label = match_classes([Path(data_dir).resolve().name], labels)[Path(data_dir).resolve().name]
    except ValueError:
        return
    parent = Path(data_dir).resolve().parent
    raise DataError(f"{said_name(str(data_dir))} holds the images of one class ({label}) itself; give the folder above it, {said_name(str(parent))}, "
                    "whose sub-folders are the classes")


def left_out_items(data_dir: Path, class_folders: dict[str, str]) -> list[Item]:
    """The films of the class folders mapped to '-', each labelled with its folder's name, found as
    discovery finds the others (masks/ left aside; under train/ and test/ where the set comes so);
    an empty one is no error here."""
    items = []
    for folder in sorted(f for f, label in class_folders.items() if label == LEAVE_OUT):
        try:
            items += discover(Path(data_dir), classes=[folder], min_classes=1, log=lambda message: None)[0]
        except DataError:  # holds no images: nothing to count or score
            continue
    return items


def left_out_films(data_dir: Path, class_folders: dict[str, str]) -> dict[str, int]:
    """How many films each class folder mapped to '-' holds: what report.md says was not scored,
    and that in use such films would get one of the model's labels all the same."""
    items = left_out_items(data_dir, class_folders)
    return {f: sum(i.label == f for i in items) for f in sorted(f for f, label in class_folders.items() if label == LEAVE_OUT)}


def not_used(data_dir: Path, class_folders: dict[str, str]) -> str:
    """'not used: masks/ folders, class folders Lung_Opacity, Viral Pneumonia (left out with --class-map)' or '':
    what of the site's folder was not scored and why, in cxr-train's words (train.class_folders.not_used_text), so
    that a Kaggle set's masks/ are said by cxr-evaluate and cxr-compare as cxr-train says them (report.json's and
    compare.json's not_used). A class folder ``class_folders`` lacks was passed over empty (train.empty_class_folders)."""
    left = [said_name(f) for f in sorted(f for f, label in class_folders.items() if label == LEAVE_OUT)]
    said = not_used_text(Path(data_dir), left, "left out with --class-map")
    # worked out again as the report is written: a folder copied in (with films) while they were scored is not one
    empty = [said_name(f) for f in class_folder_names(Path(data_dir))
             if f not in class_folders and not holds_films(data_dir, f)]
    if not empty:
        return said
    them = empty_unknown_text(empty, "model")
    return f"{said}, {them}" if said else f"not used: {them}"


def site_items(data_dir: Path, labels: list[str], class_map: str | None, prog: str,
               quiet: bool = False, warnings: list[str] | None = None,
               by: list[str] | None = None) -> tuple[list[Item], dict[str, str]]:
    """The labelled films of ``data_dir``, folder names replaced by the model's labels and the
    folders mapped to '-' never read; and the folder -> label map (every class folder, the
    left-out ones included). Raises DataError; warns on stderr about a --class-map name that
    matches no folder. ``warnings``: where the warnings about the films (MANIFEST.csv's labels
    against the folders, films without a row) are also kept, for the report to say them too. ``by``: the --by
    columns given, which the note on a MANIFEST.csv without a source column need not point to again."""
    data_dir = Path(data_dir)
    mapping = parse_class_map(class_map)
    if not data_dir.is_dir():
        discover(data_dir, min_classes=1)  # raises its own "does not exist"
    folders = class_folder_names(data_dir)
    _refuse_a_class_folder(data_dir, folders, labels)
    if below := data_folder_below(data_dir, folders, labels, mapping):  # before --class-map FOLDER=LABEL is advised for it
        raise DataError(below)
    if not folders:
        discover(data_dir, min_classes=1)  # raises: no class folder at all
    for name in (m for m in mapping if same_class_key(m) not in {same_class_key(f) for f in folders}):
        print(f"{prog}: warning: --class-map {said_name(name)}={said_name(mapping[name])}: no class folder of "
              f"{said_name(str(data_dir))} is named {said_name(name)} "
              f"(its folders: {', '.join(map(said_name, folders))}); ignored", file=sys.stderr)
    # an empty folder of a class the model does not know: passed over (said in not_used's note below), as cxr-train's
    # --add-data does; one of the model's own class, or named in --class-map, is still refused by discovery
    empty = empty_unknown(data_dir, folders, labels, mapping)
    folders = [f for f in folders if f not in empty]
    try:
        matched = match_classes(folders, labels, mapping)
    except ValueError as e:
        if not mapping and (sheet := sheet_advice(data_dir)):  # images/ beside metadata.csv: --class-map images=COVID
            raise DataError(f"{said_name(str(data_dir))} holds no folder per class ({', '.join(map(said_name, folders))}: "
                            f"not the model's labels); {sheet}") from None  # would score every film as one class
        raise DataError(str(e)) from None
    for folder, label in matched.items():
        if folder != label and label != LEAVE_OUT and not quiet:  # those left out: in the note below
            print(f"{prog}: folder {said_name(folder)}: scored as {label}", file=sys.stderr)
    if said := not_used(data_dir, matched):  # what cxr-train would say it passed over, in its words
        print(f"{prog}: note: {said}", file=sys.stderr)
    kept = [f for f in folders if matched[f] != LEAVE_OUT]
    if not kept:
        raise DataError(f"no class folder of {said_name(str(data_dir))} is left to score")
    def log(message: str) -> None:
        print(f"{prog}: {message}", file=sys.stderr)
        if warnings is not None and message.startswith("warning: "):
            warnings.append(message[len("warning: "):])

    keys = {same_class_key(c): c for c in labels}
    for folder in (f for f in folders if matched[f] == LEAVE_OUT and same_class_key(f) in keys):
        name, label = said_name(folder), keys[same_class_key(folder)]  # a name on disk may hold a newline: one line
        # empty: leaving it in is refused, so say what helps; never of a link to a share not mounted, whose films
        # are there once it is (its own warning below says so): it was told to 'put films in it' (review 74a)
        lost = any(unreachable(root / folder) for root in class_roots(data_dir))
        if not lost and not holds_films(data_dir, folder):
            log(f"warning: --class-map {name}=-: {name} is the model's class {label}, and its folder holds no images: "
                "that class's sensitivity goes unmeasured and the other classes' specificity is judged without its "
                f"films; put films of {label} in it to score it")
            continue
        log(f"warning: --class-map {name}=-: {name} is the model's class {label}: its films are "
            "in no figure, so that class's sensitivity goes unmeasured and the other classes' specificity is judged "
            f"without them; leave {name} out of --class-map to score it")

    items, _, _ = discover(data_dir, classes=kept, min_classes=1, log=log, check_labels=False,
                           by=ByCommand(prog, tuple(by or ())))
    # checked after the mapping, as cxr-train's --add-data does: a row may name the class a folder stands for
    # (Normal for Healthy/ under --class-map Healthy=Normal), which was said to contradict its folder, or the folder
    from train.manifest import read_manifest
    from train.manifest_labels import disagreement_warning, label_disagreements

    folder_of = {i.path: i.label for i in items}
    said = [(path, label) for path, label in label_disagreements(
        [replace(i, label=matched[i.label]) for i in items], read_manifest(data_dir)[1])
        if same_class_key(label) != same_class_key(folder_of[path])]
    if said:
        log(disagreement_warning(data_dir, said))
    if odd := [n for n in mask_folder_names(data_dir) if n.lower() not in ("masks", "mask")]:  # masks/: Kaggle's own
        log(f"warning: sub-folders {', '.join(n + '/' for n in odd)} were not scored: taken for mask images, as "
            "their names say mask; a folder of films so named needs another name")
    return [replace(i, label=matched[i.label]) for i in items], matched


def in_data_folder(out_dir: Path, data_dir: Path) -> str | None:
    """Why a report folder must not be ``out_dir``: it lies in the data folder (its plots and lists would
    be scored as films, or taken for a class folder, the next time), or None."""
    out, data = out_dir.resolve(), data_dir.resolve()
    if out == data or data in out.parents:
        return (f"it lies in the data folder {said_name(str(data_dir))}: its files would be read as films, or the folder as a class, "
                "the next time; give the report a folder outside it")
    return None


def others_files(out_dir: Path, names: tuple[str, ...], record: str, keys: set[str], tool: str,
                 what: str = "report", verb: str = "replace or remove") -> str | None:
    """Why ``out_dir`` must not take a ``tool`` report: it holds files of the report's ``names`` but no
    earlier report of that tool (``record``, a JSON file holding ``keys``), so they are the user's own,
    which the report would replace or remove; or None. A folder of notes named compare.md was replaced unsaid."""
    from edge.atomic import DamagedFile, read_json

    held = [n for n in names if (out_dir / n).exists()]
    if not held:
        return None
    try:
        before = read_json(out_dir / record)
    except (OSError, DamagedFile):
        before = None
    if isinstance(before, dict) and keys <= set(before):  # an earlier report of this tool: renewed
        return None
    return (f"it holds {', '.join(held)} but no earlier {tool} {what}: a {what} would {verb} them; "
            f"give the {what} a folder of its own")


def unreadable_clause(n: int) -> str:
    """What follows "no readable images in DIR" where files were found and none could be read."""
    if n == 1:
        return f": its {counted(n, 'image file')} could not be read (its reason is above)"
    return f": none of its {counted(n, 'image file')} could be read (each one's reason is above)" if n else ""
