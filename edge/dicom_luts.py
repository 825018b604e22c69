"""A DICOM film's grey levels through its LUTs (edge.dicom): the modality LUT (rescale slope and intercept), then
the VOI LUT or window, then the inversion, mapped linearly to 0..255.

Headers get these wrong in ways that would blank a film or fail it: a window narrower than 1 (or of 1, which
leaves a film black and white), a slope of 0 or of 1e308, a centre that is no number, a window far outside the
data, a LUT Descriptor written unsigned for signed pixels. What cannot be applied, or would leave the film (nearly)
one grey level, fewer than 16 grey levels, or values that are no finite numbers, counts as absent: the stored
values are what is left to classify. A film of 8- or 16-bit
stored values is mapped once per value, not in float64 over the whole image (memory).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

import numpy as np

from edge.dicom_size import header_int
from edge.grey_levels import FEW_LEVELS
from edge.memory import short_of_memory
from edge.preprocess import BLANK_SHARE, ImageError, first_line, one_level_share
from edge.wide_pixels import linear_to_uint8, robust_range, row_steps, scale_to_uint8, value_counts

# What a LUT stage is made of, in the order they are dropped when they blank the film: VOI first, then modality.
LUT_STAGES = (("WindowCenter", "WindowWidth", "VOILUTSequence"),
              ("RescaleSlope", "RescaleIntercept", "ModalityLUTSequence"))


def unblanked(arr: np.ndarray, ds, invert: bool) -> np.ndarray:
    """The film through its LUTs, with a stage that makes it (nearly) one grey level or gives values that
    are no finite numbers dropped as if absent (a window far outside the data, a slope of 1e308):
    the stored values are what is left to classify. Padding (unpadded) is set for each try anew: set to the
    darkest value under a falling rescale (the film's highest stored value), it came out white once that
    rescale was dropped; and left out of the grey levels' range, as viewers leave it out of their windowing."""
    return unblanked_counted(arr, ds, invert)[0]


def unblanked_counted(arr: np.ndarray, ds, invert: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`unblanked`, with the returned film's 256 per-level counts (None where every stage failed): each try
    is counted once, for its blank and posterised tests alike (each counted it up to 0.54.0), and the film's
    counts go on to edge.preprocess's checks, which counted it a third time."""
    img = counts = None
    padding = padding_of(arr, ds)
    for stage in ((),) + LUT_STAGES:
        present = [name for name in stage if name in ds]
        if stage and not present:
            continue
        for name in present:
            delattr(ds, name)
        film, left_out = unpadded(arr, ds, invert, padding)
        img = _grey_film(film, ds, invert, left_out)
        counts = None if img is None else value_counts(img, 0, 256)
        if img is not None and one_level_share(img, counts) < BLANK_SHARE and not _posterised(counts, film):
            return img, counts
    return (img, counts) if img is not None else (np.zeros(arr.shape, dtype=np.uint8), None)


# Fewer grey levels than FEW_LEVELS after the LUTs, from stored values of more, is a window too narrow to be one meant
# for viewing: a Window Width of 1 (which DICOM allows) made a 12-bit film black and white, labelled as such.


def _posterised(counts: np.ndarray, arr: np.ndarray) -> bool:
    """Whether the LUTs left a film of 256 per-level ``counts`` fewer than FEW_LEVELS grey levels where the stored
    values ``arr`` have more. Counted a block at a time (value_counts): np.bincount of the whole film took an 8-byte
    copy of it, the peak of a DICOM's decode (80 MiB for a 3000x3500 film)."""
    levels = int(np.count_nonzero(counts))
    return levels < FEW_LEVELS and np.unique(arr).size > levels


def _grey_film(arr: np.ndarray, ds, invert: bool, left_out: tuple[int, int] | None = None) -> np.ndarray | None:
    """8-bit grey levels through the modality LUT (rescale), then the VOI LUT or window; None where
    those give values that are no finite numbers. ``left_out``: padding, as by_stored_value takes it."""
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    def grey_levels(values: np.ndarray) -> np.ndarray:
        with _applying("Modality LUT Sequence" if "ModalityLUTSequence" in ds else "Rescale Slope and Intercept"):
            modality = apply_modality_lut(values, ds)
        if "VOILUTSequence" in ds and modality.dtype.kind == "f":
            # A rescale (often slope 1, intercept 0) makes the values floats, and pydicom warns on each such
            # film that floats 'may give incorrect results'. It indexes its LUT with them rounded down (a
            # cast, above the LUT's first value); as integers rounded down they give the same grey levels.
            if not np.isfinite(modality).all():
                return np.full(modality.shape, np.nan)
            modality = np.floor(modality).astype(np.int64)
        with _applying("VOI LUT Sequence" if "VOILUTSequence" in ds else "Window Center and Width"):
            return np.asarray(apply_voi_lut(modality, ds, index=0), dtype=np.float64)

    # Value by value when only + - * / and lookups are involved (their bits cannot depend on the array's
    # size); a sigmoid window (np.exp) over the whole image, as it always was.
    if arr.dtype.kind in "iu" and arr.dtype.itemsize <= 2 and str(ds.get("VOILUTFunction", "")).upper() != "SIGMOID":
        return by_stored_value(arr, grey_levels, invert, left_out)
    grey = grey_levels(arr)
    return linear_to_uint8(grey, invert) if np.isfinite(grey).all() else None


@contextmanager
def _applying(what: str) -> Iterator[None]:
    """Say which header stage pydicom could not apply: its own error ("index 160 is out of bounds for axis 0 with
    size 10", for a VOI LUT of 10 entries where its descriptor says 4096) named no attribute of the file."""
    try:
        yield
    except Exception as e:
        if short_of_memory(e):
            raise
        raise ImageError(f"cannot decode DICOM (its {what} cannot be applied: {first_line(e)})") from None


def sign_lut_descriptors(ds) -> None:
    """Read a LUT Descriptor's first mapped value as signed for signed pixels (PS3.3 C.11.2.1.1). Written
    as US (explicit VR) 63488 means -2048: numpy 2 refuses to compare it with int16 pixels, and numpy 1
    mapped every pixel below it (a black film). pydicom does this itself for implicit VR."""
    if header_int(ds, "PixelRepresentation", 0) != 1:
        return
    for sequence in ("ModalityLUTSequence", "VOILUTSequence"):
        for item in ds.get(sequence) or []:
            if "LUTDescriptor" not in item:
                continue
            element = item["LUTDescriptor"]
            values = list(element.value) if element.VM > 1 else []
            if len(values) == 3 and 32768 <= values[1] <= 65535:
                element.VR = "SS"
                element.value = [values[0], values[1] - 65536, values[2]]


def _numbers(ds, names: tuple[str, str]) -> tuple[float, float] | None:
    """The first values of two attributes as finite numbers, or None."""
    try:
        values = tuple(float(e.value[0] if e.VM > 1 else e.value) for e in (ds[name] for name in names))
    except Exception:
        return None
    return values if all(map(math.isfinite, values)) else None


def rescale_usable(ds) -> bool:
    """Whether a rescale slope and intercept are numbers, the slope not 0 (which would blank the film)."""
    values = _numbers(ds, ("RescaleSlope", "RescaleIntercept"))
    return values is not None and values[0] != 0


def window_usable(ds) -> bool:
    """Whether the first window centre and width are numbers that pydicom's windowing accepts."""
    if (values := _numbers(ds, ("WindowCenter", "WindowWidth"))) is None:
        return False
    _, width = values
    function = str(ds.get("VOILUTFunction", "LINEAR") or "LINEAR").upper()
    least_ok = width >= 1 if function == "LINEAR" else width > 0
    return least_ok and function in ("LINEAR", "LINEAR_EXACT", "SIGMOID")


def by_stored_value(arr: np.ndarray, grey_levels, invert: bool,
                    left_out: tuple[int, int] | None = None) -> np.ndarray | None:
    """The bytes of ``linear_to_uint8(grey_levels(arr), invert)``, with ``grey_levels`` applied once per
    stored value (at most 65536 for 8- and 16-bit pixels) rather than in float64 over the whole image;
    None where a value present maps to no finite number. The outlier range (edge.wide_pixels.robust_range) is
    that of every pixel, from the counts (less ``left_out``: (stored value, pixels) of padding set to the film's darkest value, which
    viewers leave out of their windowing: counted, it kept a few dark marker pixels in the range and squashed the
    field into its top grey levels), where linear_to_uint8 of a float film of 2,000,000 pixels or more takes it
    from an even sample: a film whose few extreme pixels the sample over- or under-counts can differ."""
    first = int(arr.min())
    values = np.arange(first, int(arr.max()) + 1).astype(arr.dtype)
    mapped = grey_levels(values)
    counts = value_counts(arr, first, len(values))
    present = counts > 0
    if left_out is not None and present[left_out[0] - first]:
        counts[left_out[0] - first] = max(1, counts[left_out[0] - first] - left_out[1])
    if not np.isfinite(mapped[present]).all():
        return None
    lo, hi = float(mapped[present].min()), float(mapped[present].max())
    if hi <= lo:
        return np.zeros(arr.shape, dtype=np.uint8)
    order = np.argsort(mapped[present], kind="stable")  # a VOI LUT need not be monotone
    lo, hi = robust_range(mapped[present][order], counts[present][order])
    table = scale_to_uint8(np.where(present, mapped, lo), lo, hi, invert)
    out = np.empty(arr.shape, dtype=np.uint8)
    for r in row_steps(arr):
        out[r] = table[arr[r].astype(np.intp) - first]
    return out


def palette_problem(ds) -> str | None:
    """Why a PALETTE COLOR film's palette cannot be applied, else None: pydicom takes an entry's bits from the
    data's length over the descriptor's number of entries, so a palette shorter than its descriptor says failed
    with "data type 'uint1' not understood", which named nothing in the file. Segmented palettes pass."""
    if "SegmentedRedPaletteColorLookupTableData" in ds or "RedPaletteColorLookupTableData" not in ds:
        return None  # pydicom's own words for what it cannot read of these
    try:
        descriptor = ds.RedPaletteColorLookupTableDescriptor
        entries, bits = int(descriptor[0]) or 65536, int(descriptor[2])  # 0 entries says 2**16 (PS3.3 C.7.6.3.1.5)
    except Exception:  # noqa: BLE001 - no descriptor pydicom can read: its own error says so
        return None
    if bits not in (8, 16):  # pydicom: "data type 'uint1' not understood"
        return (f"cannot decode DICOM (its palette's descriptor says {bits}-bit entries, where a palette's are "
                "8- or 16-bit: a wrong descriptor; re-export the film)")
    for colour in ("Red", "Green", "Blue"):
        data = ds.get(f"{colour}PaletteColorLookupTableData")
        size = len(data) if isinstance(data, bytes) else 0
        if size not in (entries, 2 * entries):  # 8- or 16-bit entries
            return (f"cannot decode DICOM (its {colour} Palette Color Lookup Table Data is {size} bytes, but its "
                    f"descriptor says {entries} entries ({entries} or {2 * entries} bytes): a palette cut short or a "
                    "wrong descriptor; re-export the film)")
    return None


def padding_of(arr: np.ndarray, ds) -> tuple[np.ndarray, int, int] | None:
    """Which pixels are the header's padding (Pixel Padding Value, up to Pixel Padding Range Limit if given), with
    the lowest and highest stored value of the film itself; None where no padding is said, none is there, or all
    of it is (which the blank check refuses as it is)."""
    if "PixelPaddingValue" not in ds or arr.dtype.kind not in "iu":
        return None
    try:
        ends = [_padding(ds, name) for name in ("PixelPaddingValue", "PixelPaddingRangeLimit") if name in ds]
    except (TypeError, ValueError):  # no number: no padding said
        return None
    lo, hi = min(ends), max(ends)
    padding = (arr >= lo) & (arr <= hi)
    if not padding.any() or padding.all():
        return None
    film = arr[~padding]
    return padding, film.min(), film.max()


def unpadded(arr: np.ndarray, ds, invert: bool,
             padding: tuple[np.ndarray, int, int] | None = None) -> tuple[np.ndarray, tuple[int, int] | None]:
    """The stored values with the header's padding (``padding``: padding_of, read from ``ds`` where not given)
    set to the darkest value of the film itself: the minimum, or the maximum where the film is shown inverted or
    its modality LUT (as ``ds`` has it now) falls (a negative Rescale Slope); both, the minimum again. With them
    (that value, the number of padding pixels), for by_stored_value to leave out of the range; None: no padding.
    Viewers render padding black and leave it out of their windowing (PS3.3 C.7.5.1.1.2); pydicom does nothing
    with it, so -2000 around a collimated field stretched the linear map and the film came out a pale grey, which
    the flat-border trim (edge.preprocess) did not remove. Black, the border is trimmed as any flat border is."""
    if padding is None and (padding := padding_of(arr, ds)) is None:
        return arr, None
    mask, lo_film, hi_film = padding
    value = hi_film if invert != _falling(ds, lo_film, hi_film) else lo_film
    out = arr.copy()
    out[mask] = value
    return out, (int(value), int(np.count_nonzero(mask)))


def _falling(ds, lo, hi) -> bool:
    """Whether the modality LUT gives the film's lowest stored value the higher value (a negative Rescale Slope, a
    falling Modality LUT): its darkest pixel is then its highest stored value, and padding set to the lowest came out
    white. Not decided (False) where the LUT cannot be applied; _grey_film says why."""
    from pydicom.pixels import apply_modality_lut

    try:
        lo_out, hi_out = apply_modality_lut(np.array([lo, hi]), ds)
    except Exception:  # noqa: BLE001 - said when the film is mapped
        return False
    return bool(lo_out > hi_out)


def _padding(ds, name: str) -> int:
    """A padding value as a stored value: one written US (explicit VR) for signed pixels is read as such (65535, -1)."""
    value = ds[name].value
    value = int(value[0] if ds[name].VM > 1 else value)
    if header_int(ds, "PixelRepresentation", 0) == 1 and value >= 32768:
        value -= 65536
    return value
