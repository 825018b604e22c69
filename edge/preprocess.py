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

from pathlib import Path

import numpy as np
from PIL import Image

from edge.borders_contrast import border_widths, equalize, inside_borders, trim_uniform_borders
from edge.box_on_blank import box_on_blank_fault
from edge.grey_levels import few_levels_fault
# what other modules and the tests take from here, each from the module that does it
from edge.blank_film import BLANK_SHARE, check_size, one_level_share  # noqa: F401
from edge.decoder_words import corrupt, first_line, unopened  # noqa: F401 (first_line: edge.batch, edge.dicom, ... take it here)
from edge.film_bytes import MAX_FILE_BYTES, FilmBytes, held, read_image_file, read_regular_file  # noqa: F401
from edge.image_decode import DECODER_ERRORS, MAX_PIXELS, MIN_SIDE, decode_bytes, decode_counted  # noqa: F401
from edge.image_error import ImageError  # the error of every refused film, given on from here
from edge.memory import OUT_OF_MEMORY, short_of_memory  # noqa: F401 (edge.batch, edge.dicom, edge.model take them here)
from edge.preprocess_config import NORMALIZE_MODES, RESIZE_MODES, PreprocessConfig  # noqa: F401
from edge.wide_pixels import value_counts

# Which rules turn a file into pixels. A run's cache (train.cache) records it, and a cache of other
# rules is decoded again: bump it with every change that gives some file other pixels (not for a new
# refusal). 2: cxr-edge 0.25.0 reads a DICOM film with Presentation LUT Shape INVERSE inverted. 3: a GIF whose first
# image lies outside its screen is read alone, without the band Pillow grew around it (edge.gif_screen). 4: DICOM padding is left out of the grey-level range
# and stays black under a dropped falling rescale (edge.dicom_luts).
DECODE_RULES = 4


def preprocess_file(path: str | Path, config: PreprocessConfig = PreprocessConfig()) -> np.ndarray:
    """Read an image file and return the model input, uint8 of shape (size, size, channels)."""
    gray, borders = read_film(FilmBytes(read_image_file(path)), path)  # as preprocess_gray(load_grayscale(path), config)
    return bordered_input(gray, borders, config)


def bordered_input(gray: np.ndarray, borders: tuple[int, int, int, int],
                   config: PreprocessConfig = PreprocessConfig()) -> np.ndarray:
    """preprocess_gray(gray, config) of a film whose uniform borders read_film found already (``borders``): the
    same bytes, without finding them again (train.scan found them three times a film up to 0.54.0)."""
    return _model_input(inside_borders(gray, borders) if config.trim_borders else gray, config)


def preprocess_gray(gray: np.ndarray, config: PreprocessConfig = PreprocessConfig()) -> np.ndarray:
    """Turn an 8-bit grayscale image (H, W) into the model input (pure function)."""
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"expected a 2-D uint8 image, got {gray.dtype} {gray.shape}")
    return _model_input(trim_uniform_borders(gray) if config.trim_borders else gray, config)


def _model_input(gray: np.ndarray, config: PreprocessConfig) -> np.ndarray:
    """Steps 3 and 4 of a film (its borders trimmed already where the config says so)."""
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


def load_grayscale(path: str | Path) -> np.ndarray:
    """Decode an image file to 8-bit grayscale (H, W); raise ImageError with a clear reason."""
    return load_bytes(read_image_file(path), path)


def load_bytes(data: bytes, path: str | Path = "") -> np.ndarray:
    """Decode a file's bytes (the name only hints at DICOM) to 8-bit grayscale (H, W)."""
    return read_film(data, path)[0]


def read_film(data: bytes | FilmBytes, path: str | Path) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """load_bytes's film and its uniform borders' widths (edge.borders_contrast.border_widths; bordered_input and
    train.scan take them, never finding them again). Its grey levels are
    counted once, for the blank, grey-level and box checks alike, and its borders found once, for the box check and
    the model input alike: each took its own, two or three histograms and two trims a film up to 0.53.0.
    FilmBytes (preprocess_file's) are held by nothing else, so the decode drops them once it has the pixels."""
    film = held(data)
    del data
    if not film.size:
        raise ImageError("empty file (0 bytes)")
    from edge.dicom import dicom_counted, is_dicom  # reading DICOM needs the optional extra (pydicom)

    dicom = is_dicom(film.data, Path(path))
    gray, counts = dicom_counted(film) if dicom else decode_counted(film)
    if min(gray.shape) >= MIN_SIDE and counts is None:  # a smaller one is refused for its size, uncounted
        counts = value_counts(gray, 0, 256)
    check_size(gray, counts)
    if (fault := few_levels_fault(gray, b"" if dicom else film.data, counts, dicom)) is not None:
        raise ImageError(fault)  # not blank, and still no radiograph: too few levels
    borders = border_widths(gray)
    if (fault := box_on_blank_fault(gray, counts, borders)) is not None:
        raise ImageError(fault)  # or a box on a blank
    return gray, borders
