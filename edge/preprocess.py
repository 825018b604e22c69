"""Image file -> model input: the single source of pixels.

Training, conversion and the device all call :func:`preprocess_file`, so a model sees on the
device exactly the bytes it saw in training. The steps are chosen for robustness to the way
different hospitals acquire and store chest X-rays:

1. decode any PNG/JPEG/BMP/TIFF/GIF (8- or 16-bit; L, RGB, RGBA, palette, CMYK) or DICOM to 8-bit
   grayscale, refusing decompression bombs before they are decoded;
2. trim uniform borders (black letterboxing, white scanner margins), which differ by site;
3. resize keeping the aspect ratio (pediatric films are landscape; squashing them would make
   shape a shortcut) and pad to a square;
4. equalise the histogram of the image content, which makes the input invariant to any
   monotone intensity change (gamma, window/level, contrast) between devices.

The output is uint8 HxWxC; the model itself rescales to float.
"""

from __future__ import annotations

import errno
import io
import struct
import warnings
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from edge.borders_contrast import equalize, trim_uniform_borders
from edge.box_on_blank import box_on_blank_fault
from edge.regular_file import NotAFile, TooLarge, read_regular
from edge.size_words import bomb_words, too_many_pixels
from edge.figures import counted, fixed
from edge.pillow_misreads import ends_in_decoder_fill, palette_fault, top_byte_levels
from edge.png_data import png_data_fault
from edge.decoder_words import corrupt, first_line, unopened  # noqa: F401 (first_line: edge.batch, edge.dicom, ... take it here)
from edge.memory import OUT_OF_MEMORY, short_of_memory  # noqa: F401 (edge.batch, edge.dicom, edge.model take them here)
from edge.flatten import flatten_to_gray, needs_flattening
from edge.gif_screen import first_image_alone
from edge.grey_levels import few_levels_fault
from edge.image_error import ImageError  # the error of every refused film, given on from here
from edge.libtiff_quiet import quiet_libtiff
from edge.wide_pixels import linear_to_uint8, pixels, value_counts

# Refuse images above this many pixels before decoding them. Decoding takes about 2 bytes a pixel (8-bit
# grey or palette), 4.5 (16-bit grey) or 5.5 (RGB, RGBA, grey and alpha: Pillow holds 4 bytes a pixel), so one
# film at the limit needs 100 to 280 MB, within a 512 MB Pi's reach with --threads 1 (CMYK JPEG, JPEG 2000 and
# float TIFF take up to about 8 bytes a pixel). Real chest X-rays are at most about 4300 x 4300.
MAX_PIXELS = 50_000_000
MIN_SIDE = 32
# A film with this share of its pixels on one grey level shows nothing (no chest film comes near it).
BLANK_SHARE = 0.99
MAX_FILE_BYTES = 256 * 2**20  # the largest uncompressed 16-bit DICOM chest film is about 40 MiB
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Pillow warns (on stderr) for MAX_PIXELS..2*MAX_PIXELS and raises above; decode_bytes refuses every
# image above MAX_PIXELS with a clear reason, so the warning would only be a stray second line.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
# "Corrupt EXIF data", "Truncated File Read": Pillow goes on, or fails with an error that is said; a raw
# warning with a source line and no file name would be noise beside it.
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL(\.|$)")

RESIZE_MODES = ("pad", "squash")
NORMALIZE_MODES = ("equalize", "none")
# Which rules turn a file into pixels. A run's cache (train.cache) records it, and a cache of other
# rules is decoded again: bump it with every change that gives some file other pixels (not for a new
# refusal). 2: cxr-edge 0.25.0 reads a DICOM film with Presentation LUT Shape INVERSE inverted. 3: a GIF whose first
# image lies outside its screen is read alone, without the band Pillow grew around it (edge.gif_screen). 4: DICOM padding is left out of the grey-level range
# and stays black under a dropped falling rescale (edge.dicom_luts).
DECODE_RULES = 4


