"""A box centred on a blank is refused however large, and so is one whose edges JPEG blurred (edge.box_on_blank): the
check looked inside the uniform borders as trimmed for the model, which never trims over a quarter of a side, so a
white box on over 2.5% of a black 512x512 film (4 times that of its central half) was labelled; and a JPEG's ringing
gave a box's rest 16 levels or more (session 70's review)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edge.box_on_blank import box_on_blank_fault
from edge.preprocess import ImageError, load_bytes
from tests.test_image_fuzzed import encode


def centred_box(side: int, size: int = 512) -> np.ndarray:
    gray = np.zeros((size, size), np.uint8)
    at = size // 2 - side // 2
    gray[at:at + side, at:at + side] = 255
    return gray


@pytest.mark.parametrize("side", [89, 145, 220, 300])  # 3%, 8%, 18%, 34% of the film
def test_a_white_box_centred_on_black_is_refused_however_large(side):
    with pytest.raises(ImageError, match=r"^nearly blank: 100% of the film inside its uniform borders is one grey level "
                                         r"\(255\) and nothing else, .*a box or a label on a blank"):
        load_bytes(encode(Image.fromarray(centred_box(side))), "box.png")


def test_a_box_whose_edges_jpeg_blurred_is_refused():
    data = encode(Image.fromarray(centred_box(72)), "JPEG", quality=90)
    with pytest.raises(ImageError, match=r"^nearly blank: 9\d\.\d% of the film inside its uniform borders is one grey "
                                         r"level \(0\) and the rest lies 9\d\.\d% within 4 grey levels of one "
                                         r"\(2[45]\d\), its edges blurred \(JPEG\), where"):
        load_bytes(data, "box.jpg")


def test_a_film_centred_on_black_past_the_trim_limit_is_read():
    """What the untrimmed look finds inside is a film, not a box: read as before."""
    rng = np.random.default_rng(0)
    gray = np.zeros((512, 512), np.uint8)
    gray[180:332, 200:312] = np.clip(rng.normal(120, 40, (152, 112)), 1, 255).astype(np.uint8)
    assert box_on_blank_fault(gray) is None



def test_a_ramp_whose_every_column_is_flat_is_no_box_on_a_blank():
    """Each column of a horizontal ramp is flat, at a level of its own: trimmed without a limit, one column was left,
    one level, and the ramp (the DICOM tests' stand-in film) was refused as nearly blank."""
    ramp = np.tile(np.linspace(0, 255, 35), (33, 1)).astype(np.uint8)
    assert box_on_blank_fault(ramp) is None
    assert load_bytes(encode(Image.fromarray(ramp)), "ramp.png").shape == (33, 35)
