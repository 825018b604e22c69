"""Which label to give a film: the most probable class, or a class flagged at its own threshold.

Pure numpy, for edge-classify. The reports count the same rule (class k exactly when its
probability reaches t: convert.roc.rates_at_threshold), so a threshold chosen in cxr-convert's
"Operating points" gives on the device the sensitivity and specificity the report shows.

A threshold belongs to one model file: another training run puts its probabilities elsewhere.
So ``cxr-convert --operating-point`` stores the rule in the file's metadata (``decision``), and
the device applies it unless told otherwise (:func:`stored_rule`).
"""

from __future__ import annotations

import math
import unicodedata

import numpy as np

from edge.capped_repr import capped_repr
from edge.comma_list import decimal_comma_hint
from edge.figures import digits_for, off_ends
from edge.metadata import finite_number


_SAME_AS = {"covid19": "covid"}  # the disease's two common spellings


def same_class_key(name: str) -> str:
    """A class name ignoring case, punctuation and Unicode spelling (é composed or not), with COVID-19
    for COVID: names with one key are one class. Letters of any script count (Нормальный keeps them)."""
    key = _plain_key(name)
    return _SAME_AS.get(key, key)


def _plain_key(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


def matched_how(names: list[str], as_names: list[str]) -> str:
    """How ``names`` were matched to ``as_names`` (same_class_key), for a note: 'names matched ignoring case and
    punctuation', and the pairs only _SAME_AS matched named: cxr-compare said covid-19 matched COVID 'ignoring case
    and punctuation', which gives covid19, not covid."""
    aliased = [f"{a} as {b}" for a, b in zip(names, as_names) if _plain_key(a) != _plain_key(b)]
    return "names matched ignoring case and punctuation" + (
        f"; {', '.join(aliased)}: COVID-19 and COVID, one disease's two spellings" if aliased else "")


def class_and_value(text: str, labels: list[str], option: str, value_name: str, example: float) -> tuple[int, float]:
    """'COVID=0.2' -> (index of COVID, 0.2) for a CLASS=VALUE option; a clear ValueError otherwise.
    The class matches as a folder does (covid and COVID-19 mean COVID), where one label has its key."""
    name, sep, value = text.partition("=")
    name = name.strip()
    head, _, tail = text.rpartition("=")
    if (held := _label_holding_equals(head, labels)) is not None:
        name, value = held, tail
    elif text.count("=") > 1:  # COVID=0.95,Normal=0.9: one rule, for one class
        raise ValueError(f"{option} takes one CLASS={value_name.upper()} (one class's rule), e.g. {labels[0]}={example:g}; "
                         f"got {text!r}")
    if not sep:
        raise ValueError(f"{option} wants CLASS={value_name.upper()}, e.g. {labels[0]}={example:g}; got {text!r}")
    if name not in labels and name.endswith(">"):  # COVID>=0.15, the rule as the CSV's rule column and notes print it
        name = name[:-1].rstrip()
    if name not in labels and any(ch in name for ch in "<>!"):  # COVID<=0.9 read as COVID>=0.9 ('<' is no letter)
        raise ValueError(f"{option} takes CLASS={value_name.upper()} or CLASS>={value_name.upper()}, e.g. "
                         f"{labels[0]}={example:g}; got {text!r}: a rule has no other comparison (it gives the class "
                         "whenever its probability reaches the threshold)")
    same = [k for k, c in enumerate(labels) if c.casefold() == name.casefold()]  # covid=0.3 means COVID
    if len(same) != 1:
        same = [k for k, c in enumerate(labels) if same_class_key(c) == same_class_key(name)]  # covid-19 too
    if name not in labels and len(same) != 1:
        raise ValueError(f"{option}: {name!r} is not one of the model's classes ({', '.join(labels)})")
    try:
        return labels.index(name) if name in labels else same[0], float(value)
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not a {value_name} between 0 and 1{decimal_comma_hint(value)}") from None


def _label_holding_equals(head: str, labels: list[str]) -> str | None:
    """The label ``head`` (what comes before a CLASS=VALUE's last '=') names where that label holds '=' itself ('=X':
    cxr-train takes such a folder), also as the CSV's rule cell gives it ("'=X>": the apostrophe is the
    spreadsheet's formula guard); else None."""
    head = head.strip()
    for name in (head, head[:-1].rstrip() if head.endswith(">") else head):
        for n in (name, name[1:] if name.startswith("'") else name):
            if "=" in n and n in labels:
                return n
    return None


def parse_threshold(text: str, labels: list[str]) -> tuple[int, float]:
    """'COVID=0.2' -> (index of COVID, 0.2); a clear ValueError for anything else."""
    k, p = class_and_value(text, labels, "--threshold", "probability", 0.3)
    if not 0.0 < p < 1.0:
        raise ValueError(f"--threshold: the probability must lie strictly between 0 and 1, got {p}")
    return k, p


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


# Under this specificity a rule calls most (more than half) of the other classes' films its class: cxr-convert and
# cxr-evaluate warn of it (convert.rule_notes), and the device's note on the rule says it (edge.model_notes).
SPECIFICITY_FLOOR = 0.5

# A rule is expected to find f / (n + 1) of the next cases where it finds f of the n it was chosen on (next_share): a
# little under its target by construction (0.941 for 95% on 100 cases). Only a shortfall beyond this is worth a word.
SHORTFALL = 0.02


def next_share(found: int, cases: int) -> float:
    """The share of the next cases a threshold is expected to find where it finds ``found`` of the ``cases`` it was
    placed among: found / (cases + 1) (convert.operating_point.next_film_rates). A rule cxr-convert stores from the
    validation split is one such threshold, and its counts alone (the file's chosen_films) give it."""
    return found / (cases + 1)


def falls_short(expected: float | None, target: float | None) -> bool:
    """Whether a rule ``expected`` to find that share of the next cases (next_share) misses its ``target``
    sensitivity by more than SHORTFALL: with so few cases it does not hold it."""
    return expected is not None and target is not None and expected < target - SHORTFALL


def chosen_counts(d: dict) -> tuple[int, int] | None:
    """(found, cases): the films of its class a rule cxr-convert chose on the validation split finds, of those there,
    from the counts the file stores (``d``: its decision's chosen_films); None where the file does not hold them or
    the rule was chosen on a site's films (cxr-evaluate, which says its own next-film figures)."""
    fit = d.get("chosen_films") if isinstance(d.get("chosen_films"), dict) else {}
    cases, sens = fit.get("n_positive"), fit.get("sensitivity")
    if d.get("chosen_on", "validation split") != "validation split" or not isinstance(cases, int) \
            or isinstance(cases, bool) or cases < 1 or not isinstance(sens, (int, float)) or isinstance(sens, bool):
        return None
    return round(sens * cases), cases


def recorded_target(d: dict | None) -> float | None:
    """The sensitivity a stored rule ``d`` was chosen for, or None where the file records none a reader can say: a
    rule stored by hand or by another tool may lack it, hold text, or hold 10**400 (JSON's integers have no limit),
    which stopped edge-classify and --card with 'unexpected OverflowError'."""
    target = d.get("target_sensitivity") if isinstance(d, dict) else None
    return float(target) if finite_number(target) else None


def stored_shortfall_share(d: dict) -> float | None:
    """The share of the next films of its class a stored rule ``d`` is expected to find (next_share of
    chosen_counts) where that falls short of its target (falls_short): 2 validation COVID films, both found, give
    0.667, not the 0.95 it was stored for; None where it holds its target or the file cannot tell."""
    counts, target = chosen_counts(d), recorded_target(d)
    if counts is None or not counts[0] or target is None:
        return None
    expected = next_share(*counts)
    return expected if falls_short(expected, target) else None


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
