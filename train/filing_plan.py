"""Which class folder each film a sheet's rows name is filed in, and the rows left out so far (not found, ambiguous,
two labels, a label not known yet): train.file_by_label's plan, made before a film is linked or copied."""

from __future__ import annotations

import os
from pathlib import Path

from edge.controls import CONTROL
from edge.film_files import IMAGE_SUFFIXES, is_image_name, may_be_dicom_name
from train.film_places import dest_names
from train.filing import Filing
from train.class_folders import SIDE_FILES, SKIP_DIRS
from train.filed_record import RecordUnreadable, other_sheets, read_record
from train.label_spellings import first_spelling, spelling_key
from train.sheet_walk import in_cell_folder, sheet_folders

# labels that say the label is not known yet (ieee8023's 'todo', 'Unknown'): no class of films
PLACEHOLDERS = {"todo", "unknown", "tbd", "?", "n/a"}


def film_index(root: Path, out: Path) -> tuple[dict[str, list[str]], ...]:
    """Every file under ``root`` by its name, by its name in lower case (a sheet typed on Windows says P1.PNG
    for p1.png), and each film by its name without its image suffix in lower case (RSNA's patientId names
    <id>.dcm), ``out`` left out: the films filed by an earlier run are no second film of each name. Linked folders are
    searched, mask folders not (train.sheet_walk)."""
    index: dict[str, list[str]] = {}
    lower: dict[str, list[str]] = {}
    stems: dict[str, list[str]] = {}
    for folder, names in sheet_folders(root, out):  # links followed; masks passed over (train.sheet_walk)
        for name in names:
            index.setdefault(name, []).append(os.path.normpath(os.path.join(folder, name)))
            lower.setdefault(name.lower(), []).append(index[name][-1])
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in IMAGE_SUFFIXES:
                stems.setdefault(stem.lower(), []).append(index[name][-1])
    return index, lower, stems


def folder_name(label: str) -> str:
    """The class folder of ``label``: '/' and '\\' (ieee8023's 'Pneumonia/Viral') made '_', as are control characters
    (a line break in a folder's name) and a name of dots; a leading dot, and a name cxr-train passes over as no class
    (masks, __MACOSX, lost+found, MANIFEST.csv: train.class_folders), get a '_' first: OUT/.Normal and OUT/Masks were
    filed with exit 0 and never trained on."""
    name = CONTROL.sub("_", label.replace("/", "_").replace("\\", "_"))
    if not name.strip("."):
        return "_" * len(name)
    if name.startswith("."):
        return "_" + name[1:]
    return "_" + name if name.lower() in SKIP_DIRS | SIDE_FILES else name


def _film(value: str, root: Path, index: tuple[dict[str, list[str]], ...], filing: Filing) -> str | None:
    """The film a row's file cell names: its path under ``root`` where it is one, else the one film of its name (in
    the cell's folder where the export has it), else (no suffix in the cell) the one of that name and an image suffix."""
    rel = value.replace("\\", "/")
    exact = os.path.normpath(rel if os.path.isabs(rel) else os.path.join(root, rel))
    if "/" in rel and os.path.isfile(exact):
        return exact
    name = rel.rsplit("/", 1)[-1]  # by its name, in any case, or its stem: in the cell's folder (train.sheet_walk)
    found = in_cell_folder(rel, exact, *(ix.get(k, []) for ix, k in zip(index, (name, name.lower(), name.lower()))))
    if len(set(found)) > 1:
        filing.ambiguous.append(name)
    elif not found:
        filing.not_found.append(value)
    return found[0] if len(set(found)) == 1 else None


