"""A calibration temperature edited by hand is noticed where it can be: outside the range cxr-train's fit searches
(edge.temperature_range), in run.json and in a model file's metadata, on the device too. T = 50 written into run.json
had every answer of the device read near 1/k, and cxr-convert, cxr-evaluate and edge-classify went on without a word;
T = 0 or NaN in a hand-built .tflite is refused as before, in one line."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from edge.metadata import ModelFileError, attach, split
from edge.preprocess import PreprocessConfig
from edge.temperature_range import HIGHEST_TEMPERATURE, LOWEST_TEMPERATURE, outside_fitted_range
from train.calibration import fit_temperature
from train.run_fields import run_fields_problem

FLATBUFFER = b"\0\0\0\0TFL3" + bytes(range(256)) * 4  # split reads the identifier and the checksum only


def _file(temperature: float) -> bytes:
    return attach(FLATBUFFER, {"labels": ["COVID", "Normal"], "preprocess": PreprocessConfig(size=64).to_dict(),
                               "temperature": temperature})


@pytest.mark.parametrize("t, near", [(50.0, "near 1 over the number of classes"), (20.5, "near 1 over"),
                                     (0.001, "near 0 or 1"), (0.049, "near 0 or 1")])
def test_a_model_file_temperature_no_fit_gives_is_refused(t, near):
    with pytest.raises(ModelFileError) as e:
        split(_file(t))
    said = str(e.value)
    assert f"model metadata is damaged: its calibration temperature is {t:g}, outside 0.05 to 20" in said, said
    assert "edited by hand?" in said and near in said and "convert the run again" in said


@pytest.mark.parametrize("t", [LOWEST_TEMPERATURE, HIGHEST_TEMPERATURE, 1.0, 0.2, 7.3])
def test_temperatures_a_fit_can_give_are_read(t):
    assert split(_file(t))[1]["temperature"] == t


def test_the_fit_at_either_bound_is_inside_the_range():
    """The search's midpoint may round a hair past a bound: a fitted model must never be refused as edited."""
    rng = np.random.default_rng(0)
    y = np.arange(40) % 2
    sure = np.stack([np.where(y == 0, 0.1, -0.1), np.where(y == 0, -0.1, 0.1)], 1)  # every film right: T to 0.05
    blind = rng.normal(size=(40, 2)) * 30  # no signal: T to 20
    for logits in (sure, blind):
        t = fit_temperature(logits, y)
        assert outside_fitted_range(t) is None, t
    assert fit_temperature(sure, y) < 0.06 and fit_temperature(blind, y) > 19


def test_run_json_temperature_outside_the_range_is_named():
    run = {"classes": ["COVID", "Normal"], "temperature": 50}
    for checked in (True, False):  # cxr-convert and cxr-evaluate leave the impossible ones to convert.keras_model
        assert run_fields_problem(run, temperature=checked).startswith('its "temperature" is 50, outside 0.05 to 20')
    assert run_fields_problem({**run, "temperature": 1.7}) is None


def films(folder: Path) -> Path:
    """Two films a class, COVID and Normal (tiny_run's classes), noise: refused before they are read, or scored."""
    for k, c in enumerate(("COVID", "Normal")):
        (folder / c).mkdir(parents=True)
        for i in range(2):
            pixels = np.random.default_rng(10 * k + i).integers(0, 255, (64, 64), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / c / f"{i}.png")
    return folder


def _edited(tiny_run: Path, tmp_path: Path, t: float) -> Path:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    record = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**record, "temperature": t}))
    return run


def test_cxr_convert_and_cxr_evaluate_refuse_a_run_json_temperature_edited_out_of_range(tiny_run, tmp_path):
    from convert.cli import convert_app
    from convert.evaluate_cli import evaluate_app

    run = _edited(tiny_run, tmp_path, 50.0)
    before = (run / "model_int8.tflite").read_bytes()
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--explain", "0"])  # --report-only: the files' T differs
    assert r.exit_code == 2, r.output
    assert f"{run / 'run.json'} is damaged or not cxr-train's: its \"temperature\" is 50, outside 0.05 to 20" in r.output
    assert "Traceback" not in r.output and "unexpected" not in r.output
    assert (run / "model_int8.tflite").read_bytes() == before
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), str(films(tmp_path / "films")), "--out",
                                          str(tmp_path / "r")])
    assert r.exit_code != 0 and "is 50, outside 0.05 to 20" in r.output, r.output
    assert "Traceback" not in r.output and "unexpected" not in r.output


