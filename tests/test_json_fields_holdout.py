"""docs/json-fields.md against the report.json of a run whose films name their sources: cxr-convert's `per_source`
and `external` sections, which tiny_run (no MANIFEST.csv, no held-out source) never writes. One real run: two
classes of 16 synthetic films, a MANIFEST.csv with a source column (five COVID films from 'siteb', the others from
two sites), trained at 32x32 for one epoch without a teacher with --holdout-source siteb, converted to int8.
Its keys are held to the page both ways, as tests/test_json_fields.py holds the other runs'."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.test_json_fields import DOC, MODES, doc_tables, problems


@pytest.fixture(scope="module")
def holdout_run(tmp_path_factory) -> dict:
    """The run's report.json, run.json, and edge-classify --info --json of its int8 file."""
    import json

    from typer.testing import CliRunner

    from edge.cli import app as edge_app
    from train.quiet import load_tensorflow

    load_tensorflow()
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    tmp = tmp_path_factory.mktemp("json-fields-holdout")
    data = tmp / "data"
    generate(data, n_per_class=16, classes=("COVID", "Normal"), size=(64, 64))
    films = sorted(str(p.relative_to(data)) for p in data.glob("*/*.png"))
    held = set(sorted(f for f in films if f.startswith("COVID/"))[:5])
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "source"])
        w.writerows([name, "siteb" if name in held else f"site-{'ac'[k % 2]}"] for k, name in enumerate(films))
    run = tmp / "run"
    run_training(TrainSettings(data=str(data), out=run, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               holdout_source="siteb", progress=False))
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, explain=0,
                                               progress=False))
    info = CliRunner().invoke(edge_app, ["--info", "--json", "--model", str(run / "model_int8.tflite")])
    assert info.exit_code == 0, info.output
    return {"convert": report, "run": json.loads((run / "run.json").read_text()), "info": json.loads(info.stdout)}


def _modes_as_pattern(d: dict) -> dict:
    """``external``'s keys with each converted mode's name (int8) read as the page's `<mode>` row."""
    return {("<mode>" if k in MODES - {"keras"} else k): v for k, v in d.items()}


# (the page's ### heading, the objects of that level in this run's report.json)
LEVELS = {
    "cxr-convert's report.json: top level": lambda o: [o["convert"]],
    "cxr-convert's report.json: `per_source`": lambda o: [o["convert"]["per_source"]],
    "cxr-convert's report.json: `external`": lambda o: [_modes_as_pattern(o["convert"]["external"])],
    "`per_source.<source>` (cxr-convert's and cxr-evaluate's report.json)":
        lambda o: list(o["convert"]["per_source"]["sources"].values()),
    "Metrics: keys": lambda o: [v for k, v in o["convert"]["external"].items() if k in MODES],
    "cxr-convert's report.json: `study_design`": lambda o: [o["convert"]["study_design"]],
    "cxr-convert's report.json: `input_check`": lambda o: [o["convert"]["input_check"]],
    "run.json: top level": lambda o: [o["run"]],
    "run.json: `counts`": lambda o: [o["run"]["counts"]],
    "run.json: `data_hygiene`": lambda o: [o["run"]["data_hygiene"]],
    "edge-classify --info": lambda o: [o["info"]],
    "edge-classify --info: `validation`": lambda o: [o["info"]["validation"]],
}
WITH_METRICS = ("`per_source.<source>` (cxr-convert's and cxr-evaluate's report.json)",)


@pytest.mark.parametrize("level", LEVELS)
def test_every_key_written_is_documented_and_every_documented_key_written(holdout_run, level):
    tables = doc_tables(DOC.read_text(encoding="utf-8"))
    written = LEVELS[level](holdout_run)
    assert written, f"no object of {level} was written: the fixture no longer reaches it"
    table = dict(tables[level])
    if level in WITH_METRICS:  # "Every key of the metrics object, and:"
        table.update(tables["Metrics: keys"])
    assert problems(written, table) == []


def test_the_sections_say_what_the_run_was_given(holdout_run):
    """The values the page describes: the source held out as typed, the test films' sources, the device's mode."""
    r = holdout_run["convert"]
    assert r["external"]["source"] == "siteb" and r["external"]["n"] == 5
    assert r["external"]["sources"] == {"siteb": 5}  # the films' own sources (MANIFEST.csv), not file names
    assert set(r["per_source"]["sources"]) <= {"site-a", "site-c"} and r["per_source"]["mode"] == "int8"
    assert r["study_design"]["holdout_source"] == "siteb" and r["study_design"]["kind"] == "internal"
    assert "external" in r["input_check"]["flagged"]
    assert set(r["study_design"]["training_sources"]["sources"]) == {"site-a", "site-c"}
    assert Path(r["run_dir"]).name == "run"
    assert "external" in holdout_run["run"]["counts"] and "holdout_left_out" in holdout_run["run"]["data_hygiene"]
    assert "held_out_source" in holdout_run["info"]["validation"]
