"""edge.size_words.bomb_size: the size a DecompressionBombError was raised for, found without leaning on one Pillow's
traceback layout, and checked against the pixel count of its message."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from edge.preprocess import ImageError, MAX_PIXELS, load_bytes
from edge.size_words import bomb_size, bomb_words


def pillow_message(pixels: int) -> str:
    return (f"Image size ({pixels} pixels) exceeds limit of {2 * MAX_PIXELS} pixels, could be decompression bomb DOS "
            "attack.")


def caught(call, *args) -> Image.DecompressionBombError:
    with pytest.raises(Image.DecompressionBombError) as info:
        call(*args)
    return info.value


def _raise(pixels: int) -> None:
    raise Image.DecompressionBombError(pillow_message(pixels))


def check_through_a_helper(size: tuple[int, int]) -> None:
    """A Pillow whose check hands the raise to a helper: the last frame has no ``size``."""
    _raise(max(1, size[0]) * max(1, size[1]))


def check_beside_another_size(pixels: int) -> None:
    """A last frame with a ``size`` that is not the one checked (a tile's, a block's)."""
    size = (64, 64)
    if pixels > size[0] * size[1]:
        raise Image.DecompressionBombError(pillow_message(pixels))


def test_pillows_own_check_gives_its_size():
    e = caught(Image._decompression_bomb_check, (40_000, 30_000))
    assert bomb_size(e) == (40_000, 30_000)


def test_the_size_is_found_where_the_raise_is_in_a_helper():
    e = caught(check_through_a_helper, (40_000, 30_000))
    assert bomb_size(e) == (40_000, 30_000)
    assert bomb_words(e, MAX_PIXELS).startswith("refused: its header says 40000 x 30000 pixels, far beyond any film")


def test_a_size_that_does_not_give_the_messages_count_is_not_said():
    """The old reading said 'it is 64 x 64 pixels (0.004 megapixels), more than the limit': a size no one checked."""
    e = caught(check_beside_another_size, 1_200_000_000)
    assert bomb_size(e) is None
    assert bomb_words(e, MAX_PIXELS).startswith("refused: its header says 1,200 megapixels, far beyond any film")


def test_a_message_worded_otherwise_falls_back_to_the_checks_size():
    def check(size: tuple[int, int]) -> None:
        raise Image.DecompressionBombError(f"image too large: {size}")

    assert bomb_size(caught(check, (40_000, 30_000))) == (40_000, 30_000)
    assert bomb_size(Image.DecompressionBombError("no traceback, no count")) is None


def test_a_real_bomb_header_is_said_by_its_size():
    """End to end through Pillow as installed: a PNG whose header says 40000 x 30000 (over Pillow's own guard)."""
    data = io.BytesIO()
    Image.fromarray(np.zeros((40, 40), np.uint8)).save(data, "PNG")
    png = bytearray(data.getvalue())
    # IHDR width and height, and the chunk's CRC to match
    png[16:24] = (40_000).to_bytes(4, "big") + (30_000).to_bytes(4, "big")
    png[29:33] = zlib.crc32(bytes(png[12:29])).to_bytes(4, "big")
    with pytest.raises(ImageError, match=r"^refused: its header says 40000 x 30000 pixels, far beyond any film"):
        load_bytes(bytes(png), "x.png")
