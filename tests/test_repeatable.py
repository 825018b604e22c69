"""The same settings and seed give the same model: a run can be repeated and audited."""

from __future__ import annotations

import json

import numpy as np


def test_the_default_recipe_repeats_to_the_same_weights(tiny_run, tmp_path):
    """tiny_run (tests/conftest.py) is cxr-train's default recipe: a 3-model teacher, then the distilled student.
    Its two steps are trained again here, each with the settings its run.json recorded, into other folders:

    - the teacher's first member, as a one-model run: member k is its own model from seed + k on the teacher's
      split, so a one-model run of the teacher's settings is member 0. The other members, from seeds 1 and 2,
      are trained again by test_resume.py's interrupted ensemble (member 1 in another process), which ends
      with tiny_run's teacher, bit for bit;
    - the student, from tiny_run's teacher, as the recipe's step 2 trains it (--teacher RUN/teacher).

    Training the whole recipe again (4 models) took 27 s on 2 cores; these two models take 13 s."""
    import keras

    from train.run import TrainSettings, run_training

    teacher = json.loads((tiny_run / "teacher" / "run.json").read_text())["settings"]
    assert teacher["members"] == 3 and teacher["teacher_members"] == 0
    member = run_training(TrainSettings(**{**teacher, "out": tmp_path / "member", "members": 1}))
    ensemble = keras.models.load_model(tiny_run / "teacher" / "model.keras", compile=False)
    members = [layer for layer in ensemble.layers if isinstance(layer, keras.Model)]
    assert len(members) == 3
    _same_weights(members[0], keras.models.load_model(member / "model.keras", compile=False), "teacher member 0")

    settings = json.loads((tiny_run / "run.json").read_text())["settings"]
    assert settings["teacher"] == str(tiny_run / "teacher")  # the recipe's own teacher, not another run
    student = run_training(TrainSettings(**{**settings, "out": tmp_path / "student"}))
    _same_weights(keras.models.load_model(tiny_run / "model.keras", compile=False),
                  keras.models.load_model(student / "model.keras", compile=False), "student")


def _same_weights(first, second, name: str) -> None:
    a, b = first.get_weights(), second.get_weights()
    assert a and len(a) == len(b), name
    assert all(np.array_equal(x, y) for x, y in zip(a, b)), name
