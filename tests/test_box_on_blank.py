"""A film nearly all one grey level with a box or a label on it is refused, not labelled (edge.box_on_blank): an opaque
512x512 film 98% black with a white box on 2% passed the blank check (98.0% at one level, under 99%) and the grey-level
check (its central 99% spans 0..255), and edge-classify labelled it. A 1-bit dithered film, and a real film pasted
small on a black canvas with a label beside it, are still read: the spread of the rest counts, not its levels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from edge.box_on_blank import ONE_LEVEL, STRIDE, box_on_blank_fault
from edge.grey_levels import central_spread
from edge.preprocess import BLANK_SHARE, ImageError, PreprocessConfig, load_bytes, one_level_share, preprocess_gray
from tests.test_image_fuzzed import encode, film

BOX = (r"^nearly blank: 9\d\.\d% of the film inside its uniform borders is one grey level \(0\) and the rest spans "
       r"1 grey level \(255\), where a chest film .*: a box or a label on a blank, no film to classify; check that the "
       r"file is the film meant .* and export the film again from its source$")


def black_with_white_box() -> np.ndarray:
    gray = np.zeros((512, 512), np.uint8)
    gray[100:172, 300:373] = 255  # 72 x 73: 2.0% of the film
    return gray


def test_a_black_film_with_a_white_box_on_2_percent_is_refused():
    gray = black_with_white_box()
    assert one_level_share(gray) < BLANK_SHARE and central_spread(gray) == (0, 255)  # what let it through
    with pytest.raises(ImageError, match=BOX):
        load_bytes(encode(Image.fromarray(gray)), "box.png")


def test_a_white_film_with_a_hard_edged_label_is_refused_at_its_own_level():
    img = Image.new("L", (400, 300), 255)
    draw = ImageDraw.Draw(img)
    draw.fontmode = "1"  # no antialiasing: the label's two levels
    draw.rectangle((20, 20, 120, 44), fill=0)
    draw.text((26, 26), "R PA 09:31", fill=255)
    with pytest.raises(ImageError, match=r"^nearly blank: 9\d\.\d% of the film .*is one grey level \(255\) and the "
                                         r"rest spans 1 grey level \(0\)"):
        load_bytes(encode(img), "label.png")


def test_a_1_bit_dithered_film_is_read_however_dark():
    for scale in (1.0, 0.3):  # the dark one: 85% black, more than any of cxr-dev's films dithered (83.1%)
        img = Image.fromarray((film(192, 256) * scale).astype(np.uint8)).convert("1")
        gray = load_bytes(encode(img), "dithered.png")
        assert np.unique(gray).tolist() == [0, 255] and one_level_share(gray) < ONE_LEVEL
        assert preprocess_gray(gray, PreprocessConfig()).shape == (128, 128, 1)
    assert one_level_share(gray) > 0.84


def test_a_small_film_on_a_big_black_canvas_with_a_white_label_in_a_corner_is_read():
    """The label stops the trim, so 95% of what is left is black; but the rest is a film, spanning its levels."""
    canvas = np.zeros((512, 512), np.uint8)
    canvas[200:300, 220:300] = np.asarray(Image.fromarray(film()).resize((80, 100)))
    canvas[4:40, 4:60] = 255  # the label
    assert one_level_share(canvas) > 0.95
    assert load_bytes(encode(Image.fromarray(canvas)), "small.png").shape == (512, 512)


def test_the_sampled_rows_never_skip_a_film_the_whole_would_refuse():
    """90% at one level, the other 10% all in the rows the first look samples (every STRIDE-th): 60.01% of those
    rows at the level, and the film is refused; a bound any tighter would have let it through."""
    gray = np.zeros((400, 100), np.uint8)
    cols = np.arange(100)
    for k, row in enumerate(range(0, 400, STRIDE)):
        gray[row, (cols + k) % 5 < 2] = 255  # 40 of each sampled row, every column somewhere (nothing trimmed)
    gray[0, np.flatnonzero(gray[0])[0]] = 0
    gray[399, 50] = 255  # the last row, not sampled: not flat either
    assert (gray == 0).mean() == ONE_LEVEL and (gray[::STRIDE] == 0).mean() == 0.6001
    assert box_on_blank_fault(gray) is not None
    gray[399, 51] = 255
    assert box_on_blank_fault(gray) is None  # one pixel under 90%


def test_a_film_blank_inside_a_frame_of_flat_rows_says_nothing_else_is_there():
    gray = np.zeros((200, 200), np.uint8)
    gray[:30] = np.arange(30, dtype=np.uint8)[:, None] * 8  # 30 flat rows of levels 0..232, trimmed
    assert one_level_share(gray) < 0.9 and central_spread(gray)[1] > 200
    with pytest.raises(ImageError, match=r"^nearly blank: 100% of the film inside its uniform borders is one grey "
                                         r"level \(0\) and nothing else, "):
        load_bytes(encode(Image.fromarray(gray)), "frame.png")
