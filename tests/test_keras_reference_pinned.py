"""convert/keras_reference.py had no test of its own (only cxr-convert's end-to-end runs): a tiny real Keras model
whose logits are known by construction (one Dense layer, kernel = the identity on 2 inputs, no bias) pins the
temperature each figure uses and where the warnings go.

Hand computation: films [2, 0] (COVID) and [0, 2] (Normal), temperature 2: each film's true class gets
softmax([1, 0])[0] = e / (e + 1) = 0.731059, so the calibrated NLL is -ln 0.731059 = 0.313262; before calibration
(T = 1) it is -ln(e^2 / (e^2 + 1)) = ln(1 + e^-2) = 0.126928."""

from __future__ import annotations

import numpy as np
import pytest

from convert.keras_reference import keras_reference

CLASSES = ["COVID", "Normal"]


@pytest.fixture(scope="module")
def identity_model():
    import keras

    inp = keras.Input((2,))
    out = keras.layers.Dense(2, use_bias=False, kernel_initializer="identity")(inp)
    return keras.Model(inp, out)


def test_calibrated_probabilities_and_before_after_figures(identity_model):
    x, y = np.array([[2.0, 0.0], [0.0, 2.0]]), np.array([0, 1])
    logged: list[str] = []
    probs, reference, warnings, sharp, cal = keras_reference({}, identity_model, x, y, CLASSES, 2.0, 20, logged.append)
    assert probs[0, 0] == pytest.approx(0.731059, abs=1e-6) and probs[1, 1] == pytest.approx(0.731059, abs=1e-6)
    assert cal["temperature"] == 2.0 and cal["fitted_on"] == "validation split"
    assert cal["test_nll_after"] == pytest.approx(0.313262, abs=1e-6)
    assert cal["test_nll_before"] == pytest.approx(0.126928, abs=1e-6)
    assert cal["test_ece_after"] == reference["ece"] and cal["test_ece_before"] != cal["test_ece_after"]
    assert sharp is None and logged == [f"warning: {w}" for w in warnings]


def test_no_signal_warning_comes_first_and_the_last_says_what_a_pass_is_worth(identity_model):
    x, y = np.array([[2.0, 0.0], [2.0, 0.0], [2.0, 0.0]]), np.array([0, 1, 1])  # one answer for every film
    logged: list[str] = []
    _, _, warnings, _, _ = keras_reference({"validation": {"no_signal": True}}, identity_model, x, y, CLASSES, 1.0, 20,
                                           logged.append)
    assert len(warnings) == 2
    assert warnings[0].startswith("cxr-train found that this model's answers on the validation films tell no more")
    assert warnings[1].startswith("the Keras model gives every one of the 3 test films the same class (COVID)")
    assert warnings[1].endswith("; a gate that passes says only that quantization kept the model as it was")
    assert not warnings[0].endswith("kept the model as it was")
    assert logged == [f"warning: {w}" for w in warnings]


def test_the_probabilities_warning_comes_after_what_a_pass_is_worth(identity_model):
    x, y = np.array([[2.0, 0.0], [2.0, 0.0]]), np.array([0, 1])  # one answer for every film
    run = {"temperature": 1.0, "validation": {"probabilities_note": True}}
    logged: list[str] = []
    _, _, warnings, sharp, _ = keras_reference(run, identity_model, x, y, CLASSES, 1.0, 20, logged.append)
    assert sharp is not None and sharp.startswith("this model's probabilities fit its validation films no better")
    assert len(warnings) == 2 and warnings[0].endswith("kept the model as it was")
    assert warnings[1] == f"cxr-train found that {sharp}"
