"""Pins for edge.wide_pixels that its mutation round found unpinned: the constant film, and the edges of the
outlier rule (which share of pixels may be outliers, which side of a quantile counts, the half-range test)."""

from __future__ import annotations

import warnings

import numpy as np

from edge.wide_pixels import linear_to_uint8


def film(*groups: tuple[int, int]) -> np.ndarray:
    """A one-row 16-bit film of (value, how many pixels) groups."""
    return np.concatenate([np.full(n, v, np.uint16) for v, n in groups])[None, :]


def body(start: int, levels: int, n: int) -> list[tuple[int, int]]:
    """n pixels spread over `levels` grey values start, start+100, ... (i % levels), as value groups."""
    counts = np.bincount(np.arange(n) % levels, minlength=levels)
    return [(start + 100 * k, int(c)) for k, c in enumerate(counts)]


def mapped(a: np.ndarray, value: int) -> int:
    """What linear_to_uint8 maps the first pixel holding `value` to."""
    return int(linear_to_uint8(a)[0, int(np.flatnonzero(a[0] == value)[0])])


def test_a_constant_wide_film_is_black_without_dividing_by_zero():
    """min == max: no range to map from, so every pixel is 0 (not mid-grey, and no 0/0 NaN cast to bytes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert linear_to_uint8(np.full((4, 5), 1000, np.uint16)).tolist() == [[0] * 5] * 4
        assert linear_to_uint8(np.full((3, 3), 2.5, np.float32)).tolist() == [[0] * 3] * 3


def test_half_a_percent_of_saturated_pixels_are_content_not_outliers():
    """1000 pixels, 995 on 0..3900 and 5 at 65535: 5 > 0.1% (OUTLIER_SHARE) of 1000, so the 99.9% quantile is
    65535 and the film maps from 0..65535: 3900 -> round(3900 / 65535 * 255) = round(15.18) = 15 (a 1% share
    would clip the five and stretch 3900 to 255)."""
    a = film(*body(0, 40, 995), (65535, 5))
    assert mapped(a, 3900) == 15
    assert mapped(a, 65535) == 255


def test_one_pixel_at_each_end_of_1000_is_an_outlier_exactly_at_the_quantile():
    """1000 pixels: one at 0, one at 65535, 998 on 40000..40900. The 0.1% point is cdf = 1, reached exactly at 0:
    the low quantile is the first value past it (40000); the 99.9% point is cdf = 999, reached exactly at 40900,
    which is the high quantile. 900 < half of 65535, so the range is 40000..40900:
    40400 -> round(400 / 900 * 255) = round(113.3) = 113, and the two outliers go black and white.
    (Taking 0 as the low quantile would map from 0..65535, 40400 -> 157; taking 65535 as the high one would map
    from 40000..65535, 40400 -> 4.)"""
    a = film((0, 1), *body(40000, 10, 998), (65535, 1))
    assert [mapped(a, v) for v in (0, 40000, 40400, 40900, 65535)] == [0, 0, 113, 255, 255]


def test_quantiles_that_meet_keep_the_films_own_range():
    """999 pixels at 100 and one at 200: both quantiles are 100 (no spread between them), so the film maps from
    its min and max, 100 -> 0 and 200 -> 255, and no division by a zero range happens."""
    a = film((100, 999), (200, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [mapped(a, 100), mapped(a, 200)] == [0, 255]


def test_the_outlier_rule_takes_a_span_under_half_of_min_to_max_and_not_one_of_exactly_half():
    """One pixel at 0, one at 2000, 998 between (quantiles: the inner min and max, as in the test above).
    Inner 550..1450 spans 900 = 45% of 2000, under half: mapped from 550..1450, so 550 -> 0.
    Inner 500..1500 spans exactly 1000 = half: not under half, mapped from 0..2000, 500 -> round(63.75) = 64."""
    under = film((0, 1), *body(550, 10, 998), (2000, 1))
    assert mapped(under, 550) == 0 and mapped(under, 1450) == 255
    half = film((0, 1), *body(500, 11, 998), (2000, 1))
    assert mapped(half, 500) == 64 and mapped(half, 1500) == 191  # 1500 / 2000 * 255 = 191.25
