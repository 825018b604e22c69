"""A film mostly clear, part over black and part over a hidden picture, is refused with words that say both: it was
said to be clear "over black", its picture "blacked out" by the program that saved it, while 45% of it lay over a
varied picture (session 68's review)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from edge.image_error import ImageError
from edge.preprocess import load_bytes


def _png(rgba: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG")
    return buf.getvalue()


def test_a_film_clear_over_black_and_over_a_picture_is_said_to_be_both():
    rng = np.random.default_rng(0)
    rgba = np.zeros((200, 200, 4), np.uint8)
    rgba[120:200, :, :3] = rng.integers(20, 256, (80, 200, 1))  # rows 120.. hold a picture ...
    rgba[120:200, :, 3] = 1  # ... under alpha 1: 40% of the film
    rgba[90:120, :, :3], rgba[90:120, :, 3] = 255, 255  # 15% opaque (a white box); the first 45% clear over black
    with pytest.raises(ImageError) as e:
        load_bytes(_png(rgba), "mixed.png")
    said = str(e.value)
    assert "85.0% of the film's pixels are nearly clear" in said and "40.0% over a picture" in said, said
    assert "the rest over black" in said and "blacked out" not in said, said
    assert said.endswith("and only 15.0% of it is opaque: a label or a box, or a film pasted small onto a clear "
                         "canvas, too little of the canvas to classify; crop the canvas to the film, or export the "
                         "film again from its original without transparency (no alpha channel)"), said


def test_a_film_clear_over_black_alone_keeps_its_words():
    rgba = np.zeros((200, 200, 4), np.uint8)
    rgba[90:120, :, :3], rgba[90:120, :, 3] = 255, 255  # 15% opaque, the rest clear over black
    with pytest.raises(ImageError, match=r"85.0% of the film's pixels are nearly clear .* over black, .*blacked out"):
        load_bytes(_png(rgba), "box.png")
