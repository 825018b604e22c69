"""A cxr-edge file whose metadata was edited or written wrong is refused, naming the field, before it
labels a film. The checksum covers the flatbuffer only: a negative temperature had swapped every
answer, labels ["COVID", "COVID"] counted two films as four, and other damage failed as
'unexpected TypeError'."""

from __future__ import annotations

import math

import pytest

from edge.metadata import ModelFileError, attach, split
from edge.preprocess import PreprocessConfig

FLATBUFFER = b"\0\0\0\0TFL3" + bytes(range(256)) * 4  # split reads the identifier and the checksum only


def _meta(**change) -> dict:
    meta = {"labels": ["COVID", "Normal"], "preprocess": PreprocessConfig(size=64).to_dict(), "temperature": 1.3}
    return {**meta, **change}


def _file(meta: dict) -> bytes:
    """The flatbuffer with ``meta`` as edge.metadata.attach writes it, field values as given."""
    import hashlib
    import io
    import json
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("cxr_edge.json", json.dumps({"format": "cxr-edge/1", "tflite_bytes": len(FLATBUFFER),
                                                "tflite_sha256": hashlib.sha256(FLATBUFFER).hexdigest(), **meta}))
    return FLATBUFFER + buf.getvalue()


def test_the_metadata_cxr_convert_writes_is_read():
    _, meta, _ = split(attach(FLATBUFFER, _meta(requires=["decision"], output="logits",
                                                decision={"class": "COVID", "threshold": 0.3})))
    assert meta["labels"] == ["COVID", "Normal"] and meta["temperature"] == 1.3


@pytest.mark.parametrize("change, said", [
    ({"temperature": -0.56}, "temperature -0.56 is not a number above 0"),
    ({"temperature": 0}, "temperature 0 is not a number above 0"),
    ({"temperature": math.inf}, "temperature inf is not a number above 0"),
    ({"temperature": math.nan}, "temperature nan is not a number above 0"),
    ({"temperature": "warm"}, "temperature 'warm' is not a number above 0"),
    ({"temperature": None}, "temperature None is not a number above 0"),
    ({"labels": ["COVID", "COVID"]}, "name a class twice"),
    ({"labels": ["COVID", "covid"]}, "name a class twice"),
    ({"labels": ["", ""]}, "labels must be a list of two or more class names"),
    ({"labels": "CN"}, "labels must be a list of two or more class names, not 'CN'"),
    ({"labels": [1, 2]}, "labels must be a list of two or more class names"),
    ({"labels": None}, "labels must be a list"),
    ({"preprocess": None}, "preprocess is NoneType, not an object"),
    # the string "false" is true to Python: borders trimmed that the file says to keep
    ({"preprocess": {**PreprocessConfig(size=64).to_dict(), "trim_borders": "false"}},
     "preprocess.trim_borders is 'false' (str), not the JSON true or false"),
    ({"preprocess": {**PreprocessConfig(size=64).to_dict(), "trim_borders": 0}}, "preprocess.trim_borders is 0 (int)"),
    ({"requires": "fancy"}, "requires is 'fancy', not a list of names"),
    ({"requires": None}, "requires is None"),
    ({"output": "probabilities"}, "output is 'probabilities'"),
    # a tolerance of infinity or 1e9 let another run's weights pass the self-test; None ended in a TypeError
    ({"selftest_tolerance": math.inf}, "selftest_tolerance inf is not a probability gap"),
    ({"selftest_tolerance": 1e9}, "selftest_tolerance 1000000000.0 is not"),
    ({"selftest_tolerance": None}, "selftest_tolerance None is not"),
    ({"selftest_tolerance": 0}, "selftest_tolerance 0 is not"),
])
def test_a_damaged_field_is_refused_by_name(change, said):
    with pytest.raises(ModelFileError, match="model metadata is damaged: ") as e:
        split(_file(_meta(**change)))
    assert said in str(e.value), str(e.value)


@pytest.mark.parametrize("label", ["CO|VID", "Nor\nmal", "CO\x1b]0;PWNED\x07VID", "A\tB", "\x1bc"])
def test_labels_that_break_report_tables_or_run_on_a_terminal_are_refused_naming_the_file(tmp_path, label):
    """A .tflite relabelled by another tool passed with 'CO|VID' or an ESC sequence as a label: cxr-evaluate's tables
    put figures under the wrong class, a newline split answer lines, and the terminal printing the answers ran the
    label (cleared the screen, set its title). cxr-train refuses such class folders; a file from elsewhere was not
    held to it."""
    from edge.controls import CONTROL
    from edge.metadata import read

    path = tmp_path / "relabelled.tflite"
    path.write_bytes(_file(_meta(labels=["Normal", label])))
    with pytest.raises(ModelFileError) as e:
        read(path)
    said = str(e.value)
    assert said.startswith(f"{path}: model metadata is damaged: labels "), said
    assert "a class name may not hold '|' or control characters" in said and not CONTROL.search(said), said


