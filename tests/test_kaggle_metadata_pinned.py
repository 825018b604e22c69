"""train.kaggle_metadata pinned where a change would give films of the Kaggle database another source, or none,
without a word (found by hand mutation testing: each test here failed with one small change to xlsx_rows,
source_from_url, metadata_files, _sheet_sources or film_key in place, which tests/test_kaggle_metadata.py let
through)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from train.kaggle_metadata import (MetadataError, _sheet_sources, film_key, metadata_files, source_from_url,
                                   xlsx_rows)
from tests.test_kaggle_metadata import sheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def worksheet(cells: str) -> str:
    return f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'


def raw_xlsx(path: Path, parts: dict[str, str]) -> Path:
    """An .xlsx of exactly these XML parts (what a writer other than Excel may leave out, left out)."""
    with zipfile.ZipFile(path, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


def test_numbers_read_as_excel_shows_them_and_a_shared_string_past_the_table_is_empty(tmp_path):
    shared = f'<sst xmlns="{MAIN}"><si><t>COVID-1</t></si></sst>'
    cells = ('<c r="A1"><v>3.0</v></c><c r="B1" t="n"><v>4.00</v></c><c r="C1"><v>-5.0</v></c>'
             '<c r="D1" t="s"><v>0</v></c><c r="E1" t="s"><v>1</v></c>')
    path = raw_xlsx(tmp_path / "a.xlsx", {"xl/worksheets/sheet1.xml": worksheet(cells), "xl/sharedStrings.xml": shared})
    assert xlsx_rows(path) == [["3", "4", "-5", "COVID-1", ""]]


def test_the_last_column_a_sheet_can_have_is_read_and_the_next_refused(tmp_path):
    ok = raw_xlsx(tmp_path / "a.xlsx", {"xl/worksheets/sheet1.xml": worksheet('<c r="XFD1" t="inlineStr"><is><t>x</t></is></c>')})
    assert xlsx_rows(ok)[0][16383] == "x"
    bad = raw_xlsx(tmp_path / "b.xlsx", {"xl/worksheets/sheet1.xml": worksheet('<c r="XFE1"><v>1</v></c>')})
    with pytest.raises(MetadataError, match="beyond any spreadsheet's last column"):
        xlsx_rows(bad)


def test_the_first_sheet_by_number_where_the_workbook_does_not_say(tmp_path):
    path = raw_xlsx(tmp_path / "a.xlsx", {"xl/worksheets/sheet10.xml": worksheet('<c r="A1"><v>10</v></c>'),
                                          "xl/worksheets/sheet2.xml": worksheet('<c r="A1"><v>2</v></c>')})
    assert xlsx_rows(path) == [["2"]]


def test_a_workbooks_absolute_sheet_target_is_followed(tmp_path):
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    book = (f'<workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>")
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="x" Target="/xl/worksheets/sheet2.xml"/></Relationships>')
    path = raw_xlsx(tmp_path / "a.xlsx", {"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels,
                                          "xl/worksheets/sheet1.xml": worksheet('<c r="A1"><v>1</v></c>'),
                                          "xl/worksheets/sheet2.xml": worksheet('<c r="A1"><v>2</v></c>')})
    assert xlsx_rows(path) == [["2"]]


@pytest.mark.parametrize("url, source", [
    ("https://figshare.com/articles/covid-films/123", "figshare.com/covid-films"),
    ("https://gitlab.com/some-lab/films", "gitlab.com/some-lab"),
    ("github.com/ml-workgroup/covid-19-image-repository", "github.com/ml-workgroup"),  # no scheme
])
def test_collections_hosts_are_named_by_their_collection(url, source):
    assert source_from_url(url) == source


def test_a_header_on_the_tenth_row_spaced_is_found_and_rows_without_a_url_or_a_suffix_kept_as_named(tmp_path):
    rows = [[f"title {k}"] for k in range(9)] + [[" FILE NAME ", " URL "], ["COVID-1.2", "https://a.org"],
                                                   ["COVID-3", None], ["COVID-4.png", "https://b.org"]]
    sheet(tmp_path / "a.xlsx", rows)
    by_name, conflicts = _sheet_sources(str(tmp_path / "a.xlsx"), 1, 1)
    assert by_name == {"covid-1.2": "a.org", "covid-4": "b.org"} and conflicts == []


def test_a_sheet_without_its_columns_names_six_of_them(tmp_path):
    sheet(tmp_path / "a.xlsx", [list("ABCDEFG")])
    with pytest.raises(MetadataError, match=r"\(its columns: A, B, C, D, E, F\)$"):
        _sheet_sources(str(tmp_path / "a.xlsx"), 2, 2)


def test_a_sheet_goes_to_the_folder_of_its_own_name_before_one_of_another_case(tmp_path):
    for folder in ("NORMAL", "Normal"):
        (tmp_path / folder).mkdir()
    sheet(tmp_path / "Normal.metadata.xlsx", [["FILE NAME", "URL"]])
    assert metadata_files(tmp_path) == {"Normal": tmp_path / "Normal.metadata.xlsx"}


def test_a_film_path_written_with_backslashes_has_its_folder_and_name():
    assert film_key("Normal\\images\\Normal-1.png") == ("normal", "normal-1")


def test_a_cell_reference_in_lower_case_keeps_its_column(tmp_path):
    path = raw_xlsx(tmp_path / "a.xlsx", {"xl/worksheets/sheet1.xml": worksheet('<c r="c1"><v>7</v></c>')})
    assert xlsx_rows(path) == [["", "", "7"]]


def test_a_fifo_named_as_a_classs_sheet_is_its_sheet_to_be_said_unreadable(tmp_path):
    """Not passed over unsaid: its class's films would get no source without a word."""
    import os

    (tmp_path / "Normal").mkdir()
    os.mkfifo(tmp_path / "Normal.metadata.xlsx")
    assert metadata_files(tmp_path) == {"Normal": tmp_path / "Normal.metadata.xlsx"}
