"""PNG plots for reports: confusion matrices, ROC, operating points, reliability (per-class sensitivity:
convert.sensitivity_plot).

No plot tells its series apart by colour alone (convert.plot_style: a colour-blind-safe palette,
and a line style, marker and hatch of each series' own). Figures are saved at 150 dpi with no text
under 8 pt, and each carries the research-software footer, since a PNG is often copied out of its
report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from convert import plot_fonts
from convert import plot_style
from convert.plot_style import MARKERS, PALETTE
from convert.roc import auroc, ranking_scores, roc_curve
from edge.atomic import atomic_path
from edge.decision import fmt_threshold
from edge.figures import fixed, percent_of

FOOTER = "Research software, not a medical device"
DPI = 150
LEGEND_PT = 9
PANEL_TITLE_CHARS = 40  # an operating-points panel's title, wrapped to lines of this many letters
WHITE_TEXT_ABOVE = 0.72  # on Blues, white text on a lighter cell falls under 4.5:1 contrast


def _plt():
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # a film named "price$5^$.png" is a file name, not TeX: read as mathtext it failed the whole report
    matplotlib.rcParams["text.parse_math"] = False

    # A letter no font has is written '?' (plot_fonts.drawable, which says so once); matplotlib's two-line
    # warning per glyph would bury the command's own messages.
    warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
    plot_fonts.font_files()
    return plt


def _shown(text: str) -> str:
    """A name as a plot can draw it: a file or folder name's bytes that are not UTF-8 (Latin-1's
    Röntgen, held as lone surrogates) as \\x escapes, R\\xf6ntgen.png; matplotlib refused the figure."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate no undecodable byte stands for
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return plot_fonts.drawable(text)


def _named(names) -> list[str]:
    return [_shown(str(n)) for n in names]


def available() -> bool:
    """Whether matplotlib (the [train] extra) can be imported: without it cxr-evaluate writes its
    report without plots (convert.report.evaluation_report)."""
    try:
        _plt()
    except ImportError:
        return False
    return True


NO_PLOTS = ("matplotlib is not installed, so the report has no plots (confusion matrix, ROC, reliability diagram, "
            "occlusion maps); pip install matplotlib adds them (no TensorFlow needed)")


WARN_COLOUR = "#D55E00"  # Okabe-Ito vermillion: a synthetic run's footer


def _save(fig, path: Path, mark: str = "") -> None:
    """Add the footer below everything already drawn (so it overlaps nothing), save, close. ``mark``: a synthetic
    model's words (edge.synthetic_words.synthetic_mark), put before the footer in vermillion: a demo run's 1.0 sensitivity
    bars, pasted into a slide, said nothing of the drawings they were scored on (hunt 58, H1)."""
    box = fig.get_tightbbox()  # inches
    fig.text(box.x0 / fig.get_figwidth(), (box.y0 - 0.08) / fig.get_figheight(),
             f"{mark}. {FOOTER}" if mark else FOOTER, ha="left", va="top", fontsize=8,
             color=WARN_COLOUR if mark else "0.4", fontweight="bold" if mark else "normal")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight")
    _plt().close(fig)


