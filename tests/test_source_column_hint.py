"""train.source_column_hint: a MANIFEST.csv without a source column whose other column plainly is one (site,
Hospital, Standort, Data source) gets a note naming that column and what to do, on one line whatever it holds."""

from __future__ import annotations

import pytest

from train.discovery import discover

from tests.test_manifest import ROWS, two_classes, write


@pytest.mark.parametrize("column", ["site", "Site", "Hospital", "Standort", "Data source"])
def test_a_column_that_plainly_names_the_source_is_pointed_out(tmp_path, column):
    """A hospital's export (European Excel: BOM, semicolons, CRLF) named the column 'site': the note listed
    it among the columns but never said that naming it source in the first line gives per-source figures."""
    two_classes(tmp_path)
    write(tmp_path, delimiter=";", encoding="utf-8-sig", newline="\r\n", rows=[("File", "Label", column), *ROWS[1:]])
    said = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.source for i in items} == {""}
    assert len(said) == 1 and "has no source column" in said[0], said
    quoted = f"'{column}'" if " " in column else column
    assert said[0].endswith(f"; its column {column!r} looks like one: name it source in the file's first line to "
                            f"have per-source figures (cxr-evaluate --by {quoted} groups by it as it is)"), said


def test_a_column_unlike_a_source_gets_no_such_hint(tmp_path):
    two_classes(tmp_path)
    write(tmp_path, rows=[("file", "label", "sex"), *ROWS[1:]])
    said = []
    discover(tmp_path, log=said.append)
    assert len(said) == 1 and "looks like one" not in said[0], said


def test_a_source_like_column_with_a_line_break_is_said_on_one_line(tmp_path):
    """A header's quoted line break ('site\\nname': a spreadsheet cell wrapped with Alt+Enter) went raw into the
    note, through its columns and the --by to paste, splitting it over two lines; its name showed doubled
    backslashes."""
    two_classes(tmp_path)
    write(tmp_path, rows=[("file", "label", "\"site\nname\""), *ROWS[1:]])  # quoted, as a spreadsheet writes it
    said = []
    discover(tmp_path, log=said.append)
    assert len(said) == 1 and "\n" not in said[0], said
    assert 'its column "site\\nname" looks like one' in said[0], said
    assert ('(cxr-evaluate --by "site\\nname" groups by it as it is; type the name by hand: a line break or '
            'control character cannot be pasted)') in said[0], said


@pytest.mark.parametrize("column", ["Scanner", "Modality vendor", "Manufacturer", "Gerät"])
def test_a_column_naming_the_scanner_points_to_by_not_to_source(tmp_path, column):
    """A physicist's spreadsheet gave each film's scanner ('Scanner', 'Modality vendor'): the note said only that
    there was no source column, nothing of the per-scanner figures --by gives, which the site wanted."""
    two_classes(tmp_path)
    write(tmp_path, rows=[("file", "label", column), *ROWS[1:]])
    said = []
    discover(tmp_path, log=said.append)
    assert len(said) == 1 and "has no source column" in said[0], said
    quoted = column if column.isascii() and " " not in column else f"'{column}'"  # shell-quoted to paste
    assert said[0].endswith(f"; its column {column!r} names the machine that took each film, not a source: "
                            f"cxr-evaluate --by {quoted} gives each one's own figures"), said
    assert "name it source" not in said[0], said


def test_a_site_column_beside_a_scanner_column_is_the_one_pointed_out(tmp_path):
    two_classes(tmp_path)
    write(tmp_path, rows=[("file", "label", "Scanner", "site"), *ROWS[1:]])
    said = []
    discover(tmp_path, log=said.append)
    assert len(said) == 1 and "its column 'site' looks like one" in said[0] and "machine" not in said[0], said
