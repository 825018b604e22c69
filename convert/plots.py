"""PNG plots for reports: confusion matrices, per-class sensitivity, ROC, operating points, reliability."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from convert.roc import roc_curve
from edge.atomic import atomic_path


def _plt():
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # A file or class name in a script the font lacks (CJK, say) is drawn as boxes; matplotlib's
    # two-line warning per glyph would bury the command's own messages.
    warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
    return plt


def available() -> bool:
    """Whether matplotlib (the [train] extra) can be imported: without it cxr-evaluate writes its
    report without plots (convert.report.evaluation_report)."""
    try:
        _plt()
    except ImportError:
        return False
    return True


NO_PLOTS = ("matplotlib is not installed, so the report has no plots (confusion matrix, ROC, reliability diagram, "
            "occlusion maps); pip install 'cxr-edge[train]' adds them")


def _save(fig, path: Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    _plt().close(fig)


def confusion_grid(cms: dict[str, np.ndarray], classes: list[str], path: Path) -> None:
    """One confusion matrix per model, side by side, counts and row percentages."""
    plt = _plt()
    n = len(cms)
    cols = min(n, 4)
    rows = -(-n // cols)
    side = 1.2 + 0.6 * len(classes)
    fig, axes = plt.subplots(rows, cols, figsize=(side * cols, (side + 0.6) * rows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    for ax, (name, cm) in zip(axes.ravel(), cms.items()):
        cm = np.asarray(cm)
        rows = cm.sum(1, keepdims=True)
        frac = np.divide(cm, rows, out=np.zeros(cm.shape, float), where=rows > 0)
        ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                ax.text(j, i, f"{cm[i, j]}\n{frac[i, j]:.0%}", ha="center", va="center", fontsize=8,
                        color="white" if frac[i, j] > 0.6 else "black")
        ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(classes)), classes, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(name)
    fig.tight_layout()
    _save(fig, path)


def sensitivity_bars(per_model: dict[str, list[dict]], classes: list[str], path: Path) -> None:
    """Per-class sensitivity with 95% CI whiskers, one bar per model."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(classes) * max(1, len(per_model)) / 3), 3.8))
    width = 0.8 / max(1, len(per_model))
    x = np.arange(len(classes))
    for k, (name, rows) in enumerate(per_model.items()):
        sens = np.array([np.nan if r["sensitivity"] is None else r["sensitivity"] for r in rows], float)
        lo = np.array([np.nan if r["sensitivity_ci"][0] is None else r["sensitivity_ci"][0] for r in rows], float)
        hi = np.array([np.nan if r["sensitivity_ci"][1] is None else r["sensitivity_ci"][1] for r in rows], float)
        ax.bar(x + k * width - 0.4 + width / 2, sens, width, label=name,
               yerr=np.vstack([sens - lo, hi - sens]), capsize=2)
    ax.set_xticks(x, classes)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("sensitivity (95% CI)")
    ax.legend(fontsize=8, ncol=min(4, len(per_model)))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    _save(fig, path)


def roc_curves(y: np.ndarray, probs: np.ndarray, classes: list[str], path: Path, title: str = "") -> None:
    """One-vs-rest ROC per class (for two classes, the second class only)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    shown = [1] if len(classes) == 2 else range(len(classes))
    for c in shown:
        pos = (y == c).astype(int)
        if pos.min() == pos.max():
            continue
        fpr, tpr, _ = roc_curve(pos, probs[:, c])
        ax.plot(fpr, tpr, label=classes[c])
    ax.plot([0, 1], [0, 1], color="grey", ls=":")
    ax.set_xlabel("1 - specificity")
    ax.set_ylabel("sensitivity")
    ax.set_title(title or "ROC (one vs rest)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    else:  # one class only: no curve to draw
        ax.text(0.5, 0.5, "no ROC: these images hold one class only", ha="center", fontsize=8)
    _save(fig, path)


def operating_points(y: np.ndarray, probs: np.ndarray, classes: list[str], rows: list[dict], path: Path,
                     stored: dict | None = None, title: str = "") -> None:
    """Per class (one vs rest) the test ROC of one file, with the points a user can choose between:
    the most probable class, each threshold of ``rows`` (convert.roc.operating_points) and the rule
    the file stores (``stored``), each at the sensitivity and specificity it gives on these films."""
    plt = _plt()
    names = list(dict.fromkeys(r["class"] for r in rows))
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4.0), squeeze=False)
    argmax = probs.argmax(1)
    for ax, name in zip(axes.ravel(), names):
        c = classes.index(name)
        pos = y == c
        if pos.all() or not pos.any():
            ax.set_title(f"{name}: no ROC (one class only)")
            continue
        fpr, tpr, _ = roc_curve(pos.astype(int), probs[:, c])
        ax.plot(fpr, tpr, color="tab:blue", lw=1)
        ax.plot([1 - np.mean(argmax[~pos] != c)], [np.mean(argmax[pos] == c)], "ko", label="most probable class")
        for r, marker in zip((r for r in rows if r["class"] == name), "s^vD"):
            t = r["test"]
            if r["threshold"] is None or t["sensitivity"] is None or t["specificity"] is None:
                continue
            ax.plot([1 - t["specificity"]], [t["sensitivity"]], marker, ms=7, mfc="none",
                    label=f"p ≥ {r['threshold']:.3g} ({100 * r['target_sensitivity']:g}% on validation)")
        if stored and stored["class"] == name and None not in (stored["test"]["sensitivity"], stored["test"]["specificity"]):
            t = stored["test"]
            ax.plot([1 - t["specificity"]], [t["sensitivity"]], "r*", ms=12, label=f"stored rule, p ≥ {stored['threshold']:.3g}")
        ax.plot([0, 1], [0, 1], color="grey", ls=":")
        ax.set_xlabel(f"1 - specificity ({name} vs rest)")
        ax.set_ylabel("sensitivity")
        ax.set_title(f"{name}")
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(title or "Operating points on the test split")
    _save(fig, path)


def reliability(bins_by_model: dict[str, list[dict]], path: Path) -> None:
    """Reliability diagram: accuracy against confidence per bin, perfect calibration dashed."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    for name, bins in bins_by_model.items():
        pts = [(b["confidence"], b["accuracy"]) for b in bins if b["count"] and b["accuracy"] is not None]
        if pts:
            cx, ay = zip(*pts)
            ax.plot(cx, ay, marker="o", label=name)
    ax.plot([0, 1], [0, 1], color="grey", ls="--", label="perfect")
    ax.set_xlabel("confidence (top class)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    _save(fig, path)


def occlusion_grid(images: list[np.ndarray], heats: list[np.ndarray], titles: list[str], path: Path) -> None:
    """Each image (the model's own preprocessed input) with its occlusion map over it in red:
    the brighter the red, the more covering that area lowered the answer the model gave."""
    plt = _plt()
    n = len(images)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.5 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, img, heat, title in zip(axes.ravel(), images, heats, titles):
        ax.imshow(img[..., 0] if img.ndim == 3 else img, cmap="gray", vmin=0, vmax=255)
        pos = np.clip(heat, 0, None)
        top = pos.max()
        if top > 0:
            ax.imshow(np.ma.masked_less_equal(pos / top, 0.2), cmap="Reds", vmin=0, vmax=1, alpha=0.55)
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    _save(fig, path)
