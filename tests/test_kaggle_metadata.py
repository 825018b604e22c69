"""train.kaggle_metadata: the Kaggle COVID-19 Radiography Database's own *.metadata.xlsx give each
film its source (the archive's URL), as written by a real spreadsheet writer (xlsxwriter), with
the database's quirks: names without .png, NORMAL-1 for Normal-1.png."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from train.discovery import discover
from train.kaggle_metadata import source_from_url, xlsx_rows
from train.synthetic import render

RSNA = "https://www.kaggle.com/c/rsna-pneumonia-detection-challenge/data"
KIDS = "https://www.kaggle.com/paultimothymooney/chest-xray-pneumonia"
BIMCV = "https://bimcv.cipf.es/bimcv-projects/bimcv-covid19/#1590858128006-9e640421-6711"
HANNOVER = "https://github.com/ml-workgroup/covid-19-image-repository/tree/master/png"


def sheet(path: Path, rows: list[list]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Sheet1")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    book.close()


def kaggle_layout(root: Path, urls: dict[str, list[str]]) -> None:
    """Class/images/Class-k.png and Class.metadata.xlsx, one film per URL, as the database ships them."""
    for label, films in urls.items():
        (root / label / "images").mkdir(parents=True)
        (root / label / "masks").mkdir()
        rows = [["FILE NAME", "FORMAT", "SIZE", "URL"]]
        for k, url in enumerate(films, 1):
            Image.fromarray(render("Normal" if label == "Normal" else "COVID", np.random.default_rng(k), (64, 64))).save(
                root / label / "images" / f"{label}-{k}.png")
            rows.append([f"{label}-{k}".upper() if label == "Normal" else f"{label}-{k}", "PNG", "256*256", url])
        sheet(root / f"{label}.metadata.xlsx", rows)


def test_an_xlsx_reads_as_rows_of_text_numbers_included_and_gaps_kept(tmp_path):
    sheet(tmp_path / "a.xlsx", [["FILE NAME", "SIZE", "URL"], ["COVID-1", 299, None], [None, 2.5, "x"]])
    assert xlsx_rows(tmp_path / "a.xlsx") == [["FILE NAME", "SIZE", "URL"], ["COVID-1", "299"], ["", "2.5", "x"]]


def test_a_source_is_the_archive_not_the_page():
    assert source_from_url(RSNA) == "kaggle.com/rsna-pneumonia-detection-challenge"
    assert source_from_url(KIDS) == "kaggle.com/paultimothymooney"
    assert source_from_url(BIMCV) == "bimcv.cipf.es"
    assert source_from_url(HANNOVER) == "github.com/ml-workgroup"
    assert source_from_url("https://sirm.org/category/senza-categoria/covid-19/") == "sirm.org"
    assert source_from_url("eurorad.org") == "eurorad.org"
    assert source_from_url(" Hannover ") == "Hannover"  # no URL: the text itself


def test_the_database_layout_gets_its_sources_from_its_own_spreadsheets(tmp_path):
    kaggle_layout(tmp_path, {"COVID": [BIMCV, HANNOVER], "Normal": [RSNA, KIDS], "Lung_Opacity": [RSNA]})
    said: list[str] = []
    items, _, layout = discover(tmp_path, classes=["COVID", "Normal"], log=said.append)
    assert layout.startswith("kaggle")
    assert {i.path: i.source for i in items} == {
        "COVID/images/COVID-1.png": "bimcv.cipf.es", "COVID/images/COVID-2.png": "github.com/ml-workgroup",
        "Normal/images/Normal-1.png": "kaggle.com/rsna-pneumonia-detection-challenge",
        "Normal/images/Normal-2.png": "kaggle.com/paultimothymooney"}
    assert any(line.startswith("sources from the database's metadata spreadsheets (*.metadata.xlsx): 4 (") for line in said)
    assert not any("warning" in line for line in said)


def test_a_sheet_matches_its_class_folder_in_any_case_and_a_class_without_one_is_said(tmp_path):
    """NORMAL/ beside Normal.metadata.xlsx, or a class without a sheet where the others have one: its films had no
    source and nothing was said; the shortcut audit (1.00 with the sources) went quiet at 0.53."""
    kaggle_layout(tmp_path, {"COVID": [BIMCV, HANNOVER], "Normal": [RSNA, KIDS]})
    (tmp_path / "Normal").rename(tmp_path / "NORMAL")
    said: list[str] = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.source for i in items if i.label == "NORMAL"} == {"kaggle.com/rsna-pneumonia-detection-challenge",
                                                                "kaggle.com/paultimothymooney"}
    assert not any("warning" in line for line in said), said
    (tmp_path / "Normal.metadata.xlsx").unlink()
    said.clear()
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.source for i in items if i.label == "NORMAL"} == {""}
    assert any(line.startswith("warning: class folder NORMAL in ") and "no metadata spreadsheet" in line
               for line in said), said


def test_a_manifest_wins_and_films_without_a_row_or_a_broken_sheet_are_said(tmp_path):
    kaggle_layout(tmp_path, {"COVID": [BIMCV, BIMCV], "Normal": [RSNA, RSNA]})
    sheet(tmp_path / "COVID.metadata.xlsx", [["FILE NAME", "FORMAT", "SIZE", "URL"], ["COVID-1", "PNG", "256*256", BIMCV]])
    said: list[str] = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.path: i.source for i in items}["COVID/images/COVID-2.png"] == ""
    assert any("1 of the 4 films" in line and "COVID/images/COVID-2.png" in line for line in said), said

    (tmp_path / "Normal.metadata.xlsx").write_bytes(b"not a zip")  # a download cut short
    said.clear()
    items, _, _ = discover(tmp_path, log=said.append)
    assert any("Normal.metadata.xlsx: not a readable .xlsx spreadsheet" in line and "no source" in line for line in said)
    assert {i.source for i in items if i.label == "Normal"} == {""}
    # said once: not again as Normal films 'without a row' in a sheet that could not be read
    assert any("1 of the 4 films" in line and "COVID/images/COVID-2.png" in line for line in said), said

    with zipfile.ZipFile(tmp_path / "Normal.metadata.xlsx", "w") as z:  # a zip, but no workbook
        z.writestr("hello.txt", "x")
    said.clear()
    discover(tmp_path, log=said.append)
    assert any("Normal.metadata.xlsx: not a readable .xlsx spreadsheet" in line for line in said)

    (tmp_path / "MANIFEST.csv").write_text("file,source\n" + "".join(f"{i.path},site\n" for i in items))
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.source for i in items} == {"site"}


def test_a_manifest_without_a_source_column_leaves_the_sources_to_the_spreadsheets(tmp_path):
    """A label-only MANIFEST.csv (file,label) beside the database's spreadsheets must not cost the films
    their archives: --holdout-source and the shortcut audit need them."""
    kaggle_layout(tmp_path, {"COVID": [BIMCV, HANNOVER], "Normal": [RSNA, KIDS]})
    films = [f"{c}/images/{c}-{k}.png" for c in ("COVID", "Normal") for k in (1, 2)]
    (tmp_path / "MANIFEST.csv").write_text("file,label\n" + "".join(f"{f},{f.split('/')[0]}\n" for f in films))
    said: list[str] = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.path: i.source for i in items}["COVID/images/COVID-2.png"] == "github.com/ml-workgroup"
    assert any("has no source column" in line and "metadata spreadsheets" in line for line in said), said



def test_a_damaged_spreadsheet_is_a_clear_error_not_a_crash(tmp_path):
    """A corrupt deflate stream (zlib.error) and a password (RuntimeError) ended cxr-train and
    cxr-evaluate with 'unexpected error'; a cell reference without column letters, with AttributeError."""
    import pytest

    from train.kaggle_metadata import MetadataError

    good = tmp_path / "good.xlsx"
    sheet(good, [["FILE NAME", "URL"]] + [[f"COVID-{k}", HANNOVER] for k in range(200)])
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 10, start + 60):
        data[k] ^= 0x5A  # the sheet's deflate stream garbled (its CRC would tell too late)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    with pytest.raises(MetadataError, match="not a readable .xlsx spreadsheet"):
        xlsx_rows(bad)
    locked = bytearray(good.read_bytes())
    entry = bytes(locked).index(b"PK\x01\x02")
    while locked[entry + 46:entry + 46 + len(info.filename)] != info.filename.encode():
        entry = bytes(locked).index(b"PK\x01\x02", entry + 4)
    locked[entry + 8] |= 1  # the sheet's "encrypted" flag, in the central directory that zipfile reads
    (tmp_path / "locked.xlsx").write_bytes(bytes(locked))
    with pytest.raises(MetadataError, match="not a readable .xlsx spreadsheet"):
        xlsx_rows(tmp_path / "locked.xlsx")
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(odd, "w") as w:
        for name in z.namelist():
            body = z.read(name)
            if name == "xl/worksheets/sheet1.xml":
                body = body.replace(b'r="A2"', b'r="2"')
            w.writestr(name, body)
    assert xlsx_rows(odd)[1][:2] == ["COVID-0", HANNOVER]


def test_a_sheets_name_with_another_image_suffix_still_matches_its_film(tmp_path):
    from train.kaggle_metadata import _sheet_sources, film_key

    path = tmp_path / "COVID.metadata.xlsx"
    sheet(path, [["FILE NAME", "URL"], ["COVID-6.jpg", HANNOVER], ["COVID-7", KIDS]])
    st = path.stat()
    sources, conflicts = _sheet_sources(str(path), st.st_mtime_ns, st.st_size)
    assert conflicts == []
    assert sources[film_key("COVID/images/COVID-6.jpg")[1]] == source_from_url(HANNOVER)
    assert sources[film_key("COVID/images/COVID-7.png")[1]] == source_from_url(KIDS)


def test_a_film_named_twice_with_other_sources_keeps_its_first_and_is_said(tmp_path):
    """The last row won without a word; MANIFEST.csv keeps the first and says so: the sheets do as it does."""
    kaggle_layout(tmp_path, {"COVID": [BIMCV, HANNOVER], "Normal": [RSNA, RSNA]})
    sheet(tmp_path / "COVID.metadata.xlsx", [["FILE NAME", "URL"], ["COVID-1", BIMCV], ["COVID-2", HANNOVER],
                                             ["covid-1.png", HANNOVER], ["COVID-2", HANNOVER]])
    said: list[str] = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.path: i.source for i in items}["COVID/images/COVID-1.png"] == source_from_url(BIMCV)
    assert any("names 1 film twice with other sources, e.g. covid-1.png: it keeps its first row's" in line for line in said), said


def _rewrite(src: Path, dst: Path, name: str, edit) -> None:
    """A copy of an .xlsx with one part's XML edited, as another spreadsheet program would write it."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as w:
        for part in z.namelist():
            body = z.read(part)
            w.writestr(part, edit(body) if part == name else body)


