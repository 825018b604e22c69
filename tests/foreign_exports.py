"""What the tests of foreign .tflite files share: the films they are calibrated and scored on, the probability their
sigmoid heads give every film, and one export of a Keras model by the real converter as a user would make it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

WANT = 1 / (1 + np.exp(-4.18))  # 0.9849: a sigmoid head of bias 4.18 and zero weights, for every film
FILMS = np.random.default_rng(1).integers(0, 256, (2, 32, 32, 1), dtype=np.uint8)


def calibration_films():
    """The converter's representative dataset for a full-integer export: 8 random 32x32 films."""
    rng = np.random.default_rng(0)
    for _ in range(8):
        yield [rng.integers(0, 256, (1, 32, 32, 1)).astype(np.float32)]


def export(model, path: Path, kind: str = "float") -> Path:
    """``model`` converted by TFLiteConverter.from_keras_model to ``path``: "float", "float16" (float16 weights),
    "dynamic" (dynamic range: int8 weights, float activations), "int8" (full-integer inside, float ends) or
    "int8 ends" (full-integer, int8 input and output)."""
    import tensorflow as tf

    if kind not in ("float", "float16", "dynamic", "int8", "int8 ends"):
        raise ValueError(f"no such export: {kind!r}")
    c = tf.lite.TFLiteConverter.from_keras_model(model)
    if kind != "float":
        c.optimizations = [tf.lite.Optimize.DEFAULT]
    if kind == "float16":
        c.target_spec.supported_types = [tf.float16]
    if kind.startswith("int8"):
        c.representative_dataset = calibration_films
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if kind == "int8 ends":
        c.inference_input_type = c.inference_output_type = tf.int8
    path.write_bytes(c.convert())
    return path
