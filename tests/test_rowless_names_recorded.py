"""train.rowless_filings.names_recorded: whether a left-out row of test_labels.csv (its film not found) names
labels.csv's recorded filing by its very path, so that test_labels.csv says it (exit 1) rather than leaving it in its
class with exit 0. A bare cell (p0.png) counts only while labels.csv names the film no more (fuzz seed 17089)."""

from __future__ import annotations

from train.filed_record import Filed
from train.rowless_filings import names_recorded


def _entry(export) -> Filed:
    path = str(export / "p0.png")
    return Filed(film=path, how="link", device=1, inode=2, size=3, mtime_ns=4, film_path=path, sheet_path=path,
                 sheet=str(export / "labels.csv"))


def test_a_bare_cell_names_the_recorded_path_once_the_filing_sheet_names_it_no_more(tmp_path):
    (tmp_path / "labels.csv").write_text("filename,label\np4.png,Normal\n")
    assert names_recorded(_entry(tmp_path), ["p0.png"], tmp_path, "Pneumonia/p0.png")
    assert names_recorded(_entry(tmp_path), ["P0.PNG"], tmp_path, "Pneumonia/p0.png")


def test_a_bare_cell_leaves_it_the_first_sheets_while_that_sheet_names_it(tmp_path):
    (tmp_path / "labels.csv").write_text("filename,label\np0.png,Pneumonia\n")
    assert not names_recorded(_entry(tmp_path), ["p0.png"], tmp_path, "Pneumonia/p0.png")


def test_a_cell_of_another_path_names_no_recorded_film(tmp_path):
    (tmp_path / "labels.csv").write_text("filename,label\np4.png,Normal\n")
    assert not names_recorded(_entry(tmp_path), ["sub/p0.png", "p1.png"], tmp_path, "Pneumonia/p0.png")
