"""edge.input_scale's pure functions pinned on hand-computed numbers, without a model (tests/test_input_scale.py runs
real ones, which takes minutes): what each scale feeds a float, a uint8 and an int8 quantized input, clipped at the
type's ends; which names --input-scale accepts; pixel_span; scale_problem. Hand mutation testing (session 69) found
one-token changes to these functions that only the slow tests, or none, told."""

from __future__ import annotations

import numpy as np
import pytest

from edge.input_scale import PIXELS, SCALES, fed_input, input_scale_named, pixel_span, scale_problem

PIXEL_ROW = np.array([0, 51, 64, 127, 128, 191, 255], np.uint8)


def _quantized(dtype: type, scale: float, zero: int) -> dict:
    return {"dtype": dtype, "quantization": (scale, zero)}


@pytest.mark.parametrize("scale, expected", [
    (PIXELS, [0, 51, 64, 127, 128, 191, 255]),
    ("0..1", [0, 0.2, 64 / 255, 127 / 255, 128 / 255, 191 / 255, 1]),
    ("-1..1", [-1, -0.6, 64 / 127.5 - 1, 127 / 127.5 - 1, 128 / 127.5 - 1, 191 / 127.5 - 1, 1]),
])
def test_a_float_input_is_fed_the_scaled_numbers(scale, expected):
    fed = fed_input(PIXEL_ROW, {"dtype": np.float32, "quantization": (0.0, 0)}, scale)
    assert fed.dtype == np.float32
    np.testing.assert_allclose(fed, expected, rtol=0, atol=1e-6)
    assert fed[0] == expected[0]  # 0 is exactly 0 or -1


def test_a_float16_input_keeps_its_type_and_pixels_stay_whole_unscaled():
    fed = fed_input(PIXEL_ROW, {"dtype": np.float16, "quantization": (0.0, 0)}, PIXELS)
    assert fed.dtype == np.float16 and fed.tolist() == PIXEL_ROW.tolist()
    assert fed_input(PIXEL_ROW, {"dtype": np.float16, "quantization": (0.0, 0)}, "0..1")[-1] == 1.0


def test_pixel_255_under_minus_1_to_1_into_int8_of_scale_2_over_255_is_its_top():
    """Real value 1.0 / (2/255) + 0 = 127.5: past int8's top, clipped to 127 (never wrapped to -128)."""
    assert fed_input(np.array([255], np.uint8), _quantized(np.int8, 2 / 255, 0), "-1..1").tolist() == [127]


@pytest.mark.parametrize("detail, scale, expected", [
    # q = round((pixel * a + b) / scale) + zero, by hand:
    (_quantized(np.int8, 1 / 128, 0), "-1..1", [-128, -77, -64, -1, 1, 64, 127]),  # 51: -0.6 * 128; 255: 128, clipped
    (_quantized(np.int8, 1 / 255, -128), "0..1", [-128, -77, -64, -1, 0, 63, 127]),  # q = pixel - 128
    (_quantized(np.uint8, 1 / 255, 0), "-1..1", [0, 0, 0, 0, 1, 127, 255]),  # q = 2 pixel - 255, under 0 clipped
    (_quantized(np.uint8, 1 / 255, 0), "0..1", [0, 51, 64, 127, 128, 191, 255]),  # the pixels themselves
    (_quantized(np.uint8, 1 / 255, 0), PIXELS, [0, 255, 255, 255, 255, 255, 255]),  # pixel * 255, clipped at 255
    (_quantized(np.uint8, 2.0, 10), PIXELS, [10, 36, 42, 74, 74, 106, 138]),  # pixel / 2 + 10 (ties to even)
    (_quantized(np.int16, 1 / 32768, 0), "0..1", [0, 6554, 8224, 16320, 16448, 24544, 32767]),  # int16's top
    (_quantized(np.int16, 1 / 128, 0), "-1..1", [-128, -77, -64, -1, 1, 64, 128]),  # 128 fits an int16
])
def test_a_quantized_input_is_fed_the_pixels_quantized_with_the_scale_folded_in(detail, scale, expected):
    fed = fed_input(PIXEL_ROW, detail, scale)
    assert fed.dtype == np.dtype(detail["dtype"])
    assert fed.tolist() == expected


