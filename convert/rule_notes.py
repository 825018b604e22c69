"""What a chosen screening threshold does, in words, where it does not do what its user expects.

``--operating-point CLASS=SENS`` (cxr-convert, cxr-evaluate) stores the highest threshold that
reaches SENS on the films it is chosen on. A user asks for it to miss fewer films of CLASS. Two
outcomes defeat that purpose without any error:

- the most probable class already reaches more than SENS there, so the highest threshold that
  still reaches SENS lies above it and calls CLASS on fewer films: it buys specificity with
  sensitivity (convert.roc.against_most_probable);
- the threshold is so low that it calls most films of the other classes CLASS: a rule that
  flags most healthy films tells a reader little, and a device carrying it floods its users.

Both are said on stderr and in the reports; nothing is refused, since either may be what a site
wants after all. A threshold chosen on films of its own class alone, or on films that lack some of
a model's other classes, is another matter: nothing measures what it costs the classes missing, so
cxr-evaluate refuses to save it (convert.site_rule_notes.check_site_films).
"""

from __future__ import annotations

import numpy as np

from edge.decision import fmt_threshold
from edge.rule_shortfall import SPECIFICITY_FLOOR, chosen_counts, falls_short, next_share
from edge.figures import counted, fixed, listed
from edge.stored_rule_words import SITE_FILMS, site_films_words

# Below this specificity (on films of the other classes, which play no part in choosing it) the rule calls most (more than half) of the other
# classes' films the class: "most healthy films are called COVID" holds literally. Working rules
# sit well above it: the validation-chosen 95% COVID thresholds gave 0.72-0.76 on cxr-dev's test
# films (README, "A high-sensitivity threshold rule"), so a site's rule below 0.5 is not a trade-off but a model that
# cannot separate its films. (edge.decision holds it: the device's note on a rule says it too.)


def _num(v: float | None) -> str:
    return "n/a" if v is None else fixed(v)  # n/a: no films of the other classes to count


def less_sensitive_line(d: dict, films: str, percent: bool = False, digits: int = 4) -> str | None:
    """One line when the rule ``d`` (choose_decision's, with ``versus_most_probable``) finds fewer
    of its class's films among ``films`` than the most probable class does, or calls the class only on
    films that one calls it on (convert.roc.against_most_probable); else None. Shares as fractions, as
    stderr gives them, or ``percent`` as report.md does. ``digits``: the threshold's (fmt_threshold), EXACT_DIGITS
    for a rule chosen on films whose probabilities the user has beside the counts (cxr-evaluate's site rule)."""
    v = d.get("versus_most_probable")
    if not v or not v["less_sensitive"]:
        return None
    c, t = d["class"], fmt_threshold(d["threshold"], digits)
    target = f"{100 * d['target_sensitivity']:g}%" if percent else f"{d['target_sensitivity']:g}"
    share = (lambda x: f"{fixed(x, 1, 100)}%") if percent else fixed
    if v.get("above_half") and v["called_by_rule"] == v["called"]:  # the same films here: the device's note, said here
        return (f"the threshold p >= {t}, above 0.5, calls {c} only on films "
                f"the most probable class calls {c} ({v['called_by_rule']} against {v['called']} on {films}): it can find "
                f"fewer {c} films than the most probable class, never more, so it trades sensitivity for specificity, "
                "not the other way round")
    if v.get("found_by_rule") == v["tp"]:  # as many found here, by a stricter rule: fewer on other films
        return (f"at its most probable class the model already finds all the {c} films it finds on {films} "
                f"({v['tp']} of {v['n_positive']}); the threshold p >= {t}, the highest "
                f"that still reaches {target} there, calls {c} only on films the most probable "
                f"class calls {c} ({v['called_by_rule']} against {v['called']}): on other films it finds fewer, so it "
                "trades sensitivity for specificity, not the other way round")
    # "found_by_rule" is absent from reports written before cxr-edge 0.25.0, which counted films called
    found = f"finds {v['found_by_rule']} of them" if "found_by_rule" in v else "finds fewer of them"
    return (f"at its most probable class the model already reaches {c} sensitivity {share(v['sensitivity'])} on "
            f"{films} ({v['tp']} of {v['n_positive']}); the threshold p >= {t}, the highest that still "
            f"reaches {target} there, {found} (calling {c} on {counted(v['called_by_rule'], 'film')} against "
            f"{v['called']}), so it trades sensitivity for specificity, not the other way round")


