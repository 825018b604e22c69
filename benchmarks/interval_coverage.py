"""How often the 95% intervals of cxr-evaluate and cxr-compare hold the true value, by simulation.

Balanced accuracy: the stratified percentile bootstrap (convert.summary.bootstrap_ci) against MOVER
over Wilson limits (convert.intervals.mean_of_proportions), and what cxr-evaluate ships: MOVER where
a class is all right or all wrong, else the bootstrap. A paired difference in sensitivity: the paired bootstrap against
Newcombe's method 10 (convert.intervals.paired_difference), which cxr-compare uses per class.
AUROC: the stratified percentile bootstrap of the macro AUROC against Newcombe's method 5
(convert.intervals.macro_auroc_interval), on binormal scores of two classes and softmax answers of three.
Prints a table (coverage, mean width); no model, no data. About a minute on 2 cores:

    python benchmarks/interval_coverage.py --sims 400 --boot 400
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convert.intervals import macro_auroc_interval, mean_of_proportions, paired_difference  # noqa: E402
from convert.metrics import balanced_accuracy  # noqa: E402
from convert.roc import _auroc_per_class, macro_auroc  # noqa: E402
from convert.summary import bootstrap_ci  # noqa: E402

# (sensitivity of class 0, of class 1, films of class 0, of class 1): near-perfect small sets are where
# a percentile bootstrap collapses
BA_CASES = [(0.97, 0.95, 20, 20), (0.99, 0.90, 30, 30), (0.90, 0.85, 60, 60), (0.98, 0.98, 10, 40)]
# (both right, only B right, only A right, neither) as probabilities, films
PAIRED_CASES = [((0.90, 0.03, 0.03, 0.04), 30), ((0.95, 0.02, 0.00, 0.03), 40), ((0.60, 0.20, 0.10, 0.10), 20)]
# (films of each class, how far apart the classes' scores lie): a site's few films of one class, and small sets
# ranked near perfectly, are where a percentile bootstrap of the AUROC is too narrow
AUROC_CASES = [((2, 100), 1.68), ((5, 100), 1.68), ((20, 20), 2.33), ((15, 15), 3.3), ((60, 60), 2.5),
               ((10, 10, 10), 1.5), ((3, 40, 40), 2.0), ((10, 10, 10), 3.0)]


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


def _scores(counts: tuple, d: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Labels and answers: two classes, binormal (class 1's score d above class 0's); more, a softmax of unit
    normal logits with d added to the film's own class."""
    y = np.repeat(np.arange(len(counts)), counts)
    if len(counts) == 2:
        s = rng.normal(0, 1, y.size) + d * y
        p1 = 1 / (1 + np.exp(-s))
        return y, np.stack([1 - p1, p1], 1)
    z = rng.normal(0, 1, (y.size, len(counts)))
    z[np.arange(y.size), y] += d
    e = np.exp(z)
    return y, e / e.sum(1, keepdims=True)


def auroc_row(case, sims: int, boot: int, rng: np.random.Generator) -> str:
    counts, d = case
    truth = macro_auroc(*_scores(tuple(20000 for _ in counts), d, rng))  # the population's, from 20,000 films each
    hits, width, points = {"bootstrap": 0, "Newcombe": 0}, {"bootstrap": 0.0, "Newcombe": 0.0}, 0
    for _ in range(sims):
        y, p = _scores(counts, d, rng)
        b = bootstrap_ci(y, p, macro_auroc, boot, int(rng.integers(1 << 30)))
        points += b[0] == b[1]
        for name, (lo, hi) in (("bootstrap", b), ("Newcombe", macro_auroc_interval(_auroc_per_class(y, p), list(counts)))):
            hits[name] += lo <= truth <= hi
            width[name] += hi - lo
    return (f"| macro AUROC {truth:.3f}, {' + '.join(map(str, counts))} films ({points} bootstrap points) | "
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
    for case in AUROC_CASES:
        print(auroc_row(case, a.sims, a.boot, rng), flush=True)


if __name__ == "__main__":
    main()
