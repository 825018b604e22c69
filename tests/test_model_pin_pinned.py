"""convert.model_pin pinned: a report is of the model file as it was loaded, or there is none.

Written by hand mutation testing (H67 mutants6): the end-to-end tests (test_concurrent_reports) take
40 s and cover the common path; these hold each branch of the pins on real files, in milliseconds.
"""

from __future__ import annotations

import hashlib
import os

import pytest

from convert.model_pin import ModelChanged, check_unchanged, pinned, pinned_bytes, read_by_report


def test_a_keras_model_is_read_with_the_split_beside_it(tmp_path):
    """A .keras's seen-film check reads split.json beside it: a retrain writes its new split before its
    new model, so both are pinned. Without a split.json there, the model alone."""
    model = tmp_path / "model.keras"
    model.write_bytes(b"keras")
    assert read_by_report(model) == [model]
    (tmp_path / "split.json").write_text("{}")
    assert read_by_report(model) == [model, tmp_path / "split.json"]


def test_a_tflite_without_fingerprints_of_its_own_is_read_with_the_split_beside_it(tmp_path):
    """A .tflite that carries no fingerprints (converted with --no-fingerprints, or not a model at all: the
    loader then says why) has its seen-film check read from split.json beside it: that is pinned too."""
    (tmp_path / "split.json").write_text("{}")
    (tmp_path / "model_int8.tflite").write_bytes(b"not a flatbuffer")
    assert read_by_report(tmp_path / "model_int8.tflite") == [tmp_path / "model_int8.tflite", tmp_path / "split.json"]


def test_pinned_is_the_files_digest_or_none(tmp_path):
    model = tmp_path / "m.tflite"
    model.write_bytes(b"weights")
    assert pinned(model) == hashlib.sha256(b"weights").hexdigest()
    assert pinned(tmp_path / "gone.tflite") is None  # the loader then says why


def test_pinned_bytes_are_those_scored_or_refused(tmp_path):
    """--save-model copies the bytes scored; a file rewritten meanwhile is refused in one line naming it and the
    program to run again. No digest (the file could not be read when loaded): the bytes as they are."""
    model = tmp_path / "m.tflite"
    model.write_bytes(b"old")
    digest = pinned(model)
    assert pinned_bytes(model, digest, "cxr-evaluate") == b"old"
    model.write_bytes(b"new")
    assert pinned_bytes(model, None, "cxr-evaluate") == b"new"
    with pytest.raises(ModelChanged) as e:
        pinned_bytes(model, digest, "cxr-evaluate")
    assert str(e.value).startswith(f"{model} changed while it was scored")
    assert str(e.value).endswith("nothing written: run cxr-evaluate again once nothing writes it")


def test_check_unchanged_looks_at_every_pinned_file(tmp_path):
    """The model and its split.json: a change to either (the second too), or either gone, refuses the report;
    a file pinned as None (unreadable at load) is passed over."""
    model, split = tmp_path / "model.keras", tmp_path / "split.json"
    model.write_bytes(b"model")
    split.write_text("{}")
    digests = [pinned(model), pinned(split)]
    check_unchanged([model, split], digests, "cxr-compare")
    check_unchanged([model, tmp_path / "gone"], [digests[0], None], "cxr-compare")
    split.write_text('{"train": []}')
    with pytest.raises(ModelChanged, match=f"^{split} changed while it was scored.*run cxr-compare again"):
        check_unchanged([model, split], digests, "cxr-compare")
    with pytest.raises(ModelChanged, match="split.json changed"):  # a file passed over does not end the check
        check_unchanged([model, split], [None, digests[1]], "cxr-compare")
    check_unchanged([split], [None], "cxr-compare")  # unreadable when loaded, there now: the loader's case, not a change
    os.remove(split)
    with pytest.raises(ModelChanged, match="split.json changed while it was scored"):
        check_unchanged([model, split], digests, "cxr-compare")
