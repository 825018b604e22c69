"""The walk of one class folder down to its films (film_folders): linked sub-folders followed, each real folder
once; masks, hidden, run folders and another copy tool's leftovers passed over; and a link that leads back up to the
data folder, above it, or into another class folder not entered (COVID/loop -> .. filed every Normal film as COVID,
a link to / walked the whole disk). Whatever is passed over for a reason a user may not expect is said to a ``log``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

from edge.film_files import is_image_name
from edge.mask_folders import is_mask_folder  # one rule: edge-classify --recursive passes over the same folders
from edge.output import said_name
from train.class_folders import (SKIP_DIRS, named_like_a_file, class_dirs, class_roots, not_a_class, unreachable,
                                 unreadable_why)


def _walk_into(folder: Path, seen: set[str], out: Path | None, log: Callable[[str], None],
               masks: set[str] | None, leads_back: Callable[[str], str | None] = lambda real: None) -> bool:
    """Whether the walk of a class folder goes into ``folder``: not hidden, masks or another
    copy tool's leftovers, not a folder it has been in already (a link back to itself), not one
    ``leads_back`` says why not (a link up to the data folder or into another class), not a run folder."""
    name = folder.name
    if name.startswith(".") or name.lower() in SKIP_DIRS or is_mask_folder(name):
        if masks is not None and is_mask_folder(name):
            masks.add(name)
        return False
    real = os.path.realpath(folder)
    if real in seen:
        return False
    if why := leads_back(real):
        log(f"note: skipped {_link_shown(folder)}: {why}")
        return False
    if why := not_a_class(folder, out):  # an old run copied into a class folder: its plots
        log(f"note: skipped folder {said_name(str(folder))}: {why.replace('not a class', 'not films')}")
        return False
    seen.add(real)
    return True


def _link_shown(folder: Path) -> str:
    """'link COVID/loop -> ..' (as the link is written), or 'folder COVID/x' where it is none."""
    try:
        return f"link {said_name(str(folder))} -> {said_name(os.readlink(folder))}"
    except OSError:
        return f"folder {said_name(str(folder))}"


def _holds(outer: str, inner: str) -> bool:
    """Whether real path ``outer`` is ``inner`` or a folder above it."""
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def _fence(class_dir: Path, data_dir: Path, out: Path | None) -> Callable[[str], str | None]:
    """Why the walk of ``class_dir`` must not go into a folder of a given real path, or None: a link
    that leads back up to the data folder (COVID/loop -> ..), above it (-> /), above the class
    folder, or into (or above) another class folder would file other classes' films, or a whole disk,
    under this class. Each real folder once (film_folders' ``seen``) only stopped an endless walk.
    A site folder linked in from outside the data folder (Normal/siteB -> /mnt/siteB) is walked."""
    label = class_dir.name
    mine = os.path.realpath(class_dir)
    data_dir = Path(data_dir)
    tops = [(os.path.realpath(data_dir), "the data folder")]
    if (root := os.path.realpath(class_dir.parent)) != tops[0][0]:  # train/ of a split given in folders
        tops.append((root, f"the data folder's {class_dir.parent.name}/ folder"))
    others = {}
    for top in class_roots(data_dir):
        try:
            folders = class_dirs(top, out)
        except OSError:  # cannot be listed: said by discovery
            continue
        for d in folders:
            if (real := os.path.realpath(d)) != mine:
                others.setdefault(real, d.relative_to(data_dir).as_posix())

    def why(real: str) -> str | None:
        for top, what in tops:
            if real == top:
                return f"it leads back up to {what}, whose other classes' films would be filed as {label}"
            if _holds(real, top):
                return (f"it leads up to {real}, above {what}: every film below it, other classes' too, would be "
                        f"filed as {label}")
        if _holds(real, mine):
            return (f"it leads back up to {real}, above the class folder, and every film below it would be filed "
                    f"as {label}")
        for other, name in others.items():
            if _holds(real, other) or _holds(other, real):
                twin = name.rsplit("/", 1)[-1] == label  # train/COVID -> test/COVID: the same class in another part
                where = "into the class folder" if _holds(other, real) else f"to {real}, which holds the class folder"
                return (f"it leads {where} {name}, whose films are read there already" if twin else
                        f"it leads {where} {name}, whose films would be filed as {label}")
        return None

    return why


def _links_to_nowhere(dirpath: str, filenames: list[str], log: Callable[[str], None]) -> list[str]:
    """``filenames`` less the links that lead nowhere, each said to ``log``. os.walk lists a linked
    sub-folder whose target is gone (Normal/siteB -> /mnt/siteB, a share unmounted) among the files.
    A link with an image name stays: the scan names it among the files it could not read; one named
    like another file (notes.txt) stays too, and is no film."""
    kept = []
    for name in filenames:
        path = Path(dirpath, name)
        if not (is_image_name(name) or named_like_a_file(name)) and path.is_symlink() and (why := unreachable(path)):
            log(f"warning: {said_name(str(path))} {why[0]}; any films there are left out: {why[1]}")
        else:
            kept.append(name)
    return kept


def film_folders(class_dir: Path, out: Path | None, log: Callable[[str], None],
                 masks: set[str] | None = None, data_dir: Path | None = None) -> Iterator[tuple[str, list[str]]]:
    """(folder, its file names, sorted) for each folder under ``class_dir`` whose files may be
    films. Linked sub-folders are followed (a site's films linked in: Normal/siteB -> /mnt/siteB),
    each real folder once, so that a link back up cannot make the walk endless; one that leads
    back up to the data folder (``data_dir``, the class folder's parent by default), above it or
    into another class folder is not entered, and is said to ``log`` (_fence). Sub-folders named
    for masks are passed over (their names added to ``masks``); ones that cannot be read, and
    links to nothing, are said to ``log``, since their films would otherwise be missed silently."""
    seen = {os.path.realpath(class_dir)}
    leads_back = _fence(Path(class_dir), Path(class_dir).parent if data_dir is None else Path(data_dir), out)

    def unreadable(e: OSError) -> None:
        what, todo = unreadable_why(e)
        log(f"warning: folder {e.filename} {what}; any films there are left out: {todo}")

    for dirpath, dirnames, filenames in os.walk(class_dir, onerror=unreadable, followlinks=True):
        dirnames[:] = [d for d in sorted(dirnames) if _walk_into(Path(dirpath, d), seen, out, log, masks, leads_back)]
        yield dirpath, _links_to_nowhere(dirpath, sorted(filenames), log)
