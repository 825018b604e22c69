"""convert.operating_point pinned where a small change went unseen by the tests that need no trained model
(hand mutation testing: each test here failed with one such change in place). The model files here are
metadata around a stand-in flatbuffer: only the metadata is read or rewritten."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from convert.operating_point import (choose_decision, chosen_films_among, decision_films_text, kept_points,
                                     operating_point_setting, stamped)
from edge import metadata as md

LABELS = ["COVID", "Normal"]
BASE = {"labels": LABELS, "preprocess": {"size": 32}, "temperature": 1.0}
FLATBUFFER = b"\x1c\0\0\0TFL3" + b"\0" * 56  # the TFL3 identifier at byte 4, as every .tflite has it


def test_a_threshold_of_0_is_refused_not_stored():
    """Two of three COVID films at p = 0 (float32 underflow): 1.0 sensitivity needs p >= 0, which calls every film
    COVID and which the device refuses as a stored rule."""
    y = np.array([0, 0, 0, 1])
    p = np.array([[0.9, 0.1], [0.0, 1.0], [0.0, 1.0], [0.2, 0.8]])
    with pytest.raises(ValueError, match="would be 0"):
        choose_decision(y, p, LABELS, 0, 1.0)


def test_converting_again_keeps_a_rule_for_full_sensitivity_and_not_one_chosen_on_a_sites_films(tmp_path):
    for mode, decision in (("int8", {"target_sensitivity": 1.0}),
                           ("fp32", {"target_sensitivity": 0.9, "chosen_on": "films in eval4"})):
        meta = {**BASE, "decision": {"class": "COVID", "threshold": 0.2, **decision}}
        (tmp_path / f"model_{mode}.tflite").write_bytes(md.attach(FLATBUFFER, meta, {}))
    assert kept_points(tmp_path, ["int8", "fp32"], LABELS) == ({"int8": (0, 1.0)}, {"fp32": "films in eval4"})


def test_the_films_a_rule_was_chosen_on_are_counted_among_others():
    films = [hashlib.sha256(str(k).encode()).hexdigest() for k in range(5)]
    assert chosen_films_among(decision_films_text(films[:3]), films) == 3
    assert chosen_films_among(None, films) is None


def test_operating_point_none_is_read_in_any_case():
    assert operating_point_setting(" None ", LABELS) == "none"
    assert operating_point_setting("COVID=0.9", LABELS) == (0, 0.9)


def test_a_rule_stored_again_unchanged_leaves_the_cards_counts_as_they_were():
    """Counts the card holds are marked as counted under the earlier rule only where the rule changes; the
    stored rule is always a requirement (a reader that ignored it would label otherwise)."""
    rule = {"class": "COVID", "threshold": 0.2}
    data = md.attach(FLATBUFFER, {**BASE, "decision": rule, "validation": {"held_out_source": {"n": 3}}}, {})
    same = md.split(stamped(data, dict(rule)))[1]
    assert same["validation"]["held_out_source"] == {"n": 3} and same["requires"] == ["decision"]
    other = md.split(stamped(data, {"class": "Normal", "threshold": 0.3}))[1]
    assert other["validation"]["held_out_source"]["counted_before_rule"] is True
