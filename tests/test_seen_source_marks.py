"""A site whose films the model was trained on under another source's name is no site it never saw. A hospital
validating a model on its own PACS export (MANIFEST.csv: source our-hospital) whose films a public archive the model
learnt from also holds: cxr-evaluate found 179 of its 200 films among the training films, said the folder was partly
internal, and in the same run marked our-hospital "not in training" ("those rows show how the model does at a site it
never saw") and gave its missed COVID films the new-hospital advice (session 70, persona walkthrough)."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app
from convert.missed import misses_from_new_sources
from convert.source_training import training_role
from tests.held_out_run import OTHER, source_of, write_manifest

TRAINED = {"films": 30, "unnamed": 0, "more": 0, "sources": {"sitea": 20, "Site C": 10}}


def test_a_source_whose_films_were_seen_in_training_is_trained_on_and_not_new():
    assert training_role("our-hospital", TRAINED, None) == "not in training"
    assert training_role("our-hospital", TRAINED, None, ["Our-Hospital"]) == "trained on"
    assert misses_from_new_sources([0, 0], [1, 1], ["our-hospital"] * 2, TRAINED) == {0: {"our-hospital": 2}}
    assert misses_from_new_sources([0, 0], [1, 1], ["our-hospital"] * 2, TRAINED, ["our-hospital"]) == {}


def test_cxr_evaluate_does_not_call_a_renamed_training_source_a_site_it_never_saw(held_out_run, tmp_path):
    """The real --holdout-source run scored on a copy of its data folder whose MANIFEST.csv names its sitea films
    (its training films among them) our-hospital: the films it saw are left out, its test films are scored."""
    data = tmp_path / "data"
    shutil.copytree(held_out_run / "data", data)
    write_manifest(data, lambda k: "our-hospital" if source_of(k) == "sitea" else source_of(k))
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(held_out_run / "run" / "model.keras"), str(data), "--class-map",
                                          f"{OTHER}=-", "--out", str(out), "--n-boot", "100", "--explain", "0",
                                          "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert report["per_source"]["our-hospital"]["in_training"] == "trained on"
    assert report["per_source"]["siteb"]["in_training"] == "held out"
    assert "our-hospital: not in training" not in r.output
    assert report["study_design"]["seen_sources"] == ["our-hospital", "sitec"]
