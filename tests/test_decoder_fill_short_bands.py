"""edge.pillow_misreads.ends_in_decoder_fill at two edges hand mutation (session 72) showed no test pinned: a top
band of 7 grey rows is less than the block row (8) a padded border fills, so it is no padding and the grey rows
under the film are still the decoder's fill; and a film under 16 rows is never said cut short (the fill starts at a
block row's edge, row 8 at the earliest, so 8 rows of it under real data need 16 rows; its bottom 8 grey rows are
the film's own)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from edge.pillow_misreads import ends_in_decoder_fill


def _film(top: int, bottom: int, h: int, w: int = 96) -> Image.Image:
    gray = np.random.default_rng(h + top + bottom).integers(0, 128, (h, w), dtype=np.uint8)  # no row grey 128
    gray[:top] = 128
    gray[h - bottom:] = 128
    return Image.fromarray(gray)


def test_seven_grey_rows_on_top_are_no_padding_the_rows_below_are_a_fill():
    assert ends_in_decoder_fill(_film(7, 23, 128)) is True
    assert ends_in_decoder_fill(_film(8, 23, 128)) is False  # a block row of padding: the bottom band is padding too


def test_a_film_under_16_rows_is_never_said_cut_short():
    assert ends_in_decoder_fill(_film(0, 8, 15)) is False
    assert ends_in_decoder_fill(_film(0, 8, 16)) is True  # the first row a fill can show under a block row of film
