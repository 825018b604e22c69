"""Which files are films: by name (an image suffix, not hidden), or by a DICOM's first bytes where the name has no
image suffix (a PACS export's IM000001 or UID names), and a folder's films, walked without links, hidden, system or
mask sub-folders. One rule wherever a folder is listed: edge-classify's batch (edge.batch.expand_inputs), --watch,
and cxr-train's, cxr-evaluate's and cxr-compare's discovery (train and convert import it from here: edge never
imports train). Apart from edge.batch, which decodes and classifies the films: these only list them."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Callable, Iterator

from edge.dicom_start import DICOM_SUFFIXES
from edge.mask_folders import is_mask_folder
from edge.preprocess import ImageError, read_regular_file

# .jfif and .jpe: JPEGs as Windows and some browsers save them; .pgm/.ppm/.pnm: what research tools write
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".jfif", ".jpe", ".jp2", ".bmp", ".tif", ".tiff", ".gif", ".webp",
                  ".pgm", ".ppm", ".pnm", ".dcm", ".dicom"}
# Names never opened to look for DICOM's magic: documents beside the films, and copy tools'
# partial files (a half-copied DICOM already starts with "DICM"). DICOMDIR is an export's index.
NOT_IMAGE_SUFFIXES = {".txt", ".csv", ".tsv", ".json", ".md", ".xml", ".html", ".htm", ".pdf", ".log", ".ini", ".xls",
                      ".xlsx", ".doc", ".docx", ".zip", ".gz", ".tgz", ".7z", ".tar", ".rar", ".py", ".sh", ".exe", ".db",
                      ".npy", ".npz", ".tflite", ".keras", ".h5", ".part", ".partial", ".filepart", ".crdownload",
                      ".tmp", ".temp", ".swp", ".bak", ".lock"}
NOT_IMAGE_NAMES = {"dicomdir"}
# Folders a disk's file system or Windows keeps at its root, never films: ext4's lost+found (root's, mode 700, so
# another user cannot read it), the Recycle Bin (deleted films, and their $I records named .png too). Lower case.
SYSTEM_FOLDERS = {"lost+found", "$recycle.bin", "system volume information"}


def walked_into(name: str) -> bool:
    """Whether a walk of a folder's sub-folders goes into one so named: not hidden (.Trashes, .Spotlight-V100),
    not a :data:`SYSTEM_FOLDERS` one, whose files are no films and would fail or be answered every run, not a
    mask folder (a Kaggle CLASS/masks/: lung masks named as the films are, each answered and counted as one)."""
    return not name.startswith(".") and name.lower() not in SYSTEM_FOLDERS and not is_mask_folder(name)


def is_image_name(name: str) -> bool:
    """Whether a file name is taken as a film: an image suffix, and not hidden (copy tools' temporary names)."""
    # 'y.png ' (a name typed or exported with a space at its end) is a film too: it was skipped without a word
    return not name.startswith(".") and os.path.splitext(name.rstrip())[1].lower() in IMAGE_SUFFIXES


def may_be_dicom_name(name: str) -> bool:
    """Whether a name that is no image name is still worth opening to look for DICOM's magic:
    not hidden, not a document's or a partial copy's name (PACS exports name films by UID,
    ``1.2.826.0.1.3680043.8.498.131003``, or ``IM000001``, with no image suffix)."""
    return not (name.startswith(".") or name.endswith("~") or name.lower() in NOT_IMAGE_NAMES
                or os.path.splitext(name)[1].lower() in NOT_IMAGE_SUFFIXES)


def has_dicom_magic(path: str) -> bool | None:
    """Whether a regular file's bytes 128..132 are b"DICM", or its first bytes are a DICOM data set's
    written without the preamble, and its SOP class is a film's (:func:`dicom_film`); gone, a folder, a FIFO or
    a device: False (opened without blocking, so a FIFO never waits for a writer). None where it is there but
    cannot be read (permission denied, an I/O error): no one can tell, and it may be a film."""
    from edge.dicom_start import dicom_start

    try:
        head = read_head(path)
    except OSError:
        return None
    return head is not None and dicom_start(head) and dicom_film(head)


def dicom_film(head: bytes) -> bool:
    """Whether a DICOM file's first bytes leave it a film: a structured report, a presentation state or
    a PDF beside the films of a PACS export is none (each counted as a failed film, exit code 1)."""
    from edge.dicom_start import not_a_film

    return not_a_film(head) is None


def is_image_file(path: str, name: str | None = None) -> bool:
    """Whether a file in a listed folder is taken as a film: an image name (no file opened but a .dcm's,
    whose SOP class must be a film's), or a name that may be DICOM's (:func:`may_be_dicom_name`) whose
    first bytes are DICOM's or cannot be read (its read error is then its result). ``name``: the file's base
    name, where the caller has it already."""
    name = os.path.basename(path) if name is None else name
    if is_image_name(name):
        if os.path.splitext(name.rstrip())[1].lower() not in DICOM_SUFFIXES:
            return True
        head = head_bytes(path)
        return head is None or dicom_film(head)  # unreadable: listed, so that its error is said
    # a PACS export's IM000002 that cannot be read is listed as an unreadable .dcm is: dropped as "not DICOM", it
    # went without a word (exit code 0), and a watch never answered it once its permissions were fixed
    return may_be_dicom_name(name) and has_dicom_magic(path) is not False


def lacks_image_suffix(path: str, name: str) -> str | None:
    """The image format ('PNG') of a file that is no film by :func:`is_image_file` for want of an image suffix
    alone: a film that lost its suffix (``film.png.1``, a de-identification tool's name) or a phone's .HEIC photo
    of one, worth a word since no figure counts it; None for any other file: hidden, a document or a copy tool's
    leftover (Thumbs.db, desktop.ini, film.png~, WSL's x.png:Zone.Identifier), or one whose first bytes are no
    image format's (macOS's Icon\\r, a .lnk, SHA256SUMS, a .md5 or .rtf were counted as films that lost their
    suffix, and the user was told films were missing)."""
    if is_image_name(name) or not may_be_dicom_name(name) or name.endswith(":Zone.Identifier"):
        return None
    head = head_bytes(path)
    from edge.image_magic import image_format

    return None if head is None else image_format(head)


def film_or_lost_suffix(path: str, name: str) -> tuple[bool, str | None]:
    """(:func:`is_image_file`, :func:`lacks_image_suffix`) of a listed file, its first bytes read once: a PACS
    export's structured reports and films without their suffix were read twice, once for each question (a round
    trip per file on a share), by a discovery that asks the second of each file that is no film."""
    if is_image_name(name) or not may_be_dicom_name(name):
        return is_image_file(path, name), None
    from edge.dicom_start import dicom_start
    from edge.image_magic import image_format

    try:
        head = read_head(path)
    except OSError:
        return True, None  # there but unreadable: listed, so that its error is said (has_dicom_magic's None)
    if head is None:
        return False, None
    if dicom_start(head) and dicom_film(head):
        return True, None
    return False, None if name.endswith(":Zone.Identifier") else image_format(head)


def head_bytes(path: str) -> bytes | None:
    """The first bytes of ``path`` (a DICOM preamble and its DICM mark), or None where it cannot be read."""
    try:
        return read_head(path)
    except OSError:
        return None


def read_head(path: str) -> bytes | None:
    """The first bytes of ``path``; None where it is no regular file, is gone (removed between the listing and
    the look, a link to nothing) or is a link loop; OSError where it is there but cannot be read (permission
    denied, an I/O error)."""
    from edge.dicom_start import HEAD_BYTES

    try:
        return read_regular_file(path, head=HEAD_BYTES)
    except ImageError:
        return None
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ELOOP):
            return None
        raise