def test_a_cells_text_is_what_excel_shows_not_its_phonetic_reading(tmp_path):
    """Excel keeps a phonetic reading (<rPh>) beside Japanese text and a rich-text cell as runs (<r>);
    a name read with its reading appended (COVID-1コ) matched no film. Inline strings likewise."""
    import xlsxwriter

    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    ws = book.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["FILE NAME", "URL"])
    ws.write_rich_string(1, 0, "COV", book.add_format({"bold": True}), "ID-1")
    ws.write(1, 1, HANNOVER)
    ws.write(2, 0, "COVID-2")
    ws.write(2, 1, "placeholder")
    book.close()
    read = tmp_path / "read.xlsx"
    _rewrite(plain, read, "xl/sharedStrings.xml", lambda b: b.replace(
        b"<t>COVID-2</t>", b'<t>COVID-2</t><rPh sb="0" eb="7"><t>\xe3\x82\xb3</t></rPh>'))
    assert xlsx_rows(read)[1:] == [["COVID-1", HANNOVER], ["COVID-2", "placeholder"]]
    inline = tmp_path / "inline.xlsx"

    def to_inline(body: bytes) -> bytes:
        import re
        cell = b'<c r="B3" t="inlineStr"><is><t>' + KIDS.encode() + b'</t><rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
        return re.sub(rb'<c r="B3" t="s"><v>\d+</v></c>', cell, body)
    _rewrite(plain, inline, "xl/worksheets/sheet1.xml", to_inline)
    assert xlsx_rows(inline)[2] == ["COVID-2", KIDS]


