"""A data folder's side files (README.md, MANIFEST.csv, the Kaggle *.metadata.xlsx sheets) that are no
plain files: a FIFO, a device, a link to a folder, one absurdly large, a forged cell reference, a long
notes value. Each is said, naming the file, and never waited for: a plain open() of a FIFO hung
cxr-evaluate and cxr-train forever, and a MANIFEST.csv linked to /dev/zero took all the memory."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from train.data import DataError
from train.discovery import discover
from train.synthetic import render


class Waited(Exception):
    """Not TimeoutError: that is an OSError, which the code under test may catch and carry on past."""


@contextlib.contextmanager
def within(seconds: int = 10):
    """Fails the test where the code waits (on a FIFO) rather than answering."""
    def stop(*_):
        raise Waited(f"still waiting after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def two_classes(root: Path) -> None:
    for label in ("COVID", "Normal"):
        (root / label).mkdir(parents=True)
        for k in range(2):
            Image.fromarray(render(label, np.random.default_rng(k), (64, 64))).save(root / label / f"{label}-{k}.png")


def test_a_fifo_named_readme_is_said_not_waited_for(tmp_path):
    from train.synthetic_set import is_synthetic_folder, unfinished_line

    two_classes(tmp_path)
    os.mkfifo(tmp_path / "README.md")
    with within():
        assert not is_synthetic_folder(tmp_path)
        line = unfinished_line(tmp_path)
    assert line is not None and "README.md is a FIFO (a named pipe), not a file" in line
    assert "whether cxr-synth drew these films cannot be told" in line


@pytest.mark.parametrize("target,said", [("fifo", "is a FIFO (a named pipe), not a file"),
                                         ("/dev/null", "is a device, not a file")], ids=["fifo", "device"])
def test_a_manifest_linked_to_a_fifo_or_a_device_is_a_clear_error(tmp_path, target, said):
    two_classes(tmp_path / "data")
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
        target = str(tmp_path / "fifo")
    (tmp_path / "data" / "MANIFEST.csv").symlink_to(target)
    with within(), pytest.raises(DataError, match=re.escape(f"MANIFEST.csv (a link to {target}) {said}: not read")):
        discover(tmp_path / "data")


def test_the_sources_fingerprint_does_not_wait_on_a_fifo_manifest(tmp_path):
    from train.film_changes import sources_digest

    two_classes(tmp_path / "data")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "data" / "MANIFEST.csv").symlink_to(tmp_path / "fifo")
    with within():
        assert len(sources_digest([tmp_path / "data"])) == 64


def test_a_manifest_far_larger_than_any_real_one_is_refused_by_its_size_unread(tmp_path):
    two_classes(tmp_path)
    with open(tmp_path / "MANIFEST.csv", "wb") as f:  # sparse: nothing is written, and nothing must be read
        f.truncate(300 * 2**20)  # over train.side_file.SIDE_FILE_LIMIT
    with pytest.raises(DataError, match=r"MANIFEST.csv is 300 MiB, more than the 256 MiB limit \(generous"):
        discover(tmp_path)


def test_a_manifest_or_readme_linked_to_a_folder_is_said_so_not_taken_for_a_class(tmp_path):
    from train.class_folders import class_folder_names
    from train.synthetic_set import unfinished_line

    two_classes(tmp_path)
    (tmp_path / "README.md").symlink_to(tmp_path / "Normal")
    assert class_folder_names(tmp_path) == ["COVID", "Normal"]
    assert "README.md (a link to " in unfinished_line(tmp_path) and "is a folder, not a file" in unfinished_line(tmp_path)
    (tmp_path / "MANIFEST.csv").symlink_to(tmp_path / "COVID")
    assert class_folder_names(tmp_path) == ["COVID", "Normal"]
    with pytest.raises(DataError, match=r"MANIFEST.csv \(a link to .*COVID\) is a folder, not a file"):
        discover(tmp_path)
    (tmp_path / "MANIFEST.csv").unlink()
    (tmp_path / "MANIFEST.csv").mkdir()
    with pytest.raises(DataError, match=r"MANIFEST.csv is a folder, not a file"):
        discover(tmp_path)


def test_a_long_unquoted_value_is_read_and_the_quote_advice_kept_for_quotes(tmp_path):
    """A free-text notes cell over csv's 131072-character limit stopped the run with advice about a
    quote the file did not have."""
    two_classes(tmp_path)
    notes = "x" * 200_000
    (tmp_path / "MANIFEST.csv").write_text(f"file,source,notes\nCOVID/COVID-0.png,siteA,{notes}\n"
                                           "COVID/COVID-1.png,siteA,ok\nNormal/Normal-0.png,siteB,ok\n"
                                           "Normal/Normal-1.png,siteB,ok\n")
    items, _, _ = discover(tmp_path)
    assert {i.path: i.source for i in items}["COVID/COVID-0.png"] == "siteA"
    import csv

    assert csv.field_size_limit() == 131072  # raised for the manifest's reading only


def xlsx(path: Path, last_ref: str) -> None:
    """A Kaggle-style metadata sheet whose last row has one cell at ``last_ref``."""
    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    m = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rows = f'<row r="1">{cell("A1", "FILE NAME")}{cell("B1", "URL")}</row>'
    rows += "".join(f'<row r="{k + 2}">{cell(f"A{k + 2}", f"Normal-{k}")}{cell(f"B{k + 2}", "https://x.org/a")}</row>'
                    for k in range(2))
    rows += f'<row r="9">{cell(last_ref, "x")}</row>'
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{m}" xmlns:r="{r}"><sheets><sheet name="S" sheetId="1" '
                                      'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{m}"><sheetData>{rows}</sheetData></worksheet>')


def test_a_cell_beyond_the_last_column_is_a_damaged_sheet_passed_over(tmp_path):
    """ZZZZZZZZ9 made a row of 2e11 empty cells; XFE9, one past the last column, shows it cheaply."""
    two_classes(tmp_path)
    xlsx(tmp_path / "Normal.metadata.xlsx", "XFD9")  # the last column a sheet can have: read
    items, _, _ = discover(tmp_path)
    assert {i.source for i in items if i.label == "Normal"} == {"x.org"}
    xlsx(tmp_path / "Normal.metadata.xlsx", "XFE9")
    said: list[str] = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.source for i in items} == {""}
    assert any("Normal.metadata.xlsx: cell XFE9 is beyond any spreadsheet's last column (XFD)" in line
               and "no source" in line for line in said), said


def test_a_fifo_named_as_a_metadata_sheet_is_said_not_passed_over_unsaid(tmp_path):
    two_classes(tmp_path)
    os.mkfifo(tmp_path / "Normal.metadata.xlsx")
    said: list[str] = []
    with within():
        discover(tmp_path, log=said.append)
    assert any("Normal.metadata.xlsx is a FIFO (a named pipe), not a file" in line and "no source" in line
               for line in said), said


def test_a_fifo_among_the_films_does_not_stop_the_look_for_synthetic_marks(tmp_path):
    from train.split_synthetic import _head

    os.mkfifo(tmp_path / "film.png")
    with within():
        assert _head(tmp_path / "film.png") == b""
