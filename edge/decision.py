"""Which label to give a film: the most probable class, or a class flagged at its own threshold.

Pure numpy, for edge-classify. The reports count the same rule (class k exactly when its
probability reaches t: convert.roc.rates_at_threshold), so a threshold chosen in cxr-convert's
"Operating points" gives on the device the sensitivity and specificity the report shows.

A threshold belongs to one model file: another training run puts its probabilities elsewhere.
So ``cxr-convert --operating-point`` stores the rule in the file's metadata (``decision``), and
the device applies it unless told otherwise (:func:`stored_rule`).

Reading a rule typed as text is edge.threshold_text's (class names: edge.class_key); when a stored rule is worth
a warning, edge.rule_shortfall's.
"""

from __future__ import annotations

import math

import numpy as np

from edge.capped_repr import capped_repr
from edge.figures import digits_for, off_ends


def ranking(probabilities: np.ndarray, threshold: tuple[int, float] | None = None) -> list[int]:
    """Class indices, the label first, then the others from most to least probable.

    Without a threshold the label is the most probable class. With ``(k, t)`` class k is the
    label whenever its probability is at least t, however probable another class is; below t,
    the most probable of the other classes is.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    order = [int(i) for i in np.argsort(-p, kind="stable")]
    if threshold is None:
        return order
    label = int(labels_for(p[None, :], threshold)[0])
    return [label, *(i for i in order if i != label)]


def labels_for(probabilities: np.ndarray, rule: tuple[int, float] | None = None) -> np.ndarray:
    """The label of every row of an (N, classes) batch under the rule: :func:`ranking`'s first entry."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"probabilities must be (N, classes), got shape {p.shape}")
    if rule is None:
        return p.argmax(axis=1)
    k, t = rule
    others = p.copy()
    others[:, k] = -np.inf
    return np.where(p[:, k] >= t, k, others.argmax(axis=1))


def stored_rule(meta: dict | None) -> tuple[int, float] | None:
    """The rule a model file carries (cxr-convert --operating-point), or None for the most probable class.

    The class is looked up in the file's own labels, so renaming them on the command line
    (edge-classify --labels) cannot move the rule to another class.
    """
    d = (meta or {}).get("decision")
    if d is None:
        return None
    labels = list(meta.get("labels", []))
    try:
        k, t = labels.index(d["class"]), float(d["threshold"])
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: a threshold of 10**400
        raise ValueError(f"its decision rule is malformed ({capped_repr(d)}); convert the model again") from None
    if not 0.0 < t < 1.0:
        raise ValueError(f"its decision rule's threshold must lie strictly between 0 and 1, got {t}")
    return k, t


def fmt_threshold(t: float, digits: int = 4) -> str:
    """A threshold as printed: 4 significant digits (``digits``), rounded down. A threshold chosen for
    95% sensitivity is a film's own probability (0.21875736); rounded to nearest, 0.2188, typed back
    as --threshold it would lose that film, and the 95% with it. Rounded down it keeps every film.
    The device prints 9 (EXACT_DIGITS, as many as a float32 needs) beside its answers: no float32 probability lies between a
    threshold and its 9 digits rounded down, so the printed rule labels every answer as the stored one.
    A threshold that is no float32 (one typed, 0.15127000001) can have such a probability just under it: at
    EXACT_DIGITS it is printed whole (repr, the shortest text that reads back as it: as typed)."""
    t = float(t)
    if not t > 0:
        return f"{t:g}"
    if digits >= EXACT_DIGITS and float(np.float32(t)) != t:
        return repr(t)
    decimals = digits - 1 - math.floor(math.log10(t))
    scaled = t * 10 ** decimals
    # + a few float64 steps: 0.29 typed is 2899.9999999999995 when scaled, and must read 0.29, not 0.2899;
    # a float32 probability just below a printed value (0.5800999999, 5800.999999 scaled; to 9 digits,
    # 0.11615703999996, 116157039.99996) is below it by far more than that, and reads 0.58 (0.116157039):
    # 0.5801 would lose its film
    return f"{math.floor(scaled + scaled * 1e-15) / 10 ** decimals:.{digits}g}"


EXACT_DIGITS = 9


