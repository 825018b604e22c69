"""The card's lines on a stored rule (edge-classify --card): the rule the device answers by, its figures on the test
split or on the site's films it was chosen on, what an answer by it is worth, and the closing "Labels:" line."""

from __future__ import annotations

from typing import Any

from edge.answer_worth import ppv_line, rule_class_alone, under_rule
from edge.card_figures import _ci, specificity_ci
from edge.card_test_split import unanswered
from edge.decision import fmt_threshold, labelling
from edge.rule_shortfall import recorded_target
from edge.stored_rule_words import calls_most, chosen_on_words, shortfall_words, site_films_words


def site_rule_line(r: dict) -> str:
    """The card's line on a rule chosen on a site's films (cxr-evaluate --save-model), from the figures stored with
    it (validation.rule_on_site)."""
    # files saved by 0.31.0 and before carry 5-fold cross-validated figures (their thresholds lay above the one saved)
    how = "expected on that site's next films" if r.get("estimate") == "next films" else "5-fold cross-validated there"
    return (f"Its rule ({labelling(r)}) was chosen on {site_films_words(str(r['films']))}; {how}: sensitivity {_ci(r['sensitivity'])}, "
            f"specificity {specificity_ci(r['specificity'])}{calls_most(r['specificity'], r['class'])}")


def test_rule_lines(t: dict, rule: dict, decision: dict | None, labels: list[str], drawn: bool) -> list[str]:
    """The lines on a rule whose figures were worked out on the test split (``t``; validation.rule_on_test): the
    device answers by it, so what an answer is worth is worked out from its figures, not argmax's."""
    lines = []
    # the stored decision's threshold, exact: cxr-convert 0.15 kept the test figures' rule rounded (0.505 for
    # 0.50453), and typed back as --threshold that lost films the stored rule calls COVID
    shown = decision if decision and decision.get("class") == rule.get("class") else rule
    lines.append(f"  The device answers by its rule ({labelling(shown)}): {rule['class']} sensitivity "
                 f"{_ci(rule['sensitivity'])}, specificity {specificity_ci(rule['specificity'])}"
                 f"{calls_most(rule['specificity'], rule['class'])}")
    if chosen := rule.get("chosen_films"):
        lines.append(f"  Warning: {chosen[0]} of those {chosen[1]} test films {'is one' if chosen[0] == 1 else 'are ones'} "
                     "its rule was chosen on: "
                     "there its sensitivity is optimistic (the threshold was placed among them)")
    if others := rule.get("others_text"):  # each other class's test films it still finds (convert.card)
        lines.append(f"  Warning: with its rule the device seldom answers {'/'.join(rule['swamped'])}: it finds {others}"
                     if rule.get("swamped") else f"  With its rule the device finds, of the test films, {others}")
    if not drawn and (ppv := ppv_line(ruled := under_rule(t["per_class"], rule), labels=labels)):
        lines.append(ppv.replace("  If", "  With its rule, if", 1) + rule_class_alone(rule, labels)
                     + (unanswered(ruled) if len(ruled) > 1 else ""))
    return lines


def site_rule_lines(t: dict, r: dict, labels: list[str]) -> list[str]:
    """The lines on a rule chosen on a site's films (validation.rule_on_site): its figures there, and what its
    answers are worth from those figures: the site's films, not the test split's."""
    lines = [site_rule_line(r)]
    word = "expected" if r.get("estimate") == "next films" else "cross-validated"
    if ppv := ppv_line(under_rule(t["per_class"], r), "films it was chosen on", f"the {word} figures'", labels):
        lines.append(ppv.replace("  If", f"  With its rule, at those {word} rates, if", 1)
                     + rule_class_alone(r, labels))
    return lines


def labels_line(d: dict[str, Any] | None) -> str:
    """The card's last line: how the device labels a film, by its stored rule (chosen for what, on which films, by
    whom, where the file records it) or by the most probable class."""
    stored = d.get("stored") if d and isinstance(d.get("stored"), dict) else {}
    target = recorded_target(d)
    about = ([f"chosen for {target:g} sensitivity on {chosen_on_words(d)}{shortfall_words(d)}"]  # 0.95 on 2 films ...
             if target is not None else []) + (
        [f"rule stored {stored['on'][:10]} by {stored['by']}"]  # files of 0.35.0 and before record none
        if all(isinstance(stored.get(k), str) and stored[k].strip() for k in ("on", "by")) else [])
    return (f"Labels: {d['class']} whenever p({d['class']}) >= {fmt_threshold(d['threshold'])}, else the most "
            f"probable of the other classes{' (' + '; '.join(about) + ')' if about else ''}"
            if d else "Labels: the most probable class (no stored rule).")
