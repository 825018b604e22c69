"""Image file bytes (PNG/JPEG/BMP/TIFF/GIF, 8- or 16-bit; L, RGB, RGBA, palette, CMYK) -> 8-bit grayscale, the same
way every time (edge.preprocess's step 1; DICOM is edge.dicom's): decompression bombs refused before they are decoded,
damage Pillow decodes without an error refused with the reason, the EXIF turn applied, transparency laid on black.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
from PIL import Image

from edge.size_words import bomb_words, too_many_pixels
from edge.figures import counted
from edge.film_bytes import FilmBytes, held
from edge.pillow_misreads import ends_in_decoder_fill, palette_fault, top_byte_levels
from edge.png_data import png_data_fault
from edge.decoder_words import corrupt, unopened
from edge.memory import OUT_OF_MEMORY, short_of_memory
from edge.flatten import flatten_to_gray, needs_flattening
from edge.gif_screen import first_image_alone
from edge.image_error import ImageError
from edge.libtiff_quiet import quiet_libtiff
from edge.wide_pixels import linear_to_uint8, pixels, value_counts

# Refuse images above this many pixels before decoding them. Decoding takes about 2 bytes a pixel (8-bit
# grey or palette), 4.5 (16-bit grey) or 5.5 (RGB, RGBA, grey and alpha: Pillow holds 4 bytes a pixel), so one
# film at the limit needs 100 to 280 MB, within a 512 MB Pi's reach with --threads 1 (CMYK JPEG, JPEG 2000 and
# float TIFF take up to about 8 bytes a pixel). Real chest X-rays are at most about 4300 x 4300.
MAX_PIXELS = 50_000_000
MIN_SIDE = 32
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Pillow warns (on stderr) for MAX_PIXELS..2*MAX_PIXELS and raises above; decode_bytes refuses every
# image above MAX_PIXELS with a clear reason, so the warning would only be a stray second line.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
# "Corrupt EXIF data", "Truncated File Read": Pillow goes on, or fails with an error that is said; a raw
# warning with a source line and no file name would be noise beside it.
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL(\.|$)")

# What decoding a damaged or truncated file raises, in Pillow and the libraries under it: a film's fault ("corrupt or
# truncated image"). Anything else (an AttributeError or TypeError from a Pillow or NumPy this code does not fit, a
# bug of ours) goes on with its type, as edge.batch.decode says it: never taken for a damaged film.
DECODER_ERRORS = (OSError, SyntaxError, ValueError, struct.error, EOFError, zlib.error, Image.DecompressionBombError,
                  NotImplementedError, OverflowError)  # the last two: what Pillow's own fuzz tests accept of damaged files


def decode_bytes(data: bytes) -> np.ndarray:
    """Decode PNG/JPEG/... bytes to 8-bit grayscale, the same way every time."""
    return decode_counted(data)[0]


def decode_counted(data: bytes | FilmBytes) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`decode_bytes`, with the film's 256 per-level counts where decoding took them (an 8-bit film: for a
    16-bit colour PNG's check), handed on to the blank, grey-level and box checks (edge.preprocess), else None.
    FilmBytes are dropped once Pillow holds the pixels (kept where the film has transparency: the grey-level
    refusal reads it again, edge.grey_levels), so a large film's file is not held beside its decoded copies."""
    film = held(data)
    del data
    stream = io.BytesIO(film.data)
    try:
        img = Image.open(stream)
    except Image.DecompressionBombError as e:  # Pillow's own guard (at 2 x MAX_PIXELS), reading the header
        raise ImageError(bomb_words(e, MAX_PIXELS)) from None
    except Exception as e:
        if short_of_memory(e):  # a good film, called corrupt: a watch would not have tried it again
            raise ImageError(OUT_OF_MEMORY) from None
        raise ImageError(unopened(film.data, e)) from None
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise ImageError(too_many_pixels(w, h, MAX_PIXELS))
    if min(w, h) < MIN_SIDE:  # said from the header, not after decoding 50 Mpixels (a turn keeps the shorter side)
        raise ImageError(f"image is {w}x{h} pixels; at least {MIN_SIDE} px per side is needed")
    if img.format == "PNG":
        _check_png(film.data)
    elif img.format == "TIFF":
        quiet_libtiff()
    see_through = "A" in img.getbands() or "transparency" in img.info  # as edge.grey_levels opens it again
    try:
        if getattr(img, "n_frames", 1) > 1:
            img.seek(0)  # animated or multi-page: the first frame
        img = first_image_alone(img, film.data)  # a GIF's first image outside its screen: without Pillow's black band
        if img.format == "JPEG" and ends_in_decoder_fill(img):
            raise ImageError("truncated JPEG: its last rows are exactly grey 128, the fill a decoder gives where the "
                             "data ends; the file was cut short (copy or export it again; a film that really ends in "
                             "such a band: save it as PNG)")
        if (why := palette_fault(film.data, img)) is not None:
            raise ImageError(why)
        # MinIsWhite (TIFF PhotometricInterpretation 0): Pillow inverts 8-bit films itself, not wider ones
        min_is_white = img.format == "TIFF" and getattr(img, "tag_v2", {}).get(262) == 0
        img = _upright(img)
        img.load()  # the pixels in Pillow's memory: the file's bytes go before they are copied out
        if not see_through:
            stream.close()  # the opened image keeps the stream, and the stream the bytes
            film.drop()
        if needs_flattening(img):
            gray = flatten_to_gray(img)  # refused where its alpha hides its picture (edge.clear_film)
        elif img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            wide = pixels(img)
            del img  # Pillow's copy goes before the mapping needs memory
            return linear_to_uint8(wide, invert=min_is_white), None
        else:
            if img.mode == "CMYK":
                img = img.convert("RGB")
            gray = pixels(img if img.mode == "L" else img.convert("L"))
        counts = value_counts(gray, 0, 256)
        if (levels := top_byte_levels(film.head, gray, counts)) is not None:
            raise ImageError(f"a 16-bit colour PNG whose values are all low: Pillow reads only the top 8 bits of each, "
                             f"which leaves {counted(levels, 'grey level')} of the film; export it as 16-bit grayscale "
                             "(or 8-bit) PNG instead")
        return gray, counts
    except ImageError:
        raise
    except Exception as e:
        if short_of_memory(e):
            raise ImageError(OUT_OF_MEMORY) from None
        if not isinstance(e, DECODER_ERRORS):  # not the film's fault: with its type and traceback (DECODER_ERRORS)
            raise
        raise ImageError(corrupt(e)) from None


