"""train.manifest pinned where a change would give films another source, or none, or say so wrongly (found by
hand mutation testing: each test here failed with one small change to ManifestRows, read_manifest, decode,
label_disagreements or attach_sources in place, which tests/test_manifest.py and tests/test_kaggle_metadata.py
let through)."""

from __future__ import annotations

import pytest

from train.data import Item
from train.film_sources import attach_sources
from train.manifest import ManifestError, read_manifest
from train.manifest_labels import label_disagreements


def manifest(tmp_path, text: str | bytes, name: str = "MANIFEST.csv"):
    (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return tmp_path


def test_a_film_matching_two_rows_only_by_case_takes_the_first(tmp_path):
    _, rows = read_manifest(manifest(tmp_path, "file,source\nCOVID/IM0.png,first\nCOVID/im0.png,second\n"))
    assert rows.get("COVID/Im0.png")["source"] == "first"


def test_the_separator_is_the_headers_not_the_values(tmp_path):
    """Sources holding semicolons under a comma header: read by the body's count, each row was one column."""
    columns, rows = read_manifest(manifest(tmp_path, "file,source\nCOVID/a.png,a;b;c;d\n"))
    assert columns == ["file", "source"] and rows.get("COVID/a.png")["source"] == "a;b;c;d"


def test_a_long_notes_cell_is_no_error(tmp_path):
    _, rows = read_manifest(manifest(tmp_path, f"file,notes\nCOVID/a.png,{'x' * 200_000}\n"))
    assert len(rows.get("COVID/a.png")["notes"]) == 200_000


def test_a_header_of_eight_columns_without_file_is_named_whole(tmp_path):
    with pytest.raises(ManifestError, match=r"its columns: 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'\)"):
        read_manifest(manifest(tmp_path, "a,b,c,d,e,f,g,h\n1,2,3,4,5,6,7,8\n"))


def test_a_manifest_named_in_another_case_is_read(tmp_path):
    _, rows = read_manifest(manifest(tmp_path, "file,source\nCOVID/a.png,x\n", name="Manifest.csv"))
    assert rows.get("COVID/a.png")["source"] == "x"


@pytest.mark.parametrize("data", ["file,source\nCOVID/café.png,Zürich €\n".encode("utf-16-be").join([b"\xfe\xff", b""]),
                                  "file,source\nCOVID/café.png,Zürich €\n".encode("cp1252")])
def test_utf16_big_endian_and_code_page_1252_read_as_written(tmp_path, data):
    _, rows = read_manifest(manifest(tmp_path, data))
    assert rows.get("COVID/café.png")["source"] == "Zürich €"


def test_a_class_column_that_disagrees_is_found_and_not_said_where_labels_are_not_checked(tmp_path):
    manifest(tmp_path, "file,class,source\nCOVID/a.png,Normal,x\n")
    items = [Item("COVID/a.png", "COVID")]
    _, rows = read_manifest(tmp_path)
    assert label_disagreements(items, rows) == [("COVID/a.png", "Normal")]
    said: list[str] = []
    attach_sources(items, tmp_path, said.append, check_labels=False)
    assert said == [] and items[0].source == "x"


def test_of_two_source_columns_differing_in_case_the_first_is_read(tmp_path):
    manifest(tmp_path, "file,Source,SOURCE\nCOVID/a.png,first,second\n")
    items = [Item("COVID/a.png", "COVID")]
    attach_sources(items, tmp_path, [].append)
    assert items[0].source == "first"


def test_one_stray_row_and_blank_source_columns_are_said_in_the_right_number(tmp_path):
    manifest(tmp_path, "file,source,source_repo\nCOVID/a.png,,\nCOVID/gone.png,x,\n")
    said: list[str] = []
    attach_sources([Item("COVID/a.png", "COVID")], tmp_path, said.append)
    assert any(s.startswith(f"warning: 1 row of {tmp_path / 'MANIFEST.csv'} names no film found there") for s in said), said
    assert any("whose source and source_repo are blank (e.g. COVID/a.png)" in s for s in said), said
    manifest(tmp_path, "file,source\nCOVID/a.png,x\nCOVID/gone.png,x\nCOVID/gone2.png,x\n")
    said.clear()
    attach_sources([Item("COVID/a.png", "COVID")], tmp_path, said.append)
    assert any(s.startswith(f"warning: 2 rows of {tmp_path / 'MANIFEST.csv'} name no film found there") for s in said), said
