"""What a model's answer is worth at a site's mix of classes: PPV and NPV from sensitivity and
specificity by Bayes' rule, worded for the card (edge-classify --card) and used by cxr-evaluate's
prevalence table. A test set's PPV holds only at its own mix; at 5% COVID most positive answers of
a good model may be false, and a reader must be told so in words.
"""

from __future__ import annotations

import re
import unicodedata

from edge.figures import rounded_down


def predictive_values(sensitivity: float, specificity: float, prevalence: float) -> tuple[float | None, float | None]:
    """(PPV, NPV) of a test with this sensitivity and specificity at this prevalence (Bayes' rule);
    None where the answer is never (or always) given, so the value is undefined.

    A test set's PPV holds only at its own mix of classes; a site's films may hold far fewer
    cases, and then most positive answers are false even at good sensitivity and specificity."""
    if not 0.0 <= prevalence <= 1.0:
        raise ValueError(f"prevalence must lie in 0..1, not {prevalence}")
    tp, fp = sensitivity * prevalence, (1.0 - specificity) * (1.0 - prevalence)
    tn, fn = specificity * (1.0 - prevalence), (1.0 - sensitivity) * prevalence
    return (tp / (tp + fp) if tp + fp > 0 else None, tn / (tn + fn) if tn + fn > 0 else None)


CARD_PREVALENCE = 0.05


# Names a reader takes for "no disease": with one such class of two, its answer is the other's "no".
# a hospital names its folders in its own language: Normalbefund was read as a disease, and its
# card, prevalence table and device note took the form meant for two findings
NORMAL_NAMES = ("normal", "normals", "no finding", "no findings", "no disease", "healthy", "negative", "normal cxr",
                "normalbefund", "unauffällig", "unauffaellig", "ohne befund", "gesund", "negativ", "normale",
                "normaal", "sano", "sain", "saudável", "saudavel", "normalny", "zdrowy", "normalt", "frisk")


def is_normal_class(name: str) -> bool:
    """Whether a class name means "no disease" (Normal, No_Finding, HEALTHY, 0_normal, Normalbefund ...),
    whatever its case, underscores, hyphens or a leading number: folder names spell the same class many ways."""
    words = " ".join(re.split(r"[\s_-]+", unicodedata.normalize("NFC", name).strip().lower()))
    return words in NORMAL_NAMES or re.sub(r"^\d+ ", "", words) in NORMAL_NAMES


def percent(v: float) -> str:
    """A share as a whole percent, but never 100% (or 0%) unless exact: "right 100% of the time" for
    99.7% would promise a clinician an answer that is never wrong."""
    for digits in (0, 1):
        text = f"{100 * v:.{digits}f}"
        if (float(text) < 100 or v >= 1) and (float(text) > 0 or v <= 0):
            return text + "%"
    return ">99.9%" if v > 0.5 else "<0.1%"


def only_none_seen(value: float | None, rate: float | None) -> bool:
    """Whether a PPV (NPV) of 100% comes only from no false call (no missed film) among the films scored: the
    specificity (sensitivity) it is worked out from is 1. No false call among 12 films is no proof of none
    among 1,000; "100%" at 1% prevalence read as an answer that is always right. Only the lower end of its
    range says something then."""
    return value is not None and rate is not None and value >= 1.0 and rate >= 1.0


def no_better(value: float | None, base: float) -> bool:
    """Whether a PPV (NPV) is no more than answering without the model gives, ``base``: the prevalence (the share
    of films not of the class). Within 1e-9: a card's rates are stored to 3 decimals, and 5/7 and 2/7 as 0.714
    and 0.286 give a PPV of 0.05000000000000002, which read as better than no test where the report, from the
    counts, said it was not."""
    return value is not None and value <= base + 1e-9


