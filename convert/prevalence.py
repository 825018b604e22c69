"""What a positive answer is worth at your site's prevalence, not the test set's.

A test set's PPV holds only at that set's mix of classes: cxr-dev's COVID vs Normal test split
is about half COVID, a clinic's films may be 2% COVID. Sensitivity and specificity carry over
(as far as the films resemble the test set's); PPV and NPV must be recomputed with Bayes' rule.
At 0.91 sensitivity and 0.89 specificity, a COVID answer is right 89% of the time on a 50% set
and 14% of the time at 2% prevalence.
"""

from __future__ import annotations

from convert.report_text import md_cell, md_names
from edge.answer_worth import is_normal_class, no_value_words, none_seen_words, only_none_seen, predictive_values
from edge.answer_worth import no_better as worth_no_better
from edge.capped_repr import capped_text
from edge.comma_list import comma_items, decimal_comma_hint
from edge.figures import fixed, rounded_down

__all__ = ["PREVALENCES", "at_prevalences", "json_rows", "no_value_words", "parse_prevalences", "predictive_values", "section",
           "under_rule"]

PREVALENCES = (0.01, 0.05, 0.2, 0.5)

# One film in a million, of the class or of the others: 1e-320 (a subnormal, held to 3 digits) was taken and gave a
# table row '1e-318%' whose PPV and NPV read 0.0 and 100.0 for any model; no site's films tell a share that small.
SMALLEST_SHARE = 1e-6


def parse_prevalences(text: str, option: str = "--prevalence") -> tuple[float, ...]:
    """'0.05,0.01' -> (0.01, 0.05), each once and in order (a table's rows); a clear error for
    anything but shares strictly between 0 and 1, a share within SMALLEST_SHARE of either, or an empty item
    ('0.1,,0.2': a share left out?)."""
    items = comma_items(text, option, "shares", "0.01,0.05")
    try:
        values = tuple(sorted({float(v) for v in items}))
    except ValueError:
        raise ValueError(f"{option}: {text!r} is not a comma-separated list of numbers") from None
    if not values or not all(0 < v < 1 for v in values):
        raise ValueError(f"{option}: each share must lie between 0 and 1 (exclusive), not {text!r}"
                         f"{decimal_comma_hint(text)}")
    if tiny := [v.strip() for v in items if min(float(v), 1 - float(v)) < SMALLEST_SHARE]:  # as the user wrote it
        raise ValueError(f"{option}: {capped_text(tiny[0])} is too close to {round(float(tiny[0]))} to be a share of a "
                         f"site's films: give shares from 0.000001 (one film in a million) to 0.999999, e.g. 0.01")
    return values


def at_prevalences(per_class: list[dict], prevalences: tuple[float, ...] = PREVALENCES) -> list[dict]:
    """For each class with both sensitivity and specificity (summarize's per_class rows): PPV and NPV
    at each prevalence, the point value and the range the two Wilson intervals give (PPV and NPV
    rise with both, so the lower ends give the lower bound). Where a PPV (NPV) is 1 only because no false
    call (no missed film of the class) was seen, ``ppv_no_false_call_among`` (``npv_no_missed_film_among``)
    gives among how many films (None where the rows do not count them): the table then shows the range's
    lower end alone (edge.answer_worth.only_none_seen). Where a PPV (NPV) is None, ``ppv_no_value``
    (``npv_no_value``) says why (no_value_words): 'n/a (0.0–100.0)' alone told a reader nothing; its range is
    [None, None], as a null value's interval is elsewhere in report.json ([0.0, 1.0] beside null read as a range)."""
    rows = []
    names = [r["class"] for r in per_class]
    for r in per_class:
        if r.get("sensitivity") is None or r.get("specificity") is None:
            continue
        (s_lo, s_hi), (c_lo, c_hi) = r["sensitivity_ci"], r["specificity_ci"]
        n_class, n_other = _films(r)
        for p in prevalences:
            ppv, npv = predictive_values(r["sensitivity"], r["specificity"], p)
            ppv_lo, npv_lo = predictive_values(s_lo, c_lo, p)
            ppv_hi, npv_hi = predictive_values(s_hi, c_hi, p)
            row = {"class": r["class"], "prevalence": p, "ppv": ppv, "ppv_range": [ppv_lo, ppv_hi],
                   "npv": npv, "npv_range": [npv_lo, npv_hi]}
            if only_none_seen(ppv, r["specificity"]):
                row["ppv_no_false_call_among"] = n_other
            if only_none_seen(npv, r["sensitivity"]):
                row["npv_no_missed_film_among"] = n_class
            for key, value in (("ppv", ppv), ("npv", npv)):
                if value is None:  # its range, from the intervals' ends, spans 0 to 1 and would be read as the value's
                    row[f"{key}_range"] = [None, None]
                    row[f"{key}_no_value"] = no_value_words(key, r["class"], names)
            rows.append(row)
    return rows


