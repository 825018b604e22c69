"""The per-level counts of an 8-bit film, which edge.preprocess.load_bytes took three times a film up to 0.53.0 (the blank
check, the grey-level spread, a box on a blank; once since: benchmarks/read_path.py): Pillow's histogram (edge.wide_pixels.value_counts since 0.53.0) against
np.bincount of each block's int64 copy (up to 0.52.0), and what that makes of reading the whole film.

Synthetic film-like 8-bit images (smooth noise, as shift_speed.py) of a small, a typical and a large detector's size;
each figure is the median of --repeat runs, old and new alternated so that a loaded machine weighs on both alike.
Prints a Markdown table: milliseconds, and the ratio new / old.

    python benchmarks/level_counts.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import edge.blank_film  # noqa: E402
import edge.box_on_blank  # noqa: E402
import edge.grey_levels  # noqa: E402
import edge.image_decode  # noqa: E402
import edge.pillow_misreads  # noqa: E402
import edge.preprocess  # noqa: E402
import edge.wide_pixels as wide  # noqa: E402
from edge.preprocess import load_bytes  # noqa: E402

# the modules whose checks count a film's levels as it is read
COUNTERS = (edge.blank_film, edge.box_on_blank, edge.grey_levels, edge.image_decode, edge.pillow_misreads, edge.preprocess)

SIZES = ((1024, 1024), (2500, 2000), (4300, 4300))


def bincount_counts(a: np.ndarray, first: int, n: int) -> np.ndarray:
    """value_counts as it was up to 0.52.0, for any integer film."""
    counts = np.zeros(n, dtype=np.int64)
    for r in wide.row_steps(a):
        counts += np.bincount((a[r].astype(np.int64) - first).ravel(), minlength=n)
    return counts


def film(h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    g = Image.fromarray((rng.random((h // 8, w // 8)) * 255).astype(np.uint8)).resize((w, h), Image.BILINEAR)
    return np.asarray(g.filter(ImageFilter.GaussianBlur(2)))


def counting_with(fn) -> None:
    for module in COUNTERS:
        module.value_counts = fn


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - t))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    new = wide.value_counts
    print("| film | counts, old ms | counts, new ms | new / old | load_bytes, old ms | load_bytes, new ms | new / old |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for h, w in SIZES:
        g = film(h, w)
        assert (new(g, 0, 256) == bincount_counts(g, 0, 256)).all()
        buf = io.BytesIO()
        Image.fromarray(g).save(buf, "PNG")
        data = buf.getvalue()
        c_old, c_new, l_old, l_new = [], [], [], []
        for _ in range(args.repeat):  # alternated: old, new, old, new
            c_old += timed(lambda: bincount_counts(g, 0, 256), 1)
            c_new += timed(lambda: new(g, 0, 256), 1)
            counting_with(bincount_counts)
            l_old += timed(lambda: load_bytes(data, "film.png"), 1)
            counting_with(new)
            l_new += timed(lambda: load_bytes(data, "film.png"), 1)
        med = [float(np.median(x)) for x in (c_old, c_new, l_old, l_new)]
        print(f"| {w}x{h} | {med[0]:.0f} | {med[1]:.0f} | {med[1] / med[0]:.2f} | {med[2]:.0f} | {med[3]:.0f} "
              f"| {med[3] / med[2]:.2f} |")


if __name__ == "__main__":
    main()
