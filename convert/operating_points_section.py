"""cxr-convert report.md's operating points: the thresholds chosen on the validation split for a target sensitivity, scored
on the test split, with the marks a reader needs before typing one into edge-classify --threshold."""

from __future__ import annotations

from convert.figures_md import fmt_ci
from convert.report_text import md_cell, md_names
from convert.rule_notes import swamps_line
from edge.answer_worth import is_normal_class
from edge.decision import fmt_threshold
from edge.rule_shortfall import SPECIFICITY_FLOOR


def operating_points_section(points: dict, device_summary: dict) -> list[str]:
    """Thresholds that trade specificity for sensitivity, chosen on validation and scored on test."""
    by_class = {r["class"]: r for r in device_summary["per_class"]}
    lines = [f"## Operating points: a threshold per target sensitivity ({points['model']})", "",
             "Unless a rule is stored in its file ('The rule stored in the model files' below says so when one is), the device labels each film "
             "with its most probable class, as the tables above do. A rule that must miss fewer films of one class "
             "(for research on such rules, not on patients: this is not a medical device) can instead give that class "
             "whenever its probability reaches a threshold (`edge-classify --threshold CLASS=P`). Each threshold below is the highest that reaches the target sensitivity on the validation split "
             f"(n = {points['n_validation']}), scored on the test split. Below the most probable class's, it buys "
             "sensitivity with specificity; where the most probable class already exceeds the target on validation, it lies "
             "above it and buys specificity with sensitivity instead (marked *less sensitive*: keep the most probable class "
             "or ask for a higher sensitivity). Marked on the test split: *calls most ... films ...*, a specificity under "
             f"{100 * SPECIFICITY_FLOOR:g}%; *no better on test*, no more films of the class found than with the most probable class, "
             "and no fewer false calls. With few validation films in a class the thresholds are rough: a site "
             "should choose its own on its own films. Beside each rate, the films behind it: those of the class found, "
             "and those of the other classes given the class (false calls)."
             + ("".join(f" For {md_cell(c)}, whose answer means none of the other classes, its false calls are films of "
                        f"the other classes called {md_cell(c)}: missed disease, so a rule for more {md_cell(c)} "
                        "sensitivity is one that misses more disease." for c in dict.fromkeys(r["class"] for r in points["rows"])
                        if is_normal_class(c) and len(device_summary["per_class"]) > 1)), "",
             "| class | rule | test sensitivity % (95% CI), found | test specificity % (95% CI), false calls |",
             "|---|---|---|---|"]
    for name in dict.fromkeys(r["class"] for r in points["rows"]):
        m, shown = by_class[name], md_cell(name)  # a class name is text, never Markdown
        normal = is_normal_class(name)
        lines.append(f"| {shown} | most probable class | {_found(m)} | {_false_calls(m, shown, normal)} |")
        for r in (r for r in points["rows"] if r["class"] == name):
            t = r["test"]
            if r["threshold"] is None:  # no films of the class on validation to choose one on, or saturated
                why = md_names(r.get("not_available") or f"no {name} films in the validation split", [name])
                lines.append(f"| {shown} | none for {100 * r['target_sensitivity']:.0f}% ({why}) | n/a | n/a |")
                continue
            v = r.get("versus_most_probable") or {}
            # 8 of 8 found by both, the rule calling fewer films: 'less sensitive there' was not what those films showed
            less = ("" if not v.get("less_sensitive") else
                    "; *less sensitive* than the most probable class there" if v.get("found_by_rule", 0) < v.get("tp", 0)
                    else "; *no more sensitive* than the most probable class there: the same films found, fewer called, "
                         "so fewer on new films")
            less += test_marks(r, m, [c["class"] for c in device_summary["per_class"]])
            lines.append(f"| {shown} | p ≥ {fmt_threshold(r['threshold'])} (for {100 * r['target_sensitivity']:.0f}% on validation{less}) | "
                         f"{_found(t)} | {_false_calls(t, shown, normal)} |")
    return [*lines, ""]


def test_marks(r: dict, plain: dict, labels: list[str]) -> str:
    """The marks an operating point's row gets from its test figures: a specificity under SPECIFICITY_FLOOR (the check
    stored rules get, convert.rule_notes.swamps_line), and no better than the most probable class (``plain``: its
    per-class row), finding no more films of the class while calling it on no fewer others. 'p ≥ 0.3539: 100.0, 22 of
    22' with 20 of 22 Normal films called COVID, and a row finding the same 20 of 22 with 15 false calls against 10,
    were offered unmarked for edge-classify --threshold (hunt 58, M4, L10)."""
    t, cls = r["test"], r["class"]
    if "fp" not in t:  # a report written before the counts were kept
        return ""
    others = "/".join(md_cell(c) for c in labels if c != cls)
    marks = [f"*calls most {others} films {md_cell(cls)}*"] if swamps_line(
        r, t["specificity"], t["fp"], t["fp"] + t["tn"], labels, "the test split", "") else []
    if "tp" in plain and t["tp"] <= plain["tp"] and t["fp"] >= plain["fp"]:
        marks.append("*no better on test* than the most probable class")
    return "".join(f"; {m}" for m in marks)


def _found(r: dict) -> str:
    """'97.0 (89.6–99.2), 64 of 66': a rate with the films behind it (a clinician weighs 2 missed, not 3 points)."""
    rate = fmt_ci(r["sensitivity"], r["sensitivity_ci"])
    return f"{rate}, {r['tp']} of {r['tp'] + r['fn']}" if "tp" in r else rate


def _false_calls(r: dict, name: str, normal: bool = False) -> str:
    """'89.4 (80.1–94.8), 7 of 66 called COVID'; for a Normal class (``normal``) its false calls said for what they
    are: 'films of other classes called Normal: missed disease' (they read as a disease's false alarms)."""
    rate = fmt_ci(r["specificity"], r["specificity_ci"])
    if "fp" not in r:
        return rate
    return (f"{rate}, {r['fp']} of {r['fp'] + r['tn']} films of other classes called {name}: missed disease" if normal
            else f"{rate}, {r['fp']} of {r['fp'] + r['tn']} called {name}")
