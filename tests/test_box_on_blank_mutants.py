"""Cases hand mutation testing of edge.box_on_blank found unpinned (session 70): a box centred on black that is wide
and short or tall and narrow (the trim reaches its limit on one side only), and a box a JPEG blurred harder than at
quality 90 (its rest under 90% but over MOSTLY_ONE within NEAR levels of one)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edge.box_on_blank import box_on_blank_fault
from edge.preprocess import ImageError, load_bytes
from tests.test_image_fuzzed import encode


def centred_box(tall: int, wide: int, size: int = 512) -> np.ndarray:
    gray = np.zeros((size, size), np.uint8)
    top, left = size // 2 - tall // 2, size // 2 - wide // 2
    gray[top:top + tall, left:left + wide] = 255
    return gray


@pytest.mark.parametrize("tall, wide", [(40, 300), (300, 40)])
def test_a_box_past_the_trim_limit_on_one_side_only_is_refused(tall, wide):
    """The trim for the model stops at a quarter of one side only (15.6% of what it keeps is the box): the look
    without that limit is taken wherever either side reached it, and the box is all that lies inside."""
    with pytest.raises(ImageError, match=r"^nearly blank: 100% of the film inside its uniform borders is one grey level "
                                         r"\(255\) and nothing else, .*a box or a label on a blank"):
        load_bytes(encode(Image.fromarray(centred_box(tall, wide))), "box.png")


@pytest.mark.parametrize("quality", [50, 10])
def test_a_box_blurred_by_a_harder_jpeg_is_refused(quality):
    """At quality 50 or 10 the rest of a 72-pixel white box lies 85-90% within 4 levels of one (94% at 90)."""
    data = encode(Image.fromarray(centred_box(72, 72)), "JPEG", quality=quality)
    with pytest.raises(ImageError, match=r"^nearly blank: 9\d\.\d% of the film inside its uniform borders is one grey "
                                         r"level \(0\) and the rest lies 8\d\.\d% within 4 grey levels of one "
                                         r"\(25\d\), its edges blurred \(JPEG\)"):
        load_bytes(data, "box.jpg")


def test_a_noisy_box_is_refused_by_the_levels_within_4_either_side():
    """A 72-pixel box: 25 columns a ramp 10..240, the other 47 white noise spread evenly over 9 levels (246..254):
    its rest lies 65% within 4 levels either side of 250, under 60% in any 5 levels; the level said is the middle."""
    rng = np.random.default_rng(0)
    gray = np.zeros((512, 512), np.uint8)
    box = gray[220:292, 220:292]
    box[:, :25] = np.linspace(10, 240, 25).astype(np.uint8)
    box[:, 25:] = rng.integers(246, 255, (72, 47))
    fault = box_on_blank_fault(gray)
    assert fault is not None and "the rest lies 65.3% within 4 grey levels of one (250)" in fault, fault
