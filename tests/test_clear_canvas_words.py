"""A whole film pasted small onto a clear canvas over black is refused as mostly transparent (edge.clear_film), and the
words say so: they called what is opaque "a label, a box?" and said its program had blacked out the picture under the
transparency, where the picture was never there; the way on, cropping the canvas to the film, went unsaid. Its opaque
copy, the same pixels on black, is read."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edge.image_error import ImageError
from edge.preprocess import load_bytes
from tests.test_image_fuzzed import encode, film


def pasted_small(alpha: bool) -> Image.Image:
    """A whole film on a sixth of a canvas (the rest black: clear, or opaque)."""
    rgba = np.zeros((294, 294, 4), np.uint8)
    rgba[:, :, 3] = 0 if alpha else 255
    rgba[10:138, 20:116, :3] = film()[..., None]  # 128 x 96: 14.2% of the canvas ...
    rgba[10:138, 20:116, 3] = 255
    rgba[150:166, 20:116, :3] = rgba[150:166, 20:116, 3] = 255  # ... and a white label under it: 16.0% opaque
    return Image.fromarray(rgba, "RGBA")


def test_a_film_pasted_small_on_a_clear_canvas_is_refused_naming_both_causes_and_both_ways_on():
    with pytest.raises(ImageError) as e:
        load_bytes(encode(pasted_small(alpha=True)), "pasted.png")
    said = str(e.value)
    assert said.startswith("mostly transparent: 84.0% of the film's pixels are nearly clear (alpha under 16/255) over "
                           "black, and only 16.0% of it is opaque: a label or a box, or a film pasted small onto a "
                           "clear canvas, too little of the canvas to classify; "), said
    assert said.endswith("the picture under the clear pixels was blacked out by the program that saved it, or was "
                         "never there: crop the canvas to the film, or export the film again from its original without "
                         "transparency (no alpha channel)"), said
    assert "a label, a box?" not in said and "is no film to classify" not in said, said


def test_its_opaque_copy_is_read():
    gray = load_bytes(encode(pasted_small(alpha=False)), "opaque.png")
    assert gray.shape == (294, 294) and (gray[10:138, 20:116] == film()).all()
