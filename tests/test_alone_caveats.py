"""What travels alone carries its caveats (review 73, clinician): a --csv log (a clinic's spreadsheet) says on each
answer that a model of drawings gave it (a last synthetic column, 'true' or empty, as --json's "synthetic": true),
while a log an older release began keeps its columns, with a note; an --explain map answered 'Normal' says that it
means only 'not COVID'; a summary under a threshold rule says its counts follow the rule. Real tiny models
(tests/conftest.py's tiny_run, trained on cxr-synth's drawings), real runtime."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from edge.csv_layout import csv_layout
from edge.output import csv_header_text
from edge.tally import Tally

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["COVID", "Normal"]


def _classify(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", *args], cwd=ROOT, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def test_a_csv_answer_of_a_synthetic_model_says_so_in_a_last_column_and_an_unreadable_films_row_leaves_it_empty(
        model, films, tmp_path):
    gone = tmp_path / "gone.png"
    p = _classify(*map(str, films), str(gone), "--csv", "--model", str(model))
    assert p.returncode == 1, p.stderr
    header, *rows = list(csv.reader(io.StringIO(p.stdout)))
    assert header[-2:] == ["model_sha256", "synthetic"]
    assert [r[-1] for r in rows] == ["true", "true", ""]  # the film no model read: no answer to mark
    assert all(len(r) == len(header) for r in rows)


def test_a_log_begun_by_057_keeps_its_columns_and_its_note_says_the_rows_do_not_say_synthetic(model, films, tmp_path):
    log = tmp_path / "answers.csv"
    old = csv_header_text(LABELS, synthetic=False)
    log.write_text(old)
    with log.open("a") as out:
        p = _classify(str(films[0]), "--csv", "--model", str(model), stdout=out)
    assert p.returncode == 0, p.stderr
    lines = log.read_text().splitlines()
    assert lines[0] == old.strip() and len(lines) == 2  # no second header, no column forced on the log
    assert len(next(csv.reader([lines[1]]))) == len(old.split(","))
    assert ("note: standard output's file has the CSV columns of 0.56.0 and earlier, without synthetic: its rows keep "
            "them, never two layouts under one header; they do not say that this model was trained on SYNTHETIC "
            "images; a new file gets the column") in p.stderr
    assert "they name no model" not in p.stderr  # a 0.56.0 log has model_sha256


def test_csv_layout_of_older_logs_lacking_the_synthetic_column():
    header = csv_header_text(LABELS).rstrip("\n")
    of_057 = (header.removesuffix(",synthetic") + "\n").encode()
    layout = csv_layout(of_057, LABELS, False, False, "m.tflite (SHA-256 ab)")
    assert (layout.header, layout.header_says, layout.model, layout.synthetic) == (False, True, True, False)
    assert layout.note is not None and "SYNTHETIC" not in layout.note  # not a model of drawings: nothing to say
    of_044 = (header.removesuffix(",header_says,model_sha256,synthetic") + "\n").encode()
    layout = csv_layout(of_044, LABELS, False, False, None, drawn=True)
    assert (layout.header_says, layout.model, layout.synthetic) == (False, False, False)
    assert "without header_says, model_sha256 and synthetic:" in layout.note
    assert layout.note.endswith("they name no model; they do not say that this model was trained on SYNTHETIC "
                                "images; a new file gets the columns")
    assert csv_layout(csv_header_text(LABELS).encode(), LABELS, False, False, None) == csv_layout(
        csv_header_text(LABELS).encode(), LABELS, False, False, None, drawn=True)  # this release's: no note


def test_a_map_answered_normal_says_normal_means_only_not_covid_and_a_covid_map_does_not(model, films, tmp_path):
    maps = tmp_path / "maps"
    # a rule no film reaches, then one every film does: the same films answered Normal, then COVID
    for rule, label in (("COVID=0.999999", "Normal"), ("COVID=0.000001", "COVID")):
        p = _classify(*map(str, films), "--json", "--model", str(model), "--threshold", rule, "--explain",
                      str(maps / label))
        assert p.returncode == 0, p.stderr
        for rec in map(json.loads, p.stdout.splitlines()):
            assert rec["label"] == label
            said = Image.open(rec["map"]).text["Description"]
            assert ("'Normal' means only 'not COVID', never 'no disease'" in said) == (label == "Normal"), said


def test_a_summary_under_a_rule_says_its_counts_follow_the_rule(model, films):
    p = _classify(*map(str, films), "--model", str(model), "--threshold", "COVID=0.000001")
    assert p.returncode == 0, p.stderr
    assert "summary: 2 files: 2 COVID, 0 Normal by the rule COVID>=1e-06\n" in p.stderr
    p = _classify(*map(str, films), "--model", str(model))
    assert "by the rule" not in p.stderr  # the most probable class: no rule to name


def test_the_tally_names_the_rule_after_the_labels_counts_before_the_failed():
    t = Tally()
    for f, label in (("a", "COVID"), ("b", "Normal"), ("c", None)):
        t.add(f, label)
    assert t.line(LABELS, (0, 0.545)) == "3 files: 1 COVID, 1 Normal by the rule COVID>=0.545, 1 failed"
    assert t.line(LABELS) == "3 files: 1 COVID, 1 Normal, 1 failed"
