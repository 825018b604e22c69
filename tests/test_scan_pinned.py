"""train.scan pinned: each film's rows stay its own when others are skipped, and a recorded film's file is
found in either Unicode spelling, as spelt first.

Written by hand mutation testing (H67 mutants6): each test kills a change to train.scan that the scan
tests in test_data and test_progress_and_scan let through. Films are tiny PNGs made here; the real
decoder, preprocess and crop prints run.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image

from edge.preprocess import PreprocessConfig
from train.data import Item
from train.scan import film_file, scan


def film(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (48, 48), dtype=np.uint8)).save(path)


def test_crop_prints_and_drawn_marks_stay_with_their_film_when_one_before_is_skipped(tmp_path):
    """A broken film between two good ones is skipped: every per-film array must drop its row, else the
    crop prints (the search for cropped and mirrored copies) and the cxr-synth marks of the films after
    it are another film's, and a copy between train and test is missed or a real film called a drawing."""
    film(tmp_path / "COVID" / "a.png", 1)
    (tmp_path / "COVID" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot a png")
    film(tmp_path / "COVID" / "synthetic-COVID-0001.png", 2)  # a cxr-synth drawing, by its name
    items = [Item("COVID/a.png", "COVID"), Item("COVID/broken.png", "COVID"),
             Item("COVID/synthetic-COVID-0001.png", "COVID")]
    config = PreprocessConfig(size=16)
    res = scan(tmp_path, items, config, progress=False, crops=True)
    assert [i.path for i in res.items] == ["COVID/a.png", "COVID/synthetic-COVID-0001.png"]
    assert [s["path"] for s in res.skipped] == ["COVID/broken.png"]
    assert res.drawn.tolist() == [False, True]
    for k, it in enumerate(res.items):
        alone = scan(tmp_path, [Item(it.path, "COVID")], config, progress=False, crops=True)
        assert all(part.shape[0] == 2 for part in res.crops)
        for part, own in zip(res.crops, alone.crops):
            np.testing.assert_array_equal(part[k], own[0])


def test_a_film_that_is_a_fifo_is_skipped_without_waiting(tmp_path):
    """A FIFO where a film was (a half-set-up pipe): it is skipped with its reason, and the digest of its bytes
    that a skipped film gets is not read from it either (reading a FIFO waits for a writer for ever)."""
    film(tmp_path / "COVID" / "a.png", 1)
    os.mkfifo(tmp_path / "COVID" / "pipe.png")
    out: list = []
    worker = threading.Thread(target=lambda: out.append(scan(
        tmp_path, [Item("COVID/a.png", "COVID"), Item("COVID/pipe.png", "COVID")], PreprocessConfig(size=16),
        progress=False)), daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():  # stuck reading the FIFO: give it an end, so the thread ends, then fail
        os.close(os.open(tmp_path / "COVID" / "pipe.png", os.O_WRONLY | os.O_NONBLOCK))
        worker.join(30)
    assert out, "scan waited on a FIFO"
    assert out[0].skipped == [{"path": "COVID/pipe.png", "error": "not a regular file (a FIFO, socket or device)"}]


CAFE_NFC = unicodedata.normalize("NFC", "Café.png")
CAFE_NFD = unicodedata.normalize("NFD", "Café.png")


def test_a_recorded_film_is_found_in_the_other_unicode_spelling_either_way(tmp_path):
    """split.json says NFC and the copy (a Mac's zip) spells NFD, or the other way: the same film, found."""
    (tmp_path / "nfd").mkdir()
    (tmp_path / "nfd" / CAFE_NFD).write_bytes(b"x")
    (tmp_path / "nfc").mkdir()
    (tmp_path / "nfc" / CAFE_NFC).write_bytes(b"x")
    assert film_file(tmp_path / "nfd", CAFE_NFC) == tmp_path / "nfd" / CAFE_NFD
    assert film_file(tmp_path / "nfc", CAFE_NFD) == tmp_path / "nfc" / CAFE_NFC


def test_a_recorded_film_is_taken_as_spelt_first_and_named_as_spelt_when_missing(tmp_path):
    """Both spellings there (two files on ext4): the one recorded is the film. Neither there: the path as
    recorded, so that 'no such file' names what split.json says, not a spelling nobody wrote."""
    (tmp_path / CAFE_NFC).write_bytes(b"nfc")
    (tmp_path / CAFE_NFD).write_bytes(b"nfd")
    assert film_file(tmp_path, CAFE_NFD) == tmp_path / CAFE_NFD
    assert film_file(tmp_path, CAFE_NFC) == tmp_path / CAFE_NFC
    assert film_file(tmp_path / "empty", CAFE_NFD) == tmp_path / "empty" / CAFE_NFD
