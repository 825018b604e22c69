"""How well cropped and mirrored copies are found (train.crop_copies), and what it costs, on cxr-dev.

Two searches use the same codes:
- within a training set (cxr-train): each of cxr-dev's films plus, for a sample of them, a copy cut
  by 2 to 5% on one to four sides with a gamma change, and a mirror image with noise; how many
  copies join their film, and how many distinct cxr-dev films join each other;
- against a model's training films (cxr-evaluate's seen check): a scored crop of a known film, and
  a scored film whose crop is known (the two directions), against copy codes as a .tflite carries.

    python benchmarks/crop_copies.py [--sample 100] [--films N] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.data_path import CXR_DEV as DATA  # noqa: E402

from train.code_distance import nearest_bits  # noqa: E402
from train.crop_copies import GUESSES, crop_and_mirror_pairs, crop_print, lookup_codes  # noqa: E402
from train.hygiene import COPY_CODE_BITS, copy_code  # noqa: E402

CUTS = {"4 px off one side": (0, 0, 4, 0), "4 px off every side": (4, 4, 4, 4),
        "3% off top and bottom": (0.03, 0.03, 0, 0), "5% off the left": (0, 0, 0.05, 0)}


def cut(gray: np.ndarray, margins) -> np.ndarray:
    h, w = gray.shape
    t, b, l, r = (round(m * s) if m < 1 else int(m) for m, s in zip(margins, (h, h, w, w)))
    return gray[t:h - b, l:w - r]


def random_copy(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """2-5% off one to four sides, gamma 0.8-1.25: the helper's Kaggle-scale walkthrough's crops."""
    m = rng.uniform(0.02, 0.05, 4) * (rng.random(4) < 0.5)
    m[rng.integers(4)] = rng.uniform(0.02, 0.05)
    c = cut(gray, m)
    return np.clip(255 * (c / 255.0) ** rng.uniform(0.8, 1.25), 0, 255).astype(np.uint8)


def turned_copy(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Turned 2-5 degrees either way about the centre, the corners black, as a re-publication straightened."""
    deg = float(rng.uniform(2, 5) * rng.choice((-1, 1)))
    return np.asarray(Image.fromarray(gray).rotate(deg, resample=Image.Resampling.BILINEAR, fillcolor=0))


def moved_windows(gray: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two windows of one film 2-4% of its height or width apart: two crops of one film, neither a crop of the other."""
    axis, f = int(rng.integers(2)), rng.uniform(0.02, 0.04)
    k = round(f * gray.shape[axis])
    return (gray[k:], gray[:-k]) if axis == 0 else (gray[:, k:], gray[:, :-k])


def seen_codes(gray: np.ndarray) -> np.ndarray:
    """Every code convert.seen tries for a scored film."""
    return np.concatenate(lookup_codes(gray))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=int, default=100, help="films copied (cut, mirrored) and looked for")
    ap.add_argument("--films", type=int, default=0, help="use the first N cxr-dev films only (0: all)")
    ap.add_argument("--seed", type=int, default=0, help="which films are copied, and how")
    args = ap.parse_args()
    if args.sample < 1:  # the cost a film is the time over the films tried: none tried divided by zero
        ap.error(f"--sample {args.sample}: give at least 1 film to copy and look for")
    if args.films < 0:
        ap.error(f"--films {args.films}: give a number of films, or 0 for all of cxr-dev")
    if not DATA.is_dir():
        sys.exit(f"skipped: {DATA} is absent (the real films this benchmark needs)")
    files = sorted(DATA.glob("*/*.png"))[:args.films or None]
    grays = [np.asarray(Image.open(f).convert("L")) for f in files]
    n = len(grays)
    rng = np.random.default_rng(args.seed)
    pick = rng.choice(n, min(args.sample, n), replace=False)  # --films 20 alone: every one of the 20 is copied
    crops = [random_copy(grays[i], rng) for i in pick]
    mirrors = [np.clip(np.fliplr(grays[i]) + rng.normal(0, 3, grays[i].shape), 0, 255).astype(np.uint8) for i in pick]
    turns = [turned_copy(grays[i], rng) for i in pick]
    moved = [w for i in pick for w in moved_windows(grays[i], rng)]
    every = grays + crops + mirrors + turns + moved
    t0 = time.perf_counter()
    prints = [np.stack(p) for p in zip(*map(crop_print, every))]
    t_print = (time.perf_counter() - t0) / len(every)
    t0 = time.perf_counter()
    found_crops, found_mirrors = crop_and_mirror_pairs(*prints)
    t_search = time.perf_counter() - t0
    pairs = {tuple(sorted(p)) for p in found_crops.tolist() + found_mirrors.tolist()}
    want_c = {tuple(sorted((n + k, int(i)))) for k, i in enumerate(pick)}
    want_m = {tuple(sorted((n + len(pick) + k, int(i)))) for k, i in enumerate(pick)}
    want_t = {tuple(sorted((n + 2 * len(pick) + k, int(i)))) for k, i in enumerate(pick)}
    want_w = {(n + 3 * len(pick) + 2 * k, n + 3 * len(pick) + 2 * k + 1) for k in range(len(pick))}
    distinct = sorted(p for p in pairs if max(p) < n)
    print(f"| within a set of {len(every):,} films (train.crop_copies) | result |\n|---|---|")
    print(f"| {len(pick)} copies cut 2-5% off 1-4 sides, gamma 0.8-1.25: joined to their film | {len(want_c & pairs)} |")
    print(f"| {len(pick)} mirror images with noise (sd 3): joined to their film | {len(want_m & pairs)} |")
    print(f"| {len(pick)} copies turned 2-5 degrees either way: joined to their film | {len(want_t & pairs)} |")
    print(f"| {len(pick)} pairs of windows of one film, moved 2-4% apart: joined to each other | {len(want_w & pairs)} |")
    joined = ", ".join(f"{files[a].name} ~ {files[b].name}" for a, b in distinct)
    print(f"| pairs of cxr-dev films joined to each other | {len(distinct)}{': ' + joined if joined else ''} |")
    print(f"| codes a film ({len(GUESSES)} guesses + mirror image), 256-px films | {t_print * 1000:.1f} ms |")
    print(f"| search, all {len(every):,} films | {t_search:.2f} s |")
    known = np.stack([np.frombuffer(copy_code(g), np.uint8) for g in grays])
    print(f"\n| against known copy codes (convert.seen, cxr-evaluate's default), {len(pick)} films each "
          "| a crop of a known film, found | a film whose crop is known, found |\n|---|---|---|")
    t0, tried = time.perf_counter(), 0
    for name, margins in CUTS.items():
        a = b = 0
        for i in pick:
            c = cut(grays[i], margins)
            a += int(nearest_bits(seen_codes(c), known[i:i + 1]).min() <= COPY_CODE_BITS)
            b += int(nearest_bits(seen_codes(grays[i]), np.frombuffer(copy_code(c), np.uint8)[None]).min() <= COPY_CODE_BITS)
            tried += 2
        print(f"| {name} | {a} | {b} |")
    per_film = (time.perf_counter() - t0) / tried
    false = sum(int(nearest_bits(seen_codes(grays[i]), np.delete(known, i, 0)).min() <= COPY_CODE_BITS) for i in pick)
    print(f"\n{len(pick)} uncut films matching another cxr-dev film: {false}; {per_film * 1000:.0f} ms a scored film")


if __name__ == "__main__":
    main()
