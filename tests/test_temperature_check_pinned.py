"""Pinned cases of convert.temperature_check, one per hand mutant that the existing tests let live: the refusal
gives the NLL at run.json's temperature first and the recorded one second; and a cache stamp that is no JSON object
is not taken for films learnt otherwise (read_json refuses it before the isinstance test: that mutant is equivalent,
the outcome pinned all the same)."""

from __future__ import annotations

import json

import numpy as np

from convert.temperature_check import _learnt_otherwise, recorded_nll_problem
from train.cache import stamp_path
from train.calibration import fit_temperature, nll


def test_the_refusal_says_the_nll_at_the_temperature_and_the_one_recorded_in_that_order(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    z = rng.normal(0, 1, (200, 3)) + 3.0 * np.eye(3)[y]
    t = fit_temperature(z, y)
    recorded = nll(z, y, t)
    said = recorded_nll_problem({"temperature": t * 0.5, "validation": {"nll_after": recorded}}, z, y,
                                tmp_path / "run.json")
    assert (f"negative log-likelihood is {nll(z, y, t * 0.5):.4f}, not the {recorded:.4f} run.json records with it"
            in said), said


def test_a_cache_stamp_that_is_no_object_is_not_films_learnt_otherwise(tmp_path):
    stamp = stamp_path(tmp_path, "val")
    stamp.parent.mkdir(parents=True)
    for text, learnt in (("[1, 2]", False), ('"learnt_otherwise"', False), ('{"learnt_otherwise": true}', True),
                         ('{"learnt_otherwise": false}', False)):
        stamp.write_text(text)
        assert _learnt_otherwise(tmp_path) is learnt, text
    assert json.loads(stamp.read_text()) == {"learnt_otherwise": False}
