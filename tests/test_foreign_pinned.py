"""How a foreign .tflite's outputs are read, pinned where a small change to edge.model_graph or edge.model went unseen
(hand mutation testing: each test here failed with one such change in place, which the tests of foreign models let
through): a sigmoid's pair in the other order or stacked, pairs that are no distribution, an RGB channels-first input,
the one-output advice, and probabilities that sum to 1. Real Keras layers, the real converter, the device's runtime."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model import EdgeModel, ModelFileError, softmax
from tests.foreign_exports import FILMS, WANT, export



@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """name -> path of a converted model; "_int8": full-integer inside, float ends."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    folder = tmp_path_factory.mktemp("foreign_pinned")
    L = keras.layers

    def sigmoid(inp, bias=4.18):
        x = L.GlobalAveragePooling2D()(L.Conv2D(4, 3, activation="relu")(L.Rescaling(1 / 255.0)(inp)))
        return L.Dense(1, activation="sigmoid", kernel_initializer="zeros",
                       bias_initializer=keras.initializers.Constant(bias))(x), x

    def save(name, model, int8=False):
        export(model, folder / f"{name}.tflite", "int8" if int8 else "float")

    keras.utils.set_random_seed(0)
    heads = {"positive first": lambda p, x: L.Concatenate()([p, 1 - p]),
             "stacked": lambda p, x: keras.ops.stack([1 - p[:, 0], p[:, 0]], axis=1),
             "1.02 - p": lambda p, x: L.Concatenate()([1.02 - p, p]),
             "two sigmoids": lambda p, x: L.Concatenate()([1 - L.Dense(1, activation="sigmoid")(x), p]),
             "three": lambda p, x: L.Concatenate()([1 - p, p, p]),
             "1 - logit": lambda p, x: (lambda z: L.Concatenate()([1 - z, z]))(L.Dense(1)(x)),
             "1 + p": lambda p, x: L.Concatenate()([1 + p, p]),
             "1 - logit stacked": lambda p, x: (lambda z: keras.ops.stack([1 - z[:, 0], z[:, 0]], axis=1))(
                 L.Dense(1)(x)),
             "several units": lambda p, x: (lambda s: L.Concatenate()([1 - s, s]))(L.Dense(2, activation="sigmoid")(x)),
             "slice of two": lambda p, x: (lambda s: keras.ops.stack([1 - s[:, 0], s[:, 0]], axis=1))(
                 L.Dense(2, activation="sigmoid")(x))}
    for name, head in heads.items():
        inp = keras.Input((32, 32, 1))
        model = keras.Model(inp, head(*sigmoid(inp)))
        save(name, model)
        if name in ("positive first", "stacked", "1.02 - p"):
            save(f"{name}_int8", model, int8=True)
    inp = keras.Input((3, 32, 32))  # an RGB model in PyTorch's layout
    x = L.GlobalAveragePooling2D()(L.Conv2D(4, 3)(L.Permute((2, 3, 1))(inp)))
    save("rgb channels first", keras.Model(inp, L.Dense(2)(x)))
    inp = keras.Input((32, 32, 1))
    save("one sigmoid", keras.Model(inp, sigmoid(inp)[0]))
    inp = keras.Input((32, 32, 4))  # an RGBA input: square and channels last, but four of them
    save("rgba", keras.Model(inp, L.Dense(2)(L.GlobalAveragePooling2D()(inp))))
    return {p.stem: p for p in folder.glob("*.tflite")}


@pytest.mark.parametrize("name", ["positive first", "positive first_int8", "stacked", "stacked_int8"])
def test_a_sigmoids_pair_in_either_order_or_stacked_is_read_as_probabilities(made, name):
    """[p, 1 - p] (the positive class first) and keras.ops.stack([1 - p, p]) (a PACK, not a CONCATENATION): the
    stacked pair was read as logits up to 0.51.0, a softmax making 0.985 into 0.725."""
    m = EdgeModel(made[name], labels=["A", "B"])
    assert m.final_op == "SIGMOID_PAIR" and m.outputs_probabilities
    positive = 0 if name.startswith("positive first") else 1
    np.testing.assert_allclose(m.classify(FILMS)[:, positive], WANT, atol=0.01)


@pytest.mark.parametrize("name", ["1.02 - p", "1.02 - p_int8", "two sigmoids", "1 - logit", "1 + p",
                                  "1 - logit stacked"])
def test_a_join_that_is_no_sigmoids_pair_is_read_as_logits(made, name):
    """Only 1 (within 0.005) minus the very sigmoid joined beside it is a distribution; 1.02 - p, 1 - q of another
    sigmoid, 1 - z of a logit and 1 + p are not, and are read as logits, as any other model's outputs."""
    m = EdgeModel(made[name], labels=["A", "B"])
    assert m.final_op == ("PACK" if "stacked" in name else "CONCATENATION") and not m.outputs_probabilities


