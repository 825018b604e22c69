"""How often the 95% intervals of cxr-evaluate and cxr-compare hold the true value, by simulation.

Balanced accuracy: the stratified percentile bootstrap (convert.summary.bootstrap_ci) against MOVER
over Wilson limits (convert.intervals.mean_of_proportions), and what cxr-evaluate ships: MOVER where
a class is all right or all wrong, else the bootstrap. A paired difference in sensitivity: the paired bootstrap against
Newcombe's method 10 (convert.intervals.paired_difference), which cxr-compare uses per class.
Prints a table (coverage, mean width); no model, no data. About a minute on 2 cores:

    python benchmarks/interval_coverage.py --sims 400 --boot 400
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convert.intervals import mean_of_proportions, paired_difference  # noqa: E402
from convert.metrics import balanced_accuracy  # noqa: E402
from convert.summary import bootstrap_ci  # noqa: E402

# (sensitivity of class 0, of class 1, films of class 0, of class 1): near-perfect small sets are where
# a percentile bootstrap collapses
BA_CASES = [(0.97, 0.95, 20, 20), (0.99, 0.90, 30, 30), (0.90, 0.85, 60, 60), (0.98, 0.98, 10, 40)]
# (both right, only B right, only A right, neither) as probabilities, films
PAIRED_CASES = [((0.90, 0.03, 0.03, 0.04), 30), ((0.95, 0.02, 0.00, 0.03), 40), ((0.60, 0.20, 0.10, 0.10), 20)]


def ba_row(case, sims: int, boot: int, rng: np.random.Generator) -> str:
    s0, s1, n0, n1 = case
    truth = (s0 + s1) / 2
    names = ("bootstrap", "MOVER", "shipped")
    hits, width = dict.fromkeys(names, 0), dict.fromkeys(names, 0.0)
    y = np.array([0] * n0 + [1] * n1)
    for _ in range(sims):
        right = np.concatenate([rng.random(n0) < s0, rng.random(n1) < s1])
        pred = np.where(right, y, 1 - y)
        b = bootstrap_ci(y, np.eye(2)[pred], lambda t, p: balanced_accuracy(t, p.argmax(1), 2), boot,
                         int(rng.integers(1 << 30)))
        counts = [int(right[:n0].sum()), int(right[n0:].sum())]
        m = mean_of_proportions(counts, [n0, n1])
        shipped = m if counts[0] in (0, n0) or counts[1] in (0, n1) else b  # convert.summary.summarize's choice
        for name, (lo, hi) in zip(names, (b, m, shipped)):
            hits[name] += lo <= truth <= hi
            width[name] += hi - lo
    return (f"| balanced accuracy, sens. {s0:.2f} / {s1:.2f}, {n0} + {n1} films | "
            + " | ".join(f"{hits[k] / sims:.3f} ({width[k] / sims:.3f})" for k in names) + " |")


def paired_row(case, sims: int, boot: int, rng: np.random.Generator) -> str:
    cells, n = case
    truth = cells[1] - cells[2]
    hits = {"bootstrap": 0, "Newcombe": 0}
    width = {"bootstrap": 0.0, "Newcombe": 0.0}
    y = np.zeros(n, int)
    for _ in range(sims):
        kind = rng.choice(4, size=n, p=cells)  # 0 both right, 1 only B, 2 only A, 3 neither
        a, b = np.isin(kind, (0, 2)).astype(int), np.isin(kind, (0, 1)).astype(int)
        ab = np.stack([1 - a, 1 - b], 1)  # label 0 is right
        boot_ci = bootstrap_ci(y, ab, lambda t, p: float(np.mean(p[:, 1] == 0) - np.mean(p[:, 0] == 0)), boot,
                               int(rng.integers(1 << 30)))
        counts = np.bincount(kind, minlength=4)
        for name, (lo, hi) in (("bootstrap", boot_ci), ("Newcombe", paired_difference(*map(int, counts)))):
            hits[name] += lo - 1e-12 <= truth <= hi + 1e-12
            width[name] += hi - lo
    return (f"| paired difference {truth:+.2f}, cells {'/'.join(f'{c:.2f}' for c in cells)}, {n} films | "
            f"{hits['bootstrap'] / sims:.3f} ({width['bootstrap'] / sims:.3f}) | {hits['Newcombe'] / sims:.3f} "
            f"({width['Newcombe'] / sims:.3f}) | {hits['Newcombe'] / sims:.3f} ({width['Newcombe'] / sims:.3f}) |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sims", type=int, default=400, help="simulated sets per case")
    ap.add_argument("--boot", type=int, default=400, help="bootstrap resamples per set")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.sims < 1 or a.boot < 1:
        ap.error("--sims and --boot must be at least 1")
    rng = np.random.default_rng(a.seed)
    print(f"{a.sims} simulated sets per case, {a.boot} bootstrap resamples each; nominal coverage 0.95\n")
    print("| case | bootstrap: coverage (mean width) | score interval (MOVER; Newcombe) | as shipped |\n"
          "|---|---:|---:|---:|")
    for case in BA_CASES:
        print(ba_row(case, a.sims, a.boot, rng), flush=True)
    for case in PAIRED_CASES:
        print(paired_row(case, a.sims, a.boot, rng), flush=True)


if __name__ == "__main__":
    main()
