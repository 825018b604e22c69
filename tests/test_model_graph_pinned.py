"""edge.model_graph pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change to tensor_problem, _input_range, _covered, input_range_problem or input_range_note in place, which
tests/test_foreign_models.py, building real .tflite files, let through). Tensor details are given as the
interpreter's get_input_details() gives them: plain dicts, no interpreter needed."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model_graph import RANGE_SLACK, _covered, _input_range, input_range_note, input_range_problem, tensor_problem


def calibrated(low: float, high: float) -> dict:
    """A uint8 input whose quantization maps 0..255 onto the real values low..high."""
    scale = (high - low) / 255
    return {"dtype": np.uint8, "quantization": (scale, -low / scale)}


def test_which_tensor_types_edge_feeds_and_reads():
    assert tensor_problem({"dtype": np.float32}, "input") is None
    assert tensor_problem({"dtype": np.bool_}, "input") == "its input tensor is bool, which edge-classify cannot feed"
    assert tensor_problem({"dtype": np.bool_}, "output") == "its output tensor is bool, which edge-classify cannot read"
    assert tensor_problem({"dtype": np.int8, "quantization": (0.0, 0)}, "input").startswith(
        "its input tensor is int8 without quantization parameters: it cannot take the pixels 0..255")
    assert tensor_problem({"dtype": np.int8, "quantization": (0.0, 0)}, "output") is None  # its numbers as they are
    for dtype in (np.uint8, np.int16):  # hold 0..255 exactly or more: the pixels as they are
        assert tensor_problem({"dtype": dtype, "quantization": (0.0, 0)}, "input") is None


def test_a_quantized_inputs_range_is_worked_out_from_its_zero_point():
    assert _input_range({"dtype": np.int8, "quantization": (1.0, -128)}) == (0.0, 255.0)
    assert _input_range({"dtype": np.uint8, "quantization": (0.0, 0)}) is None
    assert _covered(-10, 300) == 1.0 and _covered(300, 400) == 0.0 and _covered(0, 510) == 1.0


def test_an_input_holding_half_the_grey_levels_is_noted_and_less_is_refused():
    assert input_range_problem(calibrated(0, 127.5)) is None
    assert input_range_note(calibrated(0, 127.5)) is not None
    less = calibrated(0, 0.45 * 255)
    assert input_range_problem(less).startswith("its input expects values in [0.00, 114.75], not the pixels 0..255")
    assert input_range_note(less) is None  # refused, not noted as well


@pytest.mark.parametrize("low, high, said", [
    (0, 250, None), (RANGE_SLACK, 255, None), (0, 240, "brightest"), (0, 200, "brightest"), (30, 255, "darkest"),
    (30, 200, "darkest and brightest")])
def test_the_note_names_which_grey_levels_a_calibrated_range_clips(low, high, said):
    note = input_range_note(calibrated(low, high))
    if said is None:
        assert note is None
    else:
        assert note is not None and f"so the film's {said} grey levels look alike to it" in note, note