@pytest.mark.parametrize("t", [0.0, math.nan, math.inf, 50.0])
def test_edge_classify_refuses_a_real_model_file_given_such_a_temperature_in_one_line(tiny_run, tmp_path, t):
    from edge.cli import app
    from edge.metadata import rewrite

    model = tmp_path / "model.tflite"
    model.write_bytes(rewrite((tiny_run / "model_int8.tflite").read_bytes(), lambda m: {**m, "temperature": t}))
    film = tmp_path / "film.png"  # any film: the model is refused before it is read
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64), dtype=np.uint8)).save(film)
    r = CliRunner().invoke(app, [str(film), "--model", str(model)])
    assert r.exit_code != 0, r.output
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "model metadata is damaged: its calibration temperature" in lines[0], r.output
    assert (f"is {t:g}, outside" if t == 50.0 else "is not a number above 0") in lines[0], r.output


def test_a_temperature_changed_inside_the_range_is_told_by_the_self_test_numbers():
    from edge.model import softmax
    from edge.temperature_edit import converted_temperature

    logits = np.random.default_rng(3).normal(size=(6, 3)) * 2
    want = softmax(logits, 1.3)  # the reference probabilities, as converted
    assert converted_temperature(softmax(logits, 0.2), want, 0.2, 0.02) == pytest.approx(1.3, rel=0.05)
    assert converted_temperature(softmax(logits, 1.35), want, 1.35, 0.02) is None  # within 10%: not said
    assert converted_temperature(softmax(logits[::-1], 0.2), want, 0.2, 0.02) is None  # another failure: not blamed


def test_edge_classify_names_a_temperature_edited_inside_the_range_not_the_device(tiny_run, tmp_path):
    """T 1.0 -> 0.2 passes every range: the self-test failed, and said the device decodes or runs it otherwise."""
    from edge.cli import app
    from edge.metadata import read, rewrite

    was = read(tiny_run / "model_int8.tflite")[1]["temperature"]
    now = was * 4 if was * 4 <= HIGHEST_TEMPERATURE else was / 4
    model = tmp_path / "model.tflite"
    model.write_bytes(rewrite((tiny_run / "model_int8.tflite").read_bytes(), lambda m: {**m, "temperature": now}))
    film = tmp_path / "film.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64), dtype=np.uint8)).save(film)
    r = CliRunner().invoke(app, [str(film), "--model", str(model)])
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert r.exit_code != 0 and len(lines) == 1, r.output
    assert f"its calibration temperature is {now:g} in its metadata" in lines[0], lines[0]
    assert f"computed with about {was:.2g}" in lines[0] and "edited by hand?" in lines[0], lines[0]
    assert "decodes, preprocesses or runs" not in lines[0]


def test_the_docs_say_which_temperatures_and_cut_models_are_refused():
    """Both refusals are new to users (a file or run.json taken up to 0.49.0 is refused now), so the reference says
    them: the range, from the bounds themselves, the self-test's words for a temperature edited inside it, and a
    model.keras cut short beside run.json."""
    docs = (Path(__file__).parent.parent / "docs" / "commands.md").read_text(encoding="utf-8")
    said = " ".join(docs.split())  # lines wrapped anywhere
    assert f"outside {LOWEST_TEMPERATURE:g} to {HIGHEST_TEMPERATURE:g}, the range cxr-train fits it in" in said
    assert "its self-test's reference probabilities were computed with about" in said
    assert "empty or no whole `.keras` file" in said


def test_the_converted_temperature_is_named_from_10_percent_away_and_only_for_a_near_exact_match():
    """Pinned by mutation testing. softmax(logits / T) at the reference's 1.3: a device at 1.0 (30% away) or at
    1.3 / 1.13 (13% away) is named 1.3; at 1.3 / 1.08 (8%) it is not another temperature. One reference probability
    moved by 0.005 (a quarter of the 0.02 tolerance, over its twentieth 0.001) is no rescaling: not named; moved by
    0.0005 (within 0.001) it still is. A single class gives every probability 1 at any temperature: nothing to tell."""
    from edge.model import softmax
    from edge.temperature_edit import converted_temperature

    logits = np.random.default_rng(3).normal(size=(6, 3)) * 2
    want = softmax(logits, 1.3)
    for now in (1.0, 1.3 / 1.13):
        assert converted_temperature(softmax(logits, now), want, now, 0.02) == pytest.approx(1.3, rel=0.01)
    assert converted_temperature(softmax(logits, 1.3 / 1.08), want, 1.3 / 1.08, 0.02) is None
    for moved, named in ((0.005, False), (0.0005, True)):
        nudged = want.copy()
        nudged[0, :2] += (moved, -moved)
        assert (converted_temperature(softmax(logits, 0.2), nudged, 0.2, 0.02) is not None) is named
    assert converted_temperature(np.ones((3, 1)), np.ones((3, 1)), 1.0, 0.02) is None
    assert converted_temperature(want[0], want[0], 1.3, 0.02) is None  # one film's row alone: not the self-test's
