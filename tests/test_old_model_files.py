"""Model files that older cxr-edge releases converted, on today's device (a hospital updates edge-classify and keeps
its files). Each old shape is made from a file today's cxr-convert writes, its metadata and members rewritten as that
release wrote them: the checks of session 61 ran files that 0.1.0 to 0.40.0 themselves converted, and these are
the shapes where today's edge-classify read them wrong."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from edge.metadata import attach, split
from edge.preprocess import PreprocessConfig, load_bytes, preprocess_gray
from tests.test_end_to_end import edge_classify

# The metadata keys cxr-edge 0.1.0 wrote (convert/export.py at 9a9915e): no input check, test figures or fingerprints
FIRST_RELEASE_KEYS = ("arch", "converted", "disclaimer", "labels", "model_version", "output", "preprocess",
                      "quantization", "selftest_tolerance", "synthetic_data", "temperature", "trained")


def as_first_release(data: bytes, swap_expected: bool = False) -> bytes:
    """The same weights as cxr-edge 0.1.0 packed them: its self-test is selftest.npz, the reference inputs already
    preprocessed (uint8) with the probabilities the converting machine gave them, beside 0.1.0's metadata."""
    flatbuffer, meta, files = split(data)
    spec = json.loads(files["selftest.json"])
    config = PreprocessConfig.from_dict(meta["preprocess"])
    inputs = np.stack([preprocess_gray(load_bytes(files[n], n), config) for n in spec["images"]])
    want = np.asarray(spec["probabilities"], np.float32)
    buf = io.BytesIO()
    np.savez_compressed(buf, inputs=inputs.astype(np.uint8), probabilities=want[:, ::-1] if swap_expected else want)
    old = {k: meta[k] for k in FIRST_RELEASE_KEYS if k in meta}
    return attach(flatbuffer, {**old, "created_by": "cxr-edge 0.1.0, tensorflow 2.21.0"}, {"selftest.npz": buf.getvalue()})


def _film(tiny_run: Path) -> str:
    split_ = json.loads((tiny_run / "split.json").read_text())
    return f"{split_['data_dir']}/{split_['splits']['test'][0]['path']}"


@pytest.mark.parametrize("mode", ["int8", "fp32"])
def test_a_file_of_cxr_edge_0_1_0_runs_its_self_test(tiny_run, tmp_path, mode):
    """Its selftest.npz was taken for no self-test: --selftest refused the file ('carries no self-test (made by an
    older cxr-convert?)'), --info said "selftest": false, and its films were classified with no check of this
    device's runtime, which every later file gets."""
    path = tmp_path / f"model_{mode}.tflite"
    path.write_bytes(as_first_release((tiny_run / f"model_{mode}.tflite").read_bytes()))
    r = edge_classify("--selftest", "--model", str(path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("selftest PASSED: this runtime reproduces the model's stored reference outputs (a check "
                               "of this device, not of the model's accuracy: --card gives that): 3 reference inputs "
                               "(classify only: the inputs were stored preprocessed")
    result = json.loads(edge_classify("--selftest", "--json", "--model", str(path)).stdout)
    assert result["passed"] and result["max_deviation"] < 1e-4 and "cxr-edge 0.1.0" in result["checks"]
    assert json.loads(edge_classify("--info", "--model", str(path)).stdout)["selftest"] is True


def test_a_file_of_cxr_edge_0_1_0_whose_self_test_fails_labels_no_film(tiny_run, tmp_path):
    """The self-test runs before the first film, as for later files: expected probabilities that this device does
    not give (here the columns swapped) stop the run, where its films had been labelled without a word."""
    path = tmp_path / "model_int8.tflite"
    path.write_bytes(as_first_release((tiny_run / "model_int8.tflite").read_bytes(), swap_expected=True))
    r = edge_classify(_film(tiny_run), "--model", str(path))
    assert r.returncode != 0 and "the self-test failed" in r.stderr and "--no-selftest" in r.stderr, r.stderr
    assert r.stdout == ""
    r = edge_classify(_film(tiny_run), "--no-selftest", "--model", str(path))
    assert r.returncode == 0 and r.stdout.count("\n") == 1, r.stderr


def test_a_damaged_selftest_npz_is_said_to_be_damaged(tiny_run, tmp_path):
    flatbuffer, meta, _ = split(as_first_release((tiny_run / "model_int8.tflite").read_bytes()))
    path = tmp_path / "model_int8.tflite"
    path.write_bytes(attach(flatbuffer, meta, {"selftest.npz": b"PK\x03\x04 cut short"}))
    r = edge_classify("--selftest", "--model", str(path))
    assert r.returncode != 0 and "its self-test data are damaged (ValueError: selftest.npz cannot be read" in r.stderr
    assert "Traceback" not in r.stderr
