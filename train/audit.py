"""What the files alone say about the label: a shortcut audit of a labelled image set.

A classifier can score well by reading how an image was stored instead of the lungs: COVID films
exported as JPEG from one archive and Normal films as PNG from another, children's landscape
films in one class only, black letterboxing from one scanner. Such traits follow the hospital,
not the disease, and vanish at the next site (DeGrave et al. 2021). This module measures how
well traits that carry no anatomy predict the label: a naive Bayes classifier over the source
(MANIFEST.csv), file format, stored pixel mode, size, aspect ratio and trimmed border, scored
by stratified k-fold cross-validation as balanced accuracy. A score well above chance says that
the set invites shortcuts: look at the per-source results and validate on another site.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

from edge.figures import fixed
from edge.shares import mean_of_proportions

TRAITS = ("source", "format", "mode", "size", "aspect", "border")
WARN_LIFT = 0.25  # warn when the traits close a quarter of the gap from chance to perfect
UNKNOWN = ""  # a trait not known for a film (its source, where MANIFEST.csv has no row for it)


def file_traits(data: bytes, gray: np.ndarray, trimmed: tuple[int, int]) -> dict[str, str]:
    """Anatomy-free traits of one file: its format and stored mode (from the header), the decoded
    size in quarter-octave bins, the aspect ratio to one decimal, and the share of the area that
    border trimming removed (``trimmed``: the (height, width) left after trimming)."""
    fmt, mode = "other", "other"
    if data[128:132] == b"DICM":
        fmt = mode = "DICOM"
    else:
        try:
            with Image.open(io.BytesIO(data)) as img:  # reads the header only
                fmt, mode = img.format or "other", img.mode
        except Exception:  # noqa: BLE001 - the decoder that produced ``gray`` knew better; keep "other"
            pass
    h, w = gray.shape[:2]
    short = 2 ** (round(4 * math.log2(max(1, min(h, w)))) / 4)
    cut = 1.0 - trimmed[0] * trimmed[1] / max(1, h * w)
    border = "none" if cut < 0.01 else "under 10%" if cut < 0.10 else "10% or more"
    return {"format": fmt, "mode": mode, "size": f"~{short:.0f} px", "aspect": f"{w / h:.1f}", "border": border}


def stratified_folds(y: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Fold index of each sample, each class dealt round-robin over the folds in a seeded order."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(y), int)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        fold[rng.permutation(idx)] = np.arange(len(idx)) % k
    return fold


def naive_bayes_predict(train_x: list[tuple], train_y: np.ndarray, test_x: list[tuple], n_classes: int) -> np.ndarray:
    """Categorical naive Bayes with a uniform class prior (so it aims at balanced accuracy) and
    add-one smoothing (so a value unseen in training rules no class out; it costs a class of fewer
    films a little less). An empty value is unknown (a film without a MANIFEST.csv row has no
    source): it is not counted, and says nothing."""
    n_feat = len(train_x[0]) if train_x else 0
    score = np.zeros((len(test_x), n_classes))
    for f in range(n_feat):
        values = sorted(({r[f] for r in train_x} | {r[f] for r in test_x}) - {UNKNOWN})
        col = {v: j for j, v in enumerate(values)}
        counts = np.ones((n_classes, len(values)))
        for r, c in zip(train_x, train_y):
            if r[f] != UNKNOWN:
                counts[c, col[r[f]]] += 1
        logp = np.log(counts / counts.sum(1, keepdims=True))
        known = [i for i, r in enumerate(test_x) if r[f] != UNKNOWN]
        score[known] += logp[:, [col[test_x[i][f]] for i in known]].T
    return score.argmax(1)


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean([(pred[y == c] == c).mean() for c in np.unique(y)]))


def cross_validated(rows: list[tuple], y: np.ndarray, n_classes: int, k: int = 5, seed: int = 0) -> float:
    """Balanced accuracy of naive Bayes on ``rows``, each sample predicted by a fit without its fold."""
    return balanced_accuracy(y, cross_validated_answers(rows, y, n_classes, k, seed))


def cross_validated_answers(rows: list[tuple], y: np.ndarray, n_classes: int, k: int = 5, seed: int = 0) -> np.ndarray:
    """Naive Bayes's answer for each of ``rows``, from a fit without its fold."""
    folds = stratified_folds(y, k, seed)
    pred = np.zeros(len(y), int)
    for f in range(k):
        test = folds == f
        if not test.any():
            continue
        tr = np.flatnonzero(~test)
        pred[test] = naive_bayes_predict([rows[i] for i in tr], y[tr], [rows[i] for i in np.flatnonzero(test)], n_classes)
    return pred


