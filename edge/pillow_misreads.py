"""Films Pillow decodes without an error, but wrongly: found from the pixels and the file's bytes (edge.preprocess).

A baseline JPEG cut short and closed with an end marker decodes, its missing rows grey 128, and was
labelled; a 16-bit colour PNG is read by its values' top bytes alone, and a 12-bit film stored so came
out posterised, and was labelled too. Each test here says whether a film is such a one, for
edge.preprocess.decode_bytes to refuse it with the reason.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from edge.wide_pixels import value_counts

MIN_LEVELS = 32  # fewer grey levels than a 13-bit film keeps in its top byte: too posterised to read


def top_byte_levels(data: bytes, gray: np.ndarray) -> int | None:
    """The grey levels left of a 16-bit colour (RGB, RGBA or LA) PNG, when too few to read a film by.

    Pillow has no 16-bit colour mode: it keeps each value's top byte, so a 12-bit film stored as
    RGB48 (values up to 4095) came out in 16 levels and was labelled from that posterised picture;
    16-bit grayscale is read in full (wide_pixels). None where the file is not such a PNG or keeps
    enough levels."""
    # IHDR's bytes 24 and 25: bit depth 16, colour type RGB (2), LA (4) or RGBA (6)
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 26 or data[24] != 16 or data[25] not in (2, 4, 6):
        return None
    levels = int(np.count_nonzero(value_counts(gray, 0, 256)))
    return levels if levels < MIN_LEVELS else None


def ends_in_decoder_fill(img: Image.Image) -> bool:
    """Whether a baseline JPEG's last 8 rows, before any EXIF turn, are all exactly grey 128: what the
    decoder fills in after the data of a file cut short and closed with an end marker, which decodes
    without an error (a Normal film cut at half was labelled COVID 0.98). No chest film on cxr-dev ends
    so (0 of 1,372 re-encoded); a film cut by less than a row of 8x8 blocks is not found."""
    w, h = img.size
    if h < 16 or img.mode not in ("L", "RGB"):
        return False
    bottom = np.asarray(img.crop((0, h - 8, w, h)).convert("L"))
    return bool((bottom == 128).all())
