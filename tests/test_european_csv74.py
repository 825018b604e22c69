"""MANIFEST.csv and file_by_label's sheet as a German or French hospital's Excel saves them: Excel for Mac's
"Comma Separated Values" in Mac Roman (its umlauts were read as code page 1252: 'Röntgen Süd' became 'Ršntgen SŸd',
a group of its own, silently), and a ';' file whose header holds a comma inside a column's name (refused as having
no 'file' column, although it has one). Windows' code page 1252, UTF-8 with a mark and UTF-16 stay as they were."""

from __future__ import annotations

import pytest

from tests.filing_films import export_sheet, file_into
from train.manifest import ManifestError, read_manifest
from train.manifest_text import decode, separator

LINES = ["file;source;ward", "COVID/a.png;Hôpital Nord;Röntgen Süd", "Normal/b.png;Klinikum Zürich;Genève, Chirurgie"]
WANT = {"COVID/a.png": ("Hôpital Nord", "Röntgen Süd"), "Normal/b.png": ("Klinikum Zürich", "Genève, Chirurgie")}


def read(tmp_path, data: bytes) -> dict[str, tuple[str, str]]:
    (tmp_path / "MANIFEST.csv").write_bytes(data)
    _, rows = read_manifest(tmp_path)
    return {k: (r["source"], r["ward"]) for k, r in rows.items()}


@pytest.mark.parametrize("line_end", ["\r", "\n", "\r\n"])
def test_excel_for_macs_mac_roman_csv_keeps_its_umlauts(tmp_path, line_end):
    """Excel for Mac's "Comma Separated Values (.csv)" writes Mac Roman (ö is the byte 9A, code page 1252's š)."""
    assert read(tmp_path, (line_end.join(LINES) + line_end).encode("mac_roman")) == WANT


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-16"])
def test_windows_exports_are_read_as_before(tmp_path, encoding):
    text = "\r\n".join(LINES).replace(";", "\t" if encoding == "utf-16" else ";") + "\r\n"
    assert read(tmp_path, text.encode(encoding)) == WANT


@pytest.mark.parametrize("text", [
    "file;source\r\na.png;\u201cNorth\u201d\r\n",                  # curly quotes round a plain name (0x93, 0x94)
    "file;source\r\na.png;Nord\u2013Sud \u20ac 5\r\n",             # a dash between words, a euro sign
    "file;source\r\na.png;l\u2019h\u00f4pital \u0153uvre\r\n",     # an apostrophe and œ inside words
])
def test_code_page_1252_punctuation_is_not_taken_for_mac_roman(text):
    assert decode(text.encode("cp1252")) == text


def test_a_mac_roman_line_pasted_under_utf8_ones_is_read_in_mac_roman():
    data = "file;source\na.png;Zürich\n".encode() + "b.png;Röntgen Süd\n".encode("mac_roman")
    assert decode(data) == "file;source\na.png;Zürich\nb.png;Röntgen Süd\n"


@pytest.mark.parametrize("header", ["file;Bemerkung (Lage, Drainage)", "file;source,Standort",
                                    "file;source;Notiz (a, b, c)"])
def test_a_semicolon_header_with_commas_in_a_name_is_split_on_its_semicolons(tmp_path, header):
    """Its rows, every one with as many ';' cells as the header, tell the separator where the header ties or has
    more commas (read with commas, the header had no 'file' column)."""
    n = header.count(";")
    text = header + "\r\n" + "".join(f"{f};{';'.join([v] * n)}\r\n" for f, v in (("COVID/a.png", "0,5"), ("Normal/b.png", "1")))
    assert separator(text) == (";", 0)
    (tmp_path / "MANIFEST.csv").write_bytes(text.encode("cp1252"))
    columns, rows = read_manifest(tmp_path)
    assert columns[0] == "file" and len(columns) == n + 1 and set(rows) == {"COVID/a.png", "Normal/b.png"}


def test_a_comma_file_whose_header_names_hold_semicolons_stays_a_comma_file():
    text = "file,source,notes (a; b)\na.png,Nord,\"1; 2\"\nb.png,Sud,x\n"
    assert separator(text) == (",", 0)


def test_file_by_labels_mac_roman_sheet_files_its_ward_as_written(tmp_path, capsys):
    sheet = export_sheet(tmp_path / "export", "")
    sheet.write_bytes("\r".join(["filename;finding;ward", "p0.png;COVID;Röntgen Süd", "p1.png;Normal;Hôpital Nord",
                                 "p2.png;Normal;Röntgen Süd"]).encode("mac_roman") + b"\r")
    rc, _, err = file_into(sheet, tmp_path / "out", capsys)
    assert rc == 0, err
    _, rows = read_manifest(tmp_path / "out")
    assert {r["ward"] for r in rows.values()} == {"Röntgen Süd", "Hôpital Nord"}


def test_a_comma_file_saved_again_by_excel_in_one_column_is_refused_saying_so(tmp_path):
    """German Excel opens a comma-separated file all in column A; saved again, each line holding a quote became one
    quoted value ("COVID/b.png,Nord,""0,5"" and the quotes round it). Those rows named no film and their films lost their sources, with a
    warning that blamed films deleted or moved."""
    rows = ["file,source,dose", "COVID/a.png,Süd,1", 'COVID/b.png,Nord,"0,5"']
    (tmp_path / "MANIFEST.csv").write_bytes("\r\n".join(rows[:2] + ['"COVID/b.png,Nord,""0,5"""']).encode("cp1252"))
    with pytest.raises(ManifestError) as e:
        read_manifest(tmp_path)
    said = str(e.value)
    assert "line 3 is one quoted value" in said and "column A" in said and "Data > From Text/CSV" in said


def test_a_one_cell_row_of_a_film_whose_name_holds_a_comma_is_still_read(tmp_path):
    (tmp_path / "MANIFEST.csv").write_text('file,source\n"COVID/a, b.png"\n')
    _, rows = read_manifest(tmp_path)
    assert set(rows) == {"COVID/a, b.png"}
