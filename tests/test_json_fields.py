"""docs/json-fields.md against the JSON the commands write: every key written (top level, and the second levels the
page has a table for) has a line there, and every line not marked "Only ..." is written. The commands run once each
on the session's tiny fixtures: edge-classify --json (films, with -k, --threshold and --explain, and a broken file),
--info --json and --selftest --json (in-process, on the int8 file), cxr-evaluate and cxr-compare (a copy of
unseen_site with a MANIFEST.csv, --by view, and for cxr-evaluate --operating-point, --save-model and --shifts; --info
of the file it saved), and tiny_run's run.json and report.json, which cxr-train's and cxr-convert's own code
(train.run, convert.quantize) wrote. A table no such run reaches (cxr-convert's per_source and external: tiny_run has
no MANIFEST.csv and no held-out source) is listed in UNREACHED with the file that holds it:
tests/test_json_fields_holdout.py reads the session's tiny --holdout-source run, whose MANIFEST.csv names sources.
DICOM films' answer keys are held by tests/test_json_fields_dicom.py.

Keys that vary are matched by pattern, not listed: class names (each answer's `probabilities`, a prediction's),
cxr-convert's mode names (`models.<mode>`), and `<key>_bytes` beside a documented key (a name that is not UTF-8)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "json-fields.md"
MODES = {"keras", "int8", "fp32", "fp16", "dynamic"}


def doc_tables(text: str) -> dict[str, dict[str, bool]]:
    """Each ### heading's table: key -> whether it is conditional (its meaning begins "Only")."""
    tables: dict[str, dict[str, bool]] = {}
    heading = None
    for line in text.splitlines():
        if line.startswith("### "):
            heading = line[4:].strip()
        elif heading and (row := re.match(r"\|\s*`([^`]+)`\s*\|[^|]*\|\s*(.*?)\s*\|\s*$", line)):
            tables.setdefault(heading, {})[row[1]] = row[2].startswith("Only")
    return tables


def problems(written: list[dict], table: dict[str, bool]) -> list[str]:
    """Keys written without a line in ``table``, and keys ``table`` says are always written that some object lacks."""
    seen = {k for d in written for k in d}
    undocumented = sorted(k for k in seen if k not in table and not (k.endswith("_bytes") and k[:-6] in table))
    missing = sorted(k for k, conditional in table.items() if not conditional and any(k not in d for d in written))
    return [f"written, not in docs/json-fields.md: {k}" for k in undocumented] + \
           [f"in docs/json-fields.md as always written, but not written: {k}" for k in missing]