def test_the_bottom_of_int8_is_clipped_not_wrapped():
    """-1.0 / (1/100) - 50 = -150, under int8's bottom: -128; -0.498 / (1/100) - 50 = -99.8: -100."""
    pixels = np.array([0, 64, 128, 255], np.uint8)
    assert fed_input(pixels, _quantized(np.int8, 1 / 100, -50), "-1..1").tolist() == [-128, -100, -50, 50]


def test_an_integer_input_without_quantization_takes_whole_pixels_and_refuses_a_scale():
    detail = {"dtype": np.uint8, "quantization": (0.0, 0)}
    fed = fed_input(PIXEL_ROW, detail)
    assert fed.dtype == np.uint8 and fed.tolist() == PIXEL_ROW.tolist()
    assert fed_input(PIXEL_ROW, {"dtype": np.int32, "quantization": (0.0, 0)}).tolist() == PIXEL_ROW.tolist()
    for scale in ("0..1", "-1..1"):
        with pytest.raises(ValueError, match=f"uint8 without quantization parameters: .* scaled to {scale};"):
            fed_input(PIXEL_ROW, detail, scale)


@pytest.mark.parametrize("text, name", [
    ("0..255", PIXELS), ("0-255", PIXELS), ("0..1", "0..1"), ("0-1", "0..1"), (" 0 .. 1 ", "0..1"),
    ("-1..1", "-1..1"), ("-1-1", "-1..1"), ("- 1 .. 1", "-1..1"),
])
def test_the_scale_names_accepted(text, name):
    assert input_scale_named(text) == name


@pytest.mark.parametrize("text", ["", "1", "255", "0..2", "0.1", "0...1", "1..-1", "-1..0", "0-1-", "0..1..255"])
def test_other_names_are_refused_listing_the_scales(text):
    with pytest.raises(ValueError) as raised:
        input_scale_named(text)
    said = str(raised.value)
    assert said.startswith(f"--input-scale {text!r} is not a scale edge knows: give 0..255")
    assert "0..1 (divided by 255" in said and "-1..1 (divided by 127.5, less 1" in said


@pytest.mark.parametrize("span, scale, pixels", [
    ((-1.0, 1.0), "-1..1", (0.0, 255.0)), ((0.0, 1.0), "0..1", (0.0, 255.0)), ((0.0, 255.0), PIXELS, (0.0, 255.0)),
    ((0.0, 1.0), "-1..1", (127.5, 255.0)), ((-1.0, 1.0), PIXELS, (-1.0, 1.0)), ((0.0, 0.5), "0..1", (0.0, 127.5)),
])
def test_pixel_span_is_the_pixels_whose_scaled_values_fill_the_span(span, scale, pixels):
    assert pixel_span(span, scale) == pytest.approx(pixels, abs=1e-9)


@pytest.mark.parametrize("scale", list(SCALES))
def test_pixel_span_round_trips_through_the_scale(scale):
    a, b = SCALES[scale]
    for span in [(-1.0, 1.0), (0.0, 1.0), (-3.5, 7.25), (0.0, 255.0)]:
        low, high = pixel_span(span, scale)
        assert (low * a + b, high * a + b) == pytest.approx(span, abs=1e-9)


@pytest.mark.parametrize("detail", [
    {"dtype": np.float32, "quantization": (0.0, 0)}, {"dtype": np.float16},
    {"dtype": np.uint8, "quantization": (1 / 255, 0)}, {"dtype": np.int8, "quantization": (2 / 255, -1)},
])
def test_scale_problem_is_none_for_float_and_quantized_inputs(detail):
    assert all(scale_problem(detail, scale) is None for scale in SCALES)


@pytest.mark.parametrize("detail", [{"dtype": np.uint8, "quantization": (0.0, 0)}, {"dtype": np.int8}])
def test_scale_problem_names_an_unquantized_integer_input_but_not_for_pixels(detail):
    assert scale_problem(detail, PIXELS) is None
    name = np.dtype(detail["dtype"]).name
    for scale in ("0..1", "-1..1"):
        said = scale_problem(detail, scale)
        assert said == (f"its input tensor is {name} without quantization parameters: it takes whole pixels 0..255, "
                        f"not values scaled to {scale}; leave --input-scale out (the model scales its pixels itself, "
                        "if at all)")
