"""The model file's account of itself, for people: edge-classify --card.

Everything comes from the file's metadata (cxr-convert stores the test figures in it, see
convert/card.py), so the card says what this very file scored, on what data, on any device.
Its parts live beside it: card_head (the first line), card_figures (how a figure is written),
card_warnings (what edge-classify also warns of), card_test_split (the test figures), card_rule
(a stored rule and the "Labels:" line); their names stay importable from here.
"""

from __future__ import annotations

from typing import Any

from edge.card_figures import _auc, _ci, _num, _share
from edge.card_head import _maker, card_head
from edge.card_rule import labels_line, site_rule_line, site_rule_lines, test_rule_lines
from edge.card_test_split import CARD_ECE_MIN_FILMS, test_split_lines, unanswered
from edge.card_warnings import calibration_warning, chance_verdict, failed_gate, new_site_words, shortcut_warning
from edge.controls import escaped
from edge.input_check_words import input_check_line
from edge.shares import other_classes_with_ci
from edge.stored_rule_words import recount_note
from edge.synthetic_words import drawn_only, synthetic_words

__all__ = ["NOT_A_DEVICE", "CARD_ECE_MIN_FILMS", "card_text", "card_head", "own_sources", "site_rule_line",
           "unanswered", "failed_gate", "calibration_warning", "new_site_words", "chance_verdict", "shortcut_warning",
           "_ci", "_num", "_auc", "_share", "_maker"]

NOT_A_DEVICE = "Research software, NOT a medical device: do not use its output to diagnose, treat or triage anyone."


def own_sources(held: dict) -> str:
    """The held-out films' own sources, where they read otherwise than the source typed on cxr-train
    --holdout-source ('hannover' matched 'kaggle-hannover' films by their names): the card named the typed text
    alone, report.md the sources too. Empty where the file carries none (converted before 0.48.0, or the same)."""
    sources = held.get("sources")
    if not isinstance(sources, dict) or not sources or not all(isinstance(n, int) for n in sources.values()):
        return ""
    unnamed = held["n"] - sum(sources.values()) if isinstance(held.get("n"), int) else 0
    return ("; its films' sources: " + ", ".join(f"{escaped(str(src))} ({n})" for src, n in sources.items())
            + (f", and {unnamed} of none, matched by file name" if unnamed > 0 else ""))


def card_text(meta: dict[str, Any], name: str) -> str:
    """A few plain lines: what the file is, what it was trained and tested on, how it scored, with
    95% intervals, the rule it applies, and what the training files alone gave away."""
    labels = meta.get("labels") or []
    lines = [card_head(meta, name), NOT_A_DEVICE]
    if meta.get("synthetic_data"):
        lines.append(f"TRAINED ON {synthetic_words(meta).upper()}: its figures say nothing about real chest X-rays.")
    v = meta.get("validation")
    if line := failed_gate(meta):  # a file kept beside the one that passed
        lines.append(line)
    if line := calibration_warning(meta):  # 1.0000 for any film read as certainty (hunt 58, M1)
        lines.append(f"Warning: {line}.")
    if not v or set(v) == {"rule_on_site"}:  # a site's rule stored in a file of 0.6.0 or older: its figures alone
        lines.append("This file carries no test figures (" + ("not made by cxr-convert" if meta.get("foreign") else
                                                             "converted before cxr-edge 0.7.0, or not by cxr-convert") + ").")
        if v:
            lines.append(site_rule_line(v["rule_on_site"]))
    else:
        t = v["test"]
        drawn = drawn_only(meta)
        lines += test_split_lines(meta, v, labels, drawn)
        rule, site_rule, decision = v.get("rule_on_test"), v.get("rule_on_site"), meta.get("decision")
        if rule:  # the device answers by it: what an answer is worth is worked out from its figures, not argmax's
            lines += test_rule_lines(t, rule, decision, labels, drawn)
        if r := site_rule:
            lines += site_rule_lines(t, r, labels)
        if v.get("held_out_source"):
            h = v["held_out_source"]
            lines.append(f"Held-out source {h['source']} (n = {h['n']}, kept out of training and validation"
                         f"{own_sources(h)}), "
                         f"{h.get('labels', 'most probable class')}: "
                         + "; ".join(f"{c} sensitivity {_ci(r['sensitivity'])}" for c, r in h["per_class"].items()))
        if other := v.get("other_classes"):
            lines.append("Films of its data folder's classes it was never trained on got"
                         + recount_note(v, decision, labels) + " (95% intervals in brackets): " + "; ".join(
                f"{f} (n = {r['n']}) " + ", ".join(f"{c} {_share(p)}" for c, p in r["called"].items() if p is not None)
                for f, r in other_classes_with_ci(other).items()))
        if warning := shortcut_warning(v.get("shortcut_audit"), labels):
            lines.append(f"Warning: {warning}")
        seen = meta.get("seen")
        left_out = (f"leaves out the {seen['train'] + seen['val']:,} films it was trained or validated on: this file "
                    "carries their fingerprints") if seen else ""
        if drawn and left_out:  # the test split's line said what drawings' figures are for: no site's films to check
            lines.append(f"cxr-evaluate {left_out}.")
        elif not drawn:
            lines.append("Figures from one split of one data set; check them on your own site's films (cxr-evaluate"
                         + (f" {left_out})." if left_out else ")."))
    answers = " or ".join(labels) if len(labels) < 3 else f"one of {', '.join(labels[:-1])} or {labels[-1]}"
    lines.append(f"Every film gets one of its answers ({answers}), also a film with a finding it was never trained on"
                 + ("." if meta.get("foreign") else  # cxr-evaluate needs its --labels too
                    "; cxr-evaluate --class-map FOLDER=- shows what it calls a folder of such films."))
    lines.append(input_check_line(meta))
    lines.append(labels_line(meta.get("decision")))
    return "\n".join(lines)
