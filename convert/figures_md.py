"""Figures as report.md writes them: a rate with its interval, the per-class and confusion tables, the headline, and
the notes beside them (cxr-evaluate's report, cxr-convert's, cxr-compare's and the per-source sections share them)."""

from __future__ import annotations

import numpy as np

from convert.report_text import ECE_MIN_FILMS, md_cell, md_names
from edge.figures import fixed, listed


def fmt_ci(value, ci, sep: str = "–") -> str:
    """A share as a percentage with its interval, '82.1 (50.0–99.0)'; ``sep``: " to " on a terminal, whose
    lines are ASCII (an en dash was garbage on an ASCII console)."""
    if value is None:
        return "n/a"
    lo, hi = ci
    pct = lambda v: fixed(v, 1, 100)  # noqa: E731: 99.96, never 100.0 for a share below 1
    return f"{pct(value)} ({pct(lo)}{sep}{pct(hi)})" if lo is not None else pct(value)


def fmt_auc(value: float | None, ci: list | tuple | None = None, why: str | None = None, sep: str = "–") -> str:
    """An AUROC as '0.917 (0.871–0.955)', like balanced accuracy's interval, or '0.917' where none
    was computed; '0.944 (n/a: one COVID film)' where the summary gave none for that reason (``why``:
    convert.summary.auroc_no_interval, AUC_ONE_FILM)."""
    if value is None:
        return "n/a"
    if why:
        return f"{fixed(value)} (n/a: {why})"
    lo, hi = ci or (None, None)
    if lo is None or hi is None:
        return fixed(value)
    return f"{fixed(value)} ({fixed(lo)}{sep}{fixed(hi)})"


AUC_ONE_FILM = ("AUROC n/a: one film of a class: that AUROC is the share of the other films the one film outranks "
                "(or that outrank it), so its rank alone decides the figure, and one film cannot show how another would "
                "rank.")


def auc_note(lines: list[str]) -> list[str]:
    """AUC_ONE_FILM and a blank line where any of ``lines`` shows an AUROC without its interval for that reason."""
    return [AUC_ONE_FILM, ""] if any("(n/a: one " in line for line in lines) else []

def per_class_table(summary: dict) -> list[str]:
    """The per-class table, with a note where PPV and F1 are n/a because the films lack a class; each
    AUROC with its interval where the summary has them (auroc_per_class_ci)."""
    auc_ci = summary.get("auroc_per_class_ci")
    # why a class's AUROC has no interval, where the table gives intervals (summaries of 0.38.0 and before: cxr-convert's
    # gave none)
    why = (summary.get("auroc_per_class_no_interval") or {}) if auc_ci is not None else {}
    lines = ["| class | n | sensitivity % (95% CI) | specificity % (95% CI), of the other films | PPV % at this set's mix (95% CI) "
             "| F1 | AUROC"
             + (" (95% CI) |" if auc_ci is not None else " |"),
             "|---|---:|---|---|---|---:|---:|"]
    classes = [r["class"] for r in summary["per_class"]]  # a note may name another class ('one COVID film')
    for r in summary["per_class"]:
        auc = summary["auroc_per_class"].get(r["class"])
        f1 = "n/a" if r["f1"] is None else fixed(r['f1'])
        lines.append(f"| {md_cell(r['class'])} | {r['support']} | {_counted_rate(r, 'sensitivity', 'tp', 'fn')} | "
                     f"{_counted_rate(r, 'specificity', 'tn', 'fp')} | {_counted_rate(r, 'ppv', 'tp', 'fp')} | "
                     f"{f1} | "
                     f"{fmt_auc(auc, (auc_ci or {}).get(r['class']), md_names(why.get(r['class']), classes))} |")
    present = summary.get("classes_present")
    if present is not None and len(present) < len(summary["per_class"]):
        lines += ["", ABSENT_CLASSES if len(present) > 1 else ONE_CLASS.format(md_cell(present[0]) if present else "one class")]
    if never := never_answered(summary):
        lines += ["", never_answered_line([md_cell(c) for c in never])]
    return lines


