"""A .tflite without cxr-edge metadata is said to be a foreign model first, with the way on; one cut short still is.

Every command (edge-classify --info, cxr-evaluate, cxr-compare) refused an engineer's own hospital model with "a
cxr-edge file cut short (truncated) ... compare its size" as its first words. A real model from Keras layers,
converted by TFLiteConverter.from_keras_model, as a foreign file is made.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from edge import metadata as md


@pytest.fixture(scope="module")
def foreign(tmp_path_factory):
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Rescaling(1 / 255.0),
                          keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
                          keras.layers.Dense(2)])
    path = tmp_path_factory.mktemp("foreign") / "hospital.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(m).convert())
    return path


def _said_foreign_first(output: str, path) -> None:
    first = output.split(f"{path} has no cxr-edge metadata: ", 1)[1]
    assert first.startswith("a model not made by cxr-convert (a foreign .tflite"), output
    assert "edge-classify runs it and cxr-evaluate scores it with --labels A,B" in first, output
    # the copy cut short is the last possibility named, not the first
    assert first.index("cut short") > first.index("--labels A,B"), output


def test_edge_classify_info_says_a_foreign_model_and_the_labels_it_needs(foreign):
    from edge.cli import app

    r = CliRunner().invoke(app, ["--info", "--model", str(foreign)])
    assert r.exit_code == 2, r.output
    assert "edge-classify: error: " in r.output and "a cxr-edge file cut short (truncated)" not in r.output
    _said_foreign_first(r.output, foreign)


def test_cxr_evaluate_and_cxr_compare_say_a_foreign_model_not_a_bad_copy(foreign, tiny_run, tmp_path):
    from convert.compare_cli import compare_app
    from convert.evaluate_cli import evaluate_app

    (tmp_path / "site").mkdir()
    r = CliRunner().invoke(evaluate_app, [str(foreign), str(tmp_path / "site"), "--quiet"])
    assert r.exit_code == 2 and "a cxr-edge file cut short (truncated)" not in r.output, r.output
    _said_foreign_first(r.output, foreign)
    assert "cxr-compare takes only cxr-convert's .tflite files" in r.output
    r = CliRunner().invoke(compare_app, [str(tiny_run / "model_int8.tflite"), str(foreign), str(tmp_path / "site"),
                                         "--quiet", "--out", str(tmp_path / "cmp")])
    assert r.exit_code == 2, r.output
    _said_foreign_first(r.output, foreign)


def test_a_cxr_edge_file_cut_short_in_its_metadata_is_still_said_to_be_one(foreign, tmp_path):
    """What tells the two apart stays: a copy cut off inside the appended archive keeps a remnant of it."""
    from edge.cli import app

    whole = md.attach(foreign.read_bytes(), {"labels": ["A", "B"]})
    for keep in (len(foreign.read_bytes()) + 4, len(whole) - 10):
        cut = tmp_path / f"cut{keep}.tflite"
        cut.write_bytes(whole[:keep])
        r = CliRunner().invoke(app, ["--info", "--model", str(cut)])
        assert r.exit_code == 2 and "damaged or truncated cxr-edge model file" in r.output, r.output
        assert "not made by cxr-convert" not in r.output, r.output
