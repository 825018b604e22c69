"""cxr-convert report.md's held-out source (cxr-train --holdout-source): each file's figures on films of a source kept out
of training, like beside like, and what a stored rule costs that a source of one class cannot show."""

from __future__ import annotations

from convert.figures_md import fmt_ci
from convert.report_text import md_cell, md_code
from convert.subgroups import balanced_accuracy_cell
from edge.decision import fmt_threshold
from edge.rule_shortfall import SPECIFICITY_FLOOR
from edge.figures import listed


def classes_present(ext: dict) -> list[str] | None:
    """The classes the held-out source has films of, from its first model's figures (every model scores the same
    films), or None where no model's figures are there."""
    return next((s.get("classes_present") for s in ext.values() if isinstance(s, dict) and "per_class" in s), None)


def external_intro(ext: dict, classes: list[str]) -> str:
    """The held-out source's opening sentence, and where the source holds two or more of the model's classes but
    not all, over which its balanced accuracy is taken: a 3-class model's external 7.1 over Normal and Lung_Opacity
    (the source had no COVID film) sat under the column 'balanced accuracy', as if over every class."""
    said = ("Films from a source kept out of training and validation: an estimate of how the model does at one new site, "
            "for the classes that source holds (a source of one class gives that class's sensitivity only: how often "
            "the site's other films would be called that class is not measured here).")
    present = classes_present(ext)
    absent = [c for c in classes if present is not None and c not in present]
    if present and len(present) > 1 and absent:
        said += (f" Its balanced accuracy is over {listed([md_cell(c) for c in present])} alone, the mean of their "
                 f"sensitivities: the source has no {listed([md_cell(c) for c in absent])} films.")
    sources = ext.get("sources") or {}
    if sources and list(sources) != [ext.get("source")]:  # named otherwise than typed, or several matched
        unnamed = ext["n"] - sum(sources.values())
        said += (" Its films' sources: " + ", ".join(f"{md_code(src)} ({n})" for src, n in sources.items())
                 + (f", and {unnamed} of none, matched by file name" if unnamed > 0 else "") + ".")
    return said


def external_rows(ext: dict) -> list[str]:
    """The held-out source's table rows: each file under the rule it stores, and beside it the same file at its most
    probable class, as Keras's row is (an earlier report holds the first alone). 'keras 41.2, int8 82.4' read as
    quantization doubling sensitivity at the one unseen hospital: the 82.4 was the rule's (hunt 58, M3)."""
    plain = ext.get("most_probable") or {}
    ruled = any(isinstance(s, dict) and s.get("rule") for s in ext.values())
    rows = []
    for name, s in ext.items():
        if not (isinstance(s, dict) and "per_class" in s):
            continue
        if r := s.get("rule"):
            label = f"{name}, its rule {md_cell(r['class'])} when p ≥ {fmt_threshold(r['threshold'])}"
        else:
            label = f"{name}, most probable class" if ruled else name
        for shown, figures in ((label, s), *([(f"{name}, most probable class", plain[name])] if name in plain else [])):
            rows.append(f"| {shown} | {balanced_accuracy_cell(figures)} | "
                        + " | ".join(fmt_ci(r["sensitivity"], r["sensitivity_ci"]) for r in figures["per_class"]) + " |")
    return rows


def external_rule_cost(ext: dict, models: dict, classes: list[str]) -> list[str]:
    """One sentence under the held-out source's table where files answer by a stored rule: what the rule costs the other
    classes on the test split (its specificity there), which a source of one class cannot show."""
    ruled = [(name, models[name]["decision"]) for name, s in ext.items() if isinstance(s, dict) and s.get("rule")
             and isinstance((models.get(name) or {}).get("decision"), dict) and (models[name]["decision"].get("test") or {})
             .get("specificity") is not None]
    if not ruled:
        return []
    name, d = ruled[0]
    t, cls = d["test"], md_cell(d["class"])
    present = classes_present(ext)
    alone = (f"; this source holds {md_cell(present[0])} films alone, so what the rule costs the other classes cannot show here"
             if present and len(present) == 1 else "")
    others = "/".join(md_cell(c) for c in classes if c != d["class"])
    most = f": it calls most {others} films {cls}" if t["specificity"] < SPECIFICITY_FLOOR else ""
    return [f"The rule's higher {cls} sensitivity has a price: on the test split `model_{name}.tflite`'s rule had "
            f"specificity {fmt_ci(t['specificity'], t['specificity_ci'])}%{most}{alone}.", ""]


def external_gap(ext: dict, models: dict, mode: str, classes: list[str], sep: str = "–") -> str | None:
    """The generalisation gap in one sentence: ``mode``'s sensitivity of each class the held-out source holds, there
    and on the test split (the training sources' films), with their intervals. The section's table held the
    external figures alone and cxr-convert's output none: a reader measuring leave-one-source-out had to find the
    internal figure in another section, and a source of one class read as if its 100% were the model's accuracy.
    A file that stores a rule is scored there under it (convert.split_scores): its test-split figures under the rule
    (decision.per_class_on_test) go beside them, not the most probable class's, which set a lowered threshold's 100%
    there against 0% at home. None where ``mode`` was not scored on both, or not alike (a rule's figures with
    neither the test split's under it nor the source's at the most probable class)."""
    there, here = ext.get(mode), (models.get(mode) or {})
    if not (isinstance(there, dict) and "per_class" in there and "per_class" in here):
        return None
    present = there.get("classes_present") or [r["class"] for r in there["per_class"] if r.get("support")]
    internal = {r["class"]: r for r in here["per_class"]}  # the most probable class's, as Keras's
    ruled = (here.get("decision") or {}).get("per_class_on_test")
    if there.get("rule") and ruled:  # the source was scored under the file's rule (split_scores): the test split too
        internal, mode = ruled, f"{mode} (under its rule)"
    elif there.get("rule"):  # no test figures under the rule: both at the most probable class
        there = (ext.get("most_probable") or {}).get(mode)
        if not (isinstance(there, dict) and "per_class" in there):  # an older report.json: the source's under the
            return None  # rule alone, which set beside the test split's most probable class compared unlike figures
    parts = [f"{c} sensitivity (%, 95% CI) {fmt_ci(r['sensitivity'], r['sensitivity_ci'], sep)} there against "
             f"{fmt_ci(internal[c]['sensitivity'], internal[c]['sensitivity_ci'], sep)} on the test split"
             for r in there["per_class"] if (c := r["class"]) in present and c in internal]
    if not parts:
        return None
    alone = (f", {present[0]} alone: its sensitivity is the one figure there; how often other films would be called "
             f"{present[0]} is not measured" if len(present) == 1 else "")
    return (f"held-out source {ext.get('source')!r} ({ext['n']} films{alone}): {mode} " + "; ".join(parts)
            + " (the training sources' films)")
