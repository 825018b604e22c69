"""docs/json-fields.md against the JSON of a run whose films name their sources: cxr-convert's `per_source` and
`external` sections, which tiny_run (no MANIFEST.csv, no held-out source) never writes, and cxr-evaluate's report.json
of such a model (its sources marked `in_training`, its `study_design.holdout_source`). The run is the session's
held_out_run (tests/held_out_run.py: two classes of 16 synthetic films, every third from 'siteb', trained with
--holdout-source siteb, converted to int8 with a stored rule, beside a class folder it was not trained on), whose
int8 file's --info then carries the card's conditional figures too. Its keys are held to the page both ways, as
tests/test_json_fields.py holds the other runs'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.held_out_run import OTHER
from tests.test_json_fields import DOC, MODES, assert_held_to_page, doc_tables


@pytest.fixture(scope="module")
def holdout_run(held_out_run, tmp_path_factory) -> dict:
    """The run's report.json and run.json, edge-classify --info --json of its int8 file, and cxr-evaluate's
    report.json of that file on the run's own data folder (--keep-seen: each source's row, the held-out one too)."""
    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app
    from edge.cli import app as edge_app

    run, model = held_out_run / "run", held_out_run / "run" / "model_int8.tflite"
    info = CliRunner().invoke(edge_app, ["--info", "--json", "--model", str(model)])
    assert info.exit_code == 0, info.output
    out = tmp_path_factory.mktemp("json-fields-holdout") / "ev"
    r = CliRunner().invoke(evaluate_app, [str(model), str(held_out_run / "data"), "--keep-seen", "--class-map",
                                          f"{OTHER}=-", "--out", str(out), "--n-boot", "100", "--explain", "0",
                                          "--quiet"])
    assert r.exit_code in (0, 1), r.output
    return {"convert": json.loads((run / "report.json").read_text()), "run": json.loads((run / "run.json").read_text()),
            "info": json.loads(info.stdout), "evaluate": json.loads((out / "report.json").read_text())}


def _modes_as_pattern(d: dict) -> dict:
    """``external``'s keys with each converted mode's name (int8) read as the page's `<mode>` row."""
    return {("<mode>" if k in MODES - {"keras"} else k): v for k, v in d.items()}


# (the page's ### heading, the objects of that level in this run's report.json)
LEVELS = {
    "cxr-convert's report.json: top level": lambda o: [o["convert"]],
    "cxr-convert's report.json: `per_source`": lambda o: [o["convert"]["per_source"]],
    "cxr-convert's report.json: `external`": lambda o: [_modes_as_pattern(o["convert"]["external"])],
    "`per_source.<source>` (cxr-convert's and cxr-evaluate's report.json)":
        lambda o: [*o["convert"]["per_source"]["sources"].values(), *o["evaluate"]["per_source"].values()],
    "Metrics: keys": lambda o: [v for k, v in o["convert"]["external"].items() if k in MODES],
    "cxr-convert's report.json: `study_design`": lambda o: [o["convert"]["study_design"]],
    "cxr-convert's report.json: `models.<mode>.gate`":
        lambda o: [m["gate"] for mode, m in o["convert"]["models"].items() if mode != "keras"],
    "cxr-convert's report.json: `input_check`": lambda o: [o["convert"]["input_check"]],
    "cxr-evaluate's report.json: top level": lambda o: [o["evaluate"]],
    "cxr-evaluate's report.json: `study_design`": lambda o: [o["evaluate"]["study_design"]],
    "run.json: top level": lambda o: [o["run"]],
    "run.json: `counts`": lambda o: [o["run"]["counts"]],
    "run.json: `data_hygiene`": lambda o: [o["run"]["data_hygiene"]],
    "edge-classify --info": lambda o: [o["info"]],
    "edge-classify --info: `validation`": lambda o: [o["info"]["validation"]],
}
WITH_METRICS = ("`per_source.<source>` (cxr-convert's and cxr-evaluate's report.json)",)


@pytest.mark.parametrize("level", LEVELS)
def test_every_key_written_is_documented_and_every_documented_key_written(holdout_run, level):
    assert_held_to_page(LEVELS[level](holdout_run), doc_tables(DOC.read_text(encoding="utf-8")), level, WITH_METRICS)


# Keys the page marks "Only ..." that this run is built to write (and tiny_run's outputs do not): held written here,
# so a fixture that stopped reaching them would be found
CONDITIONAL_WRITTEN = {
    "cxr-convert's report.json: top level": {"other_classes"},
    "cxr-convert's report.json: `models.<mode>.gate`": {"under_rule"},
    "Metrics: keys": {"rule"},  # external's figures under the stored rule
    "`per_source.<source>` (cxr-convert's and cxr-evaluate's report.json)": {"in_training"},
    "cxr-evaluate's report.json: `study_design`": {"holdout_source"},
    "cxr-evaluate's report.json: top level": {"threshold_rule"},
    "edge-classify --info": {"requires"},  # its stored rule (was written, not on the page)
    "edge-classify --info: `validation`": {"held_out_source", "other_classes", "rule_on_test"},
}


@pytest.mark.parametrize("level", CONDITIONAL_WRITTEN)
def test_the_conditional_keys_this_run_reaches_are_written(holdout_run, level):
    written = {k for d in LEVELS[level](holdout_run) for k in d}
    assert CONDITIONAL_WRITTEN[level] - written == set()


def test_the_sections_say_what_the_run_was_given(holdout_run):
    """The values the page describes: the source held out as typed, the test films' sources, the device's mode."""
    r = holdout_run["convert"]
    assert r["external"]["source"] == "siteb" and r["external"]["n"] == 11
    assert r["external"]["sources"] == {"siteb": 11}  # the films' own sources (MANIFEST.csv), not file names
    assert set(r["per_source"]["sources"]) <= {"sitea", "sitec"} and r["per_source"]["mode"] == "int8"
    assert r["study_design"]["holdout_source"] == "siteb" and r["study_design"]["kind"] == "internal"
    assert "external" in r["input_check"]["flagged"]
    assert set(r["study_design"]["training_sources"]["sources"]) == {"sitea", "sitec"}
    assert Path(r["run_dir"]).name == "run"
    assert "external" in holdout_run["run"]["counts"] and "holdout_left_out" in holdout_run["run"]["data_hygiene"]
    assert "held_out_source" in holdout_run["info"]["validation"]
    assert list(holdout_run["info"]["validation"]["other_classes"]) == ["Viral_Pneumonia"]


def test_cxr_evaluate_of_the_held_out_model_says_which_sources_it_trained_on(holdout_run):
    """The int8 file's metadata records --holdout-source (cxr-evaluate reads split.json only beside a model.keras)."""
    e = holdout_run["evaluate"]
    assert e["study_design"]["holdout_source"] == "siteb"
    assert {s: v["in_training"] for s, v in e["per_source"].items()} == {
        "sitea": "trained on", "sitec": "trained on", "siteb": "held out"}