def test_a_title_row_above_the_header_is_passed_over(tmp_path):
    """People add a title and a blank row above the columns; the sheet was refused as having none."""
    import pytest

    from train.kaggle_metadata import HEADER_ROWS, MetadataError, _sheet_sources, film_key

    path = tmp_path / "COVID.metadata.xlsx"
    sheet(path, [["COVID-19 films and their sources"], [], ["FILE NAME", "FORMAT", "URL"],
                 ["COVID-3", "PNG", HANNOVER]])
    st = path.stat()
    sources, _ = _sheet_sources(str(path), st.st_mtime_ns, st.st_size)
    assert sources == {film_key("COVID/images/COVID-3.png")[1]: source_from_url(HANNOVER)}
    deep = tmp_path / "deep.metadata.xlsx"
    sheet(deep, [["notes"]] * HEADER_ROWS + [["FILE NAME", "URL"], ["COVID-3", HANNOVER]])
    st = deep.stat()
    with pytest.raises(MetadataError, match="no 'FILE NAME' and 'URL' columns"):
        _sheet_sources(str(deep), st.st_mtime_ns, st.st_size)


def test_a_sheet_saved_as_strict_open_xml_reads_as_the_usual_one(tmp_path):
    """Excel's 'Strict Open XML Spreadsheet' puts the same elements in other namespaces: such a sheet
    read as empty and was refused as having no FILE NAME and URL columns."""
    usual = tmp_path / "usual.xlsx"
    sheet(usual, [["FILE NAME", "URL"], ["COVID-1", HANNOVER]])
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(usual) as z, zipfile.ZipFile(strict, "w") as w:
        for part in z.namelist():
            w.writestr(part, z.read(part)
                       .replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                       .replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    assert b"purl.oclc.org/ooxml/spreadsheetml" in zipfile.ZipFile(strict).read("xl/worksheets/sheet1.xml")
    assert xlsx_rows(strict) == xlsx_rows(usual) == [["FILE NAME", "URL"], ["COVID-1", HANNOVER]]


def test_rows_of_films_that_are_gone_are_said_and_a_row_without_a_url_is_no_missing_row(tmp_path):
    """MANIFEST.csv's rows of films not found are warned about, the sheets' were not; and a row with a blank URL was
    reported as 'no row'."""
    kaggle_layout(tmp_path, {"COVID": [BIMCV, HANNOVER, HANNOVER], "Normal": [RSNA, KIDS], "Lung_Opacity": [RSNA]})
    (tmp_path / "COVID" / "images" / "COVID-3.png").unlink()
    said: list[str] = []
    discover(tmp_path, classes=["COVID", "Normal"], log=said.append)
    strays = [line for line in said if "no film found there" in line]
    assert len(strays) == 1 and strays[0].startswith("warning: 1 row of the metadata spreadsheets") and "covid-3" in strays[0]
    assert "names no film found there (covid-3 of covid): a film deleted" in strays[0]  # '1 rows ... name', 'e.g.' of one
    sheet(tmp_path / "Normal.metadata.xlsx", [["FILE NAME", "FORMAT", "SIZE", "URL"], ["NORMAL-1", "PNG", "256*256", ""],
                                             ["NORMAL-2", "PNG", "256*256", KIDS]])
    said.clear()
    discover(tmp_path, classes=["COVID", "Normal"], log=said.append)
    assert any("1 of the 4 films in " in line and " has no row with a URL in its class's metadata spreadsheet "
               "(Normal/images/Normal-1.png), so its source is" in line  # '1 of the 43 films ... have
               for line in said), said


def test_the_older_releases_misspelt_sheet_is_read_and_the_right_spelling_wins(tmp_path):
    """The older release ships 'Viral Pneumonia.matadata.xlsx': it was not read, and the warning said the class had no
    sheet beside it while it lay there."""
    kaggle_layout(tmp_path, {"COVID": [BIMCV], "Viral Pneumonia": [KIDS]})
    (tmp_path / "Viral Pneumonia.metadata.xlsx").rename(tmp_path / "Viral Pneumonia.matadata.xlsx")
    said: list[str] = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.label: i.source for i in items} == {"COVID": "bimcv.cipf.es", "Viral Pneumonia": "kaggle.com/paultimothymooney"}
    assert not any("warning" in line for line in said), said
    sheet(tmp_path / "Viral Pneumonia.metadata.xlsx", [["FILE NAME", "URL"], ["Viral Pneumonia-1", RSNA]])
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.label: i.source for i in items}["Viral Pneumonia"] == "kaggle.com/rsna-pneumonia-detection-challenge"


