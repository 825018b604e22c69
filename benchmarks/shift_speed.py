"""cxr-evaluate --shifts: the 14 simulated shifts of full-size films, one thread against several.

Each film is read, shifted 14 ways and preprocessed 15 times (convert.shifts.robustness); the
shifts are PIL filters and numpy arithmetic, which run outside Python's lock, so threads share
the work. Synthetic film-like images of a typical detector's size (2500x2000, 8-bit) stand in for
films, written as PNG and read back as cxr-evaluate does; the model is a stand-in that costs
nothing, so the table is the shifts' own cost. Prints a Markdown table: seconds a film, and the
ratio to one thread.

    python benchmarks/shift_speed.py [--films 24] [--size 2500x2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convert.shifts import robustness, shift_workers  # noqa: E402
from edge.preprocess import PreprocessConfig, load_grayscale  # noqa: E402


def films(folder: Path, n: int, h: int, w: int) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for k in range(n):
        g = Image.fromarray((rng.random((h // 8, w // 8)) * 255).astype(np.uint8)).resize((w, h), Image.BILINEAR)
        p = folder / f"film-{k:03d}.png"
        g.filter(ImageFilter.GaussianBlur(2)).save(p)
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--films", type=int, default=24)
    ap.add_argument("--size", default="2500x2000", help="HEIGHTxWIDTH")
    a = ap.parse_args()
    try:
        h, w = (int(v) for v in a.size.lower().split("x"))
    except ValueError:
        ap.error(f"--size {a.size!r}: give HEIGHTxWIDTH, e.g. 2500x2000")
    if a.films < 1 or min(h, w) < 16:
        ap.error("--films must be at least 1 and each side of --size at least 16 pixels")
    config = PreprocessConfig(size=128, channels=1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = films(Path(tmp), a.films, h, w)
        y = np.arange(len(paths)) % 2

        def free(x: np.ndarray) -> np.ndarray:
            return np.tile([0.5, 0.5], (len(x), 1))

        rows, base = [], None
        for workers in dict.fromkeys([1, 2, shift_workers()]):
            t0 = time.perf_counter()
            robustness(free, paths, config, y, 2, load=load_grayscale, workers=workers)
            per_film = (time.perf_counter() - t0) / len(paths)
            base = base or per_film
            rows.append(f"| {workers} | {per_film:.3f} | {base / per_film:.2f}x |")
    print(f"{len(paths)} films of {h}x{w}, {os.cpu_count()} cores\n")
    print("| threads | seconds a film | speed against one thread |\n|---:|---:|---:|\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