def confusion_grid(cms: dict[str, np.ndarray], classes: list[str], path: Path, mark: str = "") -> None:
    """One confusion matrix per model, side by side, counts and row percentages ('–' for a class
    with no films: 0% would read as 'all missed')."""
    plt = _plt()
    cms, classes = dict(zip(_named(cms), cms.values())), _named(classes)
    labels = [plot_fonts.wrap_label(c) for c in classes]
    longest = max(len(line) for label in labels for line in label.split("\n"))
    deepest = max(label.count("\n") + 1 for label in labels)
    n = len(cms)
    cols = min(n, 4)
    rows = -(-n // cols)
    matrix = max(1.8, 0.6 * len(classes))  # inches: a cell keeps room for its count and share
    names = 0.07 * longest + 0.13 * deepest  # the wrapped names beside and (turned) below the matrix
    titles = 0.16 * max(name.count("\n") for name in cms)  # the labelling's lines under each model's name
    fig, axes = plt.subplots(rows, cols, figsize=((matrix + names + 0.6) * cols,
                                                  (matrix + 0.8 * names + 1.0 + titles) * rows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    for ax, (name, cm) in zip(axes.ravel(), cms.items()):
        cm = np.asarray(cm)
        totals = cm.sum(1, keepdims=True)
        frac = np.divide(cm, totals, out=np.zeros(cm.shape, float), where=totals > 0)
        ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                share = f"{percent_of(int(cm[i, j]), int(totals[i, 0]))}%" if totals[i, 0] else "–"
                ax.text(j, i, f"{cm[i, j]}\n{share}", ha="center", va="center", fontsize=8,
                        color="white" if frac[i, j] > WHITE_TEXT_ABOVE else "black")
        # upright: names of several lines turned 45 degrees ran into their neighbours
        ax.set_xticks(range(len(classes)), labels, rotation=90, fontsize=8)
        ax.set_yticks(range(len(classes)), labels, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(name, fontsize=9 if "\n" in name else None)
    fig.tight_layout()
    _save(fig, path, mark)


def positive_class(classes: list[str]) -> int:
    """The class a reader means by 'positive' in a two-class problem: the one not named Normal (or
    No_Finding, Healthy: edge.answer_worth.is_normal_class, as the card and prevalence table read it)
    when exactly one is not, else the first."""
    from edge.answer_worth import is_normal_class

    others = [k for k, c in enumerate(classes) if not is_normal_class(c)]
    return others[0] if len(others) == 1 else 0


def roc_curves(y: np.ndarray, probs: np.ndarray, classes: list[str], path: Path, title: str = "",
               mark: str = "") -> None:
    """One-vs-rest ROC per class, AUROC in the legend; for two classes only the positive one
    (positive_class: COVID, not Normal), the axes naming it."""
    plt = _plt()
    classes, title = _named(classes), plot_fonts.wrap_label(_shown(title), PANEL_TITLE_CHARS)  # in the figure's width
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    shown = [positive_class(classes)] if len(classes) == 2 else list(range(len(classes)))
    scores = ranking_scores(probs)  # the report's AUROCs rank by these: one curve, one AUROC, for two classes
    for k, c in enumerate(shown):
        pos = (y == c).astype(int)
        if not pos.size or pos.min() == pos.max():  # no films, or films of one side only: no curve
            if 0 < pos.size and not pos.any() and len(shown) > 1:  # said in the legend: a class left out unsaid was missed
                ax.plot([], [], ls="none", marker="none", label=f"{classes[c]}: no films here, so no curve")
            continue
        fpr, tpr, _ = roc_curve(pos, scores[:, c])
        # markers part several curves in greyscale; on a lone curve they would read as operating points
        style = plot_style.style(k) | ({"marker": None} if len(shown) == 1 else {"ms": 5, "markevery": max(1, len(fpr) // 8)})
        # each curve's n: the picture alone showed 'AUROC 0.583' for 12 films against 1, whose interval is n/a
        ax.plot(fpr, tpr, **style, lw=1.5, label=f"{classes[c]} (AUROC {fixed(auroc(pos, scores[:, c]))}; "
                                                 f"{int(pos.sum()):,} vs {int(pos.size - pos.sum()):,} films)")
    ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1)
    which = (f"{classes[shown[0]]} vs rest", classes[shown[0]]) if len(shown) == 1 else ("each class vs rest",) * 2
    ax.set_xlabel(f"1 - specificity ({which[0]})")
    ax.set_ylabel(f"sensitivity ({which[1]})")
    ax.set_title(title or "ROC (one vs rest)")
    if ax.get_legend_handles_labels()[0]:
        legend = ax.legend(fontsize=LEGEND_PT, loc="lower right")
        renderer = fig.canvas.get_renderer()
        # five curves or more, or long names: beside the axes, off the early rise of the curves and the axis label
        if len(shown) > 4 or legend.get_window_extent(renderer).width > 0.55 * ax.get_window_extent(renderer).width:
            legend.remove()
            ax.legend(fontsize=LEGEND_PT, loc="upper left", bbox_to_anchor=(1.02, 1))
    else:  # one class only: no curve to draw
        ax.text(0.5, 0.5, "no ROC: these images hold one class only", ha="center", fontsize=9)
    _save(fig, path, mark)


def operating_points(y: np.ndarray, probs: np.ndarray, classes: list[str], rows: list[dict], path: Path,
                     stored: dict | None = None, title: str = "", mark: str = "") -> None:
    """Per class (one vs rest) the test ROC of one file, with the points a user can choose between:
    the most probable class, each threshold of ``rows`` (convert.roc.operating_points) and the rule
    the file stores (``stored``), each at the sensitivity and specificity it gives on these films.
    The curve is grey so that no point shares its colour; each point has its own marker too. The curve
    ranks films as the AUROC does (convert.roc.ranking_scores); a rule's threshold on p still lands on
    it, since p rises with that score, but films tied at p = 1.0 lie on a stretch no threshold on p reaches."""
    plt = _plt()
    title = _shown(title)
    names = list(dict.fromkeys(r["class"] for r in rows))
    cols = min(len(names), 3)  # seven classes in one row made a picture 4,815 px wide
    rows_n = -(-len(names) // cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(4.6 * cols, 4.4 * rows_n), squeeze=False)
    for ax in axes.ravel()[len(names):]:
        ax.axis("off")
    argmax, scores = probs.argmax(1), ranking_scores(probs)  # a two-class model's two curves mirror each other
    for ax, name in zip(axes.ravel(), names):
        c, shown = classes.index(name), _shown(name)
        pos = y == c
        if pos.all() or not pos.any():
            ax.set_title(f"{shown}: no ROC ({'no films of it here' if not pos.any() else 'one class only'})")
            continue
        fpr, tpr, _ = roc_curve(pos.astype(int), scores[:, c])
        ax.plot(fpr, tpr, color="0.4", lw=1)
        ax.plot([1 - np.mean(argmax[~pos] != c)], [np.mean(argmax[pos] == c)], "ko", label="most probable class")
        for k, r in enumerate(r for r in rows if r["class"] == name):
            t = r["test"]
            if r["threshold"] is None or t["sensitivity"] is None or t["specificity"] is None:
                continue
            ax.plot([1 - t["specificity"]], [t["sensitivity"]], MARKERS[1 + k % 4], ms=8, mfc="none", mew=1.8,
                    color=PALETTE[1:5][k % 4],
                    label=f"p ≥ {fmt_threshold(r['threshold'])} ({100 * r['target_sensitivity']:g}% on validation)")
        if stored and stored["class"] == name and None not in (stored["test"]["sensitivity"], stored["test"]["specificity"]):
            t = stored["test"]
            ax.plot([1 - t["specificity"]], [t["sensitivity"]], "*", color=PALETTE[0], mec="black", ms=13,
                    label=f"stored rule, p ≥ {fmt_threshold(stored['threshold'])}")
        ax.plot([0, 1], [0, 1], color="grey", ls=":")
        # the class is named once, in the title: in the axis labels long names ran into the next panels
        ax.set_xlabel("1 - specificity (this class vs the rest)")
        ax.set_ylabel("sensitivity")
        ax.set_title(plot_fonts.wrap_label(shown, PANEL_TITLE_CHARS))
        ax.legend(fontsize=LEGEND_PT, loc="lower right")
    fig.suptitle(title or "Operating points on the test split")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.07 / rows_n))  # keep the panel titles clear of the suptitle
    _save(fig, path, mark)


def reliability(bins_by_model: dict[str, list[dict]], path: Path, title: str = "", floor: float = 0.0,
                mark: str = "") -> None:
    """Reliability diagram: accuracy against confidence per bin, perfect calibration dashed.
    A marker's area is proportional to its bin's films, so a bin of one film does not look as
    sure as a bin of 200; models differ in colour, marker and line style (never dashed). The
    confidence axis starts at ``floor``, the lowest top-class probability there can be (1/classes):
    with two classes, half the plot would otherwise be empty."""
    plt = _plt()
    bins_by_model = dict(zip(_named(bins_by_model), bins_by_model.values()))
    title = plot_fonts.wrap_label(_shown(title), PANEL_TITLE_CHARS)
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    styles = ("-", "-.", ":", (0, (3, 1, 1, 1, 1, 1)))
    most = max((b["count"] for bins in bins_by_model.values() for b in bins), default=0) or 1
    for k, (name, bins) in enumerate(bins_by_model.items()):
        pts = [(b["confidence"], b["accuracy"], b["count"]) for b in bins if b["count"] and b["accuracy"] is not None]
        if not pts:
            continue
        cx, ay, n = map(np.array, zip(*pts))
        s = plot_style.style(plot_style.series(name, k)) | {"ls": styles[plot_style.series(name, k) % len(styles)]}
        ax.plot(cx, ay, color=s["color"], ls=s["ls"], lw=1.5)
        ax.scatter(cx, ay, s=250 * n / most, marker=s["marker"], color=s["color"], edgecolors="black",
                   linewidths=0.5, alpha=0.8, zorder=3, clip_on=False)  # a bin at 1.0 shows whole
        ax.plot([], [], lw=1.5, ms=6, mec="black", mew=0.5, label=name, **s)  # its legend entry
    ax.plot([floor, 1], [floor, 1], color="grey", ls="--", lw=1, label="perfect")
    ax.set_xlabel("confidence (top class)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(floor, 1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title or "Calibration (reliability diagram)")
    # beside the axes, not on them: points of any bin may lie in any corner (all right at 60% sits upper left)
    ax.legend(fontsize=LEGEND_PT, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
              title="marker area:\nfilms in bin", title_fontsize=8)
    _save(fig, path, mark)