def exact_rates(r: dict) -> tuple[list, list]:
    """A card's [point, low, high] sensitivity and specificity of a class, the points worked out from its film
    counts where the card carries them (``counts``: tp, fn, fp, tn). Stored to 3 decimals, 1 of 16 found and 61 of
    65 others right are 0.062 and 0.938, which sum to 1: "no better than no test", where the report, from the
    counts, said the answer was better; from the counts the card judges as the report does."""
    sens, spec = list(r.get("sensitivity") or [None]), list(r.get("specificity") or [None])
    tp, fn, fp, tn = r.get("counts") or (0, 0, 0, 0)
    if tp + fn and sens[0] is not None:
        sens[0] = tp / (tp + fn)
    if tn + fp and spec[0] is not None:
        spec[0] = tn / (tn + fp)
    return sens, spec


def none_seen_words(which: int, name: str, among: str) -> str:
    """Why a PPV (``which`` 0) or NPV (1) has no point figure: 'no false COVID call among 12 films' or 'no COVID
    film missed among the test films'. ``among``: the films, with their count where it is known."""
    return f"no false {name} call among {among}" if which == 0 else f"no {name} film missed among {among}"


def no_value_words(key: str, name: str, classes: list[str]) -> str:
    """Why a class's PPV (``key`` "ppv") or NPV ("npv") has no value at any prevalence: the model never gave that
    class's answer, or gave it to every film, so there is no answer of that kind to judge. With two ``classes`` the
    NPV is the other class's answer. A model that called every film COVID showed 'n/a (0.0–100.0)' in the Normal
    answer's column: a bare n/a with an interval that says nothing, where the reason is one line. Here, in edge, so
    that the card (_worth) and report.md's table (convert.prevalence) say it in the same words."""
    if key == "ppv":
        return f"the model never answered {name}"
    others = [c for c in classes if c != name]
    return f"the model never answered {others[0]}" if len(classes) == 2 else f"the model answered {name} for every film"


def normal_note(labels: list[str]) -> str:
    """What a normal class's answer means, for a model that has one: 'Normal 0.9988' for a child's
    viral pneumonia read as a normal film, when to the model it means only none of its other classes. For a model
    with none, that it cannot answer "normal": a healthy film got 'Viral_Pneumonia 0.8042' without a word."""
    normal = [c for c in labels if is_normal_class(c)]
    if not normal and len(labels) >= 2:
        answers = " or ".join(labels) if len(labels) < 3 else f"one of {', '.join(labels[:-1])} or {labels[-1]}"
        return f"; this model has no normal class: every film, a healthy one too, gets {answers}"
    meaning = normal_meaning(labels)
    return f"; {meaning}" if meaning else ""


def normal_meaning(labels: list[str], label: int | None = None) -> str:
    """"'Normal' means only 'not COVID', never 'no disease'" for a model of one normal class among others, else '';
    with ``label`` (an answer's class), '' unless the answer is that class: an evidence map captioned 'Normal 0.46'
    travels alone, without the stderr note (normal_note) that says so."""
    normal = [c for c in labels if is_normal_class(c)]
    if len(normal) != 1 or len(labels) < 2 or (label is not None and labels[label] != normal[0]):
        return ""
    others = [c for c in labels if c != normal[0]]
    either = ", ".join(others[:-1]) + " or " + others[-1] if len(others) > 1 else others[0]  # 'not COVID, X' read as a list
    return f"'{normal[0]}' means only 'not {either}', never 'no disease'"


