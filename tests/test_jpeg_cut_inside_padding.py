"""A film padded with grey 128 all round, saved as JPEG, then cut short a few block rows into the film: its fill
joins the bottom band, which up to 0.54.0 was taken for padding while no deeper than twice the top band and a block
row (edge.pillow_misreads.ends_in_decoder_fill), so a film that lost up to 40 of its rows under a 32-row band was
labelled. Padding is as deep below as above, give or take the blocks the film's edge falls in."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from edge.pillow_misreads import ends_in_decoder_fill
from edge.preprocess import load_bytes
from tests.test_image_fuzzed import film

PAD = 32


def _padded() -> np.ndarray:
    gray = np.full((384 + 2 * PAD, 320 + 2 * PAD), 128, np.uint8)
    gray[PAD:-PAD, PAD:-PAD] = np.asarray(Image.fromarray(film()).resize((320, 384)))
    return gray


def _jpeg(gray: np.ndarray, quality: int = 90) -> bytes:
    out = io.BytesIO()
    Image.fromarray(gray).save(out, "JPEG", quality=quality)
    return out.getvalue()


def _bands(data: bytes) -> tuple[int, int]:
    flat = (np.asarray(Image.open(io.BytesIO(data)).convert("L")) == 128).all(axis=1)
    return int(flat.argmin()), int(flat[::-1].argmin())


def _cut_losing_film_rows(data: bytes, lost: range) -> bytes:
    """``data`` cut and closed with an end marker where the fill has taken ``lost`` of the film's last rows."""
    for end in range(len(data) - 2, len(data) // 2, -16):
        cut = data[:end] + b"\xff\xd9"
        if _bands(cut)[1] - PAD in lost:
            return cut
    raise AssertionError(f"no cut loses {lost} film rows")


def test_a_padded_jpeg_cut_a_few_block_rows_into_the_film_is_refused():
    cut = _cut_losing_film_rows(_jpeg(_padded()), range(17, 41))
    top, low = _bands(cut)
    assert top == PAD and 2 * top + 8 >= low > top + 16  # the old rule's blind spot
    assert ends_in_decoder_fill(Image.open(io.BytesIO(cut)))
    with pytest.raises(Exception, match=r"^truncated JPEG"):
        load_bytes(cut, "cut.jpg")


@pytest.mark.parametrize("quality", [50, 75, 95])
def test_the_padded_film_whole_is_still_read(quality):
    data = _jpeg(_padded(), quality)
    top, low = _bands(data)
    assert abs(top - low) <= 8
    assert not ends_in_decoder_fill(Image.open(io.BytesIO(data)))
    assert load_bytes(data, "padded.jpg").shape == _padded().shape
