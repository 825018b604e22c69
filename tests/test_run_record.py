"""What run.json records of how a model was trained: the class weights of its loss and the films it
was trained from (their fingerprint, compared before a finished teacher is reused)."""

from __future__ import annotations

import json

import numpy as np


def test_run_json_records_the_class_weights_of_the_loss(tiny_run):
    from train.fit import class_weights

    run = json.loads((tiny_run / "run.json").read_text())
    train = run["counts"]["train"]
    y = np.repeat(np.arange(len(run["classes"])), [train[c] for c in run["classes"]])
    expected = class_weights(y, len(run["classes"]))
    assert run["fit"]["class_weights"] == {c: expected[k] for k, c in enumerate(run["classes"])}


def test_run_json_records_the_films_it_was_trained_from(tiny_run):
    for run_dir in (tiny_run / "teacher", tiny_run):  # the student's films are its teacher's
        run = json.loads((run_dir / "run.json").read_text())
        films = sum(n for part in run["counts"].values() for n in part.values()) + len(run["skipped_files"])
        assert run["data_fingerprint"]["files"] == films and len(run["data_fingerprint"]["sha256"]) == 64