def _worth(sens: list, spec: list, which: int, figures: str = "the test figures'", name: str = "",
           films: str = "test films", classes: list[str] | None = None) -> tuple[float | None, str, str]:
    """PPV (``which`` 0) or NPV (1) at the card's prevalence, the figure to show for it, and its range in words
    from the ends of the test films' sensitivity and specificity intervals: on 8 films, "100%" alone promised a
    clinician an answer never wrong, where the report said 100 (3.0-100.0). Where it is 100% only because no
    false call (no missed film of ``name``) was seen among the ``films``, the figure is 'at least' the range's
    lower end (only_none_seen), as report.md's prevalence table gives it. Where it has no value (the answer was never
    given, or given to every film), 'n/a' and why, in report.md's words (no_value_words; ``classes``: the model's),
    never a bare 'n/a'."""
    point = predictive_values(sens[0], spec[0], CARD_PREVALENCE)[which]
    if point is None:
        return None, "n/a", f", {no_value_words(('ppv', 'npv')[which], name, list(classes or [name]))}"
    if len(sens) < 3 or len(spec) < 3 or None in (*sens[1:3], *spec[1:3]):
        return point, percent(point), ""
    lo = predictive_values(sens[1], spec[1], CARD_PREVALENCE)[which]
    hi = predictive_values(sens[2], spec[2], CARD_PREVALENCE)[which]
    if lo is not None and only_none_seen(point, (spec if which == 0 else sens)[0]):
        return point, f"at least {rounded_down(lo, 0)}%", f", {none_seen_words(which, name, f'the {films}')}"
    if lo is None or hi is None or percent(lo) == percent(hi):
        return point, percent(point), ""
    return point, percent(point), f", {percent(lo)} to {percent(hi)} within {figures} intervals"


def _disease_line(disease: str, normal: str, sens: list, spec: list, films: str = "test films",
                  figures: str = "the test figures'") -> str:
    """The two-class card's line: what each answer is worth when 5% of the films are of the disease.

    "Normal at 5%" would mean the disease at 95%, and reading the disease's PPV beside the normal
    class's name tells a clinician a Normal answer is seldom right, when at a low prevalence it is
    almost always right. So both answers are keyed to the disease's prevalence: its PPV, and its
    NPV, which is what a Normal answer is worth. ``sens``, ``spec``: [point, low, high]; ``films`` and
    ``figures`` name where they come from (a site's rule: its films, as expected on its next films)."""
    (ppv, ppv_shown, ppv_range), (npv, npv_shown, npv_range) = (_worth(sens, spec, k, figures, disease, films,
                                                                        [disease, normal]) for k in (0, 1))
    # beside what answering without looking gives: a Normal answer 'right 93%' where calling every film Normal is
    # right 95% read as reassuring, and made the disease more likely, not less
    base = f"; every film called {normal}: {percent(1 - CARD_PREVALENCE)}" + (
        ", so this answer is no better than no test" if no_better(npv, 1 - CARD_PREVALENCE) else "")
    worse = " (no better than no test)" if no_better(ppv, CARD_PREVALENCE) else ""
    # said of the films it was scored on: "it would never answer Normal" stood above its Normal answers on other films
    if ppv is None:  # it gave those films no disease answer
        said = (f"it answered {disease} for none of the {films}; a {normal} answer would be right {npv_shown} of "
                f"the time (NPV{npv_range}{base})")
    elif npv is None:  # it gave those films the disease, every one
        said = (f"a {disease} answer would be right {ppv_shown} of the time (PPV{ppv_range}){worse}; it answered "
                f"{normal} for none of the {films}")
    else:
        said = (f"a {disease} answer would be right {ppv_shown} of the time (PPV{ppv_range}){worse}, "
                f"a {normal} answer {npv_shown} (NPV{npv_range}{base})")
    return (f"  If {100 * CARD_PREVALENCE:g}% of your films were {disease} and the rest like its {normal} {films}: "
            f"{said} (other findings among the rest lower it, and a {normal} answer says only 'not {disease}': films "
            f"of findings it was not trained on, such as other pneumonias, get it too; cxr-evaluate --prevalence for "
            "your own mix)")


