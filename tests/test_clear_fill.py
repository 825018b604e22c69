"""A good film rotated onto a clear canvas whose clear pixels store one flat colour (white, grey, red) is read, not
refused (edge.clear_film): 51% of its pixels clear over white counted as hiding a picture, and it was refused as
mostly transparent, where the same film on a canvas filled black was read. A fill hides nothing; a picture under
the clear pixels, whose colours vary, is still refused."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edge.preprocess import ImageError, load_bytes
from tests.conftest import cxr_dev_or_skip
from tests.test_image_fuzzed import encode, film

OVER_A_PICTURE = (r"^mostly transparent: \d\d\.\d% of the film's pixels are nearly clear \(alpha under 16/255\) "
                  r"over a picture")


def rotated(fill: tuple[int, int, int]) -> Image.Image:
    """A 300x400 film of random greys rotated 45 degrees onto a clear canvas storing ``fill`` (51% of it clear)."""
    f = np.random.default_rng(0).integers(0, 256, (400, 300), np.uint8)
    return Image.fromarray(f, "L").convert("RGBA").rotate(45, expand=True, fillcolor=(*fill, 0))


# exact: WebP otherwise blacks out the colours under alpha 0 (the fill would be black, read already)
@pytest.mark.parametrize("fmt, kw", [("PNG", {}), ("WEBP", {"lossless": True, "exact": True})])
@pytest.mark.parametrize("fill", [(255, 255, 255), (128, 128, 128), (200, 30, 30)])
def test_a_film_rotated_onto_a_clear_canvas_filled_with_one_colour_reads_as_on_black(fill, fmt, kw):
    on_black = load_bytes(encode(rotated((0, 0, 0)), fmt, **kw), "x." + fmt.lower())
    assert (load_bytes(encode(rotated(fill), fmt, **kw), "x." + fmt.lower()) == on_black).all()


def test_a_fill_dithered_over_neighbouring_levels_hides_nothing_either():
    rgba = np.asarray(rotated((255, 255, 255))).copy()
    clear = rgba[..., 3] == 0
    rgba[..., :3][clear] -= np.random.default_rng(1).integers(0, 3, (int(clear.sum()), 1), np.uint8)  # 253..255
    assert load_bytes(encode(Image.fromarray(rgba, "RGBA")), "x.png").shape == rgba.shape[:2]


def test_a_picture_under_the_clear_pixels_beside_a_white_fill_is_still_refused():
    """The rotated film itself under alpha 1 but for an opaque box: 49% of the canvas hides a varied picture, the
    rest is the white fill; nearly clear over a picture as a whole, it is refused as before."""
    rgba = np.asarray(rotated((255, 255, 255))).copy()
    film_area = rgba[..., 3] == 255
    rgba[..., 3][film_area] = 1
    rgba[218:278, 218:278] = 255  # an opaque white box inside the film: 1.5% of the canvas
    with pytest.raises(ImageError, match=OVER_A_PICTURE):
        load_bytes(encode(Image.fromarray(rgba, "RGBA")), "x.png")


def test_a_canvas_clear_over_white_but_for_a_box_is_refused_naming_the_flat_colour():
    """Over 80% clear is refused whatever the colour under it, black or a flat fill (edge.clear_film.MOSTLY_CLEAR)."""
    rgba = np.full((128, 96, 4), 255, np.uint8)
    rgba[..., 3] = 0
    rgba[4:20, 4:20, :3] = np.asarray(Image.fromarray(film()).resize((16, 16)))[..., None]  # a small film, opaque
    rgba[4:20, 4:20, 3] = 255
    with pytest.raises(ImageError, match=r"^mostly transparent: 9\d\.\d% .* over one flat colour, and only \d\.\d% of "
                                         r"it is opaque: .*; the picture under the clear pixels was filled with that "
                                         r"colour by the program that saved it, or was never there: crop the canvas"):
        load_bytes(encode(Image.fromarray(rgba, "RGBA")), "x.png")


def test_a_cxr_dev_film_under_alpha_1_with_a_white_box_is_still_refused():
    path = sorted(cxr_dev_or_skip().glob("*/*.png"))[0]
    f = np.asarray(Image.open(path).convert("L"))
    alpha = np.full_like(f, 1)
    h, w = f.shape
    box = (slice(0, int(h * 0.14)), slice(0, int(w * 0.14)))  # 2% of the film
    f = f.copy()
    f[box], alpha[box] = 255, 255
    with pytest.raises(ImageError, match=OVER_A_PICTURE):
        load_bytes(encode(Image.fromarray(np.dstack([f, f, f, alpha]), "RGBA")), "x.png")
