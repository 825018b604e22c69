"""Pinned cases of train.run_record.model_damage found by mutation testing, on plain files (no training): what is
damage (empty, not a zip) and what is not (missing, a folder, a whole zip)."""

from __future__ import annotations

import zipfile

from train.run_record import model_damage


def test_no_model_and_a_whole_zip_are_no_damage(tmp_path):
    assert model_damage(tmp_path) is None
    with zipfile.ZipFile(tmp_path / "model.keras", "w") as z:
        z.writestr("config.json", "{}")
    assert model_damage(tmp_path) is None


def test_a_folder_named_model_keras_is_not_called_a_cut_short_file(tmp_path):
    (tmp_path / "model.keras").mkdir()  # no file: what is wrong is said where the model is read
    assert model_damage(tmp_path) is None


def test_an_empty_model_and_a_non_zip_one_are_named_with_their_sizes(tmp_path):
    model = tmp_path / "model.keras"
    model.write_bytes(b"")
    assert model_damage(tmp_path).startswith(f"{model} is empty (0 bytes): cxr-train never leaves it so")
    model.write_bytes(b"PK\x03\x04" + bytes(1000))  # a zip's first header, cut before its directory
    assert model_damage(tmp_path).startswith(f"{model} is cut short or damaged (1,004 bytes, not a whole .keras file)")