def _films(r: dict) -> tuple[int | None, int | None]:
    """How many films of the class and of the others a per_class row was counted on (summarize's rows count
    them; under_rule's carry them over, since a rule changes the answers, not the films)."""
    others = r.get("n_others", r["tn"] + r["fp"] if isinstance(r.get("tn"), int) and isinstance(r.get("fp"), int) else None)
    return r.get("support"), others


def under_rule(per_class: list[dict], rule: dict) -> list[dict]:
    """summarize's per_class rows as a stored rule (a model file's decision) labels the test films: its
    class's test sensitivity and specificity, and with two classes the other's, those two swapped. With
    more, every class's as the rule labels them (convert.rule_notes.per_class_under_rule), since the
    device still gives the other answers; where those were not kept, the rule's class alone: the most
    probable class's figures would be read as the device's."""
    t = rule["test"]
    films = {r["class"]: dict(zip(("support", "n_others"), _films(r))) for r in per_class}
    if len(per_class) != 2 and (ruled := rule.get("per_class_on_test")):
        return [{"class": r["class"], **films[r["class"]], **ruled[r["class"]]} for r in per_class if r["class"] in ruled]
    mine = {"class": rule["class"], **films.get(rule["class"], {}), "sensitivity": t["sensitivity"],
            "sensitivity_ci": t["sensitivity_ci"], "specificity": t["specificity"], "specificity_ci": t["specificity_ci"]}
    if len(per_class) != 2:
        return [mine]
    name = next(r["class"] for r in per_class if r["class"] != rule["class"])
    other = {"class": name, **films[name], "sensitivity": t["specificity"], "sensitivity_ci": t["specificity_ci"],
             "specificity": t["sensitivity"], "specificity_ci": t["sensitivity_ci"]}
    return [mine if r["class"] == rule["class"] else other for r in per_class]


def chosen_rule_worth(per_class: list[dict], site: dict, classes: list[str],
                      prevalences: tuple[float, ...]) -> tuple[dict, list[str]]:
    """The rows (json_rows) and report.md table of what a threshold chosen on a site's films (convert.operating_point,
    cxr-evaluate --operating-point) is worth at each prevalence, from its expected next-film rates, as the
    card of the copy --save-model writes gives it: the report's own table is of the labelling it scored
    (the file's old rule), and the saved copy's figures were found nowhere in the report that chose them. The
    threshold is printed to EXACT_DIGITS, as the site section above it prints it (convert.rule_sections)."""
    from edge.decision import EXACT_DIGITS, fmt_threshold

    d = site["decision"]
    rows = at_prevalences(under_rule(per_class, {"class": d["class"], "test": site["next_films"]}), prevalences)
    return json_rows(rows, classes), section(rows, classes, f"the sensitivity and specificity this threshold ({md_cell(d['class'])} whenever p ≥ "
                                             f"{fmt_threshold(d['threshold'], EXACT_DIGITS)}) is expected to give on this site's next films",
                                             "### What its answers would be worth at your prevalence")


