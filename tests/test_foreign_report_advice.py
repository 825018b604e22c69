"""What cxr-evaluate's report advises for a foreign .tflite (no cxr-edge metadata): only what can apply to it.

Session 69's review: the rule's command gave `--model pair.tflite` for 'dir with space/pair.tflite' (the folder
dropped), the study-design line said the file may be one of cxr-edge 0.22 or older and that a MANIFEST.csv before
training would have recorded its sources, and the note on a missed class sent its user to cxr-train --add-data,
which makes another model. Real Keras layers and the real converter; a few tiny films written here.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from typer.testing import CliRunner

MODEL = "dir with space/hospital.tflite"  # as the user types it, relative to where cxr-evaluate runs


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """report.md and report.json of a model that calls every film A (p = 0.9526): the 10 B films are all missed."""
    pytest.importorskip("tensorflow")
    from PIL import Image

    from convert.evaluate_cli import evaluate_app
    from tests.test_evaluate_foreign import _foreign
    import keras

    root = tmp_path_factory.mktemp("foreign_advice")
    rng = np.random.default_rng(0)
    for c in ("A", "B"):
        (root / "films" / c).mkdir(parents=True)
        for i in range(10):
            Image.fromarray(rng.integers(0, 256, (40, 48), dtype=np.uint8)).save(root / "films" / c / f"{i}.png")
    (root / "dir with space").mkdir()
    fixed = keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant([2.0, -1.0]))
    _foreign(root / MODEL, fixed, keras.layers.Softmax())
    here = os.getcwd()
    os.chdir(root)
    try:
        r = CliRunner().invoke(evaluate_app, [MODEL, "films", "--labels", "A,B", "--operating-point", "A=0.75",
                                              "--out", "r", "--quiet", "--explain", "0", "--n-boot", "100"])
    finally:
        os.chdir(here)
    assert r.exit_code == 0, r.output
    return (root / "r" / "report.md").read_text(), json.loads((root / "r" / "report.json").read_text())


def test_the_rules_command_names_the_model_by_the_path_given_quoted(scored):
    md, report = scored
    assert "give it to the device as `edge-classify --model 'dir with space/hospital.tflite' --labels A,B " \
           "--threshold A=" in md, md
    assert report["site_operating_point"]["model_file"] == "hospital.tflite"  # report.json's field: the name, as before


def test_the_study_design_line_says_a_foreign_model_records_no_training_films(scored):
    md, _ = scored
    line = next(t for t in md.splitlines() if t.startswith("**Internal or external validation?"))
    assert "a model not made by cxr-edge records no training films" in line, line
    assert "is unknown" in line, line
    assert "0.22 or older" not in line and "MANIFEST.csv" not in line, line


def test_the_missed_class_note_gives_no_cxr_train_advice(scored):
    md, report = scored
    (note,) = report["missed_classes"]
    assert note.startswith("B films here were mostly called A"), note
    assert "cxr-train" not in note and "--add-data" not in note, note
    assert "records no training films" in note and "retrain that model, where it was made" in note, note
    assert f"> {note}" in md