def test_a_sheets_name_matches_its_film_ignoring_spaces(tmp_path):
    """The older release's films are 'COVID-19 (1).png'; a sheet row 'COVID-19(1)' matched no film, and every COVID film
    of that release lost its source."""
    for k in (1, 2):
        Image.fromarray(render("COVID", np.random.default_rng(k), (64, 64))).save(
            (tmp_path / "COVID-19").mkdir(exist_ok=True) or tmp_path / "COVID-19" / f"COVID-19 ({k}).png")
        Image.fromarray(render("Normal", np.random.default_rng(k), (64, 64))).save(
            (tmp_path / "NORMAL").mkdir(exist_ok=True) or tmp_path / "NORMAL" / f"NORMAL ({k}).png")
    sheet(tmp_path / "COVID-19.metadata.xlsx", [["FILE NAME", "URL"], ["COVID-19(1)", BIMCV], ["COVID-19 ( 2 )", HANNOVER]])
    sheet(tmp_path / "NORMAL.metadata.xlsx", [["FILE NAME", "URL"], ["NORMAL (1)", RSNA], ["NORMAL(2).png", RSNA]])
    said: list[str] = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.path: i.source for i in items} == {
        "COVID-19/COVID-19 (1).png": "bimcv.cipf.es", "COVID-19/COVID-19 (2).png": "github.com/ml-workgroup",
        "NORMAL/NORMAL (1).png": "kaggle.com/rsna-pneumonia-detection-challenge",
        "NORMAL/NORMAL (2).png": "kaggle.com/rsna-pneumonia-detection-challenge"}
    assert not any("warning" in line for line in said), said


