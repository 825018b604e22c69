"""python -m train.file_by_label never takes the sheet's own films out of their folder: given OUT the folder above the
sheet's, the films beside the sheet lay in one of OUT's folders, each the same file as its new hard link, and were
removed as 'filed by an earlier run in a class folder the sheet no longer gives them' (the films moved, not filed).
Such an OUT is refused now (exit 2): the export itself was one of its class folders."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from PIL import Image


def test_films_beside_the_sheet_stay_where_they_are_when_out_is_the_folder_above(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for i in range(4):
        Image.fromarray(np.random.default_rng(i).integers(0, 255, (64, 64), dtype=np.uint8)).save(data / f"f{i}.png")
    (data / "labels.csv").write_text("filename,label\nf0.png,COVID\nf1.png,COVID\nf2.png,Normal\nf3.png,Normal\n")
    run = subprocess.run([sys.executable, "-m", "train.file_by_label", str(data / "labels.csv"), "--out", str(tmp_path)],
                         capture_output=True, text=True)
    # refused now: filed there, the export itself lay among OUT's class folders (cxr-train found a class 'data')
    assert run.returncode == 2 and "give a folder beside it" in run.stderr
    assert "taken out" not in run.stdout + run.stderr
    assert sorted(p.name for p in data.glob("*.png")) == ["f0.png", "f1.png", "f2.png", "f3.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
