"""cxr-evaluate's per-source table marks the source cxr-train --holdout-source kept out of training (and those the
model trained on, or never saw): a model scored on its own data folder gave the held-out source's row beside the
training sources' rows alike, and a reader saw one row with lower figures without knowing it was the external one
(session 68, heldout)."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app
from convert.source_training import training_role
from tests.conftest import unpadded

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


def test_cxr_evaluate_marks_the_held_out_source_in_report_md_json_and_terminal(tmp_path):
    """A real --holdout-source run on synthetic films with a MANIFEST.csv, scored by the real cxr-evaluate."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    data = tmp_path / "data"
    generate(data, n_per_class=12, classes=("COVID", "Normal"), size=(48, 48))
    films = sorted(p.relative_to(data).as_posix() for p in data.glob("*/*.png"))

    def manifest(other: str) -> None:
        with open(data / "MANIFEST.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["file", "source"])
            w.writerows([p, "siteb" if k % 3 == 0 else other if k % 6 == 1 else "sitea"] for k, p in enumerate(films))

    manifest("sitea")
    run = tmp_path / "run"
    run_training(TrainSettings(data=str(data), out=run, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               holdout_source="siteb", progress=False))
    manifest("sited")  # some of its films named as a site no training film named
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), str(data), "--keep-seen", "--out", str(out),
                                          "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert report["study_design"]["holdout_source"] == "siteb"
    assert {s: v.get("in_training") for s, v in report["per_source"].items()} == {
        "sitea": "trained on", "siteb": "held out", "sited": "not in training"}
    table = unpadded((out / "report.md").read_text()).split("## Per source")[1].split("\n## ")[0]
    assert "| siteb (**held out of training**) | 8 |" in table
    assert "| sitea (trained on) |" in table and "| sited (**not in training**) |" in table
    assert "**held out of training** marks the source `cxr-train --holdout-source siteb` kept out of" in table
    assert ("cxr-evaluate: note: per source, siteb: held out of training (cxr-train --holdout-source siteb); sited: "
            "not in training: those rows show how the model does at a site it never saw") in r.output
