"""How many frames a film holds, where they are not all the same: only frame 1 is classified.

A multi-frame file (a DICOM dual-energy set: standard, soft-tissue and bone images; a multi-page TIFF; an animated
GIF, WebP or PNG) is classified on its first frame only (edge.preprocess, edge.dicom), and that stays the rule. But
for a dual-energy set frame 1 may be the bone image, so the answer names the frame it is about (edge-classify's
note, --json's "frames"). Identical repeated frames (a viewer's copies, a still GIF saved as two frames) give no
note: the answer is about all of them.

Cheap on purpose, since every film of a batch is asked: the frame count comes from the header (a DICOM header read
up to its pixels; Pillow's header walk), and only a file of more than one frame is read further. DICOM frames are
compared as their stored bytes, never decoded (native data: byte ranges; compressed: each frame's codestream, so
frames that differ only in how they were compressed count as differing). Other formats' frames are decoded one at a
time, stopping at the first that differs, and at most MAX_COMPARED_PIXELS of them: past that the note is given
unchecked, which says nothing false (frame 1 is what was classified).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

# Pixels of frames after the first that are decoded to compare with it (non-DICOM only): about 4 frames of 2000 x 2000
MAX_COMPARED_PIXELS = 16_000_000


def frames_words(count: int) -> str:
    """The note on a film of ``count`` frames that are not all the same, as the film's line says it."""
    return f"{count} frames: frame 1 classified"


def differing_frames(path: str | Path, unopened: bool = False) -> int | None:
    """How many frames the file at ``path`` holds, where it holds more than one and they are not all the same (or
    were not all compared); None otherwise, and for a file whose frames cannot be told (its decode says what is
    wrong with it, if anything). With ``unopened``, a file that cannot be opened (gone, unreadable, its folder
    unmounted) raises its OSError instead: a count kept for later (train.cache_frames) is not of such a file."""
    from edge.dicom_start import HEAD_BYTES, is_dicom

    try:
        f = open(path, "rb")
    except OSError:
        if unopened:
            raise
        return None
    except Exception:  # noqa: BLE001 - a path no file can have (a NUL in it): no note, as below
        return None
    try:
        with f:
            dicom = is_dicom(f.read(HEAD_BYTES), Path(path))
        return _dicom_frames(Path(path)) if dicom else _pillow_frames(Path(path))
    except Exception:  # noqa: BLE001 - unknown gives no note: the answer stands as it is
        return None


def _dicom_frames(path: Path) -> int | None:
    import pydicom

    from edge.dicom import _quiet_pydicom
    from edge.dicom_size import header_int

    _quiet_pydicom()
    with open(path, "rb") as f:
        head = pydicom.dcmread(f, force=True, stop_before_pixels=True)  # leaves f at the pixel data's tag
        count = header_int(head, "NumberOfFrames", 1)
        if count <= 1:
            return None
        bits = header_int(head, "BitsAllocated", 8)
        size = header_int(head, "Rows", 0) * header_int(head, "Columns", 0) * header_int(head, "SamplesPerPixel", 1)
        syntax = getattr(getattr(head, "file_meta", None), "TransferSyntaxUID", None)
        if bits % 8 or size == 0:  # 1-bit frames need not start on a byte: not compared
            return count
        size *= bits // 8
        if syntax is None or not (syntax.is_compressed or syntax.is_deflated):
            where = _native_pixels(f.read(12), *head.original_encoding)
            if where is not None:  # native pixel data, read a block at a time from the file
                return None if _same_in_file(f, f.tell() - 12 + where[0], where[1], size, count) else count
    ds = pydicom.dcmread(path, force=True)  # compressed, deflated, or pixel data of undefined length
    if ds.file_meta.get("TransferSyntaxUID") is not None and ds.file_meta.TransferSyntaxUID.is_compressed:
        from pydicom.encaps import generate_frames

        frames = generate_frames(ds.PixelData, number_of_frames=count)
        first = next(frames)
        return count if any(bytes(frame) != bytes(first) for frame in frames) else None
    data = memoryview(ds.PixelData)
    return None if _same_in_file(_Bytes(data), 0, len(data), size, count) else count


def _native_pixels(tag: bytes, implicit: bool | None, little: bool | None) -> tuple[int, int] | None:
    """(where the value starts after the tag, its length) of a native Pixel Data element whose first 12 bytes are
    ``tag``, in the encoding read; None where it is no such element or its length is undefined (encapsulated)."""
    order = "little" if little is not False else "big"
    if tag[:4] != (b"\xe0\x7f\x10\x00" if order == "little" else b"\x7f\xe0\x00\x10") or len(tag) < 12:
        return None
    at, length = (8, int.from_bytes(tag[4:8], order)) if implicit else (12, int.from_bytes(tag[8:12], order))
    return None if length == 0xFFFFFFFF else (at, length)


class _Bytes:
    """Pixel data in memory, read as _same_in_file reads a file."""

    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0

    def seek(self, at: int) -> None:
        self.at = at

    def read(self, n: int) -> bytes:
        return self.data[self.at:self.at + n].tobytes()


def _same_in_file(f, at: int, length: int, size: int, count: int, block: int = 2**20) -> bool:
    """Whether frames 2..count (``size`` bytes each, from offset ``at`` of ``f``, ``length`` bytes in all) are byte
    for byte frame 1, compared a block at a time and stopping at the first block that differs: frames that differ
    mostly do so in their first MiB, and no frame is held whole (reading 24 MB at once cost 40 ms in page faults)."""
    if length < count * size:
        return False
    for start in range(0, size, block):
        n = min(block, size - start)
        f.seek(at + start)
        first = f.read(n)
        for k in range(1, count):
            f.seek(at + k * size + start)
            if f.read(n) != first:
                return False
    return True


def _pillow_frames(path: Path) -> int | None:
    from PIL import Image

    with Image.open(path) as img:
        count = getattr(img, "n_frames", 1)
        if count <= 1:
            return None
        img.seek(0)
        size, mode, first = img.size, img.mode, img.tobytes()
        budget = MAX_COMPARED_PIXELS
        for k in range(1, count):
            img.seek(k)
            budget -= img.size[0] * img.size[1]
            if budget < 0 or img.size != size or img.mode != mode or img.tobytes() != first:
                return count
    return None


# What cxr-train says it did with such films (frames_warning)
TRAINED_ON = ("each is trained on as its frame 1 alone, as the device reads it: check that frame 1 is the film meant "
              "(not a bone or soft-tissue image)")


def frames_warning(folder: str | Path, films: list[str], done: str = TRAINED_ON, shown: int = 5,
                   count: Callable[[Path], int | None] = differing_frames) -> str | None:
    """One line naming the films (paths under ``folder``) of several frames not all the same, of which frame 1 alone
    was used (``done``: what was done with them); None where there are none. cxr-train's scan reads such a
    dual-energy set's first frame, maybe its bone image, as it reads any film."""
    from edge.figures import counted
    from edge.output import said_name

    found = [(film, n) for film in films if (n := count(Path(folder) / film))]
    if not found:
        return None
    named = ", ".join(f"{said_name(str(film))} ({n} frames)" for film, n in found[:shown])
    more = f", and {len(found) - shown} more" if len(found) > shown else ""
    return (f"{counted(len(found), 'film')} of several frames that are not all the same (a dual-energy set, a "
            f"multi-page TIFF, an animated image): {named}{more}; {done}")
