"""The same settings and seed give the same model: a run can be repeated and audited."""

from __future__ import annotations

import numpy as np


def test_the_default_recipe_repeats_to_the_same_weights(tiny_run, tmp_path):
    import json

    import keras

    from train.run import TrainSettings, run_training

    # tiny_run (tests/conftest.py) is cxr-train's default recipe: a 3-model teacher, then the
    # distilled student. Train it again with the settings its run.json recorded; they name the
    # teacher it trained for itself, which must be trained again too.
    settings = json.loads((tiny_run / "run.json").read_text())["settings"]
    again = run_training(TrainSettings(**{**settings, "out": tmp_path / "again", "teacher": None}))
    for name in ("teacher/model.keras", "model.keras"):
        first = keras.models.load_model(tiny_run / name, compile=False).get_weights()
        second = keras.models.load_model(again / name, compile=False).get_weights()
        assert len(first) == len(second)
        assert all(np.array_equal(a, b) for a, b in zip(first, second)), name
