"""Pins for edge.borders_contrast that its mutation round found unpinned (the rest is in test_preprocess*)."""

from __future__ import annotations

import numpy as np

from edge.borders_contrast import equalize, trim_uniform_borders


def test_equalize_stretches_a_film_with_one_bright_pixel_rather_than_calling_it_constant():
    """Three pixels at 0 and one at 200: cdf = 3 at level 0 and 4 from 200 on, cdf_min = 3, n = 4, so
    level 0 -> (3-3)/(4-3)*255 = 0 and level 200 -> (4-3)/1*255 = 255. Only n == cdf_min (one level) is
    constant mid-grey; a test for 'nearly constant' would grey out this film."""
    assert equalize(np.array([[0, 0], [0, 200]], np.uint8)).tolist() == [[0, 0], [0, 255]]


def test_the_quarter_limit_on_trimming_rounds_down():
    """14 rows, the top 5 flat: a quarter of 14 is 3.5, which int() takes down to 3, so 3 rows go and
    11 stay (rounding to 4 would take a row of the film with it)."""
    rng = np.random.default_rng(0)
    film = rng.integers(0, 256, size=(14, 40), dtype=np.uint8)
    film[:5] = 0
    trimmed = trim_uniform_borders(film)
    assert trimmed.shape == (11, 40)
    assert (trimmed == film[3:]).all()
