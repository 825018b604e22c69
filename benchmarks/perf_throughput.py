"""Folder throughput: ``edge-classify DIR`` as a whole process vs the floor of only decoding.

The floor is what no classifier can beat on this machine: ``edge.preprocess.preprocess_file`` on
every file, in a plain loop (one core) and in a thread pool shaped like ``edge.batch.classify_files``
(min(4, cores) workers). The test images are SYNTHETIC chest-X-ray-like PNGs at 512x512 (real
films are ~256-1024 px), generated once and reused.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image


def ensure_images(folder: Path, n: int, size: int = 512, log=print) -> list[str]:
    """``n`` (rounded up to even) synthetic PNGs of size x size in folder/{Normal,COVID}/; reused when present."""
    from train.synthetic import generate

    per_class = (n + 1) // 2
    files = sorted(str(p) for p in folder.glob("*/*.png"))
    fresh = len(files) == 2 * per_class and files and Image.open(files[0]).size == (size, size)
    if not fresh:
        log(f"generating {2 * per_class} synthetic {size}x{size} PNGs in {folder} (once)")
        generate(folder, n_per_class=per_class, classes=("Normal", "COVID"), size=(size, size), seed=1)
        files = sorted(str(p) for p in folder.glob("*/*.png"))
    return files


def decode_loop_s(files: list[str], config) -> float:
    from edge.preprocess import preprocess_file

    t = time.perf_counter()
    for p in files:
        preprocess_file(p, config)
    return time.perf_counter() - t


def decode_pool_s(files: list[str], config) -> tuple[float, int]:
    from edge.preprocess import preprocess_file

    workers = min(4, os.cpu_count() or 1)  # as edge.batch.classify_files
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(lambda p: preprocess_file(p, config), files):
            pass
    return time.perf_counter() - t, workers


def classify_process_s(edge_cmd: list[str], folder: Path, model: Path, expected: int, env: dict) -> float:
    """Wall seconds of one ``edge-classify DIR --recursive --model M`` process, checking every image got a line."""
    t = time.perf_counter()
    p = subprocess.run([*edge_cmd, str(folder), "--recursive", "--model", str(model)], capture_output=True,
                       text=True, env=env)
    wall = time.perf_counter() - t
    lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
    if p.returncode != 0 or len(lines) != expected:
        raise RuntimeError(f"edge-classify on {folder} gave exit {p.returncode} and {len(lines)} of {expected} lines: "
                           f"{p.stderr.strip()[-800:]}")
    return wall


def median_of(fn, reps: int) -> float:
    return statistics.median(fn() for _ in range(max(1, reps)))
