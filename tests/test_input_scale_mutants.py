"""A case hand mutation testing of edge.input_scale found unpinned (session 70): the scale is folded into the
quantization in one division (pixel / (scale / a)), so that where the scaled value's quantized number is exact, ties
included, it is rounded once; pixel / scale * a rounds twice and moved pixels 65 and 130 a step."""

from __future__ import annotations

import numpy as np

from edge.input_scale import fed_input


def test_minus_1_to_1_into_int8_of_scale_2_over_255_is_each_pixel_less_127_5_rounded_once():
    """(pixel / 127.5 - 1) / (2/255) = pixel - 127.5 for every pixel: ties to even (65: -62.5 -> -62, 130: 2.5 -> 2),
    255 past int8's top clipped to 127."""
    pixels = np.arange(256, dtype=np.uint8)
    fed = fed_input(pixels, {"dtype": np.int8, "quantization": (2 / 255, 0)}, "-1..1")
    assert fed.dtype == np.int8
    assert fed.tolist() == np.clip(np.round(np.arange(256) - 127.5), -128, 127).astype(int).tolist()
    assert fed[65] == -62 and fed[130] == 2
