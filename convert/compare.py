"""Two models on the same films: is the difference real? (pure functions; cxr-compare uses them)

A site that is offered a new model (retrained, another recipe, another quantization) needs to
know whether it does better on its own films, and on which class. Two separate reports with
overlapping confidence intervals cannot say: the same films were scored twice, so the
comparison must be paired. A class's difference in sensitivity comes with Newcombe's paired score
interval, balanced accuracy's with a paired bootstrap interval (the films resampled once for both
models, within each class; where some class's changed answers all favour one model, or none
changed, no resample can favour the other, and the interval is MOVER's over the classes'
Newcombe intervals, convert.intervals, as it is for a set of one class).
Whether the two models are right on different films: McNemar's exact test, which looks only at
the films where exactly one of them is right.
The sentences and compare.md that report them: convert.compare_text.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from convert.chance import one_answer_line
from convert.compare_text import (_pts, caveats, film_notes, group_markdown, headline, labelling, markdown, p_text,
                                  verdict)
from convert.intervals import mover_sum, paired_difference
from convert.metrics import balanced_accuracy, one_class_reason, sensitivities, to_jsonable
from convert.set_notes import FEW_FILMS
from convert.summary import bootstrap_ci

# the report's words (convert.compare_text), importable from here as before the split
__all__ = ["mcnemar_exact", "compare", "same_model", "resampled", "by_group", "p_text", "_pts", "headline", "verdict",
           "caveats", "labelling", "film_notes", "markdown", "group_markdown"]


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: under 'the models are equally good', the films only one
    of them gets right fall to either side like fair coin flips. 1.0 when there are none."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    term, tail = 1, 1  # comb(n, 0), then comb(n, k) one step at a time: exact integers, however many films
    for k in range(min(only_a, only_b)):
        term = term * (n - k) // (k + 1)
        tail += term
    # integer over integer divides exactly, where 2.0 ** n overflowed at 1,024 discordant films
    return float(min(1.0, 2 * tail / 2 ** n))


def _paired(statistic):
    """A bootstrap statistic over columns [true, label of A, label of B] of one resampled set of films."""
    return lambda y, p: statistic(y, p[:, 0], p[:, 1])


def compare(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, classes: list[str], n_boot: int = 1000) -> dict:
    """B against A on the films with true labels ``y``: balanced accuracy and per-class sensitivity
    of each, B minus A with paired 95% intervals (module docstring), McNemar's exact test on which
    films each gets right, and a table of the answers that changed (rows: A's label, columns: B's)."""
    y, a, b = (np.asarray(v, dtype=int) for v in (y, pred_a, pred_b))
    if not (len(y) == len(a) == len(b)):
        raise ValueError(f"{len(y)} labels but {len(a)} and {len(b)} answers")
    k = len(classes)
    ab = np.stack([a, b], axis=1)

    def ba_diff(yy, pa, pb):
        return balanced_accuracy(yy, pb, k) - balanced_accuracy(yy, pa, k)

    right_a, right_b = a == y, b == y
    per_class = []
    sens_a, sens_b = sensitivities(y, a, k), sensitivities(y, b, k)
    for c, name in enumerate(classes):
        mine = y == c
        n = int(mine.sum())
        if n == 0:
            continue
        both, only_b = int((mine & right_a & right_b).sum()), int((mine & right_b & ~right_a).sum())
        only_a = int((mine & right_a & ~right_b).sum())
        per_class.append({"class": name, "n": n, "sensitivity_a": sens_a[c], "sensitivity_b": sens_b[c],
                          "difference": sens_b[c] - sens_a[c],
                          "difference_ci": list(paired_difference(both, only_b, only_a, n - both - only_b - only_a)),
                          "only_a_right": only_a, "only_b_right": only_b})
    # A class whose changed answers all favour one model (or none) gives bootstrap resamples that can
    # never favour the other: the interval could not reach below 0 on one changed film. MOVER's, from score
    # intervals, can still just exclude 0 where exact McNemar does not (compare.md says so). One class alone has no
    # balanced accuracy (metrics.balanced_accuracy): its row's sensitivity difference is the figure.
    if len(per_class) == 1:
        ba_ci, method = (float("nan"), float("nan")), None
    elif any(min(c["only_a_right"], c["only_b_right"]) == 0 for c in per_class):
        lo, hi = mover_sum([c["difference"] for c in per_class], [c["difference_ci"] for c in per_class],
                           [1 / len(per_class)] * len(per_class))
        ba_ci, method = (max(-1.0, lo), min(1.0, hi)), "mover"
    else:
        ba_ci, method = bootstrap_ci(y, ab, _paired(ba_diff), n_boot=n_boot, seed=0), "bootstrap"
    only_a, only_b = int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())
    changed = np.zeros((k, k), dtype=int)
    for i, j in zip(a[a != b], b[a != b]):
        changed[i, j] += 1
    return to_jsonable({
        "n": int(len(y)), "classes": classes,
        "balanced_accuracy_a": balanced_accuracy(y, a, k), "balanced_accuracy_b": balanced_accuracy(y, b, k),
        "balanced_accuracy_difference": _exact_difference(per_class) if len(per_class) > 1 else ba_diff(y, a, b),
        "balanced_accuracy_difference_ci": list(ba_ci),
        "balanced_accuracy_difference_ci_method": method,  # "mover" (the classes' Newcombe intervals), "bootstrap", None
        **({"balanced_accuracy_no_value": why} if (why := one_class_reason([c["class"] for c in per_class])) else {}),
        "per_class": per_class,
        "only_a_right": only_a, "only_b_right": only_b, "mcnemar_p": mcnemar_exact(only_a, only_b),
        "answers_changed": int((a != b).sum()), "changed": changed.tolist(),
        # films of one class alone: "balanced accuracy" is that class's sensitivity, and no specificity is seen
        "only_class": per_class[0]["class"] if len(per_class) == 1 else None,
        "too_few_films": bool(0 < len(y) < FEW_FILMS),
        # a model that gave (nearly) every film one answer: "no difference shown" would hide that it reads nothing here
        "one_answer": {who: one_answer_line(np.bincount(v, minlength=k).tolist(), classes, len(set(y.tolist())),
                                            who=f"model {who}") for who, v in (("A", a), ("B", b))},
    })


def same_model(model_a: Path, model_b: Path, info_a: dict, info_b: dict, most_probable: bool) -> str | None:
    """Why B minus A will say nothing of two models (stderr, compare.md, compare.json), or None: one file typed
    twice, identical bytes, or two files of one model: the same weights, calibration, preprocessing and classes,
    and the same rule unless --most-probable sets the rules aside (a run converted twice, a --save-model copy).
    ``info_*``: convert.evaluate.model_for's descriptions."""
    nothing = "B minus A is zero everywhere, and says nothing of two models"
    if model_a.resolve() == model_b.resolve():
        return f"{model_a} and {model_b} are the same model file: {nothing}"
    if model_a.read_bytes() == model_b.read_bytes():
        return f"{model_a} and {model_b} are the same model (identical bytes): {nothing}"
    same = [info_a.get(k) == info_b.get(k) for k in ("answers_from", "preprocess", "labels")]
    if not (info_a.get("answers_from") or [None])[0] or not all(same):
        return None
    if most_probable:
        return (f"{model_a} and {model_b} hold the same model (the same weights, calibration, preprocessing and "
                f"classes; their rules set aside by --most-probable): {nothing}")
    if info_a["decision"] == info_b["decision"]:
        return (f"{model_a} and {model_b} hold the same model (the same weights, calibration, preprocessing, classes "
                f"and rule; the files differ in other records, such as when they were written): {nothing}")
    return None


