"""curves.png: loss and accuracy per epoch, as a run folder shows how training went.

Read in greyscale and by people who cannot tell red from green, like the report's plots
(convert.plots): train and validation differ in line style (solid, dashed), each ensemble member
in colour and marker too, and the legend sits beside the plots, off the curves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edge.atomic import atomic_path

# Okabe-Ito: one colour and one marker per ensemble member
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS = ("o", "s", "^", "D", "v", "P")
SPLITS = (("", "train", "-"), ("val_", "validation", "--"))
FEW_EPOCHS = 5  # a history this short gets markers: one epoch is one point, which a line without a marker never shows
DPI = 150  # as convert.plots.DPI: the report's plots and this one read alike


def plot_curves(histories: list[dict], path: Path) -> None:
    """Loss and accuracy per epoch, train (solid) against validation (dashed), the restored best epoch
    dotted; each member of an ensemble in its own colour and marker, and a short history (FEW_EPOCHS) marked too."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
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
            ax.axvline(history["best_epoch"][0], color=colour, ls=":", label=f"best{tag} (restored)")
    # each y axis named with its unit: a bare 0.4 read as either
    for ax, title, unit in ((axes[0], "loss (cross-entropy)", "mean loss per film (nats)"),
                            (axes[1], "accuracy", "accuracy (share of films right, 0 to 1)")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(unit)
        ax.set_title(title + (f", {len(histories)} ensemble members" if len(histories) > 1 else ""))
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