def test_three_outputs_joined_from_one_sigmoid_are_no_pair(made):
    m = EdgeModel(made["three"], labels=["A", "B", "C"])
    assert m.final_op == "CONCATENATION" and not m.outputs_probabilities


def test_a_sigmoid_of_several_units_joined_with_one_minus_each_is_no_pair_but_one_unit_of_it_is(made):
    """[1 - s, s] of a 2-unit sigmoid sums to 2 over its 4 outputs: it was read as probabilities up to 0.52.0,
    each halved. One unit of it, stacked with 1 minus it, is a distribution."""
    m = EdgeModel(made["several units"], labels=["A", "B", "C", "D"])
    assert m.final_op == "CONCATENATION" and not m.outputs_probabilities
    m = EdgeModel(made["slice of two"], labels=["A", "B"])
    assert m.final_op == "SIGMOID_PAIR" and m.outputs_probabilities


def test_probabilities_read_from_int8_sum_to_one_and_log_scores_give_them_back(made):
    """int8 rounding leaves 1 - p and p summing to 1.0004: classify divides by the sum; occlusion maps compare
    log_scores, whose softmax must be those probabilities (not 1 - p, say)."""
    m = EdgeModel(made["positive first_int8"], labels=["A", "B"])
    assert abs(float(m.logits(FILMS).sum(axis=-1)[0]) - 1.0) > 1e-4  # the rounding this is about
    p = m.classify(FILMS)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-6)
    np.testing.assert_allclose(softmax(m.log_scores(FILMS)), p, atol=1e-6)


def test_an_rgb_channels_first_input_is_told_how_to_export(made):
    """(1, 3, 32, 32), an RGB PyTorch or ONNX model's layout: the hint is for 3 channels as for 1."""
    with pytest.raises(ModelFileError, match=r"\(1, 3, 32, 32\) is not .*channels first \(NCHW\); export it channels "):
        EdgeModel(made["rgb channels first"], labels=["A", "B"])


def test_a_four_channel_input_is_told_its_channels_not_its_shape(made):
    """(1, 32, 32, 4) is square and channels last already: advising "a square image input, channels last" sent the
    engineer after the wrong fault (session 68's review)."""
    with pytest.raises(ModelFileError, match=r"\(1, 32, 32, 4\) is not .*: it takes 4 channels per pixel; export it "
                                             r"taking 1 \(grey\) or 3 \(RGB\)"):
        EdgeModel(made["rgba"], labels=["A", "B"])


def test_the_one_output_refusal_advises_one_minus_p_first_with_the_negative_class_first(made):
    with pytest.raises(ModelFileError, match=r"p as \[1 - p, p\] .*with --labels naming the negative class first"):
        EdgeModel(made["one sigmoid"], labels=["COVID"])


def test_the_no_metadata_refusal_says_the_labels_go_in_output_order_and_how_to_tell_a_copy_cut_short():
    """--labels' order decides which output is which class; the copy cut short is checked by its size."""
    from edge.no_metadata_words import no_metadata

    said = no_metadata("'hospital.tflite'")
    assert "--labels A,B (its class names, in the order of its outputs)" in said
    assert said.endswith("it was cut short in copying: compare its size with the original and copy it again")


def test_cxr_evaluate_labels_compares_occlusion_maps_on_the_models_own_probabilities(made, capsys):
    """convert.foreign_model gives cxr-evaluate --explain the log-scores whose softmax is what the model says; its
    raw outputs there would be softmaxed a second time (0.985 compared as 0.725)."""
    from convert.foreign_model import foreign_model

    m = EdgeModel(made["positive first"], labels=["A", "B"])
    predict, info = foreign_model(m, made["positive first"], m.classify, "cxr-evaluate")
    np.testing.assert_allclose(softmax(info["log_scores"](FILMS)), m.classify(FILMS), atol=1e-6)
    assert info["outputs"] == "probabilities" and "is a foreign model" in capsys.readouterr().err


def test_labels_take_a_foreign_file_named_in_capitals(made, tmp_path):
    """hospital.TFLITE (a Windows copy): --labels is not refused as meant for a .tflite only; the run goes on."""
    import shutil

    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app

    model = tmp_path / "HOSPITAL.TFLITE"
    shutil.copy(made["positive first"], model)
    r = CliRunner().invoke(evaluate_app, [str(model), str(tmp_path / "no films"), "--labels", "A,B",
                                          "--out", str(tmp_path / "r"), "--quiet"])
    assert r.exit_code != 0 and "--labels is for" not in r.output and "no films" in r.output, r.output


def test_labels_with_a_keras_model_are_refused_before_any_film_is_read(tmp_path):
    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "model.keras").write_bytes(b"")
    r = CliRunner().invoke(evaluate_app, [str(tmp_path / "run" / "model.keras"), str(tmp_path / "no films"), "--labels",
                                          "A,B", "--out", str(tmp_path / "r"), "--quiet"])
    assert r.exit_code == 2 and "--labels is for a .tflite without cxr-edge metadata" in r.output, r.output
