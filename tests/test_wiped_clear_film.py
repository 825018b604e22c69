"""A transparent film whose colour under its clear pixels was blacked out by the program that saved it (many PNG
encoders and editors do; WebP does unless told not to) is refused as mostly transparent (edge.clear_film): clear
everywhere but for an opaque white box on 2%, a text label or a small pasted film, it hid no colour, so the hidden
picture check did not fire, and edge-classify labelled the black canvas with a box on it."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from edge.clear_film import MOSTLY_CLEAR, clear_greys, hidden_in
from edge.preprocess import ImageError, load_bytes
from tests.test_image_fuzzed import encode, film

WIPED = (r"^mostly transparent: 9\d\.\d% of the film's pixels are nearly clear \(alpha under 16/255\) over black, "
         r"and only \d\.\d% of it is opaque: a label or a box, or a film pasted small onto a clear canvas, too little "
         r"of the canvas to classify; the picture under the clear pixels was blacked out by the program that saved "
         r"it, or was never there: crop the canvas to the film, or export the film again from its original without "
         r"transparency \(no alpha channel\)$")


def wiped(h: int = 128, w: int = 96) -> np.ndarray:
    """An RGBA canvas clear everywhere over black: the film's colour blacked out under its alpha of 0."""
    return np.zeros((h, w, 4), np.uint8)


def with_white_box() -> Image.Image:
    rgba = wiped()
    rgba[4:20, 4:20] = 255  # an opaque white box on 2.1%
    return Image.fromarray(rgba, "RGBA")


def with_label() -> Image.Image:
    img = Image.fromarray(wiped(), "RGBA")
    draw = ImageDraw.Draw(img)
    draw.rectangle((2, 2, 60, 14), fill=(90, 90, 90, 255))
    draw.text((4, 3), "R PA 09:31", fill=(230, 230, 230, 255))
    return img


def with_small_film() -> Image.Image:
    rgba = wiped()
    rgba[10:37, 10:31, :3] = np.asarray(Image.fromarray(film()).resize((21, 27)))[..., None]  # many grey levels, 4.6%
    rgba[10:37, 10:31, 3] = 255
    return Image.fromarray(rgba, "RGBA")


@pytest.mark.parametrize("make", [with_white_box, with_label, with_small_film])
def test_a_clear_film_blacked_out_under_its_alpha_with_something_opaque_on_it_is_refused(make):
    with pytest.raises(ImageError, match=WIPED):
        load_bytes(encode(make()), "x.png")


@pytest.mark.parametrize("make", [with_white_box, with_label, with_small_film])
def test_so_is_a_lossless_webp_of_it(make):
    """Lossless WebP (not exact) fills some clear pixels with a colour of its own next to an opaque picture: those
    count as hiding one, and the film is refused all the same (the message then says so)."""
    with pytest.raises(ImageError, match=r"^mostly transparent: \d\d\.\d% of the film's pixels are nearly clear"):
        load_bytes(encode(make(), "WEBP", lossless=True), "x.webp")


def test_a_palette_film_clear_by_its_trns_over_black_with_a_white_box_is_refused():
    img = with_white_box().convert("L").convert("P")
    alphas = [0] * 256
    alphas[img.getpixel((5, 5))] = 255  # the box's white: opaque; black (the rest) clear
    buf = io.BytesIO()
    img.save(buf, "PNG", transparency=bytes(alphas))
    with pytest.raises(ImageError, match=WIPED):
        load_bytes(buf.getvalue(), "x.png")


def test_clear_black_margins_up_to_mostly_clear_pass_and_one_clear_pixel_more_is_refused():
    """A film letterboxed onto a clear canvas keeps it (the same pixels as an opaque film's black margins)."""
    f = film()
    rgba = wiped()
    rgba[..., :3] = f[..., None]
    rgba[..., 3] = 255
    rgba.reshape(-1, 4)[: int(f.size * MOSTLY_CLEAR)] = 0  # clear over black
    img = Image.fromarray(rgba, "RGBA")
    assert clear_greys(img).sum() == int(f.size * MOSTLY_CLEAR) and hidden_in(clear_greys(img)) == 0
    assert load_bytes(encode(img), "x.png").shape == f.shape
    rgba.reshape(-1, 4)[int(f.size * MOSTLY_CLEAR)] = 0
    with pytest.raises(ImageError, match=r"^mostly transparent: 80\.0\d*% of the film's pixels .* over black"):
        load_bytes(encode(Image.fromarray(rgba, "RGBA")), "x.png")


def test_a_canvas_clear_everywhere_over_black_is_still_said_blank():
    with pytest.raises(ImageError, match=r"^blank image: 100% of its pixels are one grey level"):
        load_bytes(encode(Image.fromarray(wiped(), "RGBA")), "x.png")