def _exact_difference(per_class: list[dict]) -> float:
    """B minus A in balanced accuracy from the counts, in exact fractions: two models right on as many films
    of each class differ by 0.0, where float means gave -1.1e-16 and "B - A -0.0 points"."""
    return float(sum(Fraction(c["only_b_right"] - c["only_a_right"], c["n"]) for c in per_class) / len(per_class))


def resampled(r: dict) -> list[str]:
    """Which balanced-accuracy intervals of a comparison (``r``, with its ``by`` groups) are bootstrap ones,
    for the provenance line: "all films", "source site-1", ...; the others are score intervals, not resampled."""
    named = [("all films", r)] + [(f"{column} {g}", gr) for column, groups in r.get("by", {}).items()
                                  for g, gr in groups.items()]
    return [name for name, x in named if x.get("balanced_accuracy_difference_ci_method") == "bootstrap"]


def by_group(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, classes: list[str], values: list[str],
             n_boot: int = 1000, copy_of: list[int] | None = None) -> dict:
    """:func:`compare` within each group of films (``values``: one group name per film); with
    ``copy_of`` (convert.subgroups.copy_groups), a group holding copies says how many films it holds
    without them (``distinct_films``), which is what its 20 films are counted in."""
    from convert.subgroups import natural_order

    v = np.array(values, dtype=object)
    out = {}
    for g in natural_order(set(values)):
        out[g] = r = compare(y[v == g], pred_a[v == g], pred_b[v == g], classes, n_boot)
        if copy_of is not None and (distinct := len(set(np.asarray(copy_of)[v == g].tolist()))) < r["n"]:
            r["distinct_films"] = distinct
    return out
