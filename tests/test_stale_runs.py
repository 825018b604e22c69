"""A run folder whose files no longer belong together: cxr-convert refuses or tidies, never mixes.

A retrain stopped after writing its new split leaves it beside the old model; a retrain followed
by a conversion of fewer modes leaves the old model's .tflite files (model.tflite among them)
beside the new ones. Real training and conversion (the tiny run of tests.conftest).
"""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from convert.cli import convert_app
from edge.metadata import read


def test_a_split_that_is_not_the_models_is_refused(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = json.loads((run / "split.json").read_text())
    # another split, as a stopped `cxr-train --replace --seed N` leaves it: a training film now in the test part
    split["splits"]["test"].append(split["splits"]["train"].pop(0))
    (run / "split.json").write_text(json.dumps(split))
    before = (run / "model_int8.tflite").read_bytes()
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--no-latency", "--explain", "0", "--quiet"])
    assert r.exit_code == 2 and "is not the split" in r.output and "run that cxr-train command again" in r.output
    assert (run / "model_int8.tflite").read_bytes() == before  # nothing rewritten


def test_a_data_folder_moved_and_named_in_split_json_is_still_the_same_split(tiny_run, tmp_path):
    from train.data import Split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = json.loads((run / "split.json").read_text())
    split["data_dir"] = str(tmp_path / "moved")
    (run / "split.json").write_text(json.dumps(split, indent=1))
    assert Split.load(run / "split.json").digest() == json.loads((run / "run.json").read_text())["split_digest"]


def test_files_of_an_earlier_model_are_removed_not_left_beside_the_new_one(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    shutil.copyfile(run / "model_int8.tflite", run / "model.tflite")  # --auto's choice, from the earlier model
    # names cxr-convert never writes: a user's backup, a site's copy (cxr-evaluate --save-model); they were deleted
    shutil.copyfile(run / "model_int8.tflite", run / "model_int8_old.tflite")
    shutil.copyfile(run / "model_fp32.tflite", run / "model-site.tflite")
    (run / "occlusion.png").write_bytes(b"an earlier conversion's maps")
    info = json.loads((run / "run.json").read_text())
    info["created"] = "2099-01-01T00:00:00"  # trained again since: every .tflite here is the earlier model's
    (run / "run.json").write_text(json.dumps(info))
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--no-latency", "--explain", "0", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    assert "removed model_fp32.tflite: made from an earlier model" in r.output
    if r.exit_code == 0:  # model.tflite follows its mode's file as converted now, from the new model
        assert "model.tflite (an earlier --auto's choice, int8) is now a copy of model_int8.tflite" in r.output
        assert (run / "model.tflite").read_bytes() == (run / "model_int8.tflite").read_bytes()
    else:  # int8 failed the gate: no model.tflite at all
        assert "removed model.tflite, an earlier --auto's choice: int8 fails the gate now" in r.output
    assert sorted(p.name for p in run.glob("*.tflite")) == (["model-site.tflite"] + ["model.tflite"] * (r.exit_code == 0)
                                                            + ["model_int8.tflite", "model_int8_old.tflite"])
    assert read(run / "model_int8.tflite")[1]["trained"] == "2099-01-01T00:00:00"
    assert not (run / "occlusion.png").exists()
