"""Class folders a run emptied, removed: where empty, or holding a desktop's litter alone (Finder's .DS_Store and
._ files, Explorer's Thumbs.db and desktop.ini), which goes with it. Moved out of train.stale_films, which takes
films out and had reached the house's 300 lines."""

from __future__ import annotations

import os

# what a desktop leaves in a folder a user opened (Finder's .DS_Store and ._ files, Explorer's Thumbs.db and
# desktop.ini): no film, and a class folder holding only these is still one to cxr-train, a case twin of its new one
LITTER = {".ds_store", "thumbs.db", "desktop.ini"}


def remove_emptied(folder: str) -> None:
    """``folder`` removed where it is empty, or holds a desktop's litter alone (removed with it): covid/ left with
    its .DS_Store beside the respelt COVID/ made cxr-train refuse OUT, both runs having exited 0. Anything else in it
    keeps it, as it is."""
    try:
        with os.scandir(folder) as entries:
            litter = [e.path for e in entries]
        if not all(os.path.basename(q).casefold() in LITTER or os.path.basename(q).startswith("._") for q in litter):
            return
        for q in litter:
            if not os.path.isfile(q) or os.path.islink(q):
                return
        for q in litter:
            os.remove(q)
        os.rmdir(folder)
    except OSError:
        pass