def image_files(root: Path, recursive: bool, unreadable: list[OSError] | None = None,
                linked: list[str] | None = None, masks: list[str] | None = None) -> list[str]:
    """A folder's image files (:func:`is_image_file`: by suffix, or DICOM by content; no hidden
    ones), in name order; sub-folders only if ``recursive``. Folders that cannot be listed are
    appended to ``unreadable`` (their OSError), and linked and mask sub-folders not entered to ``linked``
    and ``masks``, where they are given."""
    found: list[str] = []
    for dirpath, _, filenames in walk_folder(root, recursive, None if unreadable is None else unreadable.append,
                                             linked if recursive else None, masks if recursive else None):
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if is_image_file(path, name):
                found.append(path)
    return sorted(found) if recursive else found


def walk_folder(root: Path, recursive: bool, onerror: Callable[[OSError], None] | None = None,
                linked: list[str] | None = None, masks: list[str] | None = None) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk without links to folders (one could lead back up: an endless walk) nor mask folders below
    ``root`` (``root`` itself is walked: a folder given is the user's choice); those a recursive walk passes
    over are appended to ``linked`` and ``masks``, where given, to be said."""
    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        if masks is not None:  # a recursive walk's (image_files gives none otherwise)
            masks.extend(os.path.join(dirpath, d) for d in sorted(dirnames) if not d.startswith(".") and is_mask_folder(d))
        dirnames[:] = sorted(d for d in dirnames if walked_into(d)) if recursive else []
        if linked is not None:
            linked.extend(os.path.join(dirpath, d) for d in dirnames if os.path.islink(os.path.join(dirpath, d)))
        yield dirpath, dirnames, filenames
