"""Sub-folders that edge-classify --recursive (and --watch --recursive) does not enter: linked ones, since a link
may lead back up and the walk would never end, and mask folders (edge.mask_folders), whose lung masks are named
as the films are and are no films. Their files are not answered, so they are named on stderr (once) and in the
"no images found" error, never passed over without a word; and so are, without --recursive, films in sub-folders."""

from __future__ import annotations

import os

from edge.figures import counted


def _shown(folders: list[str]) -> str:
    from edge.output import said_name  # a newline in a name forged a line, an ESC ran on the terminal

    return ", ".join(map(said_name, folders[:3])) + (f" and {len(folders) - 3} more" if len(folders) > 3 else "")


def linked_text(linked: list[str]) -> str:
    """'linked sub-folders are not entered, even with --recursive, since ...: a/b, a/c; name one as an argument to
    classify its films', of at most 3 named."""
    return (f"linked sub-folders are not entered, even with --recursive, since a link may lead back up and the walk "
            f"would never end: {_shown(linked)}; name one as an argument to classify its films")


def masks_text(masks: list[str]) -> str:
    """'mask sub-folders are not entered, even with --recursive, since ...: COVID/masks, Normal/masks; name one
    as an argument to classify its files', of at most 3 named, as :func:`linked_text` names linked ones."""
    return (f"mask sub-folders are not entered, even with --recursive, since they hold masks (lung masks named as the "
            f"films are), not films: {_shown(masks)}; name one as an argument to classify its files")


def sub_folder_films_text(folder: str, by: str, films: int = 0, folders: list[str] | None = None,
                          deeper: bool = False) -> str:
    """'FOLDER has sub-folders with films, which BY does not look into without --recursive', and where they were
    counted (a batch's: one listing of each sub-folder, never a walk of the tree) ': 10 films in FOLDER/p4,
    FOLDER/p5 were not classified'. One wording for a watch and a batch."""
    from edge.output import said_name

    text = f"{said_name(folder)} has sub-folders with films, which {by} does not look into without --recursive"
    if films:
        text += (f": {counted(films, 'film')} in {_shown(folders or [])} "
                 f"{'was' if films == 1 else 'were'} not classified{' (more may lie further down)' if deeper else ''}")
    return text


def films_below(folders: list[str]) -> bool:
    """Whether any of these folders, or a folder below them a recursive walk enters, holds a film, as a batch
    decides (edge.film_files.is_image_file). It stops at the first film: a PACS export's PATIENT/STUDY/ folders are
    walked only until one film is found."""
    from edge.film_files import is_image_file, walked_into

    for top in folders:
        for dirpath, dirnames, names in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if walked_into(d))
            if any(is_image_file(os.path.join(dirpath, n), n) for n in sorted(names)):
                return True
    return False
