"""``--by format``: each film's file format as edge reads it (DICOM, PNG, JPEG, ...), a group every film has.

A site validating a model on a folder of PNG exports beside one vendor's DICOM films wants the two apart: a
model that reads one of them wrongly shows there first. The format is told as edge.preprocess tells it when it
decodes the film (DICOM by edge.dicom_start.is_dicom, else the image format of the first bytes), never by the
file's suffix: a .dcm that is really a PNG is a PNG here, as it is when it is scored.

A MANIFEST.csv column named ``format`` wins, as any column does over a header attribute: it was written by the
person who asked for it. That the files' own formats are not used then is said, never silently shadowed.
"""

from __future__ import annotations

from pathlib import Path

FILE_FORMAT = "format"  # --by's name for the files' own formats
HEAD_BYTES = 1024  # a DICOM's preamble and first tags; an image format's first bytes


def film_format(path: Path) -> str:
    """'DICOM', 'PNG', 'JPEG', 'TIFF', ... for the file at ``path``, as edge reads it; Pillow's name for a format
    edge.image_magic does not know; '' where the file cannot be read (it is then grouped as not given)."""
    from edge.dicom_start import is_dicom
    from edge.image_magic import image_format

    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return ""
    if is_dicom(head, Path(path)):
        return "DICOM"
    if known := image_format(head):
        return known
    from PIL import Image

    try:
        with Image.open(path) as img:  # the header only: Pillow decodes nothing until asked
            return str(img.format or "")
    except Exception:  # no image Pillow knows: not scored either, so this value is never shown
        return ""


def format_note(columns: list[str], fields: list[str]) -> str | None:
    """What to say where --by asks for ``format`` and MANIFEST.csv has a column spelt so in any case: which of the
    two is used, and how to have the other. None where there is no such clash."""
    if FILE_FORMAT not in columns or not (like := [f for f in fields if f.casefold() == FILE_FORMAT]):
        return None
    if FILE_FORMAT in fields:
        return (f"--by {FILE_FORMAT}: MANIFEST.csv's {FILE_FORMAT} column is used, not each film's file format as read "
                "(DICOM, PNG, ...); rename that column in the file's first line to have both")
    return (f"--by {FILE_FORMAT}: each film's file format as read (DICOM, PNG, ...) is used; MANIFEST.csv's column "
            f"{like[0]!r} is --by {like[0]}")