@dataclass(frozen=True)
class PreprocessConfig:
    """How to turn a file into a model input. Travels inside every .tflite's metadata."""

    size: int = 128
    channels: int = 1
    resize: str = "pad"
    normalize: str = "equalize"
    trim_borders: bool = True

    def __post_init__(self) -> None:
        if self.size < 8:
            raise ValueError(f"image size must be at least 8, got {self.size}")
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.channels}")
        if self.resize not in RESIZE_MODES:
            raise ValueError(f"resize must be one of {RESIZE_MODES}, got {self.resize!r}")
        if self.normalize not in NORMALIZE_MODES:
            raise ValueError(f"normalize must be one of {NORMALIZE_MODES}, got {self.normalize!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "PreprocessConfig":
        known = {k: d[k] for k in ("size", "channels", "resize", "normalize", "trim_borders") if k in d}
        return cls(**known)


def preprocess_file(path: str | Path, config: PreprocessConfig = PreprocessConfig()) -> np.ndarray:
    """Read an image file and return the model input, uint8 of shape (size, size, channels)."""
    return preprocess_gray(load_grayscale(path), config)


def preprocess_gray(gray: np.ndarray, config: PreprocessConfig = PreprocessConfig()) -> np.ndarray:
    """Turn an 8-bit grayscale image (H, W) into the model input (pure function)."""
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"expected a 2-D uint8 image, got {gray.dtype} {gray.shape}")
    if config.trim_borders:
        gray = trim_uniform_borders(gray)
    s = config.size
    h, w = gray.shape
    img = Image.fromarray(gray)
    if config.resize == "squash":
        nw, nh = s, s
    else:
        scale = s / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    content = np.asarray(img.resize((nw, nh), Image.Resampling.BILINEAR, reducing_gap=3.0))
    if config.normalize == "equalize":
        content = equalize(content)
    out = np.zeros((s, s), dtype=np.uint8)
    top, left = (s - nh) // 2, (s - nw) // 2
    out[top : top + nh, left : left + nw] = content
    if config.channels == 3:
        return np.repeat(out[:, :, None], 3, axis=2)
    return out[:, :, None]


# What decoding a damaged or truncated file raises, in Pillow and the libraries under it: a film's fault ("corrupt or
# truncated image"). Anything else (an AttributeError or TypeError from a Pillow or NumPy this code does not fit, a
# bug of ours) goes on with its type, as edge.batch.decode says it: never taken for a damaged film.
DECODER_ERRORS = (OSError, SyntaxError, ValueError, struct.error, EOFError, zlib.error, Image.DecompressionBombError,
                  NotImplementedError, OverflowError)  # the last two: what Pillow's own fuzz tests accept of damaged files


def load_grayscale(path: str | Path) -> np.ndarray:
    """Decode an image file to 8-bit grayscale (H, W); raise ImageError with a clear reason."""
    return load_bytes(read_image_file(path), path)


def read_image_file(path: str | Path) -> bytes:
    """A film's bytes, or an ImageError that says in words why they cannot be read."""
    path = Path(path)
    try:
        return read_regular_file(path)
    except IsADirectoryError:
        raise ImageError("is a directory, not an image file") from None
    except FileNotFoundError:
        raise ImageError("no such file") from None
    except PermissionError:
        raise ImageError("permission denied") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ImageError("symbolic link loop (too many levels of symbolic links)") from None
        raise ImageError(f"cannot read file: {e.strerror or e}") from None


def read_regular_file(path: str | Path, head: int | None = None) -> bytes:
    """A film's bytes (``head``: its first ``head`` bytes only), never waiting for a FIFO, nor reading a
    device (/dev/zero) for ever, nor a file over MAX_FILE_BYTES (edge.regular_file)."""
    try:
        return read_regular(path, MAX_FILE_BYTES, head)
    except NotAFile as e:
        if e.kind == "a folder":
            raise IsADirectoryError(errno.EISDIR, "is a directory") from None
        raise ImageError("not a regular file (a FIFO, socket or device)") from None
    except TooLarge as e:
        raise ImageError(f"refused: file is {e.size / 2**20:.0f} MiB, more than the {MAX_FILE_BYTES // 2**20} MiB "
                         "limit") from None