def json_rows(rows: list[dict], model_classes: list[str]) -> dict:
    """report.json's rows as report.md's table has them, ``{"rows": ..., "left_out": [{"class", "why"}]}``: with three
    or more classes a Normal rule's 'Normal at 5%' row, and the main table's, were read as what a Normal answer is
    worth at a clinic, where report.md leaves them out; ``left_out`` tells a script reading the rows that they were
    left out, not lost, and why. Two classes keep both classes' rows: the Normal row at a share p is the disease's at
    1 - p with PPV and NPV swapped, exact as labelled, and report.md's disease-keyed table shows the same figures."""
    left_out = normal_left_out(list(dict.fromkeys(r["class"] for r in rows)), model_classes)
    return {"rows": [r for r in rows if r["class"] not in left_out],
            "left_out": [{"class": c, "why": f"'{c} at 5%' would mean the other classes together at 95%: its PPV there is not "
                          f"what a {c} answer is worth at a clinic, where most films are {c}"} for c in left_out]}


def _pct(v: float | None) -> str:
    return "n/a" if v is None else fixed(v, 1, 100)


BRACKETS = ("In brackets: the range the sensitivity and specificity intervals give, taking both ends at once (wider "
            "than a 95% interval, and not one). The specificity is measured on this set's other classes: where a "
            "clinic's other films hold findings the model calls the disease more often (other pneumonias), the PPV "
            "there is lower.")


def section(rows: list[dict], model_classes: list[str], basis: str = "the sensitivity and specificity above",
            heading: str = "## What an answer is worth at your prevalence") -> list[str]:
    """report.md: PPV and NPV per class at other prevalences. For a disease-or-Normal model, the
    disease's rows only, in words: "Normal at 1%" would mean the disease at 99%, and a reader takes
    the Normal row's PPV for what a Normal answer is worth at a clinic where the disease is rare.
    Only for a model of two classes: a model of more scored on films of two of them has other answers
    (Viral Pneumonia) that the disease's NPV counts as right, so that NPV is not a Normal answer's.
    ``basis``: whose sensitivity and specificity the rows are (a stored rule's, not the tables')."""
    if not rows:  # films of one class: no specificity, so no answer's worth (--prevalence was dropped unsaid)
        return [heading, "",
                "Not worked out: it needs a class's sensitivity and its specificity, and no class has both here (films "
                "of one class only). Score films of every class to see what an answer is worth at your prevalence.", ""]
    classes = list(dict.fromkeys(r["class"] for r in rows))
    normal = [c for c in classes if is_normal_class(c)] if len(model_classes) == 2 else []
    md = [heading, ""]
    if len(classes) == 2 and len(normal) == 1:
        of_disease = next(c for c in classes if c != normal[0])
        disease, well = md_cell(of_disease), md_cell(normal[0])  # as report.md prints them: text, never Markdown
        md += [f"How often each answer is right when {disease} makes up this share of the films, from {basis} "
               f"(Bayes' rule): a {disease} answer (PPV) and a {well} answer (NPV). The per-class table's "
               f"PPV holds only at this set's own mix. A {well} answer is right here when the film is not "
               f"{disease}: it does not say the film is free of other disease, and films of findings the model was not "
               f"trained on (other pneumonias, effusions) get {well} answers too. {BRACKETS}", "",
               f"| {disease} prevalence | a {disease} answer is right, % (PPV) | a {well} answer is right, % (NPV) "
               f"| every film called {well}, right % |",
               "|---:|---|---|---:|"]
        return md + [f"| {100 * r['prevalence']:g}% | {_pct_range(r, 'ppv', model_classes)} | {_pct_range(r, 'npv', model_classes)} | "
                     f"{_pct(1 - r['prevalence'])} |" for r in rows if r["class"] == of_disease] + ["", NO_BETTER, ""]
    left_out = normal_left_out(classes, model_classes)
    rows = [r for r in rows if r["class"] not in left_out]
    if not rows:  # a Normal rule's figures alone (cxr-evaluate --operating-point Normal=0.9 on 3+ classes)
        return md + [f"Not worked out: the only figures known here are {md_cell(left_out[0])}'s ({basis}). "
                     f"{normal_words(left_out[0], model_classes)} What the other classes' answers are worth under this rule is "
                     "not worked out here.", ""]
    md += ["PPV (how often an answer of this class is right) and NPV (how often 'not this class' is right) when the "
           f"class makes up this share of the films, from {basis} (Bayes' rule). "
           f"The per-class table's PPV holds only at this set's own mix. {BRACKETS}"
           + "".join(f" {normal_words(c, model_classes)}" for c in left_out), "",
           "| class | prevalence | PPV % | NPV % |", "|---|---:|---|---|"]
    md += [f"| {md_cell(r['class'])} | {100 * r['prevalence']:g}% | {_pct_range(r, 'ppv', model_classes)} | {_pct_range(r, 'npv', model_classes)} |" for r in rows]
    return md + ["", NO_BETTER, ""]


