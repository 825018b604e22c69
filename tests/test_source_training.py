"""cxr-evaluate's per-source table marks the source cxr-train --holdout-source kept out of training (and those the
model trained on, or never saw): a model scored on its own data folder gave the held-out source's row beside the
training sources' rows alike, and a reader saw one row with lower figures without knowing it was the external one
(session 68, heldout)."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app
from convert.source_training import training_role
from tests.conftest import unpadded
from tests.held_out_run import OTHER, source_of, write_manifest

TRAINED = {"films": 30, "unnamed": 0, "more": 0, "sources": {"sitea": 20, "Site C": 10}}


def test_a_source_is_said_not_in_training_only_where_every_training_films_source_is_recorded():
    assert training_role("sitea", TRAINED, "siteb") == "trained on"
    assert training_role("site c", TRAINED, None) == "trained on"  # compared as the study design compares names
    assert training_role("SiteB-2020", TRAINED, "siteb") == "held out"  # cxr-train's rule: the name holds the text
    assert training_role("sited", TRAINED, "siteb") == "not in training"
    assert training_role("sited", {**TRAINED, "unnamed": 3}, "siteb") is None  # unnamed training films may be its
    assert training_role("sited", {**TRAINED, "more": 1}, "siteb") is None  # the list was cut at 200 sources
    assert training_role("sited", None, None) is None  # a file that records nothing: nothing said
    assert training_role("(not given)", TRAINED, None) is None


def test_cxr_evaluate_marks_the_held_out_source_in_report_md_json_and_terminal(held_out_run, tmp_path):
    """The session's real --holdout-source run (tests/held_out_run.py) scored by the real cxr-evaluate, on a copy of
    its data folder whose MANIFEST.csv names its test split's films of trained sources as a site no training film
    named. (Its training films renamed so are films of a source it trained on, found by fingerprints: trained on.)"""
    data = tmp_path / "data"
    shutil.copytree(held_out_run / "data", data)
    run = held_out_run / "run"
    films = write_manifest(data)
    test = {f["path"] for f in json.loads((run / "split.json").read_text())["splits"]["test"]}
    write_manifest(data, lambda k: "sited" if films[k] in test and source_of(k) != "siteb" else source_of(k))
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), str(data), "--keep-seen", "--class-map",
                                          f"{OTHER}=-", "--out", str(out), "--n-boot", "100", "--explain", "0",
                                          "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert report["study_design"]["holdout_source"] == "siteb"
    assert {s: v.get("in_training") for s, v in report["per_source"].items()} == {
        "sitea": "trained on", "siteb": "held out", "sitec": "trained on", "sited": "not in training"}
    table = unpadded((out / "report.md").read_text()).split("## Per source")[1].split("\n## ")[0]
    assert "| siteb (**held out of training**) | 11 |" in table
    assert "| sitea (trained on) |" in table and "| sited (**not in training**) |" in table
    assert "**held out of training** marks the source `cxr-train --holdout-source siteb` kept out of" in table
    assert ("cxr-evaluate: note: per source, siteb: held out of training (cxr-train --holdout-source siteb); sited: "
            "not in training: those rows show how the model does at a site it never saw") in r.output