def load_bytes(data: bytes, path: str | Path = "") -> np.ndarray:
    """Decode a file's bytes (the name only hints at DICOM) to 8-bit grayscale (H, W)."""
    if not data:
        raise ImageError("empty file (0 bytes)")
    from edge.dicom import dicom_to_gray, is_dicom  # reading DICOM needs the optional extra (pydicom)

    dicom = is_dicom(data, Path(path))
    gray = _check_size(dicom_to_gray(data) if dicom else decode_bytes(data))
    if (fault := few_levels_fault(gray, b"" if dicom else data) or box_on_blank_fault(gray)) is not None:
        raise ImageError(fault)  # not blank, and still no radiograph: too few levels, or a box on a blank
    return gray


def decode_bytes(data: bytes) -> np.ndarray:
    """Decode PNG/JPEG/... bytes to 8-bit grayscale, the same way every time."""
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as e:  # Pillow's own guard (at 2 x MAX_PIXELS), reading the header
        raise ImageError(bomb_words(e, MAX_PIXELS)) from None
    except Exception as e:
        if short_of_memory(e):  # a good film, called corrupt: a watch would not have tried it again
            raise ImageError(OUT_OF_MEMORY) from None
        raise ImageError(unopened(data, e)) from None
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise ImageError(too_many_pixels(w, h, MAX_PIXELS))
    if min(w, h) < MIN_SIDE:  # said from the header, not after decoding 50 Mpixels (a turn keeps the shorter side)
        raise ImageError(f"image is {w}x{h} pixels; at least {MIN_SIDE} px per side is needed")
    if img.format == "PNG":
        _check_png(data)
    elif img.format == "TIFF":
        quiet_libtiff()
    try:
        if getattr(img, "n_frames", 1) > 1:
            img.seek(0)  # animated or multi-page: the first frame
        img = first_image_alone(img, data)  # a GIF's first image outside its screen: without Pillow's black band
        if img.format == "JPEG" and ends_in_decoder_fill(img):
            raise ImageError("truncated JPEG: its last rows are exactly grey 128, the fill a decoder gives where the "
                             "data ends; the file was cut short (copy or export it again; a film that really ends in "
                             "such a band: save it as PNG)")
        if (why := palette_fault(data, img)) is not None:
            raise ImageError(why)
        # MinIsWhite (TIFF PhotometricInterpretation 0): Pillow inverts 8-bit films itself, not wider ones
        min_is_white = img.format == "TIFF" and getattr(img, "tag_v2", {}).get(262) == 0
        img = _upright(img)
        if needs_flattening(img):
            gray = flatten_to_gray(img)  # refused where its alpha hides its picture (edge.clear_film)
        elif img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            wide = pixels(img)
            del img  # Pillow's copy goes before the mapping needs memory
            return linear_to_uint8(wide, invert=min_is_white)
        else:
            if img.mode == "CMYK":
                img = img.convert("RGB")
            gray = pixels(img if img.mode == "L" else img.convert("L"))
        if (levels := top_byte_levels(data, gray)) is not None:
            raise ImageError(f"a 16-bit colour PNG whose values are all low: Pillow reads only the top 8 bits of each, "
                             f"which leaves {counted(levels, 'grey level')} of the film; export it as 16-bit grayscale "
                             "(or 8-bit) PNG instead")
        return gray
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


def _check_size(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    if min(h, w) < MIN_SIDE:
        raise ImageError(f"image is {w}x{h} pixels; at least {MIN_SIDE} px per side is needed")
    if (share := one_level_share(gray)) >= BLANK_SHARE:
        # equalize() makes such a film mid-grey, and the model still answered (COVID 0.74 to 0.96 on cxr-dev's)
        raise ImageError(f"blank image: {'100' if share == 1 else fixed(share, 1, 100)}% of its pixels are one grey level, "
                         "so there is nothing to classify (a fully transparent PNG, a blank first page or frame, "
                         "or a window outside the data?)")
    return gray


def one_level_share(gray: np.ndarray) -> float:
    """The share of the pixels at the film's most common grey level."""
    return float(value_counts(gray, 0, 256).max() / gray.size)
