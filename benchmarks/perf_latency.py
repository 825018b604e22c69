"""Per-image invoke latency: median and p95 after warm-up.

``timed`` times any call in this process (used for .tflite models through edge). A Keras model
runs in a child process (``keras_latency``) because TensorFlow fixes its thread pools when it
starts: only a fresh process can honour 1 and then 2 threads.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np


def summarize(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"median": statistics.median(ms), "p95": ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))],
            "runs": len(ms)}


def timed(fn: Callable[[], object], warmup: int, runs: int) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000.0)
    return summarize(ms)


def keras_latency(model_path: Path, x: np.ndarray, threads: int, warmup: int, runs: int, env: dict) -> dict:
    """Latency of ``model(x[None], training=False)`` in a fresh TensorFlow process with ``threads`` threads."""
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "x.npy", x)
        p = subprocess.run([sys.executable, __file__, str(model_path), str(Path(tmp) / "x.npy"), str(threads),
                            str(warmup), str(runs)], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"Keras latency process failed: {p.stderr.strip()[-1500:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _child(model_path: str, x_path: str, threads: int, warmup: int, runs: int) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    model = keras.models.load_model(model_path, compile=False)
    x = tf.constant(np.load(x_path)[None].astype(np.float32))
    print(json.dumps(timed(lambda: np.asarray(model(x, training=False)), warmup, runs)))


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
