"""The int8 file's float logits head is refitted on the int8 body's features (convert/head_refit.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from train.cache import load_part
from train.data import Split


def test_ridge_towards_recovers_a_linear_map_and_falls_back_to_the_prior():
    from convert.head_refit import ridge_towards

    rng = np.random.default_rng(0)
    a = np.hstack([rng.normal(size=(200, 5)), np.ones((200, 1))])
    true = rng.normal(size=(6, 3))
    prior = np.zeros((6, 3))
    np.testing.assert_allclose(ridge_towards(a, a @ true, prior, 1e-9), true, atol=1e-6)
    np.testing.assert_allclose(ridge_towards(a, a @ true, prior, 1e9), prior, atol=1e-6)
    middle = ridge_towards(a, a @ true, prior, 1.0)
    assert 0 < np.abs(middle).sum() < np.abs(true).sum()


def test_the_pull_towards_the_keras_head_is_per_image_so_more_images_of_the_same_kind_do_not_loosen_it():
    """The ridge is weighted per calibration image (ridge * n): unweighted, the same 40 images given twice
    (--calibration-samples doubled) pulled the refitted head half as hard towards Keras's, and a head wider than
    the images are many (the docstring's 512-wide Dense) was fitted to noise."""
    from convert.head_refit import ridge_towards

    rng = np.random.default_rng(0)
    a = rng.normal(size=(40, 60))  # more features than images: the pull towards the prior decides the fit
    target, prior = rng.normal(size=(40, 2)), rng.normal(size=(60, 2))
    once = ridge_towards(a, target, prior, 0.01)
    np.testing.assert_allclose(ridge_towards(np.vstack([a, a]), np.vstack([target, target]), prior, 0.01), once,
                               rtol=1e-6, atol=1e-9)
    lam = 0.01 * 40  # the documented objective: ||a theta - target||^2 + ridge * n * ||theta - prior||^2
    np.testing.assert_allclose(once, np.linalg.solve(a.T @ a + lam * np.eye(60), a.T @ target + lam * prior),
                               rtol=1e-6, atol=1e-9)


@pytest.fixture(scope="module")
def tiny(tiny_run):
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from edge.preprocess import PreprocessConfig

    run = json.loads((tiny_run / "run.json").read_text())
    split = Split.load(tiny_run / "split.json")
    config = PreprocessConfig.from_dict(run["preprocess"])
    x_train, _ = load_part(tiny_run, split, "train", config, progress=False)
    x_test, _ = load_part(tiny_run, split, "test", config, progress=False)
    model = keras.models.load_model(tiny_run / "model.keras", compile=False)
    return model, x_train, x_test


def test_refit_moves_int8_logits_towards_keras_and_keeps_the_body(tiny):
    from convert.export import convert
    from convert.head_refit import head_inputs, refit_int8_head
    from train.fit import logits_of

    model, x_train, x_test = tiny
    keras_weights = [w.copy() for w in model.get_weights()]
    plain = convert(model, "int8", x_train)
    refitted, info = refit_int8_head(model, plain, x_train, lambda m: convert(m, "int8", x_train))
    assert info["refit"], info
    change = info["train_mean_abs_logit_change"]
    assert change["after"] < change["before"]
    assert refitted != plain
    # The Keras model is left as it was: the other modes convert the trained head.
    for w, saved in zip(model.get_weights(), keras_weights):
        np.testing.assert_array_equal(w, saved)
    # Same integer body (identical features), a different float head.
    f_plain, l_plain, w_plain = head_inputs(plain, x_test)
    f_new, l_new, w_new = head_inputs(refitted, x_test)
    np.testing.assert_array_equal(f_plain[0], f_new[0])
    assert not np.allclose(w_plain[0], w_new[0])
    # Measured again through the new file: on the images it was fitted to, its logits are closer
    # to Keras (a test split this tiny says nothing either way about held-out images).
    _, fit_plain, _ = head_inputs(plain, x_train)
    _, fit_new, _ = head_inputs(refitted, x_train)
    keras_train = logits_of(model, x_train)
    assert np.abs(fit_new - keras_train).mean() < np.abs(fit_plain - keras_train).mean()
    np.testing.assert_allclose(np.abs(fit_new - keras_train).mean(), change["after"], atol=1e-4)


def test_a_head_that_is_not_a_dense_mean_is_left_alone(tiny):
    import keras

    from convert.export import convert
    from convert.head_refit import refit_int8_head

    model, x_train, _ = tiny
    scaled = keras.Model(model.inputs, keras.layers.Rescaling(3.0, offset=1.0)(model.outputs[0]))
    plain = convert(scaled, "int8", x_train)
    out, info = refit_int8_head(scaled, plain, x_train, lambda m: convert(m, "int8", x_train))
    assert not info["refit"] and out == plain


def test_cxr_convert_records_the_refit_in_the_file(tiny_run):
    from edge.model import EdgeModel

    refit = EdgeModel(tiny_run / "model_int8.tflite").meta["head_refit"]
    assert refit["refit"] and refit["images"] > 0
    report = json.loads((tiny_run / "report.json").read_text())
    assert report["models"]["int8"]["head_refit"] == refit
    assert f"int8 features of {refit['images']} training images" in (tiny_run / "report.md").read_text()
    assert "head_refit" not in EdgeModel(tiny_run / "model_fp32.tflite").meta


def test_a_refit_whose_reconversion_changed_the_int8_body_is_refused(tiny):
    """A reconversion calibrated on other images quantizes the body differently: the head refitted to the first
    body's features was shipped on the second body, since the check compared the new file's logits with themselves."""
    from convert.export import convert
    from convert.head_refit import refit_int8_head

    model, x_train, _ = tiny
    plain = convert(model, "int8", x_train)
    out, info = refit_int8_head(model, plain, x_train, lambda m: convert(m, "int8", x_train[:2] * 0.25))
    assert not info["refit"] and info["why"] == "converting again changed the int8 body"
    assert out == plain


def test_an_ensembles_mean_head_is_refitted_too(tiny):
    """A deep ensemble's logits are the mean of its members' Dense heads: the prior must be each head over the
    member count, or it no longer gives the file's logits and every ensemble's int8 file silently kept its
    unrefitted head ('the logits are not the mean of the Dense heads'). Every other test refits one member."""
    import keras

    from convert.export import convert
    from convert.head_refit import refit_int8_head
    from train.models import average_logits

    model, x_train, _ = tiny
    members = []
    for k in range(2):
        member = keras.models.clone_model(model)
        weights = model.get_weights()
        weights[-2] = weights[-2] * (1.0 + 0.5 * k)  # the second member's head other than the first's
        member.set_weights(weights)
        members.append(member)
    ensemble = average_logits(members)
    plain = convert(ensemble, "int8", x_train)
    refitted, info = refit_int8_head(ensemble, plain, x_train, lambda m: convert(m, "int8", x_train))
    assert info["refit"], info
    assert info["train_mean_abs_logit_change"]["after"] < info["train_mean_abs_logit_change"]["before"]
