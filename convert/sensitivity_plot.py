"""sensitivity.png: each class's sensitivity with its 95% interval, one bar per model.

Apart from convert.plots (whose saving, fonts and names it uses) so that each module stays one idea
and small; the bars tell models apart by hatch as well as colour (convert.plot_style).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from convert import plot_style, plots
from convert.plot_style import HATCHES, PALETTE


def films_under(per_model: Iterable[list[dict]], j: int) -> str:
    """The films class ``j``'s bars are scored on, as a second line under its name ('\\n12 films'): a 0.8 from
    5 films looked like one from 500. From each model's per-class "support"; a range where models were scored
    on different films; "" where the rows carry no count."""
    counts = sorted({int(rows[j]["support"]) for rows in per_model if rows[j].get("support") is not None})
    if not counts:
        return ""
    if len(counts) == 1:
        return f"\n{counts[0]:,} film{'' if counts[0] == 1 else 's'}"
    return f"\n{counts[0]:,}–{counts[-1]:,} films"


def sensitivity_bars(per_model: dict[str, list[dict]], classes: list[str], path: Path, mark: str = "") -> None:
    """Per-class sensitivity with 95% CI whiskers, one bar per model, each model its own colour
    and hatch, each class's films counted under its name (films_under); with more than 3 models, or more than
    one over more than 2 classes, the legend goes beside the axes, off the bars."""
    plt = plots._plt()
    per_model, classes = dict(zip(plots._named(per_model), per_model.values())), plots._named(classes)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(classes) * max(1, len(per_model)) / 3), 3.8))
    width = 0.8 / max(1, len(per_model))
    x = np.arange(len(classes))
    for k, (name, rows) in enumerate(per_model.items()):
        sens, lo, hi = np.array([[np.nan if v is None else v for v in (r["sensitivity"], *r["sensitivity_ci"])]
                                 for r in rows], float).T
        at, s = x + k * width - 0.4 + width / 2, plot_style.series(name, k)
        ax.bar(at, sens, width, label=name, color=PALETTE[s % len(PALETTE)], hatch=HATCHES[s % len(HATCHES)],
               edgecolor="black", linewidth=0.8)
        # a black whisker on a white one: it shows on every fill, its part inside the bar too
        for colour, lw, cap in (("white", 2.6, 3), ("black", 1.0, 2)):
            ax.errorbar(at, sens, yerr=np.vstack([sens - lo, hi - sens]), fmt="none", ecolor=colour, elinewidth=lw,
                        capsize=cap, capthick=lw, zorder=3)
    # a class with no films has no bar: its empty slot read as a sensitivity of 0, so it says why it is empty
    for j in (j for j in range(len(classes)) if all(rows[j]["sensitivity"] is None for rows in per_model.values())):
        ax.text(x[j], 0.02, "no films\nhere: n/a", ha="center", va="bottom", fontsize=8, color="0.25")
    crowded = len(classes) > 4 or max(map(len, classes)) > 12  # long or many names overprinted one another
    ax.set_xticks(x, [name + films_under(per_model.values(), j) for j, name in enumerate(classes)], **({"rotation": 30, "ha": "right", "fontsize": 8} if crowded else {}))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("true class")
    ax.set_ylabel("sensitivity (95% CI)")
    ax.set_title("Sensitivity per class, 95% intervals")
    # beside the axes: below them it met the turned class names and the axis label, and inside them, with more than
    # two classes, it covered bars and their whiskers
    if len(per_model) > 3 or (len(per_model) > 1 and len(classes) > 2):
        ax.legend(fontsize=plots.LEGEND_PT, loc="upper left", bbox_to_anchor=(1.01, 1))
    else:
        ax.legend(fontsize=plots.LEGEND_PT, ncol=min(4, len(per_model)))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    plots._save(fig, path, mark)
