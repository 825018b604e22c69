"""How benchmarks/run.py measures: a call's median and p95 milliseconds, a whole process's wall seconds and
peak RSS (cold start, in a child so that the measuring process's own imports do not count), and an inference's
multiply-accumulates counted from the Keras layers (for the Pi 4 estimate, which no Pi measured).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def macs(model) -> int:
    """Multiply-accumulates of one inference, counted from the Keras layers."""
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            _, h, w, c_out = layer.output.shape
            k = layer.kernel_size[0] * layer.kernel_size[1]
            total += h * w * k * layer.input.shape[-1] * c_out
        elif kind == "Dense":
            total += layer.input.shape[-1] * layer.units
    return int(total)


def timed(fn, warmup: int = 5, runs: int = 30) -> tuple[float, float]:
    """(median, p95) milliseconds of ``runs`` calls of ``fn`` after ``warmup`` untimed ones (first calls allocate)."""
    for _ in range(warmup):
        fn()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        fn()
        t.append((time.perf_counter() - s) * 1000)
    t.sort()
    return statistics.median(t), t[min(len(t) - 1, int(0.95 * len(t)))]


def process(cmd: list[str], n: int) -> tuple[float, int]:
    """Median wall seconds over n runs and peak RSS (MiB) of a whole process."""
    walls, rss = [], 0
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], capture_output=True); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True).stdout.split()
        if out[2] != "0":
            raise RuntimeError(f"{cmd} failed")
        walls.append(float(out[0]))
        rss = max(rss, int(out[1]) // 1024)
    return statistics.median(walls), rss


# the baseline's cold start (process() runs it): TensorFlow and Keras loaded, one film predicted
KERAS_PREDICT = """import sys
from train.quiet import load_tensorflow; load_tensorflow()
import keras, numpy as np
from edge.preprocess import PreprocessConfig, preprocess_file
m = keras.models.load_model(sys.argv[1], compile=False)
x = preprocess_file(sys.argv[2], PreprocessConfig(size=m.input_shape[1], channels=3))[None].astype(np.float32)
print(np.asarray(m(x, training=False)).argmax())
"""
