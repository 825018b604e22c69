"""The folders under a sheet's folder that ``python -m train.file_by_label`` searches for the films its rows name
(sheet_folders): linked sub-folders followed (a hospital's batch2 -> /mnt/store: os.walk does not follow links, so
its films were 'no film found'), each real folder once, and a link that leads back up to the sheet's folder or
above it never entered (a loop, or a whole disk). Mask folders are passed over by cxr-train's own rule
(edge.mask_folders, train.class_folders.SKIP_DIRS): the Kaggle COVID-19 Radiography Database's CLASS/masks/X.png
shares every name with CLASS/images/X.png, and every row was ambiguous. Hidden folders are passed over too."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from edge.mask_folders import is_mask_folder
from train.class_folders import SKIP_DIRS


def _above_or_at(outer: str, inner: str) -> bool:
    """Whether real path ``outer`` is ``inner`` or a folder above it."""
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def sheet_folders(root: Path, out: Path) -> Iterator[tuple[str, list[str]]]:
    """(folder, its file names) for each folder under ``root`` that may hold the sheet's films, ``root`` first, in
    a fixed order; ``out`` (the films an earlier run filed) left out, as are mask, hidden and system folders."""
    top, skip = os.path.realpath(root), os.path.realpath(out)
    seen = {top}

    def walk_into(folder: str, name: str) -> bool:
        if name.startswith(".") or name.lower() in SKIP_DIRS or is_mask_folder(name):
            return False
        real = os.path.realpath(folder)
        if real in seen or real == skip or _above_or_at(real, top):  # a loop, or a link up to the sheet's folder
            return False
        seen.add(real)
        return True

    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = [d for d in sorted(dirs) if walk_into(os.path.join(folder, d), d)]
        yield folder, names


def holds_sheet(out: str | os.PathLike, root: str | os.PathLike) -> bool:
    """Whether ``out`` is the sheet's folder ``root`` or a folder above it (links resolved): given as file_by_label's
    OUT, the export itself lay in it beside the class folders, and cxr-train took 'export' for a class of films."""
    return _above_or_at(os.path.realpath(out), os.path.realpath(root))


def lies_in(folder: str | os.PathLike, path: str | os.PathLike) -> bool:
    """Whether ``path`` is ``folder`` or lies under it, by absolute paths as given or with links resolved: a film in
    the export's linked sub-folder (batch2 -> /mnt/store) lies in the export by the path its sheet gave it, though
    its real folder is elsewhere (resolved alone, its row removed, its filing was left in its class, exit 0)."""
    return any(_above_or_at(norm(folder), norm(path)) for norm in (os.path.abspath, os.path.realpath))


def in_cell_folder(cell: str, exact: str, *candidates: list[str]) -> list[str]:
    """The first of ``candidates`` (the films of a cell's name, of it in any case, of its stem) that holds a film the
    cell may mean: where the cell names a folder (``d1/im.png``, '/'-separated) that the export holds (``exact``, its
    path there), only films in that folder; else any (``images\\p1.png`` written where the films lie elsewhere). A film
    deleted from d1/ was taken for d2/im.png, the one film of its name left: filed under the deleted film's label,
    or, another sheet's row naming d1/im.png, d2's filing taken out of its class."""
    folder = os.path.dirname(exact)
    narrow = "/" in cell and os.path.isdir(folder)
    return next((kept for films in candidates
                 if (kept := [f for f in films if not narrow or os.path.dirname(f) == folder])), [])
