"""A .tflite's record of how it was trained holds the options that change its weights or labels: --patience,
--class-map, the teacher it was distilled from, and the epochs the fit came to (the file alone travels)."""

from __future__ import annotations

import json

from edge.model import EdgeModel


def test_the_file_records_patience_class_map_teacher_and_the_epochs_run(tiny_run):
    run = json.loads((tiny_run / "run.json").read_text())
    training = EdgeModel(tiny_run / "model_int8.tflite").meta["training"]
    assert "patience" in training["settings"] and "class_map" in training["settings"]
    assert training["settings"]["patience"] == run["settings"]["patience"]  # as given: None, the recipe's
    assert training["fit"]["patience"] == run["fit"]["patience"] and training["fit"]["epochs"] == run["fit"]["epochs"]
    assert "verbose" not in training["fit"]  # how much it printed made no weight
    assert (training["epochs_run"], training["best_epoch"]) == (run["epochs_run"], run["best_epoch"])
    assert training["threads"] == run["threads"] and training["threads"]["cpus_available"] >= 1
    # the default recipe distils from a 3-model teacher: which one, by its digest; not its folder
    assert training["distilled"] and training["teacher"] == {
        k: run["teacher"][k] for k in ("members", "parameters", "model_sha256", "split_digest")}
    assert training["teacher"]["members"] == 3 and "run" not in training["teacher"]


def test_a_class_map_and_no_teacher_are_recorded_as_such(tiny_run):
    from convert.export import training_record

    run = json.loads((tiny_run / "run.json").read_text())
    mapped = {**run, "settings": {**run["settings"], "class_map": "Healthy=Normal", "patience": 1}, "teacher": None}
    record = training_record(mapped)
    assert record["settings"]["class_map"] == "Healthy=Normal" and record["settings"]["patience"] == 1
    assert record["teacher"] is None and not record["distilled"]
    assert "add_data" not in record["settings"] and "data" not in record["settings"]  # folder paths stay in run.json


def test_the_documented_split_digest_one_liner_gives_the_digest_the_file_carries(tiny_run):
    """split_digest is no sha256sum of split.json: how-it-works gives a Python line that an auditor holding a
    .tflite and a split.json can check them with, without cxr-edge."""
    import re
    import shlex
    import subprocess
    import sys
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "how-it-works.md").read_text()
    line = re.search(r"^ *python3 -c ('.*hashlib.*') split\.json$", doc, re.M)
    assert line, "how-it-works.md gives no one-liner for split_digest"
    r = subprocess.run([sys.executable, "-c", *shlex.split(line.group(1)), str(tiny_run / "split.json")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    carried = EdgeModel(tiny_run / "model_int8.tflite").meta["training"]["split_digest"]
    assert r.stdout.strip() == carried == json.loads((tiny_run / "run.json").read_text())["split_digest"]
