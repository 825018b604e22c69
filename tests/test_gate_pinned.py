"""convert.gate pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which every earlier test of the gate that needs no trained model let through)."""

from __future__ import annotations

from convert.gate import gate, resolution_note


def test_a_quantized_file_better_than_keras_passes():
    """The gate limits a drop: a file 5 points more accurate, or finding more of a class, is no reason to fail
    (failed, --auto would keep a file 3-4x larger)."""
    ref = {"accuracy": 0.80, "per_class": [{"class": "COVID", "sensitivity": 0.70}, {"class": "Normal", "sensitivity": None}]}
    better = {"accuracy": 0.85, "per_class": [{"class": "COVID", "sensitivity": 0.80}, {"class": "Normal", "sensitivity": 0.9}]}
    assert gate(ref, better, 1.0, 2.0) == {"passed": True, "reasons": []}


def test_a_drop_just_over_its_limit_is_given_with_the_decimals_that_show_it_over():
    """2.22 points against a limit of 2.2 reads '2.22', not '2.2 points (limit 2.2)'."""
    ref = {"accuracy": 0.9, "per_class": [{"class": "COVID", "sensitivity": 0.9}]}
    cand = {"accuracy": 0.8778, "per_class": [{"class": "COVID", "sensitivity": 0.9}]}
    assert gate(ref, cand, 2.2, 5.0)["reasons"] == ["accuracy fell 2.22 points (limit 2.2)"]


def test_the_note_on_a_test_split_too_small_for_the_gate_starts_past_one_film_a_limit():
    """One film of 50 moves a class by exactly 2 points, which the default class limit allows: no note; of 49 it
    moves it by 2.04, and of 99 films accuracy by 1.01 points, over the 1 point accuracy limit: noted."""
    assert resolution_note({"COVID": 50, "Normal": 50}, 2.0, 1.0) is None
    small = resolution_note({"COVID": 49, "Normal": 50}, 2.0)
    assert small is not None and "COVID sensitivity by 2.0 points (49 test films)" in small
    few = resolution_note({"COVID": 49, "Normal": 50}, 3.0, 1.0)
    assert few is not None and "accuracy by 1.0 points (99 test films)" in few and "sensitivity" not in few