def normal_left_out(classes: list[str], model_classes: list[str]) -> list[str]:
    """The Normal class whose rows a table of three or more classes leaves out, as the two-class table does: 'Normal
    at 1%' means the diseases together at 99%, and run4b's 'Normal | 5% | 11.4' read as a Normal answer right 11% of
    the time at a clinic, where most films are Normal. Decided from the model's classes, not from how many rows there
    are: a Normal rule chosen by cxr-evaluate has its own rows alone, and 'Normal at 5%: PPV 7.5' was shown."""
    normal = [c for c in model_classes if is_normal_class(c)]
    if len(model_classes) < 3 or len(normal) != 1 or normal[0] not in classes:
        return []
    return normal


def normal_words(normal: str, model_classes: list[str]) -> str:
    """Why a Normal class's rows are left out of a table of three or more classes, and what its answer says: only
    that the film is none of the other classes (the two-class table's sentence, naming them)."""
    well, others = md_cell(normal), [md_cell(c) for c in model_classes if c != normal]
    listed = ", ".join(others[:-1]) + f" or {others[-1]}" if len(others) > 1 else others[0]
    return (f"{well} has no rows: '{well} at 5%' would mean the other classes together at 95%, and its PPV there "
            f"is not what a {well} answer is worth at a clinic, where most films are {well}. A {well} answer is right "
            f"here when the film is not {listed}: it does not say the film is free of other disease, and films of "
            f"findings the model was not trained on (other pneumonias, effusions) get {well} answers too.")


# Without it, a Normal answer 'right 98.0%' at 1% COVID read as reassuring, where calling every film Normal is right
# 99%: that answer doubled the chance of COVID.
NO_BETTER = ("A PPV no higher than the prevalence, or an NPV no higher than the share of films not of the class (what "
             "answering without looking scores), is marked *no better than no test*: at that prevalence the answer "
             "adds nothing, or points the wrong way.")


def no_better(r: dict, key: str) -> bool:
    """Whether an answer's worth at a prevalence is no more than answering without the model gives (as the card
    judges it: edge.answer_worth.no_better)."""
    return worth_no_better(r[key], r["prevalence"] if key == "ppv" else 1 - r["prevalence"])


def _pct_range(r: dict, key: str, names: list[str] = ()) -> str:
    """'33.1 (10.2–70.5)'; where the 100% is only no false call (no missed film) seen, the lower end alone:
    '≥ 0.2 (no false call among 12 films)', since a bare 100.0 at 1% read as an answer that is never wrong. Where
    there is no value, why ('n/a: the model never answered Normal'; ``names``: the class names in it, as report.md
    prints them), without the range, which then spans 0 to 100 and says nothing."""
    if r[key] is None and f"{key}_no_value" in r:
        return f"n/a: {md_names(r[f'{key}_no_value'], names)}"
    lo, hi = r[f"{key}_range"]
    unseen = "ppv_no_false_call_among" if key == "ppv" else "npv_no_missed_film_among"
    if unseen in r and lo is not None:
        n = r[unseen]
        among = f"{n} {'other ' if key == 'ppv' else ''}film{'s' if n != 1 else ''}" if n is not None else "these films"
        return f"≥ {rounded_down(lo, 1)} ({none_seen_words(0 if key == 'ppv' else 1, md_cell(r['class']), among)})"
    return f"{_pct(r[key])} ({_pct(lo)}–{_pct(hi)})" + (" *no better than no test*" if no_better(r, key) else "")
