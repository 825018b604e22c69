"""The case-review CSVs open in a spreadsheet without running anything a file name holds."""

import csv

import numpy as np

from convert.film_tables import predictions_csv
from edge.spreadsheet import cell, spreadsheet_csv


def test_text_that_would_start_a_formula_is_kept_as_text():
    for name in ["=HYPERLINK(\"http://x\")", "+1.png", "-2.png", "@SUM(A1).png"]:
        assert cell(name) == "'" + name
    assert cell("\tx.png") == "\\u0009x.png" and cell("\rx.png") == "\\u000dx.png"  # escaped: no formula starts
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


HOSTILE = "x\x1b]0;pwned\x07\x1bc\u202eevil\x9b2J.png"  # sets the terminal's title, resets it, reverses the row


def test_control_characters_in_names_are_escaped_not_written_raw():
    """cat predictions.csv or left_out.csv on a terminal ran a film name's ESC sequences (title set, screen reset) and
    its U+202E reversed the rest of the row: the text answers and --json escape them (edge.controls.escaped)."""
    from convert.film_tables import left_out_csv
    from edge.controls import CONTROL
    from train.data import Item

    assert cell(HOSTILE) == "x\\u001b]0;pwned\\u0007\\u001bc\\u202eevil\\u009b2J.png"
    assert cell(0.5) == 0.5
    preds = [{"file": f"COVID/{HOSTILE}", "true": "COVID", "predicted": "COVID", "probabilities": {"COVID": 0.6, "Normal": 0.4}}]
    text = predictions_csv(preds, ["COVID", "Normal"], {"ward": ["\x1b[2Jward"]})
    assert not CONTROL.search(text.replace("\r\n", "")), text
    row = next(csv.DictReader(text.splitlines()))
    assert (row["file"], row["ward"], row["p_COVID"]) == (f"COVID/{cell(HOSTILE)}", "\\u001b[2Jward", "0.6")
    text = left_out_csv([Item(HOSTILE, "Viral", source="\x07src")], np.array([[0.7, 0.3]]), ["COVID", "Normal"])
    assert not CONTROL.search(text.replace("\r\n", "")), text


def test_a_name_with_a_semicolon_is_quoted_so_a_semicolon_locale_spreadsheet_keeps_it_whole():
    """The guard looked at a cell's first character only: 'x;=1+1;.png' was written unquoted, and Excel with ';' as its
    list separator (German, French) split it into the cells 'x', '=1+1', '.png': a formula the guard never saw."""
    from edge.spreadsheet import spreadsheet_row

    text = spreadsheet_csv(["file", "p_COVID"], [["semi/x;=1+1;.png", 0.25], ["y;@SUM(9*9);.png", 1]])
    assert text.splitlines()[1:] == ['"semi/x;=1+1;.png",0.25', '"y;@SUM(9*9);.png",1']  # numbers stay unquoted
    for row in csv.reader(text.splitlines(), delimiter=";"):  # as a semicolon-locale spreadsheet splits each line
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row), row
    assert spreadsheet_row(["a;b", "0.5040", "c"], "\n") == '"a;b",0.5040,c\n'


def test_a_plain_number_from_a_manifest_stays_a_number():
    """The guard turned a MANIFEST's '-1' or '-0.5' into the text "'-1": the column sorted as text and a sum over it
    skipped those rows. A plain decimal number computes to itself; '-2+3', '=...' and '@...' keep the apostrophe."""
    for number in ["-1", "-0.5", "+3", "-1e-05", "-.5"]:
        assert cell(number) == number
    for formula in ["-2+3", "-\u0663", "-1+cmd|' /C calc'!A0", "+1.png", "-1.png", "=1", "@SUM(1)", "-1e5+1", "- 1"]:
        assert cell(formula) == "'" + formula
    rows = list(csv.DictReader(predictions_csv(
        [{"file": "a.png", "true": "COVID", "predicted": "COVID", "probabilities": {"COVID": 0.6, "Normal": 0.4}}],
        ["COVID", "Normal"], {"age as given": ["-1"]}).splitlines()))
    assert rows[0]["age as given"] == "-1"
