"""What the search for cropped and mirrored copies (train.crop_copies) costs as a set grows to the
Kaggle database's 21,000 films: seconds and memory, and how many pairs pass its sieve.

cxr-dev holds 1,372 films; larger sets are drawn from them, each film a cxr-dev film rotated by
3-12 degrees either way, cut 8-20% a side and given a gamma of 0.7-1.4: each unlike its source as
a copy (the search is not built to find such changes), yet a chest film with a chest film's
statistics, so the sieve passes about as many pairs as on real films. Every size is searched in
a fresh process, so that its peak memory is its own.

    python benchmarks/crop_search_scale.py [--films 2000 --films 21000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.data_path import CXR_DEV as DATA  # noqa: E402

from train.crop_copies import SIEVE_MIN, crop_and_mirror_pairs, crop_print  # noqa: E402

SIDE = 256  # films are reduced to this first; cxr-train's search reduces to 160 px itself


def _memory_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak since _reset_peak) of this process, MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Start VmHWM again from the present (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def drawn_film(base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A film unlike ``base`` as a copy, alike as a chest film."""
    img = Image.fromarray(base).rotate(float(rng.uniform(3, 12) * rng.choice((-1, 1))),
                                       resample=Image.Resampling.BILINEAR, fillcolor=int(np.median(base)))
    h, w = base.shape
    t, b, l, r = rng.uniform(0.08, 0.20, 4)
    g = np.asarray(img)[round(t * h):h - round(b * h), round(l * w):w - round(r * w)]
    return np.clip(255 * (g / 255.0) ** rng.uniform(0.7, 1.4), 0, 255).astype(np.uint8)


def one_size(films: int, seed: int) -> dict:
    """Draw ``films`` films, print them and search them; what it cost."""
    files = sorted(DATA.glob("*/*.png"))
    bases = []
    for f in files:
        im = Image.open(f).convert("L")
        im.thumbnail((SIDE, SIDE), Image.Resampling.BOX)
        bases.append(np.asarray(im))
    rng = np.random.default_rng(seed)
    prints, t_print = [], 0.0
    for k in rng.integers(len(bases), size=films):
        film = drawn_film(bases[k], rng)
        t0 = time.perf_counter()
        prints.append(crop_print(film))
        t_print += time.perf_counter() - t0
    parts = [np.stack(p) for p in zip(*prints)]
    del prints, bases  # the process then holds what cxr-train's holds while it searches: the prints
    _reset_peak()
    start = _memory_mib("VmRSS")
    t0 = time.perf_counter()
    crops, mirrors = crop_and_mirror_pairs(*parts)
    t_search = time.perf_counter() - t0
    thumbs = parts[0]
    passed = sum(int(((thumbs[s:s + 512] @ thumbs.T) >= SIEVE_MIN).sum()) for s in range(0, films, 512)) - films
    return {"films": films, "print_ms": 1000 * t_print / films, "search_s": t_search,
            "sieve_share": passed / (films * (films - 1)), "crops": len(crops), "mirrors": len(mirrors),
            "prints_mib": sum(p.nbytes for p in parts) / 2 ** 20, "start_mib": start, "peak_mib": _memory_mib("VmHWM")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--films", type=int, action="append", help="set sizes (repeatable; default 2000, 5000, 10000, 21000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one size, JSON out
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"skipped: {DATA} is absent (the real films this benchmark draws from)")
    if args.one is not None:
        print(json.dumps(one_size(args.one, args.seed)))
        return
    if any(n < 2 for n in args.films or []):
        sys.exit("crop_search_scale: --films must be at least 2 (a set with pairs to search)")
    print("| films | pairs through the sieve | codes a film | search | prints MiB | the process at the search's start → its peak, MiB "
          "| crop pairs | mirror pairs |\n|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for films in args.films or [2000, 5000, 10000, 21000]:
        out = subprocess.run([sys.executable, __file__, "--one", str(films), "--seed", str(args.seed)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"| {r['films']:,} | {100 * r['sieve_share']:.1f}% | {r['print_ms']:.1f} ms | {r['search_s']:.1f} s "
              f"| {r['prints_mib']:.0f} | {r['start_mib']:.0f} → {r['peak_mib']:.0f} | {r['crops']} | {r['mirrors']} |", flush=True)


if __name__ == "__main__":
    main()
