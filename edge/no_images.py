"""Why inputs that exist gave no film to classify: an empty batch is an error, said with the way on
(images in sub-folders, files without an image suffix, DICOM files that hold no film, linked and mask folders)
rather than silence and success. The error path only: it walks a folder again to say why."""

from __future__ import annotations

import os
from pathlib import Path

from edge.figures import counted
from edge.dicom_start import DICOM_SUFFIXES
from edge.film_files import head_bytes, is_image_file, may_be_dicom_name, walk_folder


def why_no_images(folders: list[str], recursive: bool, empty_stdin: bool) -> str:
    """Why inputs that exist gave no image to classify (``folders``: the arguments, all folders
    then), so that an empty batch is an error rather than silence and success, with the way on
    where there is one (images in sub-folders, files without an image suffix)."""
    from edge.output import said_name  # a newline in a folder's name forged a line of the error

    reasons = ["no image paths on standard input"] if empty_stdin else []
    for folder in folders:
        if not recursive and _has_images_below(Path(folder)):
            reasons.append(f"no images found in {said_name(folder)} (it has sub-folders with images: use --recursive)")
            continue
        names = [os.path.join(d, n) for d, _, ns in walk_folder(Path(folder), recursive) for n in ns if not n.startswith(".")]
        objects = [what for what in map(_not_a_film, names) if what]
        others = len(names) - len(objects)
        where = f"{said_name(folder)} or its sub-folders" if recursive else said_name(folder)
        kinds = " or ".join(sorted(set(objects)))
        one = len(objects) == 1
        said = [f"{counted(len(objects), 'DICOM file')} {'is no film: it' if one else 'are not films: each'} is {kinds}"
                ] if objects else []
        if others:
            said.append(f"{counted(others, 'file')} {'has' if others == 1 else 'have'} no image suffix such as .png, "
                        f".jpg, .dcm and {'is' if others == 1 else 'are'} not DICOM; name such files one by one to "
                        "classify them")
        from edge.links import linked_text, masks_text

        linked: list[str] = []  # anywhere below, --recursive or not: the films behind them are why none was found
        masks: list[str] = []  # Kaggle's CLASS/masks/ with no images/ beside it: its files are no films, said so
        for _ in walk_folder(Path(folder), True, linked=linked, masks=masks):
            pass
        if linked:
            said.append(linked_text(linked))
        if masks:
            said.append(masks_text(masks))
        reasons.append(f"no images found in {where}" + (f" (its {'; '.join(said)})" if said else ""))
    return "; ".join(reasons)


def _not_a_film(path: str) -> str | None:
    """What a DICOM file in a listed folder holds instead of a film (edge.dicom_start.not_a_film); None
    for any other file."""
    from edge.dicom_start import dicom_start, not_a_film

    name = os.path.basename(path)
    dicom_name = os.path.splitext(name.rstrip())[1].lower() in DICOM_SUFFIXES
    head = head_bytes(path) if dicom_name or may_be_dicom_name(name) else None
    return not_a_film(head) if head and (dicom_name or dicom_start(head)) else None


def _has_images_below(root: Path) -> bool:
    """Whether a folder below ``root`` that --recursive enters holds a film (a mask folder's masks are none)."""
    return any(is_image_file(os.path.join(d, n), n) for d, _, names in walk_folder(root, True) for n in names)