def _with_manifest(site: Path, to: Path) -> Path:
    shutil.copytree(site, to)
    films = sorted(str(p.relative_to(to)) for p in to.glob("*/*.png"))
    with open(to / "MANIFEST.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "view", "source"])
        w.writerows([name, "AP" if k % 2 else "PA", f"site-{k % 3}"] for k, name in enumerate(films))
    return to


@pytest.fixture(scope="module")
def outputs(tiny_run, unseen_site, tmp_path_factory) -> dict[str, object]:
    from convert.compare_cli import compare_app
    from convert.evaluate_cli import evaluate_app
    from edge.cli import app as edge_app

    tmp = tmp_path_factory.mktemp("json-fields")
    site = _with_manifest(unseen_site, tmp / "site")
    model = tiny_run / "model_int8.tflite"
    broken = tmp / "broken.png"
    broken.write_bytes(b"not a film")
    films = sorted(site.glob("*/*.png"))[:2]
    p = subprocess.run([sys.executable, "-m", "edge.cli", *map(str, films), str(broken), "--json", "--model", str(model),
                        "-k", "2", "--threshold", "COVID=0.5", "--explain", str(tmp / "maps")],  # rule, top_k, map
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = [json.loads(ln) for ln in p.stdout.splitlines()]
    assert len(lines) == 3, p.stderr
    r = CliRunner().invoke(evaluate_app, [str(model), str(site), "--out", str(tmp / "ev"), "--by", "view",
                                          "--operating-point", "COVID=0.9", "--save-model", str(tmp / "site.tflite"),
                                          "--shifts", "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    r = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(model), str(site), "--out",
                                         str(tmp / "cmp"), "--by", "view", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    about = {}
    for flag in ("--info", "--selftest"):
        r = CliRunner().invoke(edge_app, [flag, "--json", "--model", str(model)])
        assert r.exit_code == 0, r.output
        about[flag] = json.loads(r.stdout)
    r = CliRunner().invoke(edge_app, ["--info", "--json", "--model", str(tmp / "site.tflite")])  # the site's rule
    assert r.exit_code == 0, r.output
    about["site"] = json.loads(r.stdout)
    return {"answers": lines, "run": json.loads((tiny_run / "run.json").read_text()),
            "convert": json.loads((tiny_run / "report.json").read_text()),
            "evaluate": json.loads((tmp / "ev" / "report.json").read_text()),
            "compare": json.loads((tmp / "cmp" / "compare.json").read_text()),
            "info": about["--info"], "selftest": about["--selftest"], "site_info": about["site"]}


@pytest.fixture(scope="module")
def tables() -> dict[str, dict[str, bool]]:
    return doc_tables(DOC.read_text(encoding="utf-8"))


# (the page's ### heading, the objects of that level in the outputs)
LEVELS = {
    "A film's answer": lambda o: [a for a in o["answers"] if "error" not in a],
    "A film refused": lambda o: [a for a in o["answers"] if "error" in a],
    "run.json: top level": lambda o: [o["run"]],
    "run.json: `validation`": lambda o: [o["run"]["validation"]],
    "run.json: `preprocess`": lambda o: [o["run"]["preprocess"]],
    "run.json: `settings`": lambda o: [o["run"]["settings"]],
    "run.json: `counts`": lambda o: [o["run"]["counts"]],
    "run.json: `data_hygiene`": lambda o: [o["run"]["data_hygiene"], o["convert"]["training_data"]["hygiene"]],
    "cxr-convert's report.json: top level": lambda o: [o["convert"]],
    "cxr-convert's report.json: `models.<mode>`": lambda o: list(o["convert"]["models"].values()),
    "cxr-convert's report.json: `calibration`": lambda o: [o["convert"]["calibration"]],
    "cxr-convert's report.json: `models.<mode>.delta`": lambda o: _tflite(o, "delta"),
    "cxr-convert's report.json: `models.<mode>.agreement`": lambda o: _tflite(o, "agreement"),
    "cxr-convert's report.json: `models.<mode>.gate`": lambda o: _tflite(o, "gate"),
    "cxr-convert's report.json: `operating_points`": lambda o: [o["convert"]["operating_points"]],
    "cxr-convert's report.json: `operating_points.rows[]`": lambda o: o["convert"]["operating_points"]["rows"],
    "cxr-convert's report.json: `provenance`": lambda o: [o["convert"]["provenance"]],
    "cxr-convert's report.json: `input_check`": lambda o: [o["convert"]["input_check"]],
    "cxr-convert's report.json: `training_data`": lambda o: [o["convert"]["training_data"]],
    "`per_source.<source>` (cxr-convert's and cxr-evaluate's report.json)":
        lambda o: [*o["evaluate"]["per_source"].values(),
                   *(o["convert"].get("per_source") or {}).get("sources", {}).values(), *_groups(o)],
    "`at_prevalence` (cxr-convert's and cxr-evaluate's report.json)":
        lambda o: [o["convert"]["at_prevalence"], o["evaluate"]["at_prevalence"]],
    "`at_prevalence.rows[]`": lambda o: o["convert"]["at_prevalence"]["rows"] + o["evaluate"]["at_prevalence"]["rows"]
                                        + o["evaluate"]["site_operating_point"]["at_prevalence"],
    "cxr-evaluate's report.json: top level": lambda o: [o["evaluate"]],
    "cxr-evaluate's report.json: `predictions[]`": lambda o: o["evaluate"]["predictions"],
    "cxr-evaluate's report.json: `input_check`": lambda o: [o["evaluate"]["input_check"]],
    "cxr-evaluate's report.json: `robustness.<shift>`": lambda o: list(o["evaluate"]["robustness"].values()),
    "cxr-evaluate's report.json: `subgroups.<column>`": lambda o: list(o["evaluate"]["subgroups"].values()),
    "cxr-evaluate's report.json: `site_operating_point`": lambda o: [o["evaluate"]["site_operating_point"]],
    "cxr-evaluate's report.json: `provenance`": lambda o: [o["evaluate"]["provenance"], o["compare"]["provenance"]],
    "cxr-evaluate's report.json: `provenance.models[]`":
        lambda o: o["evaluate"]["provenance"]["models"] + o["compare"]["provenance"]["models"],
    "cxr-evaluate's report.json: `site_operating_point.decision`":
        lambda o: [o["evaluate"]["site_operating_point"]["decision"]],
    "cxr-evaluate's report.json: `site_operating_point.next_films`":
        lambda o: [o["evaluate"]["site_operating_point"]["next_films"]],
    "cxr-convert's report.json: `study_design`": lambda o: [o["convert"]["study_design"]],
    "cxr-evaluate's report.json: `seen_in_training`":
        lambda o: [s for s in (o["evaluate"]["seen_in_training"], o["compare"]["seen_in_training"]) if s is not None],
    "cxr-evaluate's report.json: `study_design`":
        lambda o: [o["evaluate"]["study_design"], *o["compare"]["study_design"].values()],
    "Metrics: keys": lambda o: [o["evaluate"]["metrics"]],
    "Metrics: `per_class[]`": lambda o: o["evaluate"]["metrics"]["per_class"]
                                        + [c for m in o["convert"]["models"].values() for c in m["per_class"]],
    "compare.json: top level": lambda o: [o["compare"]],
    "compare.json: `per_class[]`": lambda o: o["compare"]["per_class"] + [c for g in _by(o) for c in g["per_class"]],
    "compare.json: `by.<column>.<group>`": lambda o: _by(o),
    "edge-classify --info": lambda o: [o["info"]],
    "edge-classify --info: `training`": lambda o: [o["info"]["training"]],
    "edge-classify --info: `validation`": lambda o: [o["info"]["validation"], o["site_info"]["validation"]],
    "edge-classify --info: `seen`": lambda o: [o["info"]["seen"]],
    "edge-classify --selftest": lambda o: [o["selftest"]],
}

# Keys the page marks "Only ..." that these runs are given the options to write (--save-model): held written, so
# a fixture that stopped reaching them would be found
CONDITIONAL_WRITTEN = {
    "cxr-evaluate's report.json: `site_operating_point`": {"saved_to", "saved_sha256"},
    "edge-classify --info: `validation`": {"rule_on_site"},
}

# Levels the page has a table for that no fixture run here writes, and where they are held instead: cxr-convert's
# per_source and external, which the run of tests/test_json_fields_holdout.py (MANIFEST.csv sources,
# --holdout-source) writes.
UNREACHED = {
    "cxr-convert's report.json: `per_source`": "tests/test_json_fields_holdout.py",
    "cxr-convert's report.json: `external`": "tests/test_json_fields_holdout.py",
}
# Levels whose objects hold every key of the metrics object besides their own table's.
WITH_METRICS = ("cxr-convert's report.json: `models.<mode>`", "`per_source.<source>` (cxr-convert's and cxr-evaluate's "
                "report.json)")


def _by(o: dict) -> list[dict]:
    """compare.json's ``by.<column>.<group>`` objects, every column's every group."""
    return [g for column in o["compare"]["by"].values() for g in column.values()]


def _groups(o: dict) -> list[dict]:
    """cxr-evaluate's ``subgroups.<column>.groups.<group>`` objects: per_source's figures for a --by column."""
    return [g for column in o["evaluate"]["subgroups"].values() for g in column["groups"].values()]


def _tflite(o: dict, key: str) -> list[dict]:
    """``models.<mode>.<key>`` of each .tflite mode (Keras's is null: it is what they are measured against)."""
    return [m[key] for mode, m in o["convert"]["models"].items() if mode != "keras"]


@pytest.mark.parametrize("level", LEVELS)
def test_every_key_written_is_documented_and_every_documented_key_written(outputs, tables, level):
    assert_held_to_page(LEVELS[level](outputs), tables, level, WITH_METRICS)


def assert_held_to_page(written: list[dict], tables: dict, level: str, with_metrics: tuple[str, ...]) -> None:
    """The objects of ``level`` a fixture wrote hold the keys of its table on the page, no more, no fewer (the
    metrics object's keys too, for the levels ``with_metrics`` names)."""
    assert written, f"no object of {level} was written: the fixture no longer reaches it"
    table = dict(tables[level])
    if level in with_metrics:  # "Every key of the metrics object, and:"
        table.update(tables["Metrics: keys"])
    assert problems(written, table) == []


@pytest.mark.parametrize("level", CONDITIONAL_WRITTEN)
def test_the_conditional_keys_these_runs_reach_are_written(outputs, level):
    assert CONDITIONAL_WRITTEN[level] - {k for d in LEVELS[level](outputs) for k in d} == set()


def test_keys_that_vary_follow_their_pattern(outputs):
    classes = outputs["run"]["classes"]
    answered = [a for a in outputs["answers"] if "error" not in a]
    assert all({"rule", "top_k", "map", "covered_probability"} <= set(a) for a in answered)  # the options given
    assert all(list(a["probabilities"]) == classes for a in answered)
    assert all(list(p["probabilities"]) == classes for p in outputs["evaluate"]["predictions"])
    assert set(outputs["convert"]["models"]) <= MODES and "keras" in outputs["convert"]["models"]
    assert list(outputs["evaluate"]["metrics"]["auroc_per_class"]) == classes
    assert all(list(split) == classes for split in outputs["run"]["counts"].values())
    assert list(outputs["evaluate"]["subgroups"]["view"]["groups"]) == ["AP", "PA"]  # MANIFEST.csv's view column
    assert {"view", "source"} <= set(outputs["compare"]["by"])
    assert all(set(m["delta"]["sensitivity_points"]) == set(classes) for mode, m in outputs["convert"]["models"].items()
               if mode != "keras")
    assert outputs["info"]["labels"] == classes
    assert next(iter(outputs["evaluate"]["robustness"])) == "none"
    assert all(len(r["sensitivity"]) == len(classes) for r in outputs["evaluate"]["robustness"].values())


def test_a_key_added_without_a_line_is_found():
    table = doc_tables("### X\n| key | type | meaning |\n|---|---|---|\n| `file` | string | The film. |\n"
                       "| `frames` | integer | Only for a film of several frames. |\n")
    assert table == {"X": {"file": False, "frames": True}}
    assert problems([{"file": "a.png"}], table["X"]) == []
    assert problems([{"file": "a.png", "file_bytes": "YQ=="}], table["X"]) == []  # the pattern of a non-UTF-8 name
    assert problems([{"file": "a.png", "new_key": 1}], table["X"]) == ["written, not in docs/json-fields.md: new_key"]
    assert problems([{"frames": 2}], table["X"]) == \
        ["in docs/json-fields.md as always written, but not written: file"]


def test_every_level_the_test_reads_has_its_table(tables):
    assert set(LEVELS) <= set(tables), sorted(set(LEVELS) - set(tables))


def test_every_table_on_the_page_is_held_by_a_fixture_run_or_says_why_not(tables):
    """A table added without a LEVELS entry would go unchecked: each is read here, or in UNREACHED and read by the
    run of the file it names."""
    from tests import test_json_fields_holdout  # imports this module: read once both are loaded

    assert set(tables) - set(LEVELS) - set(UNREACHED) == set()
    assert not set(UNREACHED) & set(LEVELS)
    assert set(UNREACHED) <= set(test_json_fields_holdout.LEVELS)
    for level in UNREACHED:  # a level no run reaches is conditional as a whole: its heading's paragraph says "Only"
        assert re.search(rf"### {re.escape(level)}\n\nOnly ", DOC.read_text(encoding="utf-8")), level
