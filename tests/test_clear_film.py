"""A film whose alpha hides its picture over most of its area is refused, not labelled (edge.clear_film): a film under
alpha 1/255 with an opaque white box on 2% of it passed edge.grey_levels (the box lifted the 99.5th percentile) and
edge-classify labelled the black picture with a box on it."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from edge.clear_film import MOST_HIDDEN, clear_greys, hidden_in
from edge.preprocess import ImageError, load_bytes
from tests.conftest import cxr_dev_or_skip
from tests.test_image_fuzzed import encode, film


def with_alpha(f: np.ndarray, alpha: np.ndarray, mode: str) -> Image.Image:
    return Image.fromarray(np.dstack([f, alpha] if mode == "LA" else [f, f, f, alpha]), mode)


def boxed(alpha_under: int) -> tuple[np.ndarray, np.ndarray]:
    """The film under alpha ``alpha_under`` with an opaque white box (a burned-in label) on 2% of it."""
    f, a = film(), np.full((128, 96), alpha_under, np.uint8)
    f[4:20, 4:20] = 255  # 256 of 12,288 pixels: 2.1%
    a[4:20, 4:20] = 255
    return f, a


MOSTLY = r"^mostly transparent: 9\d\.\d% of the film's pixels are nearly clear \(alpha under 16/255\) over a picture, "


# exact: WebP otherwise blacks out the colours under alpha 0, leaving no picture hidden (a black film with a box)
@pytest.mark.parametrize("mode, fmt, kw", [("LA", "PNG", {}), ("RGBA", "PNG", {}),
                                           ("RGBA", "WEBP", {"lossless": True, "exact": True})])
@pytest.mark.parametrize("alpha_under", [0, 1, 15])
def test_a_clear_film_with_an_opaque_box_on_it_is_refused_saying_so(mode, fmt, kw, alpha_under):
    data = encode(with_alpha(*boxed(alpha_under), mode), fmt, **kw)
    with pytest.raises(ImageError, match=MOSTLY + r".*; export it again without transparency \(no alpha channel\)$"):
        load_bytes(data, "x." + fmt.lower())


def test_a_palette_film_made_clear_by_its_trns_with_an_opaque_box_is_refused():
    f, _ = boxed(0)
    img = Image.fromarray(f, "L").convert("P")
    alphas = [1] * 256
    alphas[img.getpixel((5, 5))] = 255  # the box's white: opaque
    buf = io.BytesIO()
    img.save(buf, "PNG", transparency=bytes(alphas))
    with pytest.raises(ImageError, match=MOSTLY):
        load_bytes(buf.getvalue(), "x.png")


def test_an_alpha_of_16_shows_the_film_and_passes():
    """Laid on black, alpha 16/255 leaves the film 16 levels (edge.grey_levels' least): not hidden, the box aside."""
    out = load_bytes(encode(with_alpha(*boxed(16), "LA")), "x.png")
    assert out.shape == (128, 96)


def test_opaque_films_a_transparent_corner_and_clear_black_margins_still_decode():
    f = film()
    assert (load_bytes(encode(with_alpha(f, np.full_like(f, 255), "RGBA")), "x.png") == f).all()
    corner = np.full_like(f, 255)
    corner[:30, :30] = 0  # 7% of the film clear over its picture
    out = load_bytes(encode(with_alpha(f, corner, "RGBA")), "x.png")
    assert (out[30:] == f[30:]).all() and out[:30, :30].max() == 0
    # 75% of the canvas clear over black (a letterbox): the same pixels as an opaque film's black margins
    wide = np.zeros((128, 384), np.uint8)
    wide[:, 144:240] = f
    margins = np.zeros_like(wide)
    margins[:, 144:240] = 255
    assert (load_bytes(encode(with_alpha(wide, margins, "LA")), "x.png") == wide).all()


def test_at_most_half_hidden_passes_and_one_pixel_more_is_refused():
    f = film()
    f[f < 16] = 16  # every clear pixel hides a picture
    alpha = np.full_like(f, 255)
    alpha.reshape(-1)[: int(f.size * MOST_HIDDEN)] = 0
    img = with_alpha(f, alpha, "RGBA")
    assert hidden_in(clear_greys(img)) == f.size // 2
    assert load_bytes(encode(img), "x.png").shape == f.shape
    alpha.reshape(-1)[f.size // 2] = 0
    with pytest.raises(ImageError, match=r"^mostly transparent: 50\.0\d*% of the film's pixels"):
        load_bytes(encode(with_alpha(f, alpha, "RGBA")), "x.png")


def test_cxr_dev_films_saved_with_an_opaque_alpha_or_a_clear_corner_read_as_before():
    root = cxr_dev_or_skip()
    for path in sorted(root.glob("*/*.png"))[::300]:
        f = np.asarray(Image.open(path).convert("L"))
        alpha = np.full_like(f, 255)
        assert (load_bytes(encode(with_alpha(f, alpha, "LA")), "x.png") == f).all()
        alpha[: f.shape[0] // 5, : f.shape[1] // 5] = 0
        assert load_bytes(encode(with_alpha(f, alpha, "RGBA")), "x.png").shape == f.shape
