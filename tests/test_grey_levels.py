"""A film whose pixels span too few grey levels is refused, not labelled (edge.grey_levels): found by an image fuzz, an
LA or RGBA PNG (or WebP) of alpha 1/255 everywhere was read as grey 0 and 1, passed the blank check (two levels) and
was labelled."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from edge.grey_levels import FEW_LEVELS, central_spread, few_levels_fault
from edge.preprocess import ImageError, decode_bytes, load_bytes
from tests.test_image_fuzzed import encode, film  # the same smooth film and encoder


def nearly_clear(mode: str, alpha: int = 1) -> Image.Image:
    """The film in the colour channels, under an alpha of ``alpha``/255 everywhere."""
    f = film()
    a = np.full_like(f, alpha)
    return Image.fromarray(np.dstack([f, a] if mode == "LA" else [f, f, f, a]), mode)


LO, HI = central_spread(film())  # what the colour channels span
HIDDEN = HI - LO + 1


@pytest.mark.parametrize("mode, fmt, kw", [("LA", "PNG", {}), ("RGBA", "PNG", {}), ("RGBA", "WEBP", {"lossless": True})])
def test_a_film_hidden_by_an_alpha_of_1_is_refused_saying_so(mode, fmt, kw):
    data = encode(nearly_clear(mode), fmt, **kw)
    assert np.unique(decode_bytes(data)).tolist() == [0, 1]  # laid on black: what the blank check let through
    with pytest.raises(ImageError, match=rf"^too few grey levels: 99% of the film's pixels lie within 2 grey levels "
                                         rf"\(0 to 1\), .*its transparency \(alpha at most 1/255\) hides a picture "
                                         rf"spanning {HIDDEN} grey levels in its colour channels.*; export it again "
                                         r"without transparency \(no alpha channel\)$"):
        load_bytes(data, "x." + fmt.lower())


def test_ignoring_the_alpha_would_give_the_film_and_un_premultiplying_would_not():
    """Why the hint reads the colour channels: a PNG's alpha is straight, so they hold the film exactly; the
    composited grey (0 or 1) keeps nothing of it to un-premultiply."""
    data = encode(nearly_clear("RGBA"))
    behind = np.asarray(Image.open(io.BytesIO(data)).convert("RGB").convert("L"))
    assert (behind == film()).all()
    assert np.unique(decode_bytes(data).astype(int) * 255).size == 2


@pytest.mark.parametrize("alpha", [2, FEW_LEVELS - 2])
def test_a_faint_alpha_is_refused_while_the_film_spans_fewer_than_16_levels(alpha):
    data = encode(nearly_clear("LA", alpha))
    lo, hi = central_spread(decode_bytes(data))
    assert hi - lo + 1 < FEW_LEVELS
    with pytest.raises(ImageError, match=rf"^too few grey levels: 99% of the film's pixels lie within {hi - lo + 1} "):
        load_bytes(data, "x.png")


def test_a_faint_grey_film_is_refused_with_what_to_do_and_a_few_bright_pixels_change_nothing():
    faint = (film() // 32 + 100).astype(np.uint8)  # 100..107, no transparency
    faint[:2, :3] = 255  # 6 pixels of a logo: 0.05%
    with pytest.raises(ImageError, match=r"^too few grey levels: 99% of the film's pixels lie within \d grey levels "
                                         r"\(10\d to 10\d\), where a chest film spans 80 or more; export it again as a "
                                         r"grayscale film, and check that it has no transparency \(alpha\)$"):
        load_bytes(encode(Image.fromarray(faint)), "x.png")


def test_16_levels_pass_and_15_do_not():
    levels = np.resize(np.arange(16, dtype=np.uint8) + 50, (64, 64))
    assert few_levels_fault(levels) is None
    assert load_bytes(encode(Image.fromarray(levels)), "x.png").shape == (64, 64)
    assert "within 15 grey levels (50 to 64)" in few_levels_fault(np.where(levels == 65, 64, levels).astype(np.uint8))


def test_dithered_and_posterised_pictures_spanning_the_range_still_decode():
    """A web-palette film (11 dithered grey levels, tests/corpus.py's palette.png), a 1-bit dithered one, and an
    8-level self-test picture (convert.export.selftest_images): few levels, but spread over the range, showing a film."""
    for data in (encode(Image.fromarray(film()).convert("RGB").convert("P")), encode(Image.fromarray(film()).convert("1")),
                 encode(Image.fromarray(film() // 32 * 32))):
        assert load_bytes(data, "x.png").shape == (128, 96)


def test_an_opaque_film_and_a_partly_transparent_one_still_decode():
    f = film()
    assert (load_bytes(encode(nearly_clear("LA", 255)), "x.png") == f).all()
    half = np.dstack([f, np.where(np.arange(96) < 48, 255, 0).astype(np.uint8)[None].repeat(128, 0)])
    out = load_bytes(encode(Image.fromarray(half, "LA")), "x.png")
    assert (out[:, :48] == f[:, :48]).all() and out[:, 48:].max() == 0