def shortcut_audit(traits: list[dict[str, str]], y: np.ndarray, classes: list[str], k: int = 5) -> dict:
    """How well each anatomy-free trait, and all of them together, predict the label (see module doc).

    Returns the chance level (one over the classes present), per trait its cross-validated balanced
    accuracy and number of distinct values, the same for all traits together, the lift over chance
    ((score - chance) / (1 - chance)), whether it warrants a warning, and the give-aways: trait values
    held by at least 5 images and 2% of the set, 95% or more of them in one class. The combined score
    carries its 95% interval (MOVER over each class's Wilson interval), and warns only where that
    clears chance: on 6 films a class, 0.67 from traits that alone scored 0.50 warned of a shortcut that
    the whole set's 80 films, and cxr-train, showed none of.
    """
    y = np.asarray(y, int)
    n = len(y)
    present = np.unique(y)
    chance = 1.0 / max(1, len(present))
    traits = [{t: r.get(t, UNKNOWN) for t in TRAITS} for r in traits]
    used = [t for t in TRAITS if len({r[t] for r in traits} - {UNKNOWN}) > 1]  # known and varied
    out: dict = {"n": n, "chance": chance, "traits": {}, "combined": None, "lift": 0.0, "warn": False, "give_aways": []}
    if n == 0 or len(present) < 2:
        return out
    folds = max(2, min(k, int(np.bincount(y)[present].min())))
    out["folds"] = folds  # fewer than k where a class has fewer films: said as it was done
    # Naive Bayes over the classes present only: a class without films kept its add-one counts and won films
    # whose value a present class rarely showed, each a wrong answer (a 3-class model's audit of a COVID and
    # Normal folder scored 0.60 where a 2-class model's scored 0.69, and its warning was lost).
    ours = np.searchsorted(present, y)
    for t in used:
        out["traits"][t] = {"balanced_accuracy": cross_validated([(r[t],) for r in traits], ours, len(present), folds),
                            "values": len({r[t] for r in traits} - {UNKNOWN})}
    if used:
        answers = cross_validated_answers([tuple(r[t] for t in used) for r in traits], ours, len(present), folds)
        combined = balanced_accuracy(ours, answers)
        right, films = zip(*[(int((answers[ours == c] == c).sum()), int((ours == c).sum())) for c in range(len(present))])
        out["combined"] = combined
        out["combined_ci"] = list(mean_of_proportions(right, films))
        out["lift"] = (combined - chance) / (1 - chance)
        out["warn"] = out["lift"] >= WARN_LIFT and out["combined_ci"][0] > chance
    floor = max(5, math.ceil(0.02 * n))
    for t in used:
        for v in sorted({r[t] for r in traits} - {UNKNOWN}):
            held = y[[r[t] == v for r in traits]]
            top = int(np.bincount(held, minlength=len(classes)).argmax())
            share = float((held == top).mean())
            if len(held) >= floor and share >= 0.95:
                out["give_aways"].append({"trait": t, "value": v, "class": classes[top], "count": int(len(held)),
                                          "share": share})
    out["give_aways"].sort(key=lambda g: -g["count"])
    return out


def give_away_text(g: dict) -> str:
    """One give-away in words, e.g. 'format JPEG: 100% COVID (n = 30)'."""
    return f"{g['trait']} {g['value']}: {g['share']:.0%} {g['class']} (n = {g['count']})"


def summary_line(audit: dict) -> str:
    """One sentence for a log: the combined score against chance, and the largest give-aways."""
    if audit.get("combined") is None:
        return "file traits (source, format, size, aspect, borders) are the same for every class"
    ci = audit.get("combined_ci")  # runs before 0.37 recorded none
    within = f"95% CI {ci[0]:.2f} to {ci[1]:.2f}, " if ci else ""
    text = (f"file traits alone ({', '.join(audit['traits'])}) tell the classes apart with balanced accuracy "
            f"{audit['combined']:.2f} ({within}chance {audit['chance']:.2f}, {audit.get('folds', 5)}-fold "
            f"cross-validated, {audit['n']} films)")
    if audit["give_aways"]:
        text += "; e.g. " + "; ".join(give_away_text(g) for g in audit["give_aways"][:3])
    return text


def markdown(audit: dict | None, heading: str = "##") -> list[str]:
    """A report section: the table per trait and the give-aways."""
    if not audit or audit.get("combined") is None:
        return []
    md = [f"{heading} What the files alone say about the label", "",
          "A naive Bayes classifier that sees only how each image was stored (source in MANIFEST.csv or the Kaggle "
          "database's metadata, file format, "
          f"pixel mode, size, aspect ratio, trimmed border), never its pixels, scored by {audit.get('folds', 5)}-fold "
          "cross-validation. "
          "Well above chance means a model can score by recognising the archive instead of the lungs: compare the "
          "per-source results and validate on another site's films.", "",
          f"| traits | distinct values | balanced accuracy % (chance {fixed(audit['chance'], 1, 100)}%) |",
          "|---|---:|---:|"]
    md += [f"| {t} | {v['values']} | {fixed(v['balanced_accuracy'], 1, 100)} |" for t, v in audit["traits"].items()]
    ci = audit.get("combined_ci")
    within = f" ({fixed(ci[0], 1, 100)}–{fixed(ci[1], 1, 100)})" if ci else ""
    md += [f"| **all together** | | **{fixed(audit['combined'], 1, 100)}**{within} |", ""]
    if ci and audit["lift"] >= WARN_LIFT and not audit["warn"]:
        md += [f"On {audit['n']} films its 95% interval reaches chance: too few to tell the traits from chance, so no "
               "warning is given; audit a larger set of the same sites.", ""]
    if "source" not in audit["traits"]:
        md += ["No source was audited: no `MANIFEST.csv` (nor the Kaggle database's `*.metadata.xlsx`) names where these "
               "films come from (or it names one source "
               "for all). Where a film comes from is the strongest give-away in public sets, so this score may "
               "understate how much the files alone say.", ""]
    if audit["warn"]:
        md += [f"**Warning:** the traits close {audit['lift']:.0%} of the gap from chance to a perfect score.", ""]
    if audit["give_aways"]:
        md += ["| trait | value | images | share in one class |", "|---|---|---:|---|"]
        md += [f"| {g['trait']} | {g['value']} | {g['count']} | {g['share']:.0%} {g['class']} |" for g in audit["give_aways"][:10]]
        md.append("")
    return md