def plan(rows: list[tuple[str, str]], root: Path, out: Path,
         dropped: list[str] | tuple[str, ...] = (), sheet: Path | None = None) -> tuple[dict[str, str], Filing]:
    """(film -> its class folder, the rows left out so far) of the sheet's ``rows``; filing.named and filing.names
    hold every film a row names (a row with no label, several, or one not known yet ('todo') too, and the films of
    ``dropped``, rows read_sheet left out: filed earlier, such a film is in no class now); filing.left_cells the file
    cells of those left out whose film is not found or ambiguous (one filed earlier is in no class now either).
    ``sheet``: the sheet read, whose labels go in a class folder of OUT another sheet spelt (:func:`others_folders`)."""
    filing, index, films = Filing(), film_index(root, out), {}
    conflicting, by_real = set(), {}
    spellings = {spelling_key(f): f for f in reversed(others_folders(out, sheet))}  # another sheet's COVID/ first
    from_out = set(spellings.values())
    filing.found = index[1]  # a recorded film moved within an export moved since is known by it (train.rowless_filings)

    def one(film: str | None) -> str | None:  # one film reached by two links (a/p1.png, b/p1.png) is one film
        return None if film is None else by_real.setdefault(os.path.realpath(film), film)

    def left(value: str) -> None:  # a row left out: its film is in no class now (filed earlier, taken out)
        if value and (film := one(_film(value, root, index, Filing()))) is not None:
            filing.named.add(film)
        elif value:
            filing.left_cells.append(value)  # not found, or ambiguous: its earlier filing is said (train.stale_films)

    for value in dropped:
        left(value)
    for k, (value, label) in enumerate(rows):
        if not label or "|" in label or label.casefold() in PLACEHOLDERS:
            left(value)
            if label.casefold() in PLACEHOLDERS:
                filing.placeholder[label] = filing.placeholder.get(label, 0) + 1
            elif not label:
                filing.no_label += 1
            else:
                filing.multi.append(label)
            continue
        folder = folder_name(label)
        if folder != label:
            filing.renamed[label] = folder
        if (first := first_spelling(folder, spellings)) != folder:  # Normal and normal: one class (train.label_spellings)
            filing.respelt[folder], folder = first, first
            if first in from_out:  # a folder OUT has (another sheet's spelling): covid filed beside COVID/, exit 0
                filing.respelt_out.add(first)
        if not value:
            filing.not_found.append("(empty)")
            continue
        if (film := one(_film(value, root, index, filing))) is None:
            continue
        if not is_image_name(os.path.basename(film)) and not may_be_dicom_name(os.path.basename(film)):
            filing.not_films.append(value)  # ieee8023's volumes/*.nii.gz: no film to file with the X-rays
            continue
        filing.named.add(film)
        filing.row_of.setdefault(film, k)
        if film in films:
            filing.twice.append(os.path.basename(film))
            if films[film] != folder:
                conflicting.add(film)
        films.setdefault(film, folder)
    filing.ambiguous = sorted(set(filing.ambiguous))
    filing.conflicting = sorted(os.path.basename(f) for f in conflicting)
    filing.twice = sorted(set(filing.twice))
    filing.names, clashing = dest_names(sorted(filing.named), str(root))
    filing.clashing = [os.path.relpath(f, root) for f in clashing if f in films and f not in conflicting]
    return {f: c for f, c in films.items() if f not in conflicting and f not in clashing}, filing


def others_folders(out: Path, sheet: Path | None) -> list[str]:
    """The class folders of OUT (in name order) that hold a file ``sheet`` did not file (another sheet's filing, a
    user's film; every folder where OUT/.filed.csv cannot be read): a label of this sheet spelt otherwise only in case
    or spaces is filed in such a folder, not beside it (covid/ beside another sheet's COVID/ each exited 0, and
    cxr-train refused OUT). A folder of this sheet's filings alone follows its label's new spelling. None without
    ``sheet``."""
    if sheet is None:
        return []
    try:
        record = read_record(out) or {}
    except RecordUnreadable:
        record = None
    folders = []
    try:
        for folder in sorted(os.scandir(out), key=lambda e: e.name):
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            if record is None or any(not f.name.startswith(".") and ((entry := record.get(f"{folder.name}/{f.name}"))
                                                                     is None or other_sheets(entry, sheet))
                                     for f in os.scandir(folder.path)):
                folders.append(folder.name)
    except OSError:  # OUT not made yet, or unreadable (said where the filing writes there)
        pass
    return folders


def labelled_folders(rows: list[tuple[str, str]]) -> set[str]:
    """The class folders the sheet's ``rows`` file films in now (one label each, known): train.stale_films takes a
    film out of any other only where its record says it filed it."""
    return {folder_name(lab) for _, lab in rows if lab and "|" not in lab and lab.casefold() not in PLACEHOLDERS}
