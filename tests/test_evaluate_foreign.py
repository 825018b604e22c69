"""cxr-evaluate --labels: a foreign .tflite (no cxr-edge metadata) scored as edge-classify --labels reads it, and the
report saying plainly what its figures lack (no calibration, input check or seen-film check; cxr-edge's preprocessing).

Real Keras layers converted by tf.lite.TFLiteConverter.from_keras_model, as a hospital's own model is made; a few
tiny films written here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner


def _foreign(path, *head) -> None:
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Rescaling(1 / 255.0),
                          keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(), *head])
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(m).convert())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Four films of each of two classes, and a model ending in a softmax whose answer is the same for any film:
    e^2 / (e^2 + e^-1) = 0.9526 for A (a second softmax, or a temperature, would make it something else)."""
    import keras
    from PIL import Image

    root = tmp_path_factory.mktemp("foreign_eval")
    rng = np.random.default_rng(0)
    for c in ("A", "B"):
        (root / "films" / c).mkdir(parents=True)
        for i in range(4):
            Image.fromarray(rng.integers(0, 256, (40, 48), dtype=np.uint8)).save(root / "films" / c / f"{i}.png")
    fixed = keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant([2.0, -1.0]))
    _foreign(root / "hospital.tflite", fixed, keras.layers.Softmax())
    return root


def test_a_foreign_model_is_scored_as_edge_reads_it_and_the_report_says_what_it_lacks(site):
    from convert.evaluate_cli import evaluate_app
    from edge.model import EdgeModel

    out = site / "report"
    r = CliRunner().invoke(evaluate_app, [str(site / "hospital.tflite"), str(site / "films"), "--labels", "A,B",
                                          "--out", str(out), "--quiet", "--explain", "0", "--n-boot", "100"])
    assert r.exit_code == 0, r.output
    said = r.output.split(" is a foreign model (no cxr-edge metadata)", 1)[1].split("\n", 1)[0]
    for lack in ("no calibration", "no input check", "no fingerprints of the films it was trained or validated on",
                 "its figures flatter it", "fed cxr-edge's own preprocessing", "may not be the one it was trained with"):
        assert lack in said, said
    report = json.loads((out / "report.json").read_text())
    assert report["foreign_model"]["outputs_read_as"] == "probabilities" and report["foreign_model"]["calibration"] is None
    assert report["foreign_model"]["input_check"] is False and report["foreign_model"]["seen_films_checked"] is False
    assert report["seen_in_training"] is None and report["study_design"]["kind"] == "unknown"
    # the softmax the model ends in read as probabilities: no second softmax (0.7120), no temperature
    expected = EdgeModel(site / "hospital.tflite", labels=["A", "B"])
    assert expected.outputs_probabilities
    assert [p["probabilities"]["A"] for p in report["predictions"]] == pytest.approx([0.9526] * 8, abs=1e-4)
    md = (out / "report.md").read_text()
    assert md.index("## A foreign model") < md.index("accuracy ")  # before any figure
    assert "- No input check" in md and "- No fingerprints of the films it was trained or validated on" in md


def test_labels_are_refused_where_they_cannot_be_honoured(site, tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app

    def run(*args):
        return CliRunner().invoke(evaluate_app, [*map(str, args), "--quiet", "--explain", "0"])

    r = run(site / "hospital.tflite", site / "films", "--labels", "A,B", "--operating-point", "A=0.9",
            "--save-model", tmp_path / "copy.tflite", "--out", tmp_path / "r1")
    assert r.exit_code == 2 and "--save-model stores a rule in a cxr-edge file's metadata" in r.output, r.output
    labels = ",".join(json.loads((tiny_run / "run.json").read_text())["classes"])
    r = run(tiny_run / "model_fp32.tflite", site / "films", "--labels", labels, "--out", tmp_path / "r2")
    assert r.exit_code == 2 and "--labels is for a .tflite without cxr-edge metadata" in r.output, r.output
    assert "leave --labels out" in r.output
    r = run(site / "hospital.tflite", site / "films", "--labels", "A,,B", "--out", tmp_path / "r3")
    assert r.exit_code == 2 and "--labels 'A,,B' has an empty item" in r.output, r.output


def test_a_site_rule_chosen_for_a_foreign_model_is_given_as_edge_classify_threshold(site, tmp_path):
    """--save-model is refused for it (no metadata to store a rule in): report.md said 'Add --save-model PATH'."""
    from convert.evaluate_cli import evaluate_app

    r = CliRunner().invoke(evaluate_app, [str(site / "hospital.tflite"), str(site / "films"), "--labels", "A,B",
                                          "--operating-point", "A=0.75", "--out", str(tmp_path / "r"), "--quiet",
                                          "--explain", "0", "--n-boot", "100"])
    assert r.exit_code == 0, r.output
    md = (tmp_path / "r" / "report.md").read_text()
    assert "--save-model PATH" not in md
    assert "cannot carry a rule (it has no cxr-edge metadata): give it to the device as `edge-classify --model " \
           f"{site / 'hospital.tflite'} --labels A,B --threshold A=" in md, md  # the path given (it held the name alone)
    assert json.loads((tmp_path / "r" / "report.json").read_text())["site_operating_point"]["foreign"] is True


def test_the_seen_films_line_names_the_real_reason_for_a_foreign_model(site, tmp_path):
    """report.md said the model 'has no split.json of its own beside it' with a split.json beside it: a foreign file's
    is ignored on purpose (nothing ties it to this model), and the line now says so."""
    import shutil

    from convert.evaluate_cli import evaluate_app

    folder = tmp_path / "beside"
    folder.mkdir()
    shutil.copy(site / "hospital.tflite", folder / "hospital.tflite")
    (folder / "split.json").write_text(json.dumps({"train": [], "val": [], "test": []}))
    r = CliRunner().invoke(evaluate_app, [str(folder / "hospital.tflite"), str(site / "films"), "--labels", "A,B",
                                          "--out", str(tmp_path / "r"), "--quiet", "--explain", "0", "--n-boot", "100"])
    assert r.exit_code == 0, r.output
    md = (tmp_path / "r" / "report.md").read_text()
    line = next(t for t in md.splitlines() if t.startswith("Whether the model saw any of these films"))
    assert "has no split.json of its own beside it" not in line, line
    assert "a foreign model" in line and "no fingerprints of the films it was trained or validated on" in line, line
    assert "a split.json beside it is not taken as its own" in line, line