def _counted_rate(r: dict, rate: str, hits: str, misses: str) -> str:
    """A share with the films behind it, '0.0 (0.0–79.3), 0 of 1': sensitivity's (the class's films it found),
    specificity's (the other films not called the class) and PPV's (the class's answers that were right). The n column
    counts the class's own films only: a specificity resting on one other film read as a figure of the set's size, and
    a researcher reading 33.3% of a sensitivity wants its 1 of 3 (up to 0.57.0 only specificity had its counts)."""
    said = fmt_ci(r[rate], r[f"{rate}_ci"])
    right, wrong = r.get(hits), r.get(misses)
    if r[rate] is None or not isinstance(right, int) or not isinstance(wrong, int):
        return said
    return f"{said}, {right:,} of {right + wrong:,}"


def never_answered(summary: dict) -> list[str]:
    """The classes with films here that the model never answered (no film called them): their PPV is n/a."""
    return [r["class"] for r in summary["per_class"]
            if r.get("support") and r["ppv"] is None and r.get("tp") == 0 and r.get("fp") == 0]


def never_answered_line(names: list[str]) -> str:
    """Why the per-class table's PPV is n/a for classes the model never answered: a bare 'n/a' beside a class of 12
    films read as a figure lost, not as an answer never given."""
    if len(names) == 1:
        return (f"PPV is n/a for {names[0]}: the model never answered {names[0]} here, so there is no {names[0]} "
                "answer to judge (and none of its films were found).")
    return (f"PPV is n/a for {listed(names)}: the model never gave any of these answers here, so there is none to "
            "judge (and none of their films were found).")


def pooled_lines(summary: dict, classes: list[str]) -> list[str]:
    """With three or more classes, beside the per-class table: the mix its PPV column holds at (named: '25% each'),
    and each class's false calls by the other class they fell on. A class's specificity is pooled over the others
    at this set's mix: run4b's COVID rule, 'specificity 66.7% of the 90 others', called COVID for 16 of 30
    Lung_Opacity, 12 of 30 Normal and 2 of 30 Viral_Pneumonia films, so at a clinic of mostly Normal films, or on a
    pneumonia ward, it is another figure. [] for two classes (the other class's films are all there is)."""
    cm = np.asarray(summary.get("confusion_matrix") or [], dtype=int)
    if len(classes) < 3 or cm.shape != (len(classes), len(classes)) or not cm.sum():
        return []
    n = cm.sum(axis=1)
    shares = {fixed(v / n.sum(), 0, 100) for v in n}
    mix = (f"{next(iter(shares))}% each" if len(shares) == 1
           else ", ".join(f"{md_cell(c)} {fixed(v / n.sum(), 0, 100)}%" for c, v in zip(classes, n)))
    lines = [f"PPV % and specificity % hold at this set's mix ({mix} of the {int(n.sum())} films): a class's "
             "specificity is pooled over the other classes' films as mixed here; where a clinic's other films are "
             "mostly of one class, that class's count below is what counts there. Each class was called for these "
             "films of the others:", ""]
    for k, c in enumerate(classes):
        others = [f"{int(cm[j, k])} of {int(n[j])} {md_cell(classes[j])}" for j in range(len(classes)) if j != k and n[j]]
        if others:
            lines.append(f"- {md_cell(c)} called for {', '.join(others)} films")
    return [*lines, ""]


ABSENT_CLASSES = ("PPV and F1 are n/a for a class with no films here: every answer of that class is then wrong, "
                  "whatever the model does.")
ONE_CLASS = ("Only {0} films here: PPV, NPV and F1 are n/a, since with no films of another class every {0} answer is "
             "right and every other answer wrong, whatever the model does. The specificity of a class with no films here "
             "is n/a too: it would only count how often these films were not called that class (see the confusion "
             "matrix).")


