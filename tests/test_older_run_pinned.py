"""train.older_run pinned where a small change went unseen by a fast test (hand mutation testing: each test here failed
with one such change in place; tests/test_run_record.py checks the same function through a trained run, a minute of
training). A run.json of cxr-edge 0.19 or older records no split_digest: whether the split.json beside it is its
model's split is read from what the folder still tells, and what it cannot tell leaves the run as it is."""

from __future__ import annotations

import json

import pytest

from train.older_run import split_not_the_runs

COUNTS = {"train": {"COVID": 6, "Normal": 6}, "val": {"COVID": 2, "Normal": 2}, "test": {"COVID": 2, "Normal": 2}}


def _run(tmp_path, run: dict, split) -> dict:
    (tmp_path / "split.json").write_text(split if isinstance(split, str) else json.dumps(split))
    return run


def test_an_old_run_beside_its_own_split_is_its_run(tmp_path):
    run = _run(tmp_path, {"settings": {"seed": 3}, "counts": COUNTS}, {"seed": 3, "counts": COUNTS})
    assert split_not_the_runs(tmp_path, run) is False


def test_a_split_of_another_seed_or_other_counts_or_a_stopped_calls_record_is_not_the_runs(tmp_path):
    assert split_not_the_runs(tmp_path, _run(tmp_path, {"settings": {"seed": 3}}, {"seed": 4})) is True
    other = {**COUNTS, "test": {"COVID": 3, "Normal": 2}}
    assert split_not_the_runs(tmp_path, _run(tmp_path, {"settings": {"seed": 3}, "counts": COUNTS},
                                             {"seed": 3, "counts": other})) is True
    no_settings = {"settings": None, "counts": COUNTS}  # settings null: its counts still tell
    assert split_not_the_runs(tmp_path, _run(tmp_path, no_settings, {"seed": 3, "counts": other})) is True
    (tmp_path / "prepared.json").write_text("{}")
    assert split_not_the_runs(tmp_path, _run(tmp_path, {"settings": {"seed": 3}, "counts": COUNTS},
                                             {"seed": 3, "counts": COUNTS})) is True


@pytest.mark.parametrize("run, split", [
    ({"settings": {"seed": 3, "teacher": "runs/teacher"}}, {"seed": 0}),  # a student's split: its teacher's seed
    ({"settings": {}, "counts": COUNTS}, {"seed": 7, "counts": COUNTS}),  # no seed recorded: nothing to compare
    ({"settings": {"seed": 3}}, {"counts": COUNTS}),  # a split without a seed
    ({"settings": {"seed": 3}}, {"seed": 3, "counts": COUNTS}),  # run.json without counts
    ({"settings": {"seed": 3}, "counts": COUNTS}, {"seed": 3}),  # split.json without counts
    ({}, {"seed": 3}),  # no settings at all
])
def test_what_an_old_record_does_not_say_is_no_sign_of_another_split(tmp_path, run, split):
    assert split_not_the_runs(tmp_path, _run(tmp_path, run, split)) is False


@pytest.mark.parametrize("split", ["{not json", "[1, 2]", '"a string"', "3"])
def test_a_split_json_that_cannot_be_read_is_left_to_the_caller(tmp_path, split):
    """The caller (train.run_record) read the same split.json and says what is wrong with it."""
    assert split_not_the_runs(tmp_path, _run(tmp_path, {"settings": {"seed": 3}}, split)) is False
    assert split_not_the_runs(tmp_path, {"settings": ["seed"]}) is False  # nor a run.json of another shape
    (tmp_path / "split.json").unlink()
    assert split_not_the_runs(tmp_path, {"settings": {"seed": 3}}) is False
