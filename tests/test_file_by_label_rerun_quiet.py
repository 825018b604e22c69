"""A rerun of python -m train.file_by_label that changes nothing says so briefly: it said 'hard links' of films it had
copied on another disk (the word came from what this run made, and it made none), and 'wrote MANIFEST.csv' of a
file it replaced with the same bytes (review71h)."""

from __future__ import annotations

import os

from tests.test_image_fuzzed import film
from PIL import Image

from train.file_by_label import main


def _sheet(tmp_path):
    data = tmp_path / "export"
    data.mkdir()
    for name in ("c0.png", "n0.png"):
        Image.fromarray(film()).save(data / name)
    (data / "labels.csv").write_text("filename,label,Patient ID\nc0.png,COVID,P1\nn0.png,Normal,P2\n")
    return data / "labels.csv"


def test_an_unchanged_rerun_names_no_way_of_filing_and_leaves_the_manifest_as_it_is(tmp_path, capsys):
    sheet, out = _sheet(tmp_path), tmp_path / "out"
    assert main([str(sheet), "--out", str(out)]) == 0
    first = capsys.readouterr().out
    assert "(hard links; 2 new, 0 there already)" in first and "wrote " in first
    before = os.stat(out / "MANIFEST.csv")
    assert main([str(sheet), "--out", str(out)]) == 0
    again = capsys.readouterr().out
    assert "(0 new, 2 there already)" in again and "hard links" not in again
    assert "MANIFEST.csv" not in again
    after = os.stat(out / "MANIFEST.csv")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_changed_row_still_rewrites_the_manifest(tmp_path, capsys):
    sheet, out = _sheet(tmp_path), tmp_path / "out"
    assert main([str(sheet), "--out", str(out)]) == 0
    sheet.write_text("filename,label,Patient ID\nc0.png,COVID,P9\nn0.png,Normal,P2\n")
    capsys.readouterr()
    assert main([str(sheet), "--out", str(out)]) == 0
    assert "wrote " in capsys.readouterr().out and "P9" in (out / "MANIFEST.csv").read_text()
