"""The case-review CSVs open in a spreadsheet without running anything a file name holds."""

import csv

import numpy as np

from convert.film_tables import predictions_csv
from edge.spreadsheet import cell, spreadsheet_csv


def test_text_that_would_start_a_formula_is_kept_as_text():
    for name in ["=HYPERLINK(\"http://x\")", "+1.png", "-2.png", "@SUM(A1).png", "\tx.png", "\rx.png"]:
        assert cell(name) == "'" + name
    assert cell("scan=1.png") == "scan=1.png" and cell("a.png") == "a.png"
    assert cell(-0.5) == -0.5 and cell(0) == 0  # numbers are not text


def test_spreadsheet_csv_guards_header_and_rows_and_still_reads_back():
    text = spreadsheet_csv(["file", "=p"], [["=cmd|' /C calc'!A0.png", 0.25], ["ok.png", 1]])
    rows = list(csv.reader(text.splitlines()))
    assert rows == [["file", "'=p"], ["'=cmd|' /C calc'!A0.png", "0.25"], ["ok.png", "1"]]


def test_predictions_and_left_out_files_guard_film_names_and_sources():
    from convert.film_tables import left_out_csv
    from train.data import Item

    preds = [{"file": "COVID/=1+1.png", "true": "COVID", "predicted": "Normal", "probabilities": {"COVID": 0.4, "Normal": 0.6}},
             {"file": "-3.png", "true": "Normal", "predicted": "Normal", "probabilities": {"COVID": 0.1, "Normal": 0.9}}]
    rows = list(csv.DictReader(predictions_csv(preds, ["COVID", "Normal"], {"source": ["@site", "ok"]}).splitlines()))
    assert [(r["file"], r["source"], r["correct"]) for r in rows] == [("COVID/=1+1.png", "'@site", "0"), ("'-3.png", "ok", "1")]
    items = [Item("=evil().png", "Viral", source="+src")]
    rows = list(csv.DictReader(left_out_csv(items, np.array([[0.7, 0.3]]), ["COVID", "Normal"]).splitlines()))
    assert (rows[0]["file"], rows[0]["source"], rows[0]["predicted"]) == ("'=evil().png", "'+src", "COVID")
