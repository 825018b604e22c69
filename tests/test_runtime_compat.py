"""Every mode's .tflite loads and passes its self-test in the runtime in use.

In the main suite this runs on LiteRT with freshly built models. `make test` runs it a second
time in a Python 3.11 venv with tflite-runtime 2.14 and numpy<2 (no TensorFlow), on the files
the first run wrote (CXR_EDGE_MODELS), so both device runtimes stay proven.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from edge.model import EdgeModel
from edge.runtime import interpreter_class

MODES = ["int8", "int8-full", "int16x8", "dynamic", "fp16", "fp32"]


@pytest.mark.parametrize("arch", ["compact", "seed"])
@pytest.mark.parametrize("mode", MODES)
def test_mode_loads_and_passes_selftest(model_dir, arch, mode):
    path = model_dir / arch / f"model_{mode}.tflite"
    assert path.is_file(), f"{path} was not built"
    m = EdgeModel(path)
    result = m.selftest()
    assert result["passed"], result
    x = np.zeros((2, *m.input_shape[1:]), np.uint8)
    probs = m.classify(x)
    assert probs.shape == (2, len(m.labels)) and np.allclose(probs.sum(1), 1, atol=1e-5)
    # Its own test figures travel in it and read on the device (edge-classify --card).
    from edge.card import card_text

    assert m.meta["validation"]["test"]["n"] > 0 and "sensitivity" in card_text(m.meta, path.name)


def test_runtime_is_the_one_asked_for():
    forced = os.environ.get("CXR_EDGE_RUNTIME")
    _, name = interpreter_class()
    assert name == (forced or name)
    if forced == "tflite_runtime":
        assert np.__version__.startswith("1."), "tflite-runtime 2.14 needs numpy<2"


def test_each_runtime_named_in_cxr_edge_runtime_that_is_installed_loads_a_model(model_dir, monkeypatch):
    """README: CXR_EDGE_RUNTIME=litert|tflite_runtime|tensorflow forces one. 'tensorflow' failed
    ('module tensorflow.lite has no attribute Interpreter': its Interpreter is tf.lite.Interpreter)."""
    from importlib.util import find_spec

    from edge.runtime import RUNTIMES

    tried = 0
    for name, module, _ in RUNTIMES:
        if find_spec(module.split(".")[0]) is None:
            continue  # not installed here
        monkeypatch.setenv("CXR_EDGE_RUNTIME", name)
        m = EdgeModel(model_dir / "compact" / "model_int8.tflite")
        assert m.runtime == name and m.selftest()["passed"]
        tried += 1
    assert tried >= 1


def test_a_forced_runtime_that_is_missing_is_named_not_taken_for_none_at_all(monkeypatch):
    """'no TFLite runtime is installed' was said with LiteRT installed, when the one forced was not."""
    from importlib.util import find_spec

    from edge.runtime import RUNTIMES, RuntimeMissing

    missing = [name for name, module, _ in RUNTIMES if find_spec(module.split(".")[0]) is None]
    if not missing:
        pytest.skip("every runtime is installed here")
    monkeypatch.setenv("CXR_EDGE_RUNTIME", missing[0])
    with pytest.raises(RuntimeMissing, match=f"CXR_EDGE_RUNTIME={missing[0]} asks for the {missing[0]} runtime, which "
                                             "is not installed: .*; or unset CXR_EDGE_RUNTIME"):
        interpreter_class()


def test_tflite_runtime_under_numpy_2_is_named_as_the_problem_not_the_model():
    """tflite-runtime 2.14 with NumPy 2 failed every model as 'cannot load this model (<built-in method ...>)'."""
    from edge.runtime import numpy_mismatch

    why = numpy_mismatch("tflite_runtime", "2.14.0", "2.4.6")
    assert why and "tflite-runtime 2.14.0 was built for NumPy 1" in why and "pip install 'numpy<2'" in why
    assert numpy_mismatch("tflite_runtime", "2.14.0", "1.26.4") is None
    assert numpy_mismatch("litert", "2.3.0", "2.4.6") is None and numpy_mismatch("tensorflow", "2.21.0", "2.4.6") is None


def test_a_missing_runtime_is_installed_by_this_pythons_own_pip(monkeypatch):
    """README's device install runs ~/.venv/bin/edge-classify without activating the venv: the hint said a plain
    'pip install ai-edge-litert', which is another Python's pip there (Raspberry Pi OS refuses it outside a venv);
    as install_hint's extras do, it names this interpreter's (hunt 62 H19)."""
    from edge import runtime
    from edge.runtime import RuntimeMissing, numpy_mismatch
    from edge.shell_words import shell_quote

    pip = f"{shell_quote(sys.executable)} -m pip install"
    monkeypatch.setattr(runtime, "RUNTIMES", (("litert", "no_such_runtime_h19", "pip install ai-edge-litert"),))
    monkeypatch.delenv("CXR_EDGE_RUNTIME", raising=False)
    with pytest.raises(RuntimeMissing) as e:
        interpreter_class()
    assert str(e.value) == f"no TFLite runtime is installed: {pip} ai-edge-litert"
    monkeypatch.setenv("CXR_EDGE_RUNTIME", "litert")
    with pytest.raises(RuntimeMissing, match=f"which is not installed: {re.escape(pip)} ai-edge-litert; or unset"):
        interpreter_class()
    why = numpy_mismatch("tflite_runtime", "2.14.0", "2.4.6")
    assert why.endswith(f"installed here: {pip} 'numpy<2' (or, where it installs, {pip} ai-edge-litert)")


@pytest.mark.parametrize("arch", ["compact", "seed"])
def test_int8_is_an_integer_body_with_float_stem_and_logits(model_dir, arch):
    """The shipped int8 file: integer convolutions and hidden layers; the stem and logits in float.

    A float head has no output grid, so close classes cannot come out as exact ties that argmax
    would hand to the first label (what int8-full does); a float stem does not quantize the pixels.
    """
    head = EdgeModel(model_dir / arch / "model_int8.tflite")
    full = EdgeModel(model_dir / arch / "model_int8-full.tflite")
    n, channels = len(head.labels), head.input_shape[-1]
    tensors = head.interpreter.get_tensor_details()
    kernels = [t for t in tensors if len(t["shape"]) == 4 and t["shape"][0] > 1]
    stem = [t for t in kernels if t["shape"][-1] == channels]  # (out, kh, kw, in): reads the image
    body = [t for t in kernels if t["shape"][-1] != channels]
    logits_weights = [t for t in tensors if len(t["shape"]) == 2 and t["shape"][0] == n and t["shape"][1] > n]
    assert stem and {str(np.dtype(t["dtype"])) for t in stem} == {"float32"}, "the stem should be float"
    assert body and {str(np.dtype(t["dtype"])) for t in body} == {"int8"}, "the other kernels should be int8"
    assert logits_weights and all(np.dtype(t["dtype"]) == np.float32 for t in logits_weights)
    assert head.meta["head_refit"]["refit"], head.meta["head_refit"]
    out = head.interpreter.get_output_details()[0]
    assert np.dtype(out["dtype"]) == np.float32 and out["quantization"] == (0.0, 0)
    assert np.dtype(full.interpreter.get_output_details()[0]["dtype"]) == np.int8
    # The float layers cost 3 bytes more per weight than int8 ones, and little else.
    extra = 3 * sum(int(np.prod(t["shape"])) for t in stem + logits_weights)
    assert abs(len(head.path.read_bytes()) - len(full.path.read_bytes()) - extra) < 2048


def test_edge_classify_explains_its_answers_on_the_device_runtime(model_dir, tmp_path):
    """--explain writes one picture per classified image, under distinct names, and a bad file
    still fails alone: on whichever runtime is in use (tflite-runtime 2.14 in the second run)."""
    import json

    from PIL import Image
    from typer.testing import CliRunner

    from edge.cli import app

    rng = np.random.default_rng(0)
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        Image.fromarray(rng.integers(0, 255, (96, 80), dtype=np.uint8)).save(tmp_path / d / "film.png")
    (tmp_path / "a" / "broken.png").write_bytes(b"not an image")
    model = model_dir / "compact" / "model_int8.tflite"
    r = CliRunner().invoke(app, [str(tmp_path / "a"), str(tmp_path / "b"), "--model", str(model), "--json",
                                 "--explain", str(tmp_path / "maps")])
    assert r.exit_code == 1, r.output
    recs = {Path(rec["file"]).relative_to(tmp_path).as_posix(): rec for rec in map(json.loads, r.stdout.splitlines())}
    assert "error" in recs["a/broken.png"] and "map" not in recs["a/broken.png"]
    maps = [Path(recs[f]["map"]) for f in ("a/film.png", "b/film.png")]
    assert [p.name for p in maps] == ["film.png", "film-2.png"]
    side = EdgeModel(model).input_shape[1]
    for p, f in zip(maps, ("a/film.png", "b/film.png")):
        share = recs[f]["evidence_at_border"]  # null where covering found no evidence
        assert (share is None or 0.0 <= share <= 1.0) and 0.0 <= recs[f]["covered_probability"] <= 1.0
        with Image.open(p) as im:
            assert im.mode == "RGB" and im.width == 2 * (2 * side + 4) and im.height > 2 * side
    assert sorted(q.name for q in (tmp_path / "maps").iterdir()) == ["film-2.png", "film.png"]  # no temporary left


@pytest.mark.parametrize("labels", [None, ["A", "B"]])
def test_a_model_file_cut_short_is_an_error_never_a_crash(model_dir, tmp_path, labels):
    """tflite-runtime 2.14 died of a segmentation fault (exit 139, no word) on a .tflite cut short
    before its metadata: an interrupted scp, and a service restarted into the same crash."""
    from edge.metadata import ModelFileError

    whole = (model_dir / "compact" / "model_int8.tflite").read_bytes()
    cut = tmp_path / "cut.tflite"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ModelFileError, match="truncated|cut short"):
        EdgeModel(cut, labels=labels)


def test_a_foreign_file_that_crashes_the_runtime_is_refused_before_it_is_loaded(model_dir, tmp_path, monkeypatch):
    import edge.probe as ep
    from edge.metadata import ModelFileError, split

    foreign = tmp_path / "foreign.tflite"
    foreign.write_bytes(split((model_dir / "compact" / "model_int8.tflite").read_bytes())[0])  # no metadata
    assert EdgeModel(foreign, labels=["A", "B"]).labels == ["A", "B"]  # a whole file loads
    crashing = tmp_path / "crashing-python"
    crashing.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crashing.chmod(0o755)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh"))  # the first load's verdict is kept: try it again
    monkeypatch.setattr(ep.sys, "executable", str(crashing))  # the child that tries the file dies as the runtime would
    with pytest.raises(ModelFileError, match=r"crashed \(signal 11\) loading or running this model; the file may be truncated"):
        EdgeModel(foreign, labels=["A", "B"])
