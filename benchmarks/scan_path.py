"""train.scan.scan per film over a folder of films (cxr-dev): cxr-train's and cxr-convert's read of each film (its
SHA-256, hashes, copy codes, audit traits, model input; with --crops, what the search for cropped copies needs) as
train/scan.py reads now against an earlier revision's train/scan.py (default: cxr-edge 0.54.0's, which found a
film's uniform borders three times: as edge.preprocess checked it, for its audit trait, and for its model input),
and whether both give the same arrays and the same refusals for every film.

The old module is git's copy of that revision's train/scan.py, run over today's helpers (edge.preprocess's
load_bytes, preprocess_gray and trim_uniform_borders do what they did). Old and new alternate film by film, each
first in turn, --repeat times; each film's time is its median. Prints a Markdown table: milliseconds per film (mean
of the films' medians), new / old.

    python benchmarks/scan_path.py [--films FOLDER (default: cxr-dev)] [--old 1bb1632] [--repeat 3] [--crops]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import train.scan as new  # noqa: E402
from benchmarks.data_path import CXR_DEV  # noqa: E402
from benchmarks.old_code import films_under, old_module, print_ratio_table, size_group  # noqa: E402
from edge.preprocess import PreprocessConfig, load_grayscale  # noqa: E402
from train.data import Item  # noqa: E402

def outputs(res) -> list:
    """What a scan gives that a run keeps: the arrays, the items' hashes and copy codes, traits, refusals."""
    return [res.x, res.dhash, res.thumbs, *res.crops, res.drawn, [(i.path, i.sha256, i.near) for i in res.items],
            res.traits, res.skipped]


def same(a: list, b: list) -> bool:
    return all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y for x, y in zip(a, b, strict=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--films", type=Path, default=CXR_DEV)
    ap.add_argument("--old", default="1bb1632", help="the revision whose train/scan.py is 'old'")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--crops", action="store_true", help="as cxr-train's first read (train.prepare), crop prints too")
    args = ap.parse_args()
    old = old_module(args.old, "train/scan.py")
    config = PreprocessConfig()
    films = films_under(args.films)
    rows: dict[str, list[tuple[float, float]]] = {}
    equal = refused = 0
    for path in films:
        item = Item(path.relative_to(args.films).as_posix(), path.parent.name)
        times: dict[bool, list[float]] = {False: [], True: []}
        got: dict[bool, list] = {}
        for i in range(args.repeat):  # alternated, and each first in turn: old, new, new, old, ...
            for fn in (old, new)[:: 1 if i % 2 == 0 else -1]:
                t = time.perf_counter()
                res = fn.scan(args.films, [Item(item.path, item.label)], config, progress=False, crops=args.crops)
                times[fn is new].append(1000 * (time.perf_counter() - t))
                got[fn is new] = outputs(res)
        equal += same(got[False], got[True])
        refused += bool(got[True][-1])
        side = 0 if got[True][-1] else max(load_grayscale(path).shape)
        rows.setdefault(size_group(side), []).append((float(np.median(times[False])), float(np.median(times[True]))))
    print(f"{len(films)} films ({refused} refused), every output identical for {equal} of them "
          f"({config.size} px, {config.channels} channel, crops {'on' if args.crops else 'off'})")
    print_ratio_table(rows, "scan")


if __name__ == "__main__":
    main()
