"""edge.sigmoid_pair's walks over an op table that need no interpreter (_source, _sigmoid_of), pinned on plain dicts
as the runtime's op details give them: hand mutation testing (session 69) found the length of the chain _source
follows, what it returns past it, and _sigmoid_of's check of an op's inputs unseen by the float model tests."""

from __future__ import annotations

from edge.sigmoid_pair import _sigmoid_of, _source


def _chain(length: int) -> dict[int, dict]:
    """Tensor i made by a QUANTIZE or RESHAPE of tensor i + 1, ``length`` ops long (the last tensor made by none)."""
    return {i: {"op_name": ("QUANTIZE", "DEQUANTIZE", "RESHAPE")[i % 3], "inputs": [i + 1]} for i in range(length)}


def test_source_follows_up_to_seven_passing_ops_and_gives_minus_1_past_eight():
    assert _source({}, 4) == 4
    assert _source(_chain(1), 0) == 1
    assert _source(_chain(7), 0) == 7
    assert _source(_chain(8), 0) == -1  # a chain too long for a real export: made by nothing edge recognises
    assert _source({0: {"op_name": "RESHAPE", "inputs": []}, 1: {"op_name": "LOGISTIC", "inputs": [2]}}, 0) == 0
    assert _source({0: {"op_name": "LOGISTIC", "inputs": [1]}}, 0) == 0


def test_sigmoid_of_refuses_an_op_without_the_input_it_takes_numbers_from():
    logistic = {"op_name": "LOGISTIC", "inputs": [9]}
    made_by = {5: logistic, 6: {"op_name": "QUANTIZE", "inputs": [5]}}
    assert _sigmoid_of(made_by, {"op_name": "SPLIT", "inputs": [0, 6]}) is logistic  # SPLIT: its axis first
    assert _sigmoid_of(made_by, {"op_name": "SPLIT", "inputs": [6]}) is None
    assert _sigmoid_of(made_by, {"op_name": "STRIDED_SLICE", "inputs": []}) is None
    assert _sigmoid_of(made_by, {"op_name": "SQUEEZE", "inputs": [6]}) is logistic
    assert _sigmoid_of(made_by, {"op_name": "ADD", "inputs": [6]}) is None