def confusion_table(summary: dict, classes: list[str]) -> list[str]:
    lines = ["| true \\ predicted | " + " | ".join(map(md_cell, classes)) + " |", "|---|" + "---:|" * len(classes)]
    for c, row in zip(classes, summary["confusion_matrix"]):  # a class name is text, never Markdown (md_cell)
        lines.append(f"| {md_cell(c)} | " + " | ".join(str(v) for v in row) + " |")
    return lines


def headline(summary: dict, sep: str = "–", name=md_cell) -> str:
    """One line of the main figures; for films of one class only, that class's sensitivity, named as such,
    since balanced accuracy is then that one sensitivity and AUROC needs two classes. ``sep``: between an
    interval's ends (" to " for the terminal); ``name``: how a class name is shown (report.md's md_cell; str for
    the terminal)."""
    present = summary.get("classes_present")
    # 'n/a: one <class> film': the class as ``name`` shows it (md_names for report.md: md_cell's sentence form)
    why = summary.get("macro_auroc_no_interval")
    why = why if name is str or why is None else md_names(why, [r["class"] for r in summary["per_class"]])
    if present is not None and len(present) == 1:
        r = next(r for r in summary["per_class"] if r["class"] == present[0])
        return (f"{name(present[0])} films only: {name(present[0])} sensitivity {fmt_ci(r['sensitivity'], r['sensitivity_ci'], sep)} %, "
                f"{_ece(summary)}, n = {summary['n']}")
    return (f"accuracy {fmt_ci(summary['accuracy'], summary['accuracy_ci'], sep)} %, balanced accuracy "
            f"{fmt_ci(summary['balanced_accuracy'], summary['balanced_accuracy_ci'], sep)} %, AUROC "
            f"{fmt_auc(summary['macro_auroc'], summary.get('macro_auroc_ci'), why, sep)}, "
            f"{_ece(summary)}, "
            f"n = {summary['n']}{_over(summary, name)}")


def _over(summary: dict, name) -> str:
    """'; balanced accuracy and AUROC over COVID, Normal and Viral_Pneumonia alone: no Lung_Opacity films here'
    where films of some of the model's classes are missing: both are means over the classes present, and a 4-class
    model's 71.1 on films of 3 read as its 4-class figure (its weakest class, absent, left out unsaid)."""
    present = summary.get("classes_present")
    absent = [r["class"] for r in summary["per_class"] if present is not None and r["class"] not in present]
    if not absent or len(present) < 2:
        return ""
    return (f"; balanced accuracy and AUROC over {listed([name(c) for c in present])} alone: no "
            f"{listed([name(c) for c in absent])} films here")


def _ece(summary: dict) -> str:
    """ECE for a headline; on a handful of films it is mostly noise (0.278 on 3 films), and said so."""
    if summary["ece"] is None:
        return "ECE n/a"
    return f"ECE {summary['ece']:.3f}" + (f" (under {ECE_MIN_FILMS} films: too few to judge calibration)"
                                          if summary["n"] < ECE_MIN_FILMS else "")


def ece_note(summary: dict) -> str:
    """How ECE is computed, said once: without the binning, two ECEs cannot be compared."""
    return (f"ECE (expected calibration error): the gap between the top class's probability and how often that class "
            f"was right, averaged over {summary.get('ece_bins', 15)} equal-width bins of that probability, weighted by "
            "the films in each bin.")


def most_probable_line(n_classes: int) -> str:
    """Which labelling the figures of a report with no threshold rule are under, in words: 'most probable class' was
    said only in a picture's alt text (cxr-evaluate) or after every figure (cxr-convert), and a reader asked '90.9%
    sensitivity at what threshold?'."""
    two = " (with two classes: a class whenever its probability is at least 0.5)" if n_classes == 2 else ""
    return f"Labels: the most probable class{two}; no threshold rule."
