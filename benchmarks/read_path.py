"""preprocess_file per film over a folder of films (cxr-dev), as edge.preprocess reads now against an earlier revision's
edge/preprocess.py (default: cxr-edge 0.53.0's, whose checks counted an 8-bit film's grey levels two or three times
and trimmed its borders twice), and whether both give the same model input for every film.

The old module is git's copy of that revision's edge/preprocess.py, run over today's helpers (called as it called them,
without the reader's counts and borders, they do what they did). Old and new alternate film by film, --repeat times;
each film's time is its median. Prints a Markdown table: milliseconds per film (mean of the films' medians), new / old.

    python benchmarks/read_path.py [--films FOLDER (default: cxr-dev, benchmarks.data_path)] [--old e0c3fb6] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import edge.preprocess as new  # noqa: E402
from benchmarks.data_path import CXR_DEV  # noqa: E402
from benchmarks.old_code import films_under, old_module, print_ratio_table, size_group  # noqa: E402

def timed(fn, path: Path, config) -> tuple[float, np.ndarray]:
    t = time.perf_counter()
    out = fn(path, config)
    return 1000 * (time.perf_counter() - t), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--films", type=Path, default=CXR_DEV)
    ap.add_argument("--old", default="e0c3fb6", help="the revision whose edge/preprocess.py is 'old'")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    old = old_module(args.old, "edge/preprocess.py")
    config = new.PreprocessConfig()
    films = films_under(args.films)
    rows: dict[str, list[tuple[float, float]]] = {}
    same = 0
    for path in films:
        t_old, t_new, outputs = [], [], {}
        for i in range(args.repeat):  # alternated, and each first in turn: old, new, new, old, ...
            for fn, times in ((old, t_old), (new, t_new))[:: 1 if i % 2 == 0 else -1]:
                ms, out = timed(fn.preprocess_file, path, config)
                times.append(ms)
                outputs[fn is new] = out
        a, b = outputs[False], outputs[True]
        same += bool(np.array_equal(a, b))
        side = max(new.load_grayscale(path).shape)
        rows.setdefault(size_group(side), []).append((float(np.median(t_old)), float(np.median(t_new))))
    print(f"{len(films)} films, model inputs identical for {same} of them ({config.size} px, {config.channels} channel)")
    print_ratio_table(rows, "preprocess_file")


if __name__ == "__main__":
    main()
