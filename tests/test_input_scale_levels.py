"""--input-scale on a quantized input whose steps the scale makes too coarse: an int8 or uint8 input calibrated on the
pixels 0..255 (a step of 1) fed on 0..1 or -1..1 took every film as 2 levels and gave every film the same answer,
exit 0 (session 69's review, under tflite-runtime: both a Normal and a COVID film 'b 0.9846'). Refused at load, with
the way on: leave --input-scale out. Inputs that the scale fits still load, and the refusal of a clipping scale
still names the scale that fits."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model_graph import FEW_FED, input_range_note, input_range_problem

CALIBRATED_0_255 = [{"dtype": np.int8, "quantization": (1.0, -128)}, {"dtype": np.uint8, "quantization": (1.0, 0)}]


@pytest.mark.parametrize("detail", CALIBRATED_0_255, ids=["int8", "uint8"])
@pytest.mark.parametrize("scale", ["0..1", "-1..1"])
def test_an_input_calibrated_on_0_255_fed_a_scaled_film_is_refused_as_two_levels(detail, scale):
    why = input_range_problem(detail, scale)
    assert why is not None, "every film would reach the model as 2 levels: the same answer for all"
    assert "each film would reach it as 2 grey levels of 256" in why
    assert "leave --input-scale out if the model was trained on the pixels 0..255" in why


@pytest.mark.parametrize("detail", CALIBRATED_0_255, ids=["int8", "uint8"])
def test_the_same_input_fed_the_pixels_as_they_are_loads(detail):
    assert input_range_problem(detail, "0..255") is None


@pytest.mark.parametrize("q,scale", [((1 / 255, -128), "0..1"), ((2 / 255, 0), "-1..1"), ((2 / 255, 0), "0..1")])
def test_an_input_the_scale_fits_loads(q, scale):
    assert input_range_problem({"dtype": np.int8, "quantization": q}, scale) is None


def test_a_step_just_fine_enough_loads_and_one_just_too_coarse_is_refused():
    # 0..255 fed as they are: a step of s pixels reaches 255 / s + 1 levels
    fine, coarse = 255 / (FEW_FED - 1), 255 / (FEW_FED - 1.5)
    assert input_range_problem({"dtype": np.uint8, "quantization": (fine, 0)}, "0..255") is None
    why = input_range_problem({"dtype": np.uint8, "quantization": (coarse, 0)}, "0..255")
    assert why is not None and f"as {FEW_FED - 1} grey levels of 256" in why


def test_a_clipping_scale_still_names_the_one_that_fits():
    why = input_range_problem({"dtype": np.int8, "quantization": (1 / 255, -128)}, "0..255")
    assert "not the pixels 0..255 edge feeds" in why and "give --input-scale 0..1" in why


def test_the_coarse_refusal_does_not_advise_what_the_input_already_is():
    """An input calibrated on 0..255 was told to be exported 'with its input calibrated on 0..255' (session 69's
    second review)."""
    why = input_range_problem({"dtype": np.int8, "quantization": (1.0, -128)}, "0..1")
    assert "calibrated on 0..255" not in why and why.endswith("calibrated on the values it was trained on")


def test_an_input_calibrated_on_minus_1_1_fed_0_1_is_noted_with_the_scale_that_fills_it():
    """It reaches 128 levels, above FEW_FED, and loaded silently, using half its range (session 69's second review)."""
    detail = {"dtype": np.int8, "quantization": (2 / 255, 0)}
    assert input_range_problem(detail, "0..1") is None
    note = input_range_note(detail, "0..1")
    assert note is not None and "fill only 50% of, where --input-scale -1..1 fills it" in note
    assert input_range_note(detail, "-1..1") is None


def test_an_input_calibrated_on_0_1_fed_minus_1_1_is_said_clipped_not_filled_by_half():
    """It was said 'which the pixels scaled to -1..1 fill only 50% of': they fill all of it, and the darker half of the
    pixels is clipped to its bottom (session 70's review)."""
    detail = {"dtype": np.uint8, "quantization": (1 / 255, 0)}
    note = input_range_note(detail, "-1..1")
    assert note is not None and "fill only" not in note
    assert "which only the pixels 128 to 255 reach, scaled to -1..1 (the others clipped to its ends), where " \
           "--input-scale 0..1 fills it" in note


def test_a_float32_scale_of_one_step_a_pixel_counts_every_level():
    """Runtimes give the scale as float32: 1/255 fed 0..1 is 254.99996 steps, counted 256 levels, not 255."""
    from edge.model_graph import _fed_levels

    assert _fed_levels({"dtype": np.uint8, "quantization": (float(np.float32(1 / 255)), 0)}, "0..1") == 256
