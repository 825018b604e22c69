"""A DICOM film whose Pixel Representation (0028,0103) says signed pixels for unsigned ones, or the other way round.

pydicom, and viewers with it, trust the header: unsigned 12-bit values of 2048 and more read as signed are negative,
so the brightest parts of the film turn black (and a signed film's negative values read as unsigned turn white).
The film decodes, and was labelled. Such a film is told by its edges: read the way its header says, neighbouring
pixels jump across the whole range wherever the picture crosses the wrap; read the other way, they do not. A film
whose pixels are all on one side of the wrap reads the same either way and is never questioned.

Padding (Pixel Padding Value, up to Pixel Padding Range Limit: edge.dicom_luts.padding_of) is left out: no part of
the picture, it is often the film's highest or lowest value (4095 around a 12-bit field, -2000 around a signed one),
and the jumps between it and the field made a film whose sign is right rougher as its header says, and refused.
Saturated pixels (the extremes of either reading: 0 and 4095 of an unsigned 12-bit film, -2048 and 2047 of a signed
one) are left out for the same reason: burned-in white text, L/R markers and black collimation are no part of the
picture, and each edge of white text on black is a jump across the whole range as stored but a step of 1 read the
other way, so a dark unsigned film with a line of patient text (or an R marker) was refused as signed.
"""

from __future__ import annotations

import numpy as np

from edge.dicom_luts import padding_of
from edge.dicom_size import header_int

# How much rougher (summed differences of neighbouring pixels) the film as its header says must be than the other
# reading to be refused: a 12-bit ramp wrapped once per row is 2x as rough; a chest film crossing the wrap along its
# contours is many times; a film whose sign is right is rougher the other way, never this way.
ROUGHER = 1.5
ROWS_LOOKED_AT = 512  # every n-th row, enough to see a wrap, at a fraction of a large film's cost


def sign_lie(arr: np.ndarray, ds) -> str | None:
    """Why ``arr`` (a grey film's stored values) is refused as read with the wrong sign, else None."""
    if arr.ndim != 2 or arr.dtype.kind not in "iu" or arr.shape[1] < 2:
        return None
    bits = header_int(ds, "BitsStored", 0)
    if not 2 <= bits <= arr.dtype.itemsize * 8:
        return None
    said_signed = arr.dtype.kind == "i"
    rows = arr[:: max(1, arr.shape[0] // ROWS_LOOKED_AT)].astype(np.int64)
    sign, mask = 1 << (bits - 1), (1 << bits) - 1
    other = rows & mask if said_signed else ((rows & mask) ^ sign) - sign
    film = _not_padding(rows, other, ds) & ~_saturated(rows, bits)
    if np.array_equal(other[film], rows[film]):
        return None  # no value of the film on the far side of the wrap: either reading is the same film
    neighbours = film[:, 1:] & film[:, :-1]  # steps into and out of padding and text are no part of the picture

    def roughness(values: np.ndarray) -> int:
        return int(np.abs(np.diff(values, axis=1))[neighbours].sum())

    if not roughness(other) * ROUGHER < roughness(rows):
        return None
    said, meant = ("signed", "unsigned") if said_signed else ("unsigned", "signed")
    return (f"refused: its Pixel Representation says {said} pixels, but read so the film wraps round (its "
            f"{'brightest parts turn black' if said_signed else 'darkest parts turn white'}); read as {meant} it is "
            "whole: a wrong Pixel Representation (0028,0103) in its header; correct it or re-export the film")


def _not_padding(rows: np.ndarray, other: np.ndarray, ds) -> np.ndarray:
    """Which pixels are no padding, read either way: a header whose sign is wrong may give its Pixel Padding Value
    as the film's true reading has it (4095 beside pixels said signed, which read it as -1), and that border's
    jumps, counted, made the true reading as rough as the wrong one, and the film was read wrapped round."""
    film = np.ones(rows.shape, bool)
    for values in (rows, other):
        if (padding := padding_of(values, ds)) is not None:
            film &= ~padding[0]
    return film


def _saturated(rows: np.ndarray, bits: int) -> np.ndarray:
    """Which pixels hold the lowest or highest value of either reading (0 and 4095, and 2047 and 2048, which read as
    signed are 2047 and -2048, at 12 bits). Burned-in text, L/R markers and collimation are drawn at the extremes of
    the film's true reading, which may be either; counted, a right film with text was refused, and a wrong one
    with text could pass, its text's edges rough in the true reading. The price: a wrap crossed only through exactly
    those values (a noiseless ramp of one grey level a pixel) is not seen; a real film's noise crosses it elsewhere."""
    sign, mask = 1 << (bits - 1), (1 << bits) - 1
    return np.isin(rows & mask, (0, mask, sign - 1, sign))
