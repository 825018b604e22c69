"""A watched folder's listing, as one poll reads it (edge.watch): its films and its sub-folders.

A poll reads a folder again only where its time stamps moved, and then lists it whole: one arrival in a
folder that keeps 20,000 films costs its poll some 55-75 ms of CPU on a PC's core (benchmarks/watch_poll.py),
not one stat; a directory entry carries its inode, so a listing needs no stat per file, which on a network
share is a round trip each. It keeps the files with an image name and those whose name may be DICOM's (a PACS
export's ``1.2.826.0.1.3680043.8.498.131003``). Hidden files and copy tools' partial names (``.part``, ``.tmp``)
are skipped, as in a batch, and so are a disk's system folders (``lost+found``, ``$RECYCLE.BIN``) and mask
folders (Kaggle's ``CLASS/masks/``) under --recursive; the linked and mask sub-folders it does not enter are
handed back, for the watch to say once (edge.links).
"""

from __future__ import annotations

import os

from edge.film_files import is_image_name, may_be_dicom_name, walked_into
from edge.mask_folders import is_mask_folder

# a folder's ((mtime, ctime), [(file, inode)]: image names and names that may be DICOM's, sub-folders); its
# ctime too: a file renamed over an old name, then the folder's date put back (rsync -a), moves only that
Listing = tuple[tuple[int, int], list[tuple[str, int]], list[str]]


def read(folder: str, dates: tuple[int, int], linked: list[str] | None = None,
         masks: list[str] | None = None) -> Listing:
    """((mtime, ctime), image files and files that may be DICOM with their inodes, visible sub-folders) of
    one folder; OSError where it cannot be read. A directory entry carries its inode, so this
    needs no stat per file. ``linked`` and ``masks`` get the linked and mask sub-folders it does not enter
    (edge.links)."""
    files, subdirs = [], []
    with os.scandir(folder) as entries:
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                is_dir = e.is_dir()
            except OSError:  # a link that cannot be followed (a loop, a folder it may not read): not a folder
                is_dir = False
            if is_dir:
                if not walked_into(e.name):
                    if masks is not None and is_mask_folder(e.name):
                        masks.append(e.path)
                    continue
                if not e.is_symlink():  # as os.walk(followlinks=False), as a batch
                    subdirs.append(e.path)
                elif linked is not None:  # not entered: a link may lead back up
                    linked.append(e.path)
            elif is_image_name(e.name) or may_be_dicom_name(e.name):
                files.append((e.path, e.inode()))
    return dates, sorted(files), sorted(subdirs)
