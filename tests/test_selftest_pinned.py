"""EdgeModel.selftest pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change to the self-test's verdict in place, which test_old_model_files, test_selftest_command,
test_model_members and test_model_files_checked let through). A file whose self-test fails is refused: its
tolerance, stored in the file or 0.02 by default, is the line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edge.metadata import attach, split
from edge.model import EdgeModel, ModelFileError


def _rewritten(tiny_run, tmp_path, name: str, meta_change=None, shift: float = 0.0) -> EdgeModel:
    """The tiny run's int8 file with its metadata changed and its stored probabilities moved by ``shift``
    (the first class up, the last down: each row still sums to 1)."""
    flatbuffer, meta, files = split((tiny_run / "model_int8.tflite").read_bytes())
    spec = json.loads(files["selftest.json"])
    want = np.asarray(spec["probabilities"], np.float64)
    want[:, 0] += shift
    want[:, -1] -= shift
    files = {**files, "selftest.json": json.dumps({**spec, "probabilities": want.tolist()}).encode()}
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(attach(flatbuffer, meta_change(meta) if meta_change else meta, files))
    return EdgeModel(path)


def test_a_deviation_of_exactly_the_tolerance_passes(tiny_run, tmp_path):
    deviation = _rewritten(tiny_run, tmp_path, "first").selftest()["max_deviation"]
    at = _rewritten(tiny_run, tmp_path, "at", lambda m: {**m, "selftest_tolerance": deviation}).selftest()
    assert at["tolerance"] == deviation and at["passed"], at


def test_a_file_without_a_stored_tolerance_is_held_to_two_hundredths(tiny_run, tmp_path):
    def untold(meta: dict) -> dict:
        return {k: v for k, v in meta.items() if k != "selftest_tolerance"}

    moved = _rewritten(tiny_run, tmp_path, "moved", untold, shift=0.05).selftest()
    assert moved["tolerance"] == 0.02 and not moved["passed"], moved
    told = _rewritten(tiny_run, tmp_path, "told", lambda m: {**m, "selftest_tolerance": 0.2}, shift=0.05).selftest()
    assert told["tolerance"] == 0.2 and told["passed"], told


def test_a_near_tie_may_flip_within_the_tolerance_and_a_decided_class_may_not(tiny_run, tmp_path):
    """Stored probabilities a tolerance from this device's: a flip is judged by the deviation where the stored top
    two lie within twice the tolerance, and refused beyond it (same_classes False), whatever the deviation."""
    model = EdgeModel(tiny_run / "model_int8.tflite")
    spec = json.loads(model.files["selftest.json"])
    got = model.classify(model.decode_encoded({n: model.files[n] for n in spec["images"]}))
    assert got.shape[1] == 2  # the tiny run's two classes: a row is (p, 1 - p)
    top = int(got[0].argmax())
    p = float(got[0, top])
    for a, flipped_ok in ((0.5 - 0.01, True), ((1 - p) / 2, None)):  # near tie; a decided class the other way
        want = got.astype(np.float64).copy()
        want[0, top], want[0, 1 - top] = a, 1 - a
        deviation, gap = p - a, 1 - 2 * a
        tolerance = (deviation + 1e-6) if flipped_ok else (deviation + gap) / 2  # gap beyond it, within twice it
        flatbuffer, meta, files = split((tiny_run / "model_int8.tflite").read_bytes())
        files = {**files, "selftest.json": json.dumps({**spec, "probabilities": want.tolist()}).encode()}
        path = tmp_path / f"flip{a:.3f}.tflite"
        path.write_bytes(attach(flatbuffer, {**meta, "selftest_tolerance": tolerance}, files))
        result = EdgeModel(path).selftest()
        assert result["passed"] and result["same_classes"], (a, result)
    ruled = tmp_path / "decided.tflite"  # a flip beyond twice the tolerance: the deviation alone cannot pass it
    want = got.astype(np.float64).copy()
    want[0, top], want[0, 1 - top] = 0.0, 1.0
    flatbuffer, meta, files = split((tiny_run / "model_int8.tflite").read_bytes())
    files = {**files, "selftest.json": json.dumps({**spec, "probabilities": want.tolist()}).encode()}
    ruled.write_bytes(attach(flatbuffer, {**meta, "selftest_tolerance": 0.49}, files))
    assert EdgeModel(ruled).selftest()["same_classes"] is False


def test_a_file_whose_classes_labels_renames_still_passes_its_self_test(tiny_run):
    """--labels gives the file's classes other names (a site's spelling): its self-test's stored labels are the
    file's own, and still match."""
    own = EdgeModel(tiny_run / "model_int8.tflite").labels
    renamed = EdgeModel(tiny_run / "model_int8.tflite", labels=[f"site_{c}" for c in own])
    result = renamed.selftest()
    assert renamed.labels != own and result["same_labels"] and result["passed"], result


def test_one_reference_image_off_by_more_than_the_tolerance_fails_the_self_test(tiny_run, tmp_path):
    """The largest deviation judges, not the mean: one image of several classified otherwise is a device fault."""
    flatbuffer, meta, files = split((tiny_run / "model_int8.tflite").read_bytes())
    spec = json.loads(files["selftest.json"])
    want = np.asarray(spec["probabilities"], np.float64)
    assert len(want) >= 3
    want[0, 0], want[0, -1] = want[0, 0] + 0.05, want[0, -1] - 0.05
    files = {**files, "selftest.json": json.dumps({**spec, "probabilities": want.tolist()}).encode()}
    path = tmp_path / "one_off.tflite"
    path.write_bytes(attach(flatbuffer, {**meta, "selftest_tolerance": 0.03}, files))
    result = EdgeModel(path).selftest()
    assert not result["passed"] and result["max_deviation"] > 0.03, result


def test_a_self_test_of_another_class_count_is_refused_in_words(tiny_run, tmp_path):
    flatbuffer, meta, files = split((tiny_run / "model_int8.tflite").read_bytes())
    spec = json.loads(files["selftest.json"])
    want = np.asarray(spec["probabilities"], np.float64)
    wider = np.c_[want, np.zeros(len(want))]
    files = {**files, "selftest.json": json.dumps({**spec, "probabilities": wider.tolist()}).encode()}
    path = tmp_path / "wider.tflite"
    path.write_bytes(attach(flatbuffer, meta, files))
    with pytest.raises(ModelFileError, match=f"its self-test expects {want.shape[1] + 1} classes, the model has "
                                             f"{want.shape[1]}$"):
        EdgeModel(path).selftest()
