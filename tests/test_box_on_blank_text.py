"""A cover page of anti-aliased text is refused as nearly blank, not labelled (edge.box_on_blank): 1024x1024 black with
lines of white text at 24 to 96 pixels a letter passed the box-on-blank check (its letters' edges span 0..255, 16 levels
or more) and the grey-level check, and edge-classify labelled it. A real film pasted small on a blank is solid, and read."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from edge.box_on_blank import INSIDE, SOLID, box_on_blank_fault, solid_share
from edge.grey_levels import central_spread
from edge.preprocess import ImageError, load_bytes, load_grayscale, one_level_share
from tests.conftest import cxr_dev_or_skip
from tests.test_image_fuzzed import encode

TEXT = (r"^nearly blank: 9\d\.\d% of the film inside its uniform borders is one grey level \((0|255)\) and the rest is "
        r"thin strokes, text, lines or dots \(\d+(\.\d)?% of it lies 2 pixels or more inside a stroke\), where a chest "
        r"film .*: a box or a label on a blank, no film to classify")


def text_page(letter: int, background: int = 0) -> Image.Image:
    page = Image.new("L", (1024, 1024), background)
    draw = ImageDraw.Draw(page)
    for y in range(50, 974, letter * 3):
        draw.text((40, y), "PATIENT 12345 L PA", fill=255 - background, font=ImageFont.load_default(letter))
    return page


@pytest.mark.parametrize("letter", [24, 48, 96])
def test_a_page_of_anti_aliased_text_on_black_is_refused(letter):
    page = text_page(letter)
    gray = np.asarray(page)
    assert central_spread(gray[gray != 0])[1] - central_spread(gray[gray != 0])[0] >= 16  # what let it through
    with pytest.raises(ImageError, match=TEXT):
        load_bytes(encode(page), "cover.png")


def test_black_text_on_a_white_page_is_refused_at_the_page_s_level():
    with pytest.raises(ImageError, match=TEXT.replace(r"\((0|255)\)", r"\(255\)")):
        load_bytes(encode(text_page(32, background=255)), "requisition.png")


def test_solid_share_counts_the_pixels_whose_every_neighbour_inside_is_set():
    rest = np.zeros((40, 50), bool)
    assert solid_share(rest) == 0.0
    rest[10:30, 5:45] = True  # a 20 x 40 block: (20 - 2 * INSIDE) x (40 - 2 * INSIDE) lie that far inside
    assert solid_share(rest) == pytest.approx((20 - 2 * INSIDE) * (40 - 2 * INSIDE) / (20 * 40))
    rest[:] = False
    rest[:, 10:10 + 2 * INSIDE] = True  # a line one pixel too thin
    assert solid_share(rest) == 0.0
    rest[:, 10:11 + 2 * INSIDE] = True
    assert solid_share(rest) == pytest.approx((40 - 2 * INSIDE) / 40 / (2 * INSIDE + 1))  # one column, less the ends
    assert solid_share(np.ones((2 * INSIDE, 100), bool)) == 0.0  # thinner than the window: no pixel lies inside


def test_real_films_pasted_small_on_a_blank_with_a_label_are_read():
    """Every 25th cxr-dev film at a quarter and an eighth of its size, a sixteenth of a black or white canvas."""
    files = sorted(p for p in cxr_dev_or_skip().glob("*/*") if p.suffix.lower() in {".png", ".jpg", ".jpeg"})[::25]
    looked = 0
    for path in files:
        for shrink, background in ((4, 0), (8, 0), (4, 255)):
            gray = load_grayscale(path)
            small = np.asarray(Image.fromarray(gray).resize((gray.shape[1] // shrink, gray.shape[0] // shrink)))
            h, w = small.shape
            canvas = np.full((4 * h, 4 * w), background, np.uint8)
            canvas[h:2 * h, w:2 * w] = small
            canvas[2:12, 2:40] = 255 - background  # a label, so the canvas is not trimmed away
            if one_level_share(canvas) < 0.9:
                continue
            looked += 1
            assert box_on_blank_fault(canvas) is None, (path.name, shrink, background)
            assert solid_share(canvas != background) >= SOLID
    assert looked >= 40
