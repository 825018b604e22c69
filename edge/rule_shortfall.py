"""When a stored rule is worth a warning: too few films to hold its target sensitivity, or too low a specificity.

A rule cxr-convert stores from the validation split finds f of the n films of its class there, and is expected to
find f / (n + 1) of the next ones (next_share): with 2 films, both found, 0.667, not the 0.95 it was chosen for.
cxr-convert warns of it (convert.rule_notes), and the device's card and notes say it (edge.stored_rule_words), from
the counts the file stores; all of them by these limits, so that they warn alike.
"""

from __future__ import annotations

from edge.metadata import finite_number


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
