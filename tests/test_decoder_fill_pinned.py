"""edge.pillow_misreads.ends_in_decoder_fill pinned (hand mutation testing, session 71): the padding rule's
boundaries (a top band of exactly 8 rows, a bottom band up to twice it and 8 more), a film ending in fewer than 8
grey rows (no decoder fills less than a block row), and a film grey 128 throughout (blank, not cut short)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edge.pillow_misreads import ends_in_decoder_fill


def _film(top: int, bottom: int, h: int = 128, w: int = 96) -> Image.Image:
    rng = np.random.default_rng(h + top + bottom)
    gray = rng.integers(0, 128, (h, w), dtype=np.uint8)  # never a row of grey 128
    gray[:top] = 128
    gray[h - bottom:] = 128
    return Image.fromarray(gray)


@pytest.mark.parametrize("top,bottom,fill", [
    (8, 24, False),  # padded: 8 rows on top, 24 = 2 x 8 + 8 below
    (8, 25, True),  # one row deeper: a fill
    (0, 8, True),  # a block row of fill under a film
    (0, 4, False),  # 4 grey rows: no decoder fills less than 8
])
def test_the_padding_rule_at_its_boundaries(top, bottom, fill):
    assert ends_in_decoder_fill(_film(top, bottom)) is fill


def test_a_film_grey_128_throughout_is_no_fill_its_blankness_is_said_elsewhere():
    assert ends_in_decoder_fill(Image.fromarray(np.full((64, 64), 128, np.uint8))) is False
