"""edge.spreadsheet's formula guard at edges hand mutation (session 72) showed no test pinned: an empty cell stays
empty (no lone apostrophe: nothing in it can run), and formula_unguarded (train.manifest's reader) takes off only
the apostrophe the guard put before a formula's first character: a hand's own apostrophe before a letter, or an
apostrophe alone, is the value itself."""

from __future__ import annotations

import pytest

from edge.spreadsheet import cell, formula_guarded, formula_unguarded, spreadsheet_row


def test_an_empty_cell_stays_empty():
    assert formula_guarded("") == "" and cell("") == ""
    assert spreadsheet_row(["a.png", "", "0.5"]) == "a.png,,0.5\r\n"


@pytest.mark.parametrize("written,read", [
    ("'=1+1", "=1+1"), ("'+x", "+x"), ("'-x", "-x"), ("'@x", "@x"),  # the guard's apostrophe, taken off
    ("'abc", "'abc"),  # a hand's apostrophe before a letter: kept
    ("'", "'"),  # an apostrophe alone: kept, not read as an empty value
    ("''=1", "''=1"),  # two: the guard never writes that, the value is kept
])
def test_formula_unguarded_takes_off_only_the_guards_apostrophe(written, read):
    assert formula_unguarded(written) == read


@pytest.mark.parametrize("value", ["=HYPERLINK(\"x\")", "+1+1", "-x", "@SUM(A1)", "plain", "-1.5", ""])
def test_a_guarded_value_reads_back_as_written(value):
    assert formula_unguarded(formula_guarded(value)) == value