def others_under_rule(y: np.ndarray, probs: np.ndarray, k: int, t: float, labels: list[str]) -> dict:
    """Each other class's films found (labelled as their class) under the rule class k at p >= t, and at the
    most probable class: what the rule costs them, which its own specificity alone does not show."""
    from edge.decision import labels_for

    y, probs = np.asarray(y), np.asarray(probs)
    ruled, plain = labels_for(probs, (k, t)), labels_for(probs)
    return {c: {"n": int((y == j).sum()), "found_by_rule": int(((y == j) & (ruled == j)).sum()),
                "found": int(((y == j) & (plain == j)).sum())} for j, c in enumerate(labels) if j != k}


def per_class_under_rule(y: np.ndarray, probs: np.ndarray, k: int, t: float, labels: list[str]) -> dict:
    """Each class's sensitivity and specificity (Wilson 95% intervals) as the rule class k at p >= t labels
    these films: with 3+ classes the rule changes the other answers too, and what they are worth follows
    from these, not from the most probable class's figures."""
    from convert.roc import rates_of_flags
    from edge.decision import labels_for

    y, ruled = np.asarray(y), labels_for(np.asarray(probs), (k, t))
    keys = ("sensitivity", "sensitivity_ci", "specificity", "specificity_ci", "tp", "fn", "fp", "tn")
    return {c: {key: r[key] for key in keys} for j, c in enumerate(labels)
            for r in [rates_of_flags(y == j, ruled == j)]}


def found_text(others: dict) -> str:
    """'COVID in 1 of 14 films (the most probable class: 8), Normal in 7 of 14 (9)': others_under_rule in words."""
    return ", ".join(f"{c} in {o['found_by_rule']} of {o['n']}" + (f" films (the most probable class: {o['found']})"
                                                                   if not k else f" ({o['found']})")
                     for k, (c, o) in enumerate(others.items()))


def swamped(others: dict | None) -> list[str]:
    """The other classes the rule takes most of (more than half, SPECIFICITY_FLOOR) of the films the most
    probable class finds of them (others_under_rule's)."""
    return [c for c, o in (others or {}).items() if o["found"] and o["found_by_rule"] < SPECIFICITY_FLOOR * o["found"]]


def swamps_line(d: dict, specificity: float | None, fp: int, negatives: int, labels: list[str], films: str,
                how: str, stored: str = "", others: dict | None = None, digits: int = 4) -> str | None:
    """The one check, for cxr-convert's stored rule and cxr-evaluate's site rule alike, that a rule ``d`` calls most
    films of the other classes its class (``how`` specificity under SPECIFICITY_FLOOR on ``films``), or, with 3 or more
    classes, takes most of the films the most probable class finds of another class (``others``); else None.
    ``digits``: the threshold's, as less_sensitive_line's."""
    lost = swamped(others)
    if (specificity is None or specificity >= SPECIFICITY_FLOOR) and not lost:
        return None
    cls = d["class"]
    rule = f"the rule {cls} whenever p >= {fmt_threshold(d['threshold'], digits)}{stored}"
    cost = f"; under it the device finds {found_text(others)}" if others and len(others) > 1 else ""
    if specificity is not None and specificity < SPECIFICITY_FLOOR:
        others_text = "/".join(c for c in labels if c != cls)
        return (f"{rule} has a {how + ' ' if how else ''}specificity of {fixed(specificity)} on {films}: the threshold calls {'all' if fp == negatives else 'most'} {others_text} "
                f"films {cls} ({fp} of {negatives}){cost}; a specificity under {SPECIFICITY_FLOOR:g} means the model "
                "cannot separate these films at that sensitivity")
    return (f"{rule} takes most of the {'/'.join(lost)} films the most probable class finds on {films}{cost}: the device "
            f"carrying it seldom answers {'/'.join(lost)}")