def _check_png(data: bytes) -> None:
    """Refuse a PNG whose chunks fail their checksums: Pillow decodes damaged image data without checking them,
    into noise that was then labelled (16 zeroed bytes moved the answer by up to 0.36); or whose image data
    fails its own checksum or ends before its last rows, which Pillow reads as black (edge.png_data)."""
    try:
        Image.open(io.BytesIO(data)).verify()
    except Exception as e:
        raise ImageError(OUT_OF_MEMORY if short_of_memory(e) else corrupt(e)) from None
    if (fault := png_data_fault(data)) is not None:
        raise ImageError(fault)


def _upright(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation tag, as every image viewer does.

    Cameras and phones (a photo of a film on a light box) and some PACS exports store the
    pixels sideways and say so in the tag; without this the model would read a film lying on
    its side that the user sees upright. A damaged EXIF block is ignored, not fatal: the
    pixels are still the image.
    """
    try:
        orientation = img.getexif().get(0x0112, 1)  # 0x0112: Orientation; 1 is upright
    except DECODER_ERRORS as e:  # only reading the block: a turn that fails is the film's error, never a sideways film
        if short_of_memory(e):
            raise ImageError(OUT_OF_MEMORY) from None
        return img
    turn = _TURNS.get(orientation) if isinstance(orientation, int) else None  # 1, or a value no viewer turns by
    return img if turn is None else img.transpose(turn)


# EXIF orientation -> the turn that shows the film upright (as PIL.ImageOps.exif_transpose, without rewriting the
# EXIF block, which nothing here reads again)
_TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
          5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
          8: Image.Transpose.ROTATE_90}
