"""Films Pillow decodes without an error, but wrongly: found from the pixels and the file's bytes (edge.preprocess).

A JPEG cut short and closed with an end marker decodes, its missing rows grey 128, and was
labelled; a 16-bit colour PNG is read by its values' top bytes alone, and a 12-bit film stored so came
out posterised, and was labelled too; a palette PNG whose palette is missing, or ends before colours its
pixels use, is read black where the palette has none (refused as "blank image", or labelled with black
patches). Each test here says whether a film is such a one, for edge.preprocess.decode_bytes to refuse
it with the reason.
"""

from __future__ import annotations

import struct

import numpy as np
from PIL import Image

from edge.figures import counted
from edge.wide_pixels import value_counts

MIN_LEVELS = 32  # fewer grey levels than a 13-bit film keeps in its top byte: too posterised to read


def top_byte_levels(data: bytes, gray: np.ndarray, counts: np.ndarray | None = None) -> int | None:
    """The grey levels left of a 16-bit colour (RGB, RGBA or LA) PNG, when too few to read a film by.

    Pillow has no 16-bit colour mode: it keeps each value's top byte, so a 12-bit film stored as
    RGB48 (values up to 4095) came out in 16 levels and was labelled from that posterised picture;
    16-bit grayscale is read in full (wide_pixels). None where the file is not such a PNG or keeps
    enough levels. ``counts``: gray's 256 per-level counts where the reader took them already."""
    # IHDR's bytes 24 and 25: bit depth 16, colour type RGB (2), LA (4) or RGBA (6)
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 26 or data[24] != 16 or data[25] not in (2, 4, 6):
        return None
    levels = int(np.count_nonzero(value_counts(gray, 0, 256) if counts is None else counts))
    return levels if levels < MIN_LEVELS else None


def ends_in_decoder_fill(img: Image.Image) -> bool:
    """Whether a JPEG's last 8 rows, before any EXIF turn, are all exactly grey 128: what the decoder fills
    in after the data of a baseline file cut short and closed with an end marker, which decodes without an
    error (a Normal film cut at half was labelled COVID 0.98); and of a progressive one cut in its first
    scan (the DC values: its lower part flat grey). No chest film on cxr-dev ends so (0 of 1,372 re-encoded);
    a film cut by less than a row of 8x8 blocks is not found, nor a progressive one cut in a later scan,
    which decodes whole, only coarser (its scans are no cheap test: the standard lets an encoder leave
    detail out, and the last scan, up to half of the file, can be cut without one missing)."""
    w, h = img.size
    if h < 16 or img.mode not in ("L", "RGB"):
        return False
    bottom = np.asarray(img.crop((0, h - 8, w, h)).convert("L"))
    if not (bottom == 128).all():
        return False
    # a film padded with grey 128 all round (a scanner's or a PACS export's border) ends in as many such rows as it
    # begins with, give or take the blocks (8 rows; 16 where colour is subsampled) its edge falls in: no fill (every
    # cxr-dev film so padded and saved at quality 50 was refused as truncated). A fill joins the bottom band and runs
    # deeper: up to 0.54.0 one twice the top band's depth was still taken for padding, and a film that lost 40 rows
    # under 32 rows of padding was labelled. A side band alone runs down through the fill too, so it says nothing.
    flat = (np.asarray(img.convert("L")) == 128).all(axis=1)
    top, low = _run(flat), _run(flat[::-1])
    return not (top >= 8 and low <= top + 16)


def _run(flat: np.ndarray) -> int:
    """How many of ``flat``'s first values are True."""
    return int(np.argmin(flat)) if not flat.all() else len(flat)


def palette_fault(data: bytes, img: Image.Image) -> str | None:
    """Why a palette PNG's palette cannot show its pixels, else None: its PLTE chunk is missing (the PNG standard
    requires one for colour type 3), or has fewer entries than the highest index its pixels use. Pillow reads each
    index without an entry as black, without an error: a film without its palette was refused as "blank image",
    which said nothing of the cause. ``img`` is the opened ``data``; None for anything but a palette PNG."""
    if img.format != "PNG" or img.mode != "P" or data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    entries, pos = None, 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        if kind == b"PLTE":
            entries = length // 3
            break
        if kind in (b"IDAT", b"IEND"):  # PLTE comes before the image data, or not at all
            break
        pos += 12 + length
    if entries is None:
        return ("a palette PNG without its palette (no PLTE chunk): every pixel would be read as black; the file "
                "was damaged or badly written: export the film again as a grey PNG")
    highest = img.getextrema()[1]  # the pixels' highest palette index
    if highest < entries:
        return None
    return (f"a palette PNG whose palette is cut short: it has {counted(entries, 'colour')}, but its pixels use "
            f"colours up to number {highest + 1}, and those past its end would be read as black; the file was "
            "damaged or badly written: export the film again as a grey PNG")
