"""curves.png: loss and accuracy per epoch, as a run folder shows how training went.

Read in greyscale and by people who cannot tell red from green, like the report's plots
(convert.plots): train and validation differ in line style (solid, dashed), each ensemble member
in colour and marker too, and the legend sits beside the plots, off the curves.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from edge.atomic import atomic_path

# Okabe-Ito: one colour and one marker per ensemble member
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS = ("o", "s", "^", "D", "v", "P")
SPLITS = (("", "train", "-"), ("val_", "validation", "--"))
FEW_EPOCHS = 5  # a history this short gets markers: one epoch is one point, which a line without a marker never shows
DPI = 150  # as convert.plots.DPI: the report's plots and this one read alike


TITLE_CHARS = 44  # a panel's title wrapped to lines of this many letters: one panel's width at 12 pt
BEST_APART_PT = 2.0  # members restored at one epoch: their dotted lines this far apart, so that each colour shows


def loss_title(distilled: bool, consistency: bool = False) -> str:
    """What the loss panel plots. A distilled run's loss (train.distill) is mostly the teacher term, weighted
    by T^2: titled 'cross-entropy' it read as the labels' loss alone, on another scale than a plain run's."""
    if not distilled:
        return "loss (cross-entropy)"
    return "loss (distillation: teacher term + cross-entropy" + (" + two-view term)" if consistency else ")")


def best_offsets(histories: list[dict]) -> list[float]:
    """Each member's 'best' line's shift in points, centred on its epoch: 0 where no other member was restored at
    the same epoch. Drawn on top of one another, two such lines showed only the last member's colour."""
    epochs = [h["best_epoch"][0] for h in histories]
    out = []
    for k, epoch in enumerate(epochs):
        same = [j for j, e in enumerate(epochs) if e == epoch]
        out.append(BEST_APART_PT * (same.index(k) - (len(same) - 1) / 2))
    return out


def plot_curves(histories: list[dict], path: Path, distilled: bool = False, consistency: bool = False) -> None:
    """Loss and accuracy per epoch, train (solid) against validation (dashed), the restored best epoch
    dotted; each member of an ensemble in its own colour and marker, and a short history (FEW_EPOCHS) marked too.
    ``distilled`` (and ``consistency``): the loss is train.distill's, and the loss panel's title says so."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.transforms import offset_copy

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    offsets = best_offsets(histories)
    for k, history in enumerate(histories):
        epochs = np.arange(1, len(history["loss"]) + 1)
        tag = f" {k + 1}" if len(histories) > 1 else ""
        colour, marker = COLOURS[k % len(COLOURS)], MARKERS[k % len(MARKERS)]
        member = {"color": colour, "marker": marker if len(histories) > 1 or len(epochs) <= FEW_EPOCHS else None, "ms": 4,
                  "markevery": max(1, len(epochs) // 8)}
        for ax, key in ((axes[0], "loss"), (axes[1], "accuracy")):
            for prefix, split, ls in SPLITS:
                if f"{prefix}{key}" in history:
                    ax.plot(epochs, history[f"{prefix}{key}"], ls=ls, label=f"{split}{tag}", **member)
            best = ax.axvline(history["best_epoch"][0], color=colour, ls=":", label=f"best{tag} (restored)")
            if offsets[k]:
                best.set_transform(offset_copy(best.get_transform(), fig, x=offsets[k], units="points"))
    # each y axis named with its unit: a bare 0.4 read as either
    for ax, title, unit in ((axes[0], loss_title(distilled, consistency), "mean loss per film (nats)"),
                            (axes[1], "accuracy", "accuracy (share of films right, 0 to 1)")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(unit)
        # wrapped: a distilled ensemble's loss title ran into the accuracy panel's
        ax.set_title(textwrap.fill(title + (f", {len(histories)} ensemble members" if len(histories) > 1 else ""),
                                   TITLE_CHARS, break_on_hyphens=False))
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