def stored_rule_warning(d: dict, labels: list[str]) -> str | None:
    """The swamps_line of a rule cxr-convert stored (``d``: choose_decision's, with ``others_on_validation``
    when it was chosen now), from its validation figures."""
    fit = d["chosen_films"]
    spec, neg = fit.get("specificity"), fit.get("n_negative") or 0
    fp = 0 if spec is None else round((1 - spec) * neg)
    return swamps_line(d, spec, fp, neg, labels, "the validation split",  # "a validation specificity ... on the
                       "", others=d.get("others_on_validation"))            # validation split" said it twice


def shortfall_line(d: dict, found: int, cases: int, expected: float | None, where: str = "it was chosen on",
                   digits: int = 4) -> str | None:
    """Where the rule ``d`` finds ``found`` of the ``cases`` films of its class it was chosen on and is ``expected`` to find
    (edge.rule_shortfall.next_share) less than its target sensitivity, by more than SHORTFALL (edge.rule_shortfall.falls_short,
    which the device's card follows too), that with so few films it does not hold its target; else None. The one
    sentence for cxr-evaluate's site rule and cxr-convert's stored one (``where``: which films those were, after 'the
    2 COVID films'; ``digits``: the threshold's, as less_sensitive_line's)."""
    target, cls = d.get("target_sensitivity"), d["class"]
    if not falls_short(expected, target):
        return None
    best = cases / (cases + 1)  # a threshold that finds all of them
    return (f"the rule {cls} whenever p >= {fmt_threshold(d['threshold'], digits)} was chosen for {cls} sensitivity {target:g}, but "
            f"a threshold that finds {found} of the {counted(cases, f'{cls} film')} {where} is expected to find "
            f"{fixed(expected)} of the next ones"
            + (f" (with {counted(cases, f'{cls} film')} no threshold can be expected to find more than {fixed(best)})"
               if best < target else "")
            + f": with so few {cls} films it does not hold its target; add films before relying on it")


def stored_shortfall(d: dict) -> str | None:
    """shortfall_line of a rule cxr-convert chose on the validation split (``d``: the file's decision), from the counts
    it stores (chosen_films): 2 validation COVID films, both found, are expected to give 0.667 of the next ones, not
    the 0.95 it was stored for; None where the file does not hold them or the rule was chosen on a site's films."""
    if (counts := chosen_counts(d)) is None:
        return None
    found, cases = counts
    return shortfall_line(d, found, cases, next_share(found, cases) if found else None,
                          "of the validation split it was chosen on")


def stored_rule_line(name: str, d: dict) -> str:
    """cxr-convert's stderr line (after its 'cxr-convert: ' prefix) for the rule stored in file ``name``."""
    fit = d["chosen_films"]
    return (f"{name}: stored the rule {d['class']} whenever p >= {fmt_threshold(d['threshold'])} (validation sensitivity "
            f"{_num(fit['sensitivity'])}, specificity {_num(fit['specificity'])})")


def _rule_warnings(d: dict, labels: list[str]) -> list[str]:
    return [w for w in (less_sensitive_line(d, "the validation split"), stored_rule_warning(d, labels),
                        stored_shortfall(d)) if w]


def stored_rule_lines(name: str, d: dict, labels: list[str]) -> list[str]:
    """cxr-convert's stderr lines (after its 'cxr-convert: ' prefix) where it stores a rule in one file, ``name``:
    the rule, then its warnings (with several files, stored_rule_warnings says each warning once, after them all)."""
    return [stored_rule_line(name, d)] + [f"warning: {w}" for w in stored_rule_warnings([(name, d)], labels)]


_AT, FILES_HERE = "p >= \x00", "\x01"  # a warning's threshold, set aside to find the same warning of each file; its files


