"""A file's stored rule as its report.json entry gives it: the rule, its rates and the other classes' answers on the
test split, and, where it was chosen on a site's films (cxr-evaluate --save-model, kept by --report-only), which
of those films are test films: its test figures count them, and the report must say so."""

from __future__ import annotations

from typing import Callable

import numpy as np

from convert.metrics import to_jsonable
from convert.operating_point import chosen_films_among
from convert.roc import rates_at_threshold
from convert.rule_notes import chosen_films_line, others_under_rule, per_class_under_rule
from edge.decision import fmt_threshold, labelling
from edge.stored_rule_words import site_films_words
from train.data import Split


def rule_on_test(decision: dict, chosen: dict | None, meta: dict, name: str, y_test: np.ndarray, probs: np.ndarray,
                 classes: list[str], split: Split, log: Callable[[str], None]) -> dict:
    """report.json's ``decision`` of the file ``name`` (its metadata ``meta``) storing ``decision`` in this version's
    shape, scored by ``probs`` on the test split; ``chosen``: the choice made now, with its figures on the validation
    split, or None (a rule kept as it was)."""
    k, t = classes.index(decision["class"]), decision["threshold"]
    versus = {key: chosen[key] for key in ("versus_most_probable", "others_on_validation")} if chosen else {}
    entry = to_jsonable({**decision, **versus,
                         "test": rates_at_threshold(y_test == k, probs[:, k], t),
                         "others_on_test": others_under_rule(y_test, probs, k, t, classes),
                         "per_class_on_test": per_class_under_rule(y_test, probs, k, t, classes)})
    on = decision.get("chosen_on", "validation split")
    if on != "validation split":  # kept by --report-only, as cxr-evaluate --save-model chose it
        log(f"{name} keeps its rule, {labelling(decision)}, chosen on {site_films_words(on)}, not on the validation split")
        test_sha = [i.sha256 for i in split.parts["test"]]
        if warn := chosen_films_line({**meta, "decision_chosen_on": on}, test_sha,
                                     f"{classes[k]} whenever p >= {fmt_threshold(t)}", "test films"):
            log(f"warning: {name}: {warn}")  # its test figures count them
            entry["chosen_films_warning"] = warn
            entry["test_films_chosen_on"] = chosen_films_among(meta.get("decision_films"), test_sha)
    return entry