def test_labels_earlier_releases_made_are_still_read():
    """cxr-train up to 0.39 took class folders with a bidi mark (a Hebrew name ending in U+200F) or a C1 control:
    their model files must still load on a device that upgrades, where cxr-train now refuses such folders."""
    labels = ["\u05e8\u05d2\u05d9\u05dc\u200f", "x\u2028y", "\x9b2J"]
    assert split(_file(_meta(labels=labels)))[1]["labels"] == labels


def test_labels_cxr_train_takes_are_read():
    """The rule for a file's labels is cxr-train's for its class folders: every label a model of this project holds
    passes (accents, spaces, brackets, '=', '-', '_', ...)."""
    labels = ["Lungenödem", "Viral Pneumonia", "COVID-19 (2020)", "=X", "no_finding", "肺炎", "Œdème, aigu"]
    assert split(_file(_meta(labels=labels)))[1]["labels"] == labels


def test_another_format_or_a_metadata_that_is_no_object_is_refused():
    import io
    import zipfile

    with pytest.raises(ModelFileError, match="model metadata is damaged") as e:
        split(_file(_meta(format="other/1")))
    assert "not 'cxr-edge/1'" in str(e.value)
    # a newer cxr-edge's file is no damaged one: said 'damaged', an operator would copy it again, not update
    with pytest.raises(ModelFileError, match=r"^this model was written by a newer cxr-edge \(format 'cxr-edge/2'; "
                                             r"this one reads 'cxr-edge/1'\): update cxr-edge on this device$"):
        split(_file(_meta(format="cxr-edge/2")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("cxr_edge.json", "7")
    with pytest.raises(ModelFileError, match="cxr_edge.json holds a int, not an object"):
        split(FLATBUFFER + buf.getvalue())


def test_a_preprocessing_of_the_wrong_types_names_the_file(tmp_path, tiny_run):
    from edge.metadata import rewrite
    from edge.model import EdgeModel

    model = tiny_run / "model_int8.tflite"
    path = tmp_path / "edited.tflite"
    path.write_bytes(rewrite(model.read_bytes(), lambda m: {**m, "preprocess": {**m["preprocess"], "size": "64"}}))
    with pytest.raises(ModelFileError, match=f"{path}: model metadata is damaged: preprocess"):
        EdgeModel(path)


def test_an_input_check_that_would_pass_every_film_is_refused():
    import numpy as np

    from edge.typicality import Typicality, fit_typicality

    rng = np.random.default_rng(0)
    good = fit_typicality(rng.integers(0, 256, (40, 16, 16, 1), dtype=np.uint8),
                          rng.integers(0, 256, (5, 16, 16, 1), dtype=np.uint8)).to_dict()
    Typicality.from_dict(good)
    for change in ({"threshold": math.nan}, {"threshold": -1.0}, {"threshold": 0.0},
                   {"mean": [math.nan] + list(good["mean"][1:])}):
        with pytest.raises(ValueError, match="input check's data are damaged"):
            Typicality.from_dict({**good, **change})


def test_metadata_nested_too_deeply_is_damaged_and_names_the_file(tmp_path):
    """json.loads raised RecursionError: 'unexpected RecursionError', and cxr-compare did not say which model."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("cxr_edge.json", "[" * 100_000 + "]" * 100_000)
    path = tmp_path / "deep.tflite"
    path.write_bytes(FLATBUFFER + buf.getvalue())
    from edge.metadata import read

    with pytest.raises(ModelFileError, match=f"^{path}: model metadata is damaged \\(nested too deeply\\)$"):
        read(path)


def test_an_empty_file_is_called_empty():
    with pytest.raises(ModelFileError, match=r"the file is empty \(0 bytes\): copy the model file again"):
        split(b"")


def test_labels_swapped_in_the_metadata_fail_the_selftest(tmp_path, tiny_run):
    """labels ["Normal", "COVID"] written over ["COVID", "Normal"] named every answer wrong, and the
    self-test, comparing probabilities by position, passed."""
    from edge.metadata import rewrite
    from edge.model import EdgeModel

    model = tiny_run / "model_int8.tflite"
    assert EdgeModel(model).selftest()["passed"]
    swapped = tmp_path / "swapped.tflite"
    swapped.write_bytes(rewrite(model.read_bytes(), lambda m: {**m, "labels": m["labels"][::-1]}))
    result = EdgeModel(swapped).selftest()
    assert not result["passed"] and not result["same_labels"]
    renamed = EdgeModel(model, labels=["Covid19", "Healthy"])  # --labels renames by position: the file is as made
    assert renamed.selftest()["passed"]
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "edge.cli", str(tiny_run / "curves.png"), "--model", str(swapped)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == "" and "every answer would be named wrong" in r.stderr


def test_a_near_tie_reference_flipped_by_a_thousandth_passes_the_selftest(tmp_path, tiny_run):
    """A reference image whose two top classes lie 0.012 apart, flipped by a device rounding a step otherwise
    (0.006), failed the self-test for 'other classes', and edge-classify then classified nothing."""
    import json

    import numpy as np

    from edge import metadata as md
    from edge.model import EdgeModel

    flatbuffer, meta, files = md.read(tiny_run / "model_int8.tflite")
    spec = json.loads(files["selftest.json"])
    spec["probabilities"] = [[0.506, 0.494], [0.9, 0.1], [0.2, 0.8]]
    path = tmp_path / "m.tflite"
    path.write_bytes(md.attach(flatbuffer, meta, {**files, "selftest.json": json.dumps(spec).encode()}))
    m = EdgeModel(path)
    m.classify = lambda batch: np.array([[0.4995, 0.5005], [0.9, 0.1], [0.2, 0.8]])  # this device's answers
    r = m.selftest()
    assert r["passed"] and r["same_classes"] and r["max_deviation"] == pytest.approx(0.0065)
    m.classify = lambda batch: np.array([[0.506, 0.494], [0.49, 0.51], [0.2, 0.8]])  # a decided one flipped
    r = m.selftest()
    assert not r["passed"] and not r["same_classes"]


def test_one_flipped_byte_in_the_weights_is_refused_by_their_checksum(tmp_path):
    """The weights' SHA-256 is the device's one integrity check: with only their length compared, a file
    with one weight byte flipped (same length) loaded and answered, its answers silently changed."""
    import subprocess
    import sys
    from pathlib import Path

    import numpy as np
    from PIL import Image

    data = bytearray(attach(FLATBUFFER, _meta()))
    data[len(FLATBUFFER) // 2] ^= 0x01  # a byte of the weights, the length unchanged
    with pytest.raises(ModelFileError, match="^model weights do not match their checksum: the file is damaged$"):
        split(bytes(data))
    model, film = tmp_path / "damaged.tflite", tmp_path / "film.png"
    model.write_bytes(bytes(data))
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)).save(film)
    p = subprocess.run([sys.executable, "-m", "edge.cli", str(film), "--model", str(model)], capture_output=True,
                       text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == f"edge-classify: error: {model}: model weights do not match their checksum: the file is damaged\n"


@pytest.mark.parametrize("kept", [1, 3, 4, 25, 29, 35, 42, 43, 60, 200, -22, -1])
def test_a_copy_cut_off_anywhere_in_its_metadata_is_truncated_not_foreign(kept):
    """An scp stopped after the weights, even 1 to 42 bytes into the archive (before the whole header of
    cxr_edge.json): read as a foreign model, given --labels it answered every film without its calibration,
    preprocessing, stored rule or input check. kept: bytes of the archive kept (negative: cut from the end)."""
    whole = attach(FLATBUFFER, _meta())
    cut = whole[:len(FLATBUFFER) + kept] if kept > 0 else whole[:kept]
    with pytest.raises(ModelFileError, match=r"^damaged or truncated cxr-edge model file \(its metadata cannot be "
                                             r"read\); copy it again$"):
        split(cut)


def _other_archive() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("labels.txt", "COVID\nNormal\n")
    return buf.getvalue()


@pytest.mark.parametrize("data", [FLATBUFFER, FLATBUFFER + _other_archive(), FLATBUFFER[:-1] + b"P",
                                  FLATBUFFER[:-2] + b"PK"])
def test_a_foreign_model_is_not_taken_for_a_cut_one(data):
    """A foreign .tflite (bare, with another archive after it as TFLite Model Maker writes, or a flatbuffer that
    ends in the bytes an archive starts with) runs with --labels: refused as 'truncated', it could never run,
    however often it was copied again."""
    flatbuffer, meta, files = split(data)
    assert meta is None and files == {} and flatbuffer == data
