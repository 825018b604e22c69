"""A cxr-convert run folder given as --model names model_int8.tflite, the device file, first.

The error listed the folder's first four .tflite files by name: model_dynamic, model_fp16, model_fp32 and
model_int16x8, and suggested `e.g. RUN/model_dynamic.tflite`; model_int8.tflite, which the README tells a device to
use, sorts after them and was not named at all."""

from __future__ import annotations

import pytest

from edge.metadata import ModelFileError, device_file_first, read

MODES = ("dynamic", "fp16", "fp32", "int16x8", "int8-full", "int8")


def test_a_full_run_folder_offers_its_device_file(tmp_path):
    for mode in MODES:
        (tmp_path / f"model_{mode}.tflite").write_bytes(b"")
    with pytest.raises(ModelFileError) as e:
        read(tmp_path)
    assert str(e.value) == (f"{tmp_path}: is a directory, not a model file; it holds model_int8.tflite, "
                            "model_dynamic.tflite, model_fp16.tflite, model_fp32.tflite: give one of them, "
                            f"e.g. {tmp_path / 'model_int8.tflite'}")


def test_without_a_device_file_the_names_stay_in_name_order():
    assert device_file_first(["b.tflite", "model_int8-full.tflite", "a.tflite"]) == [
        "a.tflite", "b.tflite", "model_int8-full.tflite"]
