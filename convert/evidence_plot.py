"""occlusion.png: the report's evidence maps, painted as edge-classify --explain paints them.

Each film is shown as the model saw it, dimmed, with its evidence painted over it the brighter the
stronger (edge.evidence_paint: lightness alone carries the strength, so a greyscale print or a reader
who cannot tell red from green loses nothing), outlined at half the strongest and framed at the
film's outer eighth, each with a dark and a light line side by side.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from convert import plots
from edge.evidence_paint import OUTLINE_LEVEL, painted, strength

PANEL_IN = 3.2  # a panel's width: about 42 characters of title at 8 pt
TITLE_CHARS = 42
LINE_IN = 0.17  # one 8-pt title line, with its leading


def title_lines(title: str) -> list[str]:
    """A panel's title wrapped to its width; '(p = 0.36)' is never split across two lines."""
    kept = title.replace("(p = ", "(p\u00a0=\u00a0")  # textwrap breaks at ASCII spaces only
    return [part for line in kept.split("\n") for part in textwrap.wrap(line, TITLE_CHARS) or [""]]


def occlusion_grid(images: list[np.ndarray], maps: list, titles: list[str], path: Path, mark: str = "") -> None:
    """Each image (the model's own preprocessed input) with its occlusion map (edge.explain.Occlusion)
    painted over it (edge.evidence_paint), outlined at half the strongest, with the frame of the film's
    outer eighth (borders, text), as edge-classify --explain draws them. A map without evidence is
    painted nothing and says so. Each row is as tall as its longest title needs, so no title covers
    the map above it."""
    from edge.explain import frame

    plt = plots._plt()
    from matplotlib.patches import Rectangle

    heads = []
    for title, found in zip(plots._named(titles), maps):
        heads.append(title_lines(title + ("" if found.found else "\nno evidence: no cover moved it by 0.05 log-odds")))
    n = len(images)
    cols = min(n, 3)
    rows = -(-n // cols)
    tallest = [max(len(h) for h in heads[r * cols:(r + 1) * cols]) for r in range(rows)]
    fig, axes = plt.subplots(rows, cols, figsize=(PANEL_IN * cols, sum(3.0 + LINE_IN * t for t in tallest)),
                             squeeze=False, layout="constrained")  # it spaces each row for its own titles
    for ax in axes.ravel():
        ax.axis("off")
    for ax, img, found, head in zip(axes.ravel(), images, maps, heads):
        gray = img[..., 0] if img.ndim == 3 else img
        t = strength(found.heat, found.found)
        ax.imshow(painted(gray, t))
        if t.any() and t.min() < OUTLINE_LEVEL:  # a contour needs the level inside the map's range
            ax.contour(t, levels=[OUTLINE_LEVEL], colors="black", linewidths=2.2)
            ax.contour(t, levels=[OUTLINE_LEVEL], colors="white", linewidths=1.0)
        top, bottom, left, right = frame(found.box)
        for colour, width in (("black", 2.2), ("white", 1.0)):  # dark and light: one shows on any film, in grey too
            ax.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False, ec=colour, lw=width))
        ax.set_title("\n".join(head), fontsize=8)
    fig.draw_without_rendering()  # lay it out now, so the footer goes below the maps, not on them
    fig.set_layout_engine("none")
    plots._save(fig, path, mark)