def beside_rule(p: float, k: int, rule: tuple[int, float] | list[tuple[int, float]] | None, digits: int) -> float:
    """Class ``k``'s probability ``p`` rounded to ``digits`` decimals, on the same side of the rule's
    threshold as ``p``: under "COVID when p >= 0.3" a film at 0.29996 is Normal, and shown as 0.3000
    it would read as a film the rule labels COVID. On the same side, too, of the threshold as printed
    beside it (fmt_threshold to EXACT_DIGITS, the notes' and the CSV's rule column): a stored threshold is a
    float32, printed rounded down, and 0.2000660002 reads 0.200066; a film at 0.20006598 is under it, and shown
    as 0.200066 it read as one the printed rule labels COVID. Where ``digits`` cannot keep it there, or off 0 and
    1 (edge.figures: 0.999992 is 0.99999, not a certainty of 1.0000), it gets more, up to the
    EXACT_DIGITS the rule's threshold is printed with; write it with edge.figures.exact_text.
    ``rule`` may be a list: a report that labels by one rule and states another (a threshold chosen
    on these films) keeps each film on its side of both."""
    p = float(p)
    cuts = _cuts(rule, k)
    d = digits_for(p, digits)
    while True:
        shown = off_ends(p, d)
        if _on_its_side(shown, p, cuts):
            return shown
        if d >= EXACT_DIGITS:  # past what a float32 holds: cut towards p, on its side
            scale = 10 ** d
            return math.floor(p * scale) / scale if any(p < t for t, _ in cuts) else math.ceil(p * scale) / scale
        d += 1


def _cuts(rule: tuple[int, float] | list[tuple[int, float]] | None, k: int) -> list[tuple[float, float]]:
    """The thresholds the rule (or rules) put on class ``k``, each with the lower of itself and itself as printed
    (fmt_threshold to EXACT_DIGITS, rounded down: no float32 probability lies between the two)."""
    rules = [tuple(rule)] if rule and not isinstance(rule[0], (tuple, list)) else list(rule or [])
    return [(t, min(t, float(fmt_threshold(t, EXACT_DIGITS)))) for c, t in rules if c == k]


def _on_its_side(shown: float, p: float, cuts: list[tuple[float, float]]) -> bool:
    """Whether ``shown`` (``p`` rounded) reads on ``p``'s side of each cut: at or above a threshold ``p`` reaches,
    below one it does not reach as printed too."""
    return all(shown >= t if p >= t else shown < printed for t, printed in cuts)


# Below this a probability's 6 decimals hold 3 significant digits or fewer (0.000999), and below 5e-7 none:
# edge.figures keeps a value shown to people off 0, which wrote 2.65e-10 as 0.000001 (3,800 times it) in JSON read by
# programs.
TINY = 1e-3


def for_json(p: float, k: int, rule: tuple[int, float] | list[tuple[int, float]] | None) -> float:
    """Class ``k``'s probability ``p`` for JSON: as beside_rule gives it to 6 decimals, but a small one with 6
    significant digits (2.65e-10, not 0.000001), on its side of the rule's threshold (else as it is)."""
    p = float(p)
    if not 0 < p < TINY:
        return beside_rule(p, k, rule, 6)
    shown = float(f"{p:.6g}")
    return shown if _on_its_side(shown, p, _cuts(rule, k)) else p


def describe(rule: tuple[int, float], labels: list[str], digits: int = 4) -> str:
    """'COVID whenever p(COVID) >= 0.1975', for notes and reports."""
    k, t = rule
    return f"{labels[k]} whenever p({labels[k]}) >= {fmt_threshold(t, digits)}"


def same_rule(a: dict | None, b: dict | None) -> bool:
    """Whether two stored decisions (a file's metadata "decision", None for the most probable class)
    label every film alike: the same class at the same threshold."""
    def key(d: dict | None) -> tuple:
        return (d or {}).get("class"), (d or {}).get("threshold")
    return key(a) == key(b)


def labelling(decision: dict | None, digits: int = 4) -> str:
    """A stored decision in words: 'the most probable class' or 'COVID whenever p >= 0.1975' (``digits``:
    fmt_threshold's; EXACT_DIGITS beside counts of films whose probabilities are printed too)."""
    if decision is None:
        return "the most probable class"
    return f"{decision['class']} whenever p >= {fmt_threshold(decision['threshold'], digits)}"
