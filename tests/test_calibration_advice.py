"""cxr-convert's small-calibration warning: its advice where the training split held fewer films than asked ("give
--calibration-samples 100 or more" to one who asked 300 of a split of 84), and with --report-only, which dropped it
though docs/commands.md promises it under 100."""

from __future__ import annotations

import json
import shutil

import numpy as np

from convert.calibration_draw import calibration_draw, draw_sentence, recorded_draw


def test_a_split_holding_fewer_than_asked_is_advised_more_training_films():
    short = calibration_draw(np.array([0] * 42 + [1] * 42), ["COVID", "Normal"], 300)["warning"]
    assert "give --calibration-samples" not in short  # asking more adds none
    assert "84 training films (all the training split holds of the 300 asked for)" in short
    assert "train the run on more films to set them on 100 or more" in short
    asked = calibration_draw(np.array([0] * 25 + [1] * 25), ["COVID", "Normal"], 50)["warning"]
    assert "give --calibration-samples 100 or more (the default is 300)" in asked and "all the training split" not in asked


def test_report_only_warns_of_the_count_the_files_record():
    assert recorded_draw(None) is None and recorded_draw(300) == {"counts": None, "warning": None}
    draw = recorded_draw(22)
    assert draw["counts"] is None and draw["warning"].startswith("the int8 ranges were set on 22 training films when "
                                                                 "the files were converted")
    said = draw_sentence({"calibrated_modes": ["int8"], "calibration_samples": 22, "calibration_draw": draw})
    assert "**Warning:** the int8 ranges were set on 22 training films" in said


def test_report_only_on_a_small_run_says_the_warning(tiny_run, tmp_path, capsys):
    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, progress=False,
                                   report_only=True, explain=0, other_classes=False))
    report = json.loads((run / "report.json").read_text())
    n = report["calibration_samples"]
    assert n is not None and n < 100
    assert report["calibration_draw"]["warning"].startswith(f"the int8 ranges were set on {n} training films")
    assert f"cxr-convert: warning: the int8 ranges were set on {n} training films" in capsys.readouterr().err
    assert "**Warning:** the int8 ranges were set on" in (run / "report.md").read_text()
