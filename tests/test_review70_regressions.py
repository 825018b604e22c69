"""Three defects session 70's review found in that session's own changes, each a regression or a loss:
a FIFO given to edge-classify hung its decode pacing for ever (edge.decode_budget.film_cost opened it); a film named
by a symbolic link into OUT was taken out of OUT as a stale copy of itself, its only bytes gone (train.film_places);
class folders class_0/class_1 beside a labels.csv were refused as parts of one download (train.sheet_folders)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from PIL import Image

from edge.decode_budget import film_cost
from train.sheet_folders import download_parts, sheet_beside_folders


def _png(path, seed: int) -> None:
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (64, 64), dtype=np.uint8)).save(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_costs_nothing_and_is_not_opened(tmp_path):
    fifo = tmp_path / "f.png"
    os.mkfifo(fifo)
    answer: list[int] = []
    worker = threading.Thread(target=lambda: answer.append(film_cost(str(fifo))), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # opened for its header: blocked waiting for a writer; let it go before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("film_cost opened a FIFO and waited for a writer")
    assert answer == [0]


def test_a_film_named_by_a_link_into_out_is_never_taken_out_as_its_own_stale_copy(tmp_path):
    out, sheet = tmp_path / "out", tmp_path / "exp"
    (out / "A").mkdir(parents=True)
    (out / "B").mkdir()
    sheet.mkdir()
    _png(out / "A" / "p1.png", 1)  # the user's only copy of the film
    _png(out / "B" / "p1.png", 2)  # another film's bytes under the name it would take in B
    os.symlink(out / "A" / "p1.png", sheet / "p1.png")
    (sheet / "labels.csv").write_text("filename,label\np1.png,B\n")
    before = (out / "A" / "p1.png").read_bytes()
    run = subprocess.run([sys.executable, "-m", "train.file_by_label", str(sheet / "labels.csv"), "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 1  # its name in B is another file's: not filed, and said
    assert (out / "A" / "p1.png").read_bytes() == before
    assert "taken out" not in run.stdout + run.stderr


def test_numbered_class_folders_beside_a_labels_csv_are_classes(tmp_path):
    assert download_parts(["class_0", "class_1"]) == [] and download_parts(["stage_1", "stage_2"]) == []
    rows = ["filename,label"]
    for k, folder in enumerate(("class_0", "class_1")):
        (tmp_path / folder).mkdir()
        for i in range(3):
            _png(tmp_path / folder / f"{folder}_{i}.png", 10 * k + i)
            rows.append(f"{folder}/{folder}_{i}.png,{k}")
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    assert sheet_beside_folders(tmp_path) is None


def test_a_dangling_link_in_out_with_a_film_s_name_is_kept_and_the_others_filed(tmp_path):
    """It stopped the run ('stopped part way: out/COVID/p1.png: No such file or directory'), filing neither film."""
    sheet, out = tmp_path / "x", tmp_path / "out"
    for i in (1, 2):
        sheet.mkdir(exist_ok=True)
        _png(sheet / f"p{i}.png", i)
    (sheet / "labels.csv").write_text("file,label\np1.png,COVID\np2.png,COVID\n")
    (out / "COVID").mkdir(parents=True)
    os.symlink(tmp_path / "nowhere" / "p1.png", out / "COVID" / "p1.png")
    run = subprocess.run([sys.executable, "-m", "train.file_by_label", str(sheet / "labels.csv"), "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "stopped part way" not in run.stdout + run.stderr
    assert (out / "COVID" / "p2.png").read_bytes() == (sheet / "p2.png").read_bytes()
    assert os.path.islink(out / "COVID" / "p1.png")  # not ours to remove: kept, and said
    assert "COVID/p1.png" in run.stdout + run.stderr


@pytest.mark.parametrize("written,kept", [
    ("file,notes,notes\nCOVID/a.png,first,second\n", "second"),  # a column named twice: the second's values
    ("file,,\nCOVID/a.png,x,y\n", "y"),  # two unnamed columns
    ("file,scanner\nCOVID/a.png,S1\n,a note about the whole set\n", "a note about the whole set"),  # a row without file
])
def test_a_manifest_that_a_merge_would_lose_part_of_is_left_as_it_is(tmp_path, written, kept):
    """file_by_label's merge rewrote these, and the part the reader leaves out was gone: left as it is, and said."""
    from train.manifest import ManifestError
    from train.sheet_manifest import write_manifest

    (tmp_path / "MANIFEST.csv").write_text(written)
    with pytest.raises(ManifestError, match=r"MANIFEST\.csv has .*: rewritten, .*"):
        write_manifest(tmp_path, {"COVID/b.png": {"scanner": "S2"}}, {})
    assert (tmp_path / "MANIFEST.csv").read_text() == written and kept in written


def test_a_manifest_with_an_empty_trailing_column_is_still_merged(tmp_path):
    from train.sheet_manifest import write_manifest

    (tmp_path / "MANIFEST.csv").write_text("file,scanner,\nCOVID/a.png,S1,\n\n")
    assert write_manifest(tmp_path, {"COVID/b.png": {"scanner": "S2"}}, {}).startswith("wrote ")
    text = (tmp_path / "MANIFEST.csv").read_text()
    assert "COVID/a.png,S1" in text and "COVID/b.png,S2" in text
