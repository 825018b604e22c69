"""What cxr-evaluate and cxr-compare pass over in a Kaggle-like folder (masks/ folders, class folders left out) said
in cxr-train's words: on stderr, in report.json's and compare.json's not_used, and in report.md and compare.md."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from convert.compare_cli import compare_app
from convert.evaluate_cli import evaluate_app
from tests.conftest import unpadded
from tests.test_data import write_images
from train.class_folders import left_out_text

SAID = "not used: masks/ folders, class folders Lung_Opacity, Viral Pneumonia (left out with --class-map)"


def _kaggle(root: Path) -> Path:
    """COVID-19_Radiography_Dataset/{COVID,Normal,Lung_Opacity,Viral Pneumonia}/{images,masks}/, a few films each."""
    data = root / "COVID-19_Radiography_Dataset"
    for c in ("COVID", "Normal", "Lung_Opacity", "Viral Pneumonia"):
        write_images(data / c / "images", c.replace(" ", "_"), 3)
        write_images(data / c / "masks", c.replace(" ", "_"), 2)
    return data


def test_cxr_train_and_cxr_evaluate_say_the_masks_and_the_folders_left_out_in_the_same_words(tiny_run, tmp_path):
    data = _kaggle(tmp_path)
    assert left_out_text(data, ["COVID", "Normal"]).replace("not in --classes", "left out with --class-map") == f"; {SAID}"
    model = str(tiny_run / "model_int8.tflite")
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [model, str(data), "--class-map", "Lung_Opacity=-,Viral Pneumonia=-", "--out",
                                          str(out), "--explain", "0", "--n-boot", "100", "--no-score-left-out"])
    assert r.exit_code == 0, r.output
    assert f"cxr-evaluate: note: {SAID}\n" in r.output
    assert "folder Lung_Opacity: left out" not in r.output  # said once, in the note
    assert json.loads((out / "report.json").read_text())["not_used"] == SAID
    assert f"Not used: {SAID[len('not used: '):]}." in unpadded((out / "report.md").read_text())


def test_cxr_compare_says_them_too_and_a_folder_without_masks_has_no_note(tiny_run, tmp_path):
    data = _kaggle(tmp_path)
    model = str(tiny_run / "model_int8.tflite")
    r = CliRunner().invoke(compare_app, [model, model, str(data), "--class-map", "Lung_Opacity=-,Viral Pneumonia=-",
                                         "--out", str(tmp_path / "c"), "--n-boot", "100", "--quiet",
                                         "--no-score-left-out"])
    assert r.exit_code == 0, r.output
    assert f"cxr-compare: note: {SAID}\n" in r.output
    assert json.loads((tmp_path / "c" / "compare.json").read_text())["not_used"] == SAID
    assert f"Not used: {SAID[len('not used: '):]}." in unpadded((tmp_path / "c" / "compare.md").read_text())
    for c in ("COVID", "Normal"):  # the same films, no masks, nothing left out: nothing to say
        write_images(tmp_path / "plain" / c, c, 3)
    r = CliRunner().invoke(evaluate_app, [model, str(tmp_path / "plain"), "--out", str(tmp_path / "p"), "--explain", "0",
                                          "--n-boot", "100"])
    assert r.exit_code == 0, r.output
    assert "not used" not in r.output.lower()
    assert json.loads((tmp_path / "p" / "report.json").read_text())["not_used"] is None
    assert "Not used" not in (tmp_path / "p" / "report.md").read_text()