def once_per_choice(rules: list[tuple[str, dict]], warnings) -> list[tuple[str, str, str]]:
    """(kind, files, warning) for each (kind, warning) ``warnings(d)`` gives about the rule of any of these files
    ((name, decision): one choice on the same validation films through each file), each once, its files named as 'a,
    b and c' (also where a warning holds FILES_HERE). Each file's threshold is its own, chosen through its own answers
    (0.5086, 0.5085): where they differ, the warning gives each. --quant fp32,fp16,dynamic said the same three
    warnings three times, on stderr and in report.md."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (kind, warning with its threshold set aside) -> files
    for name, d in rules:
        t = fmt_threshold(d["threshold"])
        for kind, w in warnings(d):
            groups.setdefault((kind, w.replace(f"p >= {t}", _AT)), []).append((name, t))
    out = []
    for (kind, text), files in groups.items():
        first = files[0][1]
        others = "; ".join(f"{t} for {name}" for name, t in files if t != first)
        names = [name for name, _ in files]
        named = listed(names)
        out.append((kind, named, text.replace(_AT, f"p >= {first}" + (f" ({others})" if others else ""))
                    .replace(FILES_HERE, named)))
    return out


def stored_rule_warnings(rules: list[tuple[str, dict]], labels: list[str]) -> list[str]:
    """cxr-convert's warnings (after 'cxr-convert: warning: ') about the rules it stored in these files ((file name,
    decision)): each said once, after them all, naming the files it applies to (once_per_choice)."""
    return [f"{files}: {w}" for _, files, w in once_per_choice(rules, lambda d: [("", w) for w in _rule_warnings(d, labels)])]


def removed_rule_line(name: str, d: dict) -> str:
    """cxr-convert's stderr line for the rule --operating-point none took out of file ``name``: as
    storing one is said, so is removing it (the device's answers change with it)."""
    return (f"{name}: removed the rule {d['class']} whenever p >= {fmt_threshold(d['threshold'])} (--operating-point "
            "none): it now gives the most probable class")


def versus_sentence(d: dict, films: str, digits: int = 4) -> list[str]:
    """Report lines (Markdown) for a rule that is less sensitive than the most probable class; [] otherwise
    (``digits``: the threshold's, as less_sensitive_line's)."""
    from convert.report_text import md_names

    warn = md_names(less_sensitive_line(d, films, percent=True, digits=digits) or "", [d["class"]])  # its class name: text, never Markdown
    return [f"**Less sensitive than the most probable class:** {warn[0].upper()}{warn[1:]}.", ""] if warn else []


def chosen_films_line(info: dict, films_sha256: list[str], rule: str, scored: str = "films scored") -> str | None:
    """A warning when some of the films scored (``scored``: what to call them) are ones the file's stored rule
    (``rule``, in words) was chosen on, found by their bytes (convert.operating_point.chosen_films_among),
    whatever the folder is called; None when none are, or the file does not say which films they were."""
    from convert.operating_point import chosen_films_among

    n = chosen_films_among(info.get("decision_films"), films_sha256)
    if not n:
        return None
    return (f"{n} of the {len(films_sha256)} {scored} {'is one' if n == 1 else 'are ones'} the rule this model file carries, {rule}, was chosen "
            f"on ({site_films_words(str(info.get('decision_chosen_on')))}): on them its sensitivity is optimistic (the threshold was placed among "
            "their cases); score films it was not chosen on (the figures for the next films that cxr-evaluate "
            "--operating-point gave when it chose it are the honest estimate)")


def chosen_here_line(chosen_on: str | None, folder: str, rule: str) -> str | None:
    """A warning when the stored rule (``rule``, in words) was chosen by cxr-evaluate on a folder of
    this name (its metadata's ``chosen_on``: "films in NAME (N, cxr-evaluate)", the folder's
    resolved name); None otherwise."""
    m = SITE_FILMS.fullmatch(chosen_on or "")
    if not m or m.group(2) != folder:
        return None
    return (f"the rule this model file carries, {rule}, was chosen on {site_films_words(m.group(0))}, the folder scored here: on the films "
            "it was fitted to, its sensitivity is optimistic (the threshold was placed among their cases); score films it "
            "was not chosen on (the figures for the next films that cxr-evaluate --operating-point gave when it chose it "
            "are the honest estimate)")
