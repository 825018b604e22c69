"""cxr-convert --calibration-samples: fewer films than classes refused, under 100 warned of, and report.md naming how
many films of each class set the int8 ranges (1 film was accepted silently and called "stratified")."""

from __future__ import annotations

import json
import shutil

import numpy as np
from typer.testing import CliRunner

from convert.calibration_draw import calibration_draw, draw_sentence, too_few_problem
from convert.cli import convert_app


def test_fewer_films_than_classes_is_refused_before_a_film_is_read(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("cache"))
    split = json.loads((run / "split.json").read_text())
    split["data_dir"] = str(tmp_path / "moved-away")  # reading a film would fail
    (run / "split.json").write_text(json.dumps(split))
    classes = json.loads((run / "run.json").read_text())["classes"]
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--calibration-samples", "1", "--explain", "0"])
    assert r.exit_code == 2, r.output
    assert (f"--calibration-samples 1 is fewer than the run's {len(classes)} classes ({', '.join(classes)}): the int8 "
            "ranges would be set without a single film of some class; give at least 100") in r.output


def test_the_check_counts_only_full_integer_modes():
    assert too_few_problem(1, ["COVID", "Normal"], ["fp32", "fp16"]) is None
    assert too_few_problem(2, ["COVID", "Normal"], None) is None
    assert too_few_problem(2, ["a", "b", "c"], ["int16x8"]).startswith("--calibration-samples 2 is fewer than the run's 3")


def test_the_draw_is_counted_by_class_and_under_100_warned_of():
    draw = calibration_draw(np.array([0, 0, 1, 1, 1]), ["COVID", "Normal"], 300)
    assert draw["counts"] == {"COVID": 2, "Normal": 3}
    assert draw["warning"].startswith("the int8 ranges are set on 5 training films (all the training split holds of "
                                      "the 300 asked for) (2 COVID and 3 Normal): values the other films reach")
    assert calibration_draw(np.array([0, 1] * 50), ["COVID", "Normal"], 100)["warning"] is None
    said = draw_sentence({"calibrated_modes": ["int8"], "calibration_samples": 5, "calibration_draw": draw})
    assert "set on 5 training images: 2 COVID and 3 Normal, an equal share of each class" in said and "stratified" not in said
    assert "**Warning:** the int8 ranges are set on 5" in said
    assert draw_sentence({"calibrated_modes": [], "calibration_samples": None}) == ""


def test_a_conversion_on_8_films_says_them_by_class(tiny_run, tmp_path, capsys):
    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, progress=False,
                                   calibration_samples=8, explain=0, other_classes=False))
    report = json.loads((run / "report.json").read_text())
    counts = report["calibration_draw"]["counts"]
    assert sum(counts.values()) == 8 == report["calibration_samples"] and set(counts.values()) == {8 // len(counts)}
    md = (run / "report.md").read_text()
    assert "set on 8 training images: " in md and "(stratified" not in md
    err = capsys.readouterr().err
    assert "cxr-convert: warning: the int8 ranges are set on 8 training films (" in err
    assert "cxr-convert: int8: worst class " in err and "the gate allows a drop of 1 point in accuracy, 2 points in any" in err
