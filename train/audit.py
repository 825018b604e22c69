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


def trait_codes(rows: list[tuple]) -> np.ndarray:
    """``rows`` (each film's trait values) as integer codes, one column per trait: a value's index among that
    trait's values, -1 where unknown (UNKNOWN: a film without a MANIFEST.csv row has no source)."""
    n_feat = len(rows[0]) if rows else 0
    codes = np.full((len(rows), n_feat), -1, dtype=np.int64)
    for f in range(n_feat):
        col = {v: j for j, v in enumerate(sorted({r[f] for r in rows} - {UNKNOWN}))}
        codes[:, f] = [col.get(r[f], -1) for r in rows]
    return codes


def naive_bayes_predict(train: np.ndarray, train_y: np.ndarray, test: np.ndarray, n_classes: int) -> np.ndarray:
    """Categorical naive Bayes (trait_codes' columns) with a uniform class prior (so it aims at balanced accuracy)
    and add-one smoothing over every value the set holds (so a value unseen in training rules no class out; it
    costs a class of fewer films a little less). An unknown value (-1) is not counted, and says nothing."""
    score = np.zeros((len(test), n_classes))
    for f in range(train.shape[1]):
        n_values = int(max(train[:, f].max(initial=-1), test[:, f].max(initial=-1))) + 1
        counts = np.ones((n_classes, max(1, n_values)))
        known = train[:, f] >= 0
        np.add.at(counts, (train_y[known], train[known, f]), 1)
        logp = np.log(counts / counts.sum(1, keepdims=True))
        seen = test[:, f] >= 0
        score[seen] += logp[:, test[seen, f]].T
    return score.argmax(1)


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean([(pred[y == c] == c).mean() for c in np.unique(y)]))


def cross_validated(rows: list[tuple] | np.ndarray, y: np.ndarray, n_classes: int, k: int = 5, seed: int = 0) -> float:
    """Balanced accuracy of naive Bayes on ``rows``, each sample predicted by a fit without its fold."""
    return balanced_accuracy(y, cross_validated_answers(rows, y, n_classes, k, seed))


def cross_validated_answers(rows: list[tuple] | np.ndarray, y: np.ndarray, n_classes: int, k: int = 5,
                            seed: int = 0) -> np.ndarray:
    """Naive Bayes's answer for each of ``rows`` (trait values, or their trait_codes), from a fit without its fold."""
    codes = rows if isinstance(rows, np.ndarray) else trait_codes(rows)
    folds = stratified_folds(y, k, seed)
    pred = np.zeros(len(y), int)
    for f in range(k):
        test = folds == f
        if test.any():
            pred[test] = naive_bayes_predict(codes[~test], y[~test], codes[test], n_classes)
    return pred


PERMUTATIONS = 199  # label permutations behind the audit's p-value: the smallest it can give is 1/200


def permutation_p(codes: np.ndarray, y: np.ndarray, n_classes: int, k: int, observed: float,
                  n: int = PERMUTATIONS, seed: int = 0) -> float:
    """How often traits that carry no label score ``observed`` or more: the share of ``n`` label permutations (each
    class's count kept, folds drawn again) whose cross-validated balanced accuracy reaches it, counting the observed
    one (so never 0). Films that share a trait value are answered by the same few fold models, so their errors come
    in clusters: an interval that took each answer as a coin of its own (MOVER of Wilson) warned on label-free traits
    in 10-13% of sets of 8 films a class, and held the traits' real score in 79-89% of its 95% intervals."""
    rng = np.random.default_rng(seed)
    reached = 0
    for _ in range(n):
        shuffled = rng.permutation(y)
        reached += cross_validated(codes, shuffled, n_classes, k, int(rng.integers(1 << 30))) >= observed - 1e-12
    return (1 + reached) / (1 + n)


def shortcut_audit(traits: list[dict[str, str]], y: np.ndarray, classes: list[str], k: int = 5) -> dict:
    """How well each anatomy-free trait, and all of them together, predict the label (see module doc).

    Returns the chance level (one over the classes present), per trait its cross-validated balanced
    accuracy and number of distinct values, the same for all traits together, the lift over chance
    ((score - chance) / (1 - chance)), whether it warrants a warning, and the give-aways: trait values
    held by at least 5 images and 2% of the set, 95% or more of them in one class. A combined score a
    quarter of the way from chance to perfect carries its permutation p-value (permutation_p), and warns
    only where that is at most 0.025: on 6 films a class, 0.67 from traits that alone scored 0.50 warned of
    a shortcut that the whole set's 80 films, and cxr-train, showed none of.
    """
    y = np.asarray(y, int)
    n = len(y)
    present = np.unique(y)
    chance = 1.0 / max(1, len(present))
    traits = [{t: r.get(t, UNKNOWN) for t in TRAITS} for r in traits]
    # The films in the order of their class and trait values, not of their names: folds and label permutations are
    # dealt by position, and the same films renamed (or named in NFD instead of NFC) scored 0.75 with a warning, or
    # 0.58 without. Films that tie are alike in every value, so their order among themselves changes nothing.
    order = sorted(range(n), key=lambda i: (int(y[i]), tuple(traits[i][t] for t in TRAITS)))
    traits, y = [traits[i] for i in order], y[order]
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
        codes = trait_codes([tuple(r[t] for t in used) for r in traits])
        combined = balanced_accuracy(ours, cross_validated_answers(codes, ours, len(present), folds))
        out["combined"] = combined
        out["lift"] = (combined - chance) / (1 - chance)
        if out["lift"] >= WARN_LIFT:  # worth a warning only where label-free traits seldom score as well
            out["combined_p"] = permutation_p(codes, ours, len(present), folds, combined)
            out["permutations"] = PERMUTATIONS
        out["warn"] = out["lift"] >= WARN_LIFT and out["combined_p"] <= 0.025
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
    return f"{g['trait']} {g['value']}: {fixed(g['share'], 0, 100)}% {g['class']} (n = {g['count']})"


def summary_line(audit: dict) -> str:
    """One sentence for a log: the combined score against chance, and the largest give-aways."""
    if audit.get("combined") is None:
        return "file traits (source, format, size, aspect, borders) are the same for every class"
    ci, p = audit.get("combined_ci"), audit.get("combined_p")  # 0.37-0.38 recorded an interval, older runs neither
    within = (f"p = {p:.3f} by permuting the labels, " if p is not None else
              f"95% CI {ci[0]:.2f} to {ci[1]:.2f}, " if ci else "")
    text = (f"file traits alone ({', '.join(audit['traits'])}) tell the classes apart with balanced accuracy "
            f"{audit['combined']:.2f} ({within}chance {audit['chance']:.2f}, {audit.get('folds', 5)}-fold "
            f"cross-validated, {audit['n']} films)")
    if audit["give_aways"]:
        text += "; e.g. " + "; ".join(give_away_text(g) for g in audit["give_aways"][:3])
    return text

