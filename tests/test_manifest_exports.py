"""MANIFEST.csv as a hospital's Excel or PACS export writes it (train.manifest_text): each either read as meant
or refused in one line naming the file, the line and what to do; never a column read silently wrong."""

from __future__ import annotations

import io
import zipfile

import pytest

from train.manifest import ManifestError, read_manifest

ROWS = "file,source,InstitutionName\nCOVID/a.png,Hôpital Nord,Klinikum Düsseldorf\nNormal/b.png,site2,Zürich\n"
WANT = {"COVID/a.png": ("Hôpital Nord", "Klinikum Düsseldorf"), "Normal/b.png": ("site2", "Zürich")}


def manifest(tmp_path, data: bytes):
    (tmp_path / "MANIFEST.csv").write_bytes(data)
    return tmp_path


def read(tmp_path, data: bytes) -> dict[str, tuple[str, str]]:
    _, rows = read_manifest(manifest(tmp_path, data))
    return {k: (r["source"], r["InstitutionName"]) for k, r in rows.items()}


@pytest.mark.parametrize("data", [
    ROWS.encode("utf-16-le"),                                       # "Unicode text" from a tool that writes no BOM
    ROWS.encode("utf-16-be"),
    ("\ufeffsep=;\n" + ROWS.replace(",", ";")).encode(),             # Excel's separator line, after the BOM
    ("sep=,\r\n" + ROWS.replace("\n", "\r\n")).encode("cp1252"),
    ("\n;;\n\n" + ROWS.replace(",", ";")).encode(),                   # blank rows above the header
    ROWS.replace(",", ";").replace("\n", "\r").encode("cp1252"),      # old Mac: lone CR, semicolons
])
def test_exports_excel_and_pacs_tools_write_are_read_as_meant(tmp_path, data):
    assert read(tmp_path, data) == WANT


def test_lone_cr_line_ends_take_the_separator_from_the_header_line_only(tmp_path):
    """The header was the whole file where lines end in a lone CR: commas in the notes outvoted its semicolons."""
    text = "file;source;notes\rCOVID/a.png;Nord;1,2,3,4,5,6\r"
    _, rows = read_manifest(manifest(tmp_path, text.encode()))
    assert rows.get("COVID/a.png") == {"file": "COVID/a.png", "source": "Nord", "notes": "1,2,3,4,5,6"}


def test_a_file_pasted_together_from_a_utf8_and_a_windows_export_reads_each_line_as_written(tmp_path):
    """One cp1252 line made the whole file cp1252: every é of the UTF-8 lines became Ã© (a group of its own)."""
    data = ROWS.splitlines(keepends=True)
    assert read(tmp_path, (data[0] + data[1]).encode() + data[2].encode("cp1252")) == WANT
    assert read(tmp_path, (data[0] + data[1]).encode("cp1252") + data[2].encode()) == WANT


def test_a_column_named_twice_takes_its_first_value_as_case_variants_do(tmp_path):
    _, rows = read_manifest(manifest(tmp_path, b"file,source,source \nCOVID/a.png,first,second\n"))
    assert rows.get("COVID/a.png")["source"] == "first"


def test_a_value_holding_the_separator_unquoted_is_refused_with_its_line(tmp_path):
    """'Hôpital Nord, Paris' unquoted: ' Paris' became the next column's value, and that column's value was lost."""
    text = "file,source,InstitutionName\nCOVID/a.png,x,y\nNormal/b.png,Hôpital Nord, Paris,Zürich\n"
    with pytest.raises(ManifestError, match=r"MANIFEST.csv, line 3: 4 values, but the header names 3 columns "
                                            r"\(the first value past them: 'Zürich'\): a value holding a comma"):
        read_manifest(manifest(tmp_path, text.encode()))


def test_empty_cells_past_the_header_are_no_error(tmp_path):
    """Excel writes a row's empty cells past the header's last column as trailing separators."""
    _, rows = read_manifest(manifest(tmp_path, b"file;source\r\nCOVID/a.png;x;;\r\n"))
    assert rows.get("COVID/a.png") == {"file": "COVID/a.png", "source": "x"}


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


@pytest.mark.parametrize("data,said", [
    (_xlsx(), r"MANIFEST.csv is an Excel workbook \(.xlsx\) named .csv, not CSV text: open it in Excel and save it"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), r"MANIFEST.csv is an Excel workbook \(.xls\)"),
    (b"", r"MANIFEST.csv is empty: write its header line"),
    (b"\r\n \r\n", r"MANIFEST.csv is empty"),
])
def test_a_workbook_named_csv_or_an_empty_file_is_refused_saying_what_to_do(tmp_path, data, said):
    with pytest.raises(ManifestError, match=said) as e:
        read_manifest(manifest(tmp_path, data))
    assert "\n" not in str(e.value) and len(str(e.value)) < 400


def test_a_header_of_binary_noise_is_shown_cut_short(tmp_path):
    with pytest.raises(ManifestError, match="no 'file' column") as e:
        read_manifest(manifest(tmp_path, b"\x01" * 5000 + b"\n"))
    assert len(str(e.value)) < 500


@pytest.mark.parametrize("data,said", [
    (b"FILE NAME,FORMAT,SIZE,URL\r\nCOVID-1,PNG,256*256,https://github.com/x/y\r\n",
     "it is text, not a workbook (a CSV given the sheet's name?): open it in Excel and save it as"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "it is an old Excel .xls workbook: open it in Excel and save it"),
    (b"", "it is empty: 0 bytes"),
])
def test_a_kaggle_metadata_sheet_that_is_no_xlsx_says_what_it_is(tmp_path, data, said):
    """Each was 'not a readable .xlsx spreadsheet (File is not a zip file)', which says nothing of what to do."""
    from train.kaggle_metadata import kaggle_sources

    (tmp_path / "COVID").mkdir()
    (tmp_path / "COVID.metadata.xlsx").write_bytes(data)
    lines: list[str] = []
    assert kaggle_sources(tmp_path, lines.append) == {}
    assert len(lines) == 1 and f"COVID.metadata.xlsx: not a readable .xlsx spreadsheet: {said}" in lines[0], lines
