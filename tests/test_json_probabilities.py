"""--json gives a probability as the float it is: keeping a shown value off 0 is for people, not programs."""

from __future__ import annotations

import json

import numpy as np

from edge.batch import Result
from edge.decision import for_json
from edge.output import writer_for


def test_a_tiny_probability_is_not_inflated_in_json_and_text_keeps_it_off_zero(capsys):
    probs = np.array([1.0, 2.65e-10])  # a saturated float32 output, as a run with a temperature far below 1 gives
    writer_for(["COVID", "Normal"], 2, "json")(Result("x.png", probs))
    rec = json.loads(capsys.readouterr().out)
    assert rec["probabilities"] == {"COVID": 1.0, "Normal": 2.65e-10}  # was 1e-06, about 3,800 times it
    assert rec["top_k"][1] == {"label": "Normal", "probability": 2.65e-10}
    writer_for(["COVID", "Normal"], 2, "text")(Result("x.png", probs))
    assert "0.000001" in capsys.readouterr().out  # for people: never a plain 0 for a value that is not


def test_json_keeps_six_decimals_above_a_thousandth_and_every_value_on_its_side_of_the_rule():
    assert for_json(0.123456789, 0, None) == 0.123457
    assert for_json(0.0001234567, 0, None) == 0.000123457
    assert for_json(0.0, 0, None) == 0.0 and for_json(1.0, 0, None) == 1.0
    assert for_json(0.29999996, 0, (0, 0.3)) < 0.3  # never shown across the threshold
    assert for_json(0.00012345649, 0, (0, 0.0001234565)) < 0.0001234565  # 6 digits would cross it: the float itself


def test_a_tiny_probability_in_json_stays_on_its_side_of_a_tiny_threshold(capsys):
    """Under a thousandth the JSON keeps 6 significant digits; rounded so, 0.000123456789 read 0.000123457,
    at or above a rule of 0.0001234568 that did not choose its class: a program reading the JSON saw a
    label that its own probability contradicts."""
    rule = (0, 0.0001234568)
    assert for_json(0.000123456789, 0, rule) < 0.0001234568
    assert for_json(0.00012345641, 0, (0, 0.0001234564)) >= 0.0001234564  # above it: not shown below
    writer_for(["COVID", "Normal"], 2, "json", threshold=rule)(Result("x.png", np.array([0.000123456789, 0.999876543211])))
    rec = json.loads(capsys.readouterr().out)
    assert rec["label"] == "Normal" and rec["probabilities"]["COVID"] < rec["rule"]["threshold"] == 0.0001234568


def calibrated_model(folder) -> tuple:
    """A real .tflite (tests.test_foreign_models' tiny Keras model, logits [2, -1] for every film) with cxr-edge
    metadata: temperature 2 and an input check fitted on layout-like 32x32 films; and a film of noise it flags.
    Seconds, not the tiny run's minutes."""
    import keras
    from PIL import Image

    from edge.metadata import attach
    from edge.preprocess import PreprocessConfig
    from edge.typicality import fit_typicality
    from tests.test_foreign_models import _tflite
    from tests.test_typicality import layout_images

    dense = keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant([2.0, -1.0]))
    flatbuffer = open(_tflite(folder, "plain", dense), "rb").read()
    check = fit_typicality(layout_images(60, 0, 32), layout_images(20, 1, 32))
    model = folder / "calibrated.tflite"
    model.write_bytes(attach(flatbuffer, {"labels": ["COVID", "Normal"], "preprocess": PreprocessConfig(size=32).to_dict(),
                                          "temperature": 2.0, "output": "logits", "typicality": check.to_dict()}))
    noise = folder / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)).save(noise)
    return model, noise


def test_the_json_probability_is_the_models_under_its_stored_temperature(tmp_path):
    """Logits [2, -1] at the file's temperature 2 give P(COVID) = 0.8176; the stored temperature ignored gave
    0.9526, an over-confident probability on every film (the label alone unchanged, so nothing else showed it)."""
    import subprocess
    import sys
    from pathlib import Path

    model, film = calibrated_model(tmp_path)
    p = subprocess.run([sys.executable, "-m", "edge.cli", str(film), "--json", "--model", str(model)],
                       cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rec = json.loads(p.stdout)
    assert rec["label"] == "COVID" and abs(rec["probabilities"]["COVID"] - 1 / (1 + np.exp(-3 / 2))) < 1e-5  # 0.8176
