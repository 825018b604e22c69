"""The same settings and seed give the same model: a run can be repeated and audited."""

from __future__ import annotations

import numpy as np


def test_the_default_recipe_repeats_to_the_same_weights(tiny_run, tmp_path):
    import keras

    from train.run import TrainSettings, run_training

    # tiny_run's settings (tests/conftest.py): a 3-model teacher, then the distilled student.
    again = run_training(TrainSettings(data="synthetic", out=tmp_path / "again", image_size=64, epochs=2,
                                       synthetic_count=16, batch_size=8, progress=False))
    for name in ("teacher/model.keras", "model.keras"):
        first = keras.models.load_model(tiny_run / name, compile=False).get_weights()
        second = keras.models.load_model(again / name, compile=False).get_weights()
        assert len(first) == len(second)
        assert all(np.array_equal(a, b) for a, b in zip(first, second)), name
