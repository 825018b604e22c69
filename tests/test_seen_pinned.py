"""convert.seen pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which every earlier test of the check that needs no trained model let through). The check
keeps the films a model trained or validated on out of its figures; a slip here flatters the model unnoticed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convert.seen import leave_out_seen, model_names, seen_parts
from edge.preprocess import load_bytes
from train.crop_copies import lookup_codes
from train.data import DataError, Item, Split
from train.hygiene import copy_code


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _run(folder: Path, train: list[Item]) -> Path:
    """A run folder whose model.keras is checked against the split.json beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    Split(str(folder), ["A"], {"train": train, "val": []}).save(folder / "split.json")
    return folder / "model.keras"


def _film(site: Path, name: str = "f.png", border: int = 0) -> np.ndarray:
    rng = np.random.default_rng(3)
    film = np.add.outer(np.linspace(0, 120, 128), np.linspace(0, 90, 128)) + rng.integers(60, 120, (128, 128))
    film = np.pad(film, border, constant_values=0) if border else film
    (site / "A").mkdir(parents=True, exist_ok=True)
    Image.fromarray(film.astype(np.uint8)).save(site / "A" / name)
    return load_bytes((site / "A" / name).read_bytes())


def test_models_of_one_file_name_are_told_apart_by_their_run_folder(tmp_path):
    assert model_names([tmp_path / "runA" / "m.tflite", tmp_path / "runB" / "m.tflite"]) == ["runA/m.tflite",
                                                                                              "runB/m.tflite"]


def test_a_film_seen_by_one_model_and_mirrored_by_another_is_searched_for_the_other(tmp_path, capsys):
    """Model A trained on the film's mirror image, model B on its bytes: each model's figures leave it out, the
    per-model counts and the film's entry say both saw it, and it is counted as the same bytes (B's), not as A's
    mirror image. The crop search once skipped a film another model had found, or searched it again for a model
    that had found it, and lost that model's answer. A film B alone trained on is said to be B's alone."""
    site = tmp_path / "site"
    gray = _film(site)
    item = Item("A/f.png", "A", _sha("f"), near=copy_code(gray).hex())
    a = _run(tmp_path / "runA", [Item("A/m.png", "A", _sha("m"), near=lookup_codes(gray)[1][0].tobytes().hex())])
    b = _run(tmp_path / "runB", [Item("A/t.png", "A", _sha("f")), Item("A/g.png", "A", _sha("g"))])
    other = Item("A/g.png", "A", _sha("g"))
    Image.fromarray(np.zeros((64, 64), np.uint8)).save(site / "A" / "g.png")
    dropped, note = leave_out_seen([a, b], [item, other, Item("A/n.png", "A", _sha("n"))], False,
                                  "cxr-compare", crops_in=str(site), who=["A", "B"])
    assert dropped.tolist() == [True, True, False]
    assert (note["by_model"]["A"]["films"], note["by_model"]["B"]["films"], note["both"]) == (1, 2, 1)
    assert note["seen_films"] == [
        {"file": "A/f.png", "part": "train", "found_as": "same bytes", "models": ["A", "B"]},
        {"file": "A/g.png", "part": "train", "found_as": "same bytes", "models": ["B"]}]
    assert note["mirrored"] == 0 and note["padded"] == 0
    err = capsys.readouterr().err
    assert "2 of 3 films are ones either model was trained or validated on" in err and "(1 both)" in err


def test_the_both_count_is_films_every_model_saw_not_any():
    from convert.seen import _by_model

    each = [[("train", "bytes"), None], [("train", "bytes"), ("val", "copy")]]
    assert _by_model(["A", "B"], ["a", "b"], each)["both"] == 1


def test_mirrored_and_padded_copies_are_counted_and_said(tmp_path, capsys):
    """A film with a black border added to a training film, and its mirror image: counted as such in
    the note, and so in the warning; 2 films 'are ones' the model saw."""
    site = tmp_path / "site"
    plain = _film(site, "p.png")
    bordered = _film(site, "b.png", border=12)
    assert bordered.shape != plain.shape
    Image.fromarray(np.fliplr(plain)).save(site / "A" / "m.png")
    model = _run(tmp_path / "run", [Item("A/t.png", "A", _sha("t"), near=copy_code(plain).hex())])
    items = [Item("A/b.png", "A", _sha("b"), near=copy_code(bordered).hex()),
             Item("A/m.png", "A", _sha("m"), near=np.packbits(np.zeros(256, np.uint8)).tobytes().hex())]
    parts, _ = seen_parts(model, items, crops_in=str(site))
    assert parts == [("train", "padded"), ("train", "mirror")]
    _, note = leave_out_seen([model], items + [Item("A/z.png", "A", _sha("z"))], False, "cxr-evaluate",
                             crops_in=str(site))
    assert (note["padded"], note["mirrored"], note["films"]) == (1, 1, 2)
    err = capsys.readouterr().err
    assert "2 of 3 films are ones the model was trained or validated on" in err and "with a border added" in err and "mirrored" in err


def test_keep_seen_keeps_them_and_all_seen_is_refused_only_without_it(tmp_path, capsys):
    model = _run(tmp_path / "run", [Item("A/t.png", "A", _sha("t"))])
    seen, new = Item("A/t.png", "A", _sha("t")), Item("A/n.png", "A", _sha("n"))
    dropped, note = leave_out_seen([model], [seen, new], True, "cxr-evaluate")
    assert not dropped.any() and note["left_out"] is False and note["films"] == 1
    assert "kept (--keep-seen)" in capsys.readouterr().err
    dropped, note = leave_out_seen([model], [seen], True, "cxr-evaluate")
    assert not dropped.any() and note["films"] == 1
    _, note = leave_out_seen([model], [new], False, "cxr-evaluate")
    assert note["films"] == 0 and note["left_out"] is False  # nothing seen: nothing was left out
    with pytest.raises(DataError, match="all of them"):
        leave_out_seen([model], [seen], False, "cxr-evaluate")


def test_a_model_that_cannot_be_checked_gives_no_note(tmp_path, capsys):
    """No split.json and no fingerprints: None (the reports say 'could not be checked'), not a note of 0 films
    that would read as 'no film here was found'."""
    (tmp_path / "lone").mkdir()
    dropped, note = leave_out_seen([tmp_path / "lone" / "model.keras"], [Item("A/t.png", "A", _sha("t"))], False,
                                   "cxr-evaluate")
    assert note is None and not dropped.any() and "cannot be checked" in capsys.readouterr().err
