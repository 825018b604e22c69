"""edge.model's int8 arithmetic pinned (hand mutation testing, session 67).

An int8-full file takes int8 pixels and gives int8 scores: EdgeModel quantizes each film (q = round(x / scale + zero),
clipped to the type) and dequantizes the scores ((q - zero) * scale). A slip there makes every probability slightly
wrong and nothing fails: the self-test's expectations were computed through the same code when the file was made.
So: the formulas on hand-computed numbers, and int8-full's answers beside fp32's (float in, float out: no
quantization in edge at all) on the same films.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edge.members import SELFTEST
from edge.model import EdgeModel


def _films(m: EdgeModel) -> np.ndarray:
    """The file's own reference films (cxr-convert's synthetic ones, like those its int8 ranges were calibrated on)
    as the device preprocesses them. Films unlike those (mirrored, inverted) fall outside the calibrated ranges of
    these one-epoch models: seed's logits then differ by up to 0.18, which is int8's doing, not edge's."""
    names = json.loads(m.files[SELFTEST])["images"]
    return m.decode_encoded({n: m.files[n] for n in names})


def test_dequantization_is_q_minus_zero_times_scale_on_hand_computed_values(model_dir):
    m = EdgeModel(model_dir / "compact" / "model_int8-full.tflite")
    assert np.dtype(m._out["dtype"]) == np.int8
    m._out = {**m._out, "quantization": (0.5, 3)}
    got = m._dequantize_output(np.array([[-128, 3, 4, 127]], dtype=np.int8))
    # (-128 - 3) * 0.5 = -65.5; (3 - 3) * 0.5 = 0; (4 - 3) * 0.5 = 0.5; (127 - 3) * 0.5 = 62
    assert got.dtype == np.float32 and got.tolist() == [[-65.5, 0.0, 0.5, 62.0]]
    # the file's own grid: its zero point is a score of 0, one step above it is one scale
    real = EdgeModel(model_dir / "compact" / "model_int8-full.tflite")
    scale, zero = real._out["quantization"]
    assert scale > 0 and -128 < zero < 127
    y = real._dequantize_output(np.array([[zero, zero + 1]], dtype=np.int8))
    assert y[0, 0] == 0.0 and y[0, 1] == pytest.approx(scale, rel=1e-6)
    # a float output, and an integer one without quantization, pass as they are
    assert real._dequantize_output(np.array([[1.25, -2.5]], dtype=np.float32)).tolist() == [[1.25, -2.5]]
    real._out = {**real._out, "quantization": (0.0, 0)}
    assert real._dequantize_output(np.array([[7, -9]], dtype=np.int32)).tolist() == [[7.0, -9.0]]


def test_quantization_of_pixels_is_rounded_and_clipped_on_hand_computed_values(model_dir):
    m = EdgeModel(model_dir / "compact" / "model_int8-full.tflite")
    # the file's own: pixels 0..255 are int8 -128..127 (scale 1, zero -128)
    assert m._in["quantization"] == (1.0, -128) and np.dtype(m._in["dtype"]) == np.int8
    assert m._quantize_input(np.array([0, 1, 128, 255], np.uint8)).tolist() == [-128, -127, 0, 127]
    m._in = {**m._in, "quantization": (3.0, -100)}
    got = m._quantize_input(np.array([0, 4, 5, 255], np.uint8))
    # 0/3 - 100 = -100; 4/3 - 100 = -98.67 -> -99 (rounded, not cut to -98); 5/3 - 100 = -98.33 -> -98; 255/3 - 100 = -15
    assert got.dtype == np.int8 and got.tolist() == [-100, -99, -98, -15]
    m._in = {**m._in, "quantization": (0.5, 0)}  # 255 / 0.5 = 510: clipped to int8's top, never wrapped round
    assert m._quantize_input(np.array([0, 100, 255], np.uint8)).tolist() == [0, 127, 127]


