"""Which labelling a confusion matrix counts, said on the picture and in its alt text.

A matrix under a threshold rule ("COVID whenever p >= 0.2") and one of the most probable class look alike, and a
picture pasted into a slide keeps no report around it: each panel says which labels it counts.
"""

from __future__ import annotations

from convert.report_text import ALT, md_cell
from edge.decision import EXACT_DIGITS, labelling


def evaluate_labels(threshold: tuple[int, float] | None, classes: list[str]) -> str:
    """cxr-evaluate's labelling in words: 'labels: COVID whenever p >= 0.2', or the most probable class; the threshold
    as report.md and predictions.csv print the rule (to EXACT_DIGITS): the counts are of the rule as printed."""
    rule = None if threshold is None else {"class": classes[threshold[0]], "threshold": float(threshold[1])}
    return f"labels: {labelling(rule, EXACT_DIGITS)}"


def convert_labels(decision: dict | None) -> str:
    """A cxr-convert panel's labelling: always the most probable class, and where the file stores a rule, that the
    device answers by that rule instead (its figures are in 'The rule stored in the model files')."""
    if not decision:
        return "labels: the most probable class"
    return f"labels: the most probable class,\nnot its stored rule\n({labelling(decision)})"


def titled(name: str, labels: str) -> str:
    """A panel's title: the model's name, and below it the labels it counts."""
    return f"{name}\n{labels}"


def all_convert_labels(decisions: list[dict | None]) -> str:
    """The labelling of all of cxr-convert's panels in one line, for the alt text."""
    return "labels: the most probable class" + (", not the rule a file stores (each panel names it)"
                                                 if any(decisions) else "")


def confusion_image(name: str, labels: str) -> str:
    """The Markdown of confusion picture ``name`` (a key of convert.report_text.ALT), its alt text naming the
    labelling it counts as the picture does."""
    return f"![{ALT[name]}; {md_cell(labels)}]({name}.png)"