def test_sheets_whose_rows_match_no_film_say_none_matched_not_empty_brackets(tmp_path):
    """'sources from the database's metadata spreadsheets (*.metadata.xlsx): 0 ()' where no row named a film."""
    kaggle_layout(tmp_path, {"COVID": [BIMCV], "Normal": [RSNA]})
    for c in ("COVID", "Normal"):
        sheet(tmp_path / f"{c}.metadata.xlsx", [["FILE NAME", "URL"], ["renamed-1", BIMCV]])
    said: list[str] = []
    discover(tmp_path, log=said.append)
    assert ("sources from the database's metadata spreadsheets (*.metadata.xlsx): none matched a film; a MANIFEST.csv "
            "with a source column would take their place") in said, said


def test_a_url_cell_urlsplit_refuses_is_kept_as_text_and_the_set_still_loads(tmp_path):
    """'[removed]' (read as an IPv6 address), 'http://[bad' or a host of a character NFKC changes made urlsplit raise
    ValueError, which no caller caught: one odd cell stopped discovery with a traceback."""
    for text in ("[removed]", "http://[bad", "https://ex\u2100.com/a"):
        assert source_from_url(f" {text} ") == text
    kaggle_layout(tmp_path, {"COVID": [BIMCV, "[removed]"], "Normal": [RSNA, KIDS]})
    items, _, _ = discover(tmp_path, log=lambda line: None)
    assert {i.path: i.source for i in items}["COVID/images/COVID-2.png"] == "[removed]"