@pytest.mark.parametrize("arch", ["compact", "seed"])
def test_int8_full_answers_as_fp32_does_on_the_same_films(model_dir, arch):
    """int8-full's scores beside fp32's. The tolerances: 0.05 on a logit is several steps of the int8 output grid
    (compact's step is 0.0011, seed's 0.0065) with the int8 body's own rounding (0.0063 and 0.0048 seen, so ten
    times that); a sign slip in the zero point shifts every logit by 2 x zero x scale (0.23 and 0.49 in one build),
    a swapped scale and zero by far more. Probabilities: these tiny models' temperature of 20 squeezes them near
    0.5, so 0.002 (1e-4 seen) is as strict there as 0.05 on the logits; the argmax agrees wherever fp32's top two
    are apart by more than the logits' tolerance twice."""
    full = EdgeModel(model_dir / arch / "model_int8-full.tflite")
    fp32 = EdgeModel(model_dir / arch / "model_fp32.tflite")
    films = _films(full)
    assert np.array_equal(films, _films(fp32))
    lf, lp = full.logits(films), fp32.logits(films)
    # a batch is each film's own answer: none left unfilled (np.empty) or read from another film
    assert np.array_equal(lf, np.concatenate([full.logits(f[None]) for f in films]))
    assert np.array_equal(lp, np.concatenate([fp32.logits(f[None]) for f in films]))
    assert np.abs(lf - lp).max() < 0.05, (lf, lp)
    pf, pp = full.classify(films), fp32.classify(films)
    assert np.abs(pf - pp).max() < 0.002, (pf, pp)
    apart = np.abs(lp[:, 0] - lp[:, 1]) > 0.1
    assert (pf.argmax(1) == pp.argmax(1))[apart].all()
    assert np.abs(full.log_scores(films) - fp32.log_scores(films)).max() < 0.05 / full.temperature


def test_softmax_divides_by_the_temperature_and_survives_large_logits():
    """softmax(logits / T): e^1 / (e^1 + e^0) for logits (2, 0) at T 2. A foreign model's logits of 1000 overflow
    exp() unless the largest is taken off first: nan, then every film 'inconclusive'."""
    from edge.model import softmax

    e = np.e
    assert softmax(np.array([[2.0, 0.0]]), 2.0) == pytest.approx(np.array([[e / (e + 1), 1 / (e + 1)]]), abs=1e-12)
    assert softmax(np.array([[1000.0, 0.0]], np.float32)).tolist() == [[1.0, 0.0]]


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc (Linux)")
def test_threads_reach_the_interpreter(model_dir):
    """edge-classify --threads N: the runtime starts N - 1 worker threads beside the caller's (LiteRT and
    tflite-runtime alike); with the number dropped on its way, --threads did nothing and said nothing."""
    code = ("import os, sys, numpy as np\nfrom edge.model import EdgeModel\n"
            "def tasks(): return len(os.listdir('/proc/self/task'))\n"
            "for t in (1, 3):\n    before = tasks(); m = EdgeModel(sys.argv[1], threads=t)\n"
            "    m.classify(np.zeros((1, *m.input_shape[1:]), np.uint8)); print(t, tasks() - before)\n")
    r = subprocess.run([sys.executable, "-c", code, str(model_dir / "compact" / "model_fp32.tflite")], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert r.stdout.split("\n")[:2] == ["1 0", "3 2"], r.stdout + r.stderr


def test_a_foreign_model_with_a_non_square_input_is_refused_at_load(tmp_path):
    """edge.preprocess makes square films (size x size): a model made elsewhere for 32 x 48 inputs is refused when
    it is opened, in words that name its shape, not fed films of the wrong shape one by one (each its own error)."""
    pytest.importorskip("tensorflow")
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from convert.export import convert
    from edge.model import ModelFileError

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((32, 48, 1)), keras.layers.Rescaling(1 / 255.0), keras.layers.Conv2D(2, 3),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    path = tmp_path / "wide.tflite"
    path.write_bytes(convert(m, "fp32"))
    with pytest.raises(ModelFileError) as e:
        EdgeModel(path, labels=["COVID", "Normal"])
    assert str(e.value).endswith(": input shape (1, 32, 48, 1) is not (1, size, size, 1 or 3): export it with a square "
                                 "image input, channels last"), str(e.value)
