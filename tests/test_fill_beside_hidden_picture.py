"""A film on a clear canvas filled with one colour, with part of its own picture also under a clear alpha, is judged
by the part it hides, not refused whole (edge.clear_film.FLAT_FILL): a cxr-dev film rotated onto a clear canvas
filled white, with 8% of the canvas of its picture under alpha 1, held 88% of the coloured clear pixels on the fill,
under the 90% then asked, and all 57% clear were counted as hiding a picture (refused). Only what lies off the fill
hides; a picture with no fill beside it is refused as before (tests/test_clear_fill.py)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edge.image_error import ImageError
from edge.preprocess import load_bytes
from tests.conftest import cxr_dev_or_skip
from tests.test_image_fuzzed import encode


def rotated_with_hidden_rows(f: np.ndarray, fill: int, hidden_share: float = 0.08) -> bytes:
    """``f`` rotated 45 degrees onto a clear canvas storing grey ``fill``, its topmost pixels (``hidden_share`` of the
    canvas) under alpha 1: laid on black they show nearly black, as a film that hides part of itself."""
    rgba = np.asarray(Image.fromarray(f, "L").convert("RGBA").rotate(45, expand=True, fillcolor=(fill,) * 3 + (0,)))
    rgba = rgba.copy()
    ys, xs = np.nonzero(rgba[..., 3] == 255)
    top = np.argsort(ys, kind="stable")[: int(hidden_share * rgba[..., 3].size)]
    rgba[ys[top], xs[top], 3] = 1
    return encode(Image.fromarray(rgba, "RGBA"))


def test_a_cxr_dev_film_on_a_white_filled_clear_canvas_hiding_8_percent_of_itself_reads_as_on_black():
    f = np.asarray(Image.open(sorted(cxr_dev_or_skip().glob("Normal/*.png"))[0]).convert("L"))
    on_black = load_bytes(rotated_with_hidden_rows(f, 0), "x.png")
    assert (load_bytes(rotated_with_hidden_rows(f, 255), "x.png") == on_black).all()


def test_a_film_on_a_grey_filled_clear_canvas_hiding_a_fifth_of_itself_reads_as_on_black():
    """Fill 51%, picture 20% of the canvas under alpha 1: 72% of the coloured clear pixels on the fill."""
    f = np.random.default_rng(0).integers(16, 256, (400, 300), np.uint8)
    on_black = load_bytes(rotated_with_hidden_rows(f, 0, 0.2), "x.png")
    assert (load_bytes(rotated_with_hidden_rows(f, 128, 0.2), "x.png") == on_black).all()


def test_a_mostly_clear_canvas_over_a_fill_and_a_picture_says_the_rest_lies_over_the_fill_not_black():
    """80% clear over white, 8% over a picture under alpha 1, 12% opaque: refused for its clear share, and the
    words said "the rest over black" of a white fill."""
    rgba = np.full((200, 200, 4), 255, np.uint8)
    rgba[..., 3] = 0
    rgba[:16, :, :3] = np.random.default_rng(1).integers(20, 200, (16, 200, 1))  # 8%: a picture ...
    rgba[:16, :, 3] = 1  # ... under alpha 1
    rgba[176:, :, 3] = 255  # 12% opaque (a white box)
    with pytest.raises(ImageError) as e:
        load_bytes(encode(Image.fromarray(rgba, "RGBA")), "x.png")
    said = str(e.value)
    assert "88.0% of the film's pixels are nearly clear" in said and "8.0% over a picture" in said, said
    assert "the rest over one flat colour" in said and "over black" not in said, said
