"""convert.split_scores pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which the tests of --holdout-source let through). One tiny run with a held-out source, trained
and converted once for the module: its 'siteb' films are COVID films stored inverted, a second hospital's that the
input check flags. The functions are called as cxr-convert calls them."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest


@pytest.fixture(scope="module")
def held_out(tmp_path_factory) -> SimpleNamespace:
    """The run (int8 only, no stored rule), its split, preprocessing, Keras model, run.json and the device file's input
    check, with the settings cxr-convert would pass: read-only for the tests."""
    from PIL import Image, ImageOps

    from train.quiet import load_tensorflow

    load_tensorflow()
    from convert.keras_model import load_keras
    from convert.quantize import ConvertSettings, run_conversion
    from edge.model import EdgeModel
    from edge.preprocess import PreprocessConfig
    from train.data import Split
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    folder = tmp_path_factory.mktemp("held_out")
    data = folder / "data"
    generate(data, n_per_class=16, classes=("COVID", "Normal"), size=(64, 64))
    for p in sorted((data / "COVID").glob("*.png"))[:5]:
        ImageOps.invert(Image.open(p).convert("L")).save(p.with_name("siteb-" + p.name))
        p.unlink()
    run = folder / "run"
    run_training(TrainSettings(data=str(data), out=run, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               holdout_source="siteb", progress=False))
    s = ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=20, explain=0, progress=False,
                        other_classes=False)
    report, _ = run_conversion(s)
    meta = json.loads((run / "run.json").read_text())
    device = EdgeModel(run / "model_int8.tflite")
    return SimpleNamespace(run=run, split=Split.load(run / "split.json"), config=PreprocessConfig.from_dict(meta["preprocess"]),
                           model=load_keras(run / "model.keras"), meta=meta, s=s, device=device, report=report)


def _part(h: SimpleNamespace, part: str) -> tuple[np.ndarray, np.ndarray]:
    from train.cache import load_part

    return load_part(h.run, h.split, part, h.config, progress=False)


def test_the_input_checks_false_alarm_rate_is_the_validation_images_share(held_out):
    """flagged_validation (report.md's 'flags x% of the validation images') is the share of the validation images
    the check flags, not of the training images it was fitted on (fitted on inverted training films here, so that
    the two differ: no training film is flagged, the validation film that scores highest is)."""
    from convert.split_scores import fit_input_check
    from edge.typicality import Typicality

    x_train, _ = _part(held_out, "train")
    x_val, _ = _part(held_out, "val")
    inverted = 255 - x_train if x_train.dtype == np.uint8 else x_train.max() + x_train.min() - x_train
    fitted = fit_input_check(held_out.run, held_out.split, held_out.config, inverted, held_out.s)
    check = Typicality.from_dict(fitted)
    assert fitted["flagged_validation"] == float(check.atypical(x_val).mean()) > 0
    assert float(check.atypical(inverted).mean()) != fitted["flagged_validation"]


def test_the_number_of_validation_films_is_the_validation_splits(held_out):
    """n_validation ('chosen on the N validation films') counts the films the thresholds were chosen on, read from
    the run here as cxr-convert reads them without --operating-point; scored on three of the four test films, so that
    the two counts differ."""
    from convert.split_scores import screening_points

    x_test, y_test = (a[1:] for a in _part(held_out, "test"))
    n_val = len(held_out.split.parts["val"])
    assert n_val != len(y_test) and len(set(y_test)) == 2
    out = screening_points(held_out.run, held_out.split, held_out.config, held_out.device, x_test, y_test,
                           held_out.device.classify(x_test), held_out.s)
    assert out["n_validation"] == n_val and out["model"] == "model_int8.tflite"


def _external(h: SimpleNamespace, run: dict | None = None, points: dict | None = None) -> dict:
    from convert.split_scores import evaluate_external

    return evaluate_external(h.run, h.split, h.config, h.model, run or h.meta, h.s, h.device.typicality, points)


def test_the_held_out_sources_flagged_films_are_a_share_and_it_has_no_most_probable_row_without_a_rule(held_out):
    """flagged_atypical is a share (report.md prints it as a percentage beside the validation images' share); a file
    that stores no rule has one row, its most probable class, with no second 'most probable' row for it."""
    x, y = _part(held_out, "external")
    out = _external(held_out)
    flagged = held_out.device.typicality.atypical(x)
    assert out["n"] == len(y) == 5 and out["source"] == "siteb"
    assert flagged.sum() > 1 and out["flagged_atypical"] == float(flagged.mean()) <= 1
    assert held_out.device.decision is None and "most_probable" not in out and "int8" in out
    assert held_out.report["external"]["flagged_atypical"] == out["flagged_atypical"]


def test_the_keras_row_on_the_held_out_source_is_at_the_runs_temperature(held_out):
    """The Keras row's probabilities are calibrated as the test split's are (run.json's temperature): its ECE and
    Brier score are those of softmax(logits / T), not of the raw logits."""
    from convert.summary import summarize
    from edge.model import softmax
    from train.fit import logits_of

    x, y = _part(held_out, "external")
    logits = logits_of(held_out.model, x)
    out = _external(held_out, run={**held_out.meta, "temperature": 3.0})
    classes = held_out.split.classes
    at_3 = summarize(y, softmax(logits, 3.0), classes, n_boot=held_out.s.n_boot)
    at_1 = summarize(y, softmax(logits, 1.0), classes, n_boot=held_out.s.n_boot)
    assert out["keras"]["ece"] == at_3["ece"] != at_1["ece"]


def test_a_class_without_a_threshold_is_left_out_of_the_held_out_sources_thresholds(held_out):
    """A row of the operating points with no threshold (none could be given on validation: JSON null) is scored on
    nothing; the rows with one are, at their thresholds."""
    x, y = _part(held_out, "external")
    p = held_out.device.classify(x)[:, 0]
    cut = float(np.sort(p)[len(p) // 2])
    rows = [{"class": "COVID", "target_sensitivity": 0.9, "threshold": cut},
            {"class": "COVID", "target_sensitivity": 0.95, "threshold": None}]
    out = _external(held_out, points={"mode": "int8", "rows": rows})["operating_points"]
    assert out["mode"] == "int8" and [r["target_sensitivity"] for r in out["rows"]] == [0.9]
    assert out["rows"][0]["external"]["tp"] == int((p >= cut).sum())
