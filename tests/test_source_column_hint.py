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


def test_a_site_column_beside_a_scanner_column_is_pointed_out_and_the_scanners_by_too(tmp_path):
    """The note named the site column alone: once it was renamed source the file got no note at all, and the
    per-scanner figures (--by Scanner) were never said (session 69's review)."""
    two_classes(tmp_path)
    write(tmp_path, rows=[("file", "label", "Scanner", "site"), *ROWS[1:]])
    said = []
    discover(tmp_path, log=said.append)
    assert len(said) == 1 and "its column 'site' looks like one: name it source" in said[0], said
    assert said[0].endswith("(cxr-evaluate --by site groups by it as it is); its column 'Scanner' names the machine "
                            "that took each film, not a source: cxr-evaluate --by Scanner gives each one's own figures"), said


def test_the_note_leaves_out_the_by_the_command_already_groups_by():
    """`cxr-evaluate --by Scanner` still printed "... cxr-evaluate --by Scanner gives each one's own figures": the
    --by part is noise there; what is lost without a source column is still said (by the note's own start)."""
    from train.source_column_hint import ByCommand, source_column_hint

    assert source_column_hint(["file", "Scanner"], ByCommand("cxr-evaluate", ("Scanner",))) == ""
    assert source_column_hint(["file", "Scanner", "Manufacturer"], ByCommand("cxr-evaluate", ("Scanner",))) == (
        "; its column 'Manufacturer' names the machine that took each film, not a source: cxr-evaluate --by "
        "Manufacturer gives each one's own figures")
    # a site column: renaming it still gives per-source figures, which --by site does not
    assert source_column_hint(["file", "site"], ByCommand("cxr-evaluate", ("site",))) == (
        "; its column 'site' looks like one: name it source in the file's first line to have per-source figures")


def test_cxr_compare_s_note_names_its_own_by():
    """cxr-compare's note sent the user to "cxr-evaluate --by Scanner", another command's report, for what
    cxr-compare --by does itself: compare the two models within each scanner."""
    from train.source_column_hint import ByCommand, source_column_hint

    assert source_column_hint(["file", "Scanner"], ByCommand("cxr-compare")) == (
        "; its column 'Scanner' names the machine that took each film, not a source: cxr-compare --by Scanner "
        "compares the two models within each one")
    assert source_column_hint(["file", "site"], ByCommand("cxr-compare")).endswith(
        "(cxr-compare --by site groups by it as it is)")
    assert source_column_hint(["file", "Scanner"], ByCommand("cxr-compare", ("Scanner",))) == ""


def test_the_commands_notes_with_and_without_by_scanner(tiny_run, tmp_path):
    """The real commands, cxr-evaluate and cxr-compare, on a site whose MANIFEST.csv has a Scanner column only."""
    import json
    import shutil
    from pathlib import Path

    from typer.testing import CliRunner

    from convert.compare_cli import compare_app
    from convert.evaluate_cli import evaluate_app

    split = json.loads((tiny_run / "split.json").read_text())
    data, site = Path(split["data_dir"]), tmp_path / "site"
    rows = [("file", "Scanner")]
    for k, item in enumerate(split["splits"]["test"]):
        (site / item["label"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(data / item["path"], site / item["path"])
        rows.append((item["path"], ("Agfa", "Carestream")[k % 2]))
    (site / "MANIFEST.csv").write_text("".join(f"{a},{b}\n" for a, b in rows))
    models = [str(tiny_run / "model_int8.tflite"), str(tiny_run / "model_fp32.tflite")]
    for prog, app, args in (("cxr-evaluate", evaluate_app, models[:1]), ("cxr-compare", compare_app, models)):
        for by in ([], ["--by", "Scanner"]):
            r = CliRunner().invoke(app, [*args, str(site), *by, "--out", str(tmp_path / f"{prog}{len(by)}"),
                                         "--n-boot", "100", "--quiet"])
            assert r.exit_code == 0, r.output
            note = next(line for line in r.output.splitlines() if "has no source column" in line)
            assert note.startswith(f"{prog}: note:") and "no per-source figures" in note, note
            if by:
                assert "--by" not in note and "names the machine" not in note, note
            else:
                assert note.endswith(f"{prog} --by Scanner " + ("compares the two models within each one"
                                                                if prog == "cxr-compare" else
                                                                "gives each one's own figures")), note