def ppv_line(per_class: dict[str, dict], films: str = "test films", figures: str = "the test figures'",
             labels: list[str] | None = None) -> str | None:
    """What an answer is worth at a low prevalence: keyed to the disease for a disease-or-normal model,
    else each class's PPV were it 5% of the films. ``films``, ``figures``: where the rates come from. ``labels``: the
    model's (else per_class's): whether Normal is left out is the model's, not the rows' (a Normal rule on four
    classes has its own figures alone, and its card gave 'Normal 7%')."""
    rates = {c: exact_rates(r) for c, r in per_class.items()}
    labels = list(labels or rates)
    normal = [c for c in labels if is_normal_class(c)]
    if len(rates) == 2 and len(labels) == 2 and len(normal) == 1:
        disease = next(c for c in rates if c != normal[0])
        sens, spec = rates[disease]
        return (_disease_line(disease, normal[0], sens, spec, films, figures) if sens[0] is not None and spec[0] is not None
                else None)
    parts = []
    # with three or more classes, Normal's row left out as the two-class line leaves it: 'Normal 14%' at 5% read as a
    # Normal answer seldom right, where at a clinic most films are Normal and the others together would be 95%
    well = normal[0] if len(labels) >= 3 and len(normal) == 1 else None
    for c, (sens, spec) in rates.items():
        if c == well or sens[0] is None or spec[0] is None:
            continue
        ppv, shown, within = _worth(sens, spec, 0, figures, c, films, labels)
        if ppv is None:  # never answered: the card names such classes after this line ("no PPV for the classes never
            continue     # answered on the test split: ..."), once, not as an n/a each
        # marked as the report marks it: at or under the prevalence, the answer adds nothing
        parts.append(f"{c} {shown}{within.replace(', ', ' (', 1) + ')' if within else ''}"
                     + (" (no better than no test)" if no_better(ppv, CARD_PREVALENCE) else ""))
    others = [c for c in labels if c != well]
    why = (f"a {well} answer says only 'not {', '.join(others[:-1])} or {others[-1]}', never 'no disease', and films of "
           "findings it was not trained on get it too" if well else "")
    if not parts:  # a Normal rule's figures alone: said in words, not as 'Normal 7%'
        return f"  No figure for what its answers are worth at your prevalence: {well} left out, since {why}" if (
            well in rates) else None
    left = f"; {well} left out: {why}" if well in rates else ""  # no word of a class whose figures were not given
    return (f"  If a class made up {100 * CARD_PREVALENCE:g}% of your films, its answers would be right (PPV): "
            f"{', '.join(parts)}{left} (cxr-evaluate --prevalence for your own mix)")


def under_rule(per_class: dict[str, dict], rule: dict) -> dict[str, dict]:
    """The per-class figures as the stored rule gives them: its class's sensitivity and specificity
    on the test films, and with two classes the other's, which are those two swapped. With more,
    each class's under the rule where the card carries them (convert.card's per_class), else the rule's
    class alone: the most probable class's would be shown as the rule's."""
    def ruled(c: str, r: dict) -> dict:  # the most probable class's counts are not the rule's
        return {**{k: v for k, v in per_class.get(c, {}).items() if k != "counts"}, **r}

    if len(per_class) > 2 and rule.get("per_class"):
        return {c: ruled(c, r) for c, r in rule["per_class"].items()}
    counts = {"counts": rule["counts"]} if rule.get("counts") else {}
    per = {c: dict(r) for c, r in per_class.items()}
    per[rule["class"]] = ruled(rule["class"], {"sensitivity": rule["sensitivity"], "specificity": rule["specificity"],
                                               **counts})
    if len(per) == 2:
        other = next(c for c in per if c != rule["class"])
        tp, fn, fp, tn = rule.get("counts") or (None,) * 4  # the other class's: its films are the rule's others
        per[other] = ruled(other, {"sensitivity": rule["specificity"], "specificity": rule["sensitivity"],
                                   **({"counts": [tn, fp, fn, tp]} if counts else {})})
        return per
    return {rule["class"]: per[rule["class"]]}


def rule_class_alone(rule: dict, labels: list[str]) -> str:
    """Said after a rule's PPV line that gives its class alone though the device gives other answers too (a Normal
    rule's, where the line leaves Normal out: that the others' are not on the card)."""
    if len(labels) <= 2 or rule.get("per_class"):
        return ""
    if is_normal_class(rule["class"]) and sum(map(is_normal_class, labels)) == 1:
        return "; the card does not carry the other answers' figures under the rule"
    return (f"; {rule['class']} alone: the card does not carry the other answers' figures under the rule, and the "
            "most probable class's are not the device's")
