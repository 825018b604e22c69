"""The model file's account of itself, for people: edge-classify --card.

Everything comes from the file's metadata (cxr-convert stores the test figures in it, see
convert/card.py), so the card says what this very file scored, on what data, on any device.
"""

from __future__ import annotations

from typing import Any

from edge.answer_worth import is_normal_class, percent, ppv_line, rule_class_alone, under_rule
from edge.controls import escaped
from edge.class_key import same_class_key
from edge.decision import fmt_threshold, labelling
from edge.rule_shortfall import recorded_target
from edge.figures import against_chance, fixed
from edge.input_check_words import input_check_line
from edge.missed_films import misses_line
from edge.shares import other_classes_with_ci
from edge.stamped_by import RESTAMP_BELOW, converter_version
from edge.stored_rule_words import calls_most, chosen_on_words, recount_note, shortfall_words, site_films_words
from edge.synthetic_words import DRAWN, drawn_only, synthetic_words
from edge.text_width import padded, shown_width

NOT_A_DEVICE = "Research software, NOT a medical device: do not use its output to diagnose, treat or triage anyone."
# Which kind of validation the test split was (convert.study_design.test_split_design), in words.
_DESIGN_WORDS = {"internal": "from the hospitals and archives of its training films: internal validation",
                 "external": "from sources none of its training films came from, by name: external validation",
                 "mixed": "partly from the sources of its training films: partly internal validation"}


def _ci(v: list | None) -> str:
    """[value, low, high] as '0.894 (0.797 to 0.948)'; 'n/a' where a set had no such case; the value
    alone, with "no interval", where the bootstrap gave one value (an AUROC of perfectly ranked
    films: no proof that it holds on others)."""
    if not v or v[0] is None:
        return "n/a"
    if v[1] is None:
        return fixed(v[0])
    if v[1] == v[2]:
        return f"{fixed(v[0])} (no interval: every resample of the few test films gave it)"
    return f"{fixed(v[0])} ({fixed(v[1])} to {fixed(v[2])})"


def _num(v: Any) -> str:
    """A stored figure as the card's others read, three decimals ('0.170', not the JSON's 0.17 beside 0.894);
    a value that is no number (an older file's, a damaged one's) as it is."""
    return fixed(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def _auc(test: dict) -> str:
    """The test split's macro AUROC as _ci gives it, or, where cxr-convert gave it no interval because a class
    has one test film (convert.summary.auroc_no_interval), the value with that reason: '0.944 (0.833 to 1.000)'
    on one COVID film read as a ranking well established."""
    v, why = test.get("macro_auroc"), test.get("macro_auroc_no_interval")
    if not why or not isinstance(why, str) or not v or v[0] is None:
        return _ci(v)
    return f"{fixed(v[0])} (no interval: {why} among the test films, whose rank alone decides it)"


def _share(v: list) -> str:
    """[share, low, high] as '63% (46% to 78%)'."""
    return percent(v[0]) if v[1] is None else f"{percent(v[0])} ({percent(v[1])} to {percent(v[2])})"


def unanswered(per_class: dict[str, dict], films: str = "test split") -> str:
    """Said after a PPV line of each class: the classes it leaves out, and why. A chance-level model that answers
    every film Lung_Opacity got a line of Lung_Opacity's PPV alone, the other classes silently missing."""
    rates = {c: ((r.get("sensitivity") or [None])[0], (r.get("specificity") or [None])[0]) for c, r in per_class.items()}
    if len(rates) == 2 and sum(is_normal_class(c) for c in rates) == 1:  # its line says so itself
        return ""
    never = [c for c, (se, sp) in rates.items() if se == 0 and sp == 1]
    absent = [c for c, (se, sp) in rates.items() if se is None or sp is None]
    why = ([f"never answered on the {films}: {', '.join(never)}"] if never else []) + (
        [f"no films of theirs among the {films}: {', '.join(absent)}"] if absent else [])
    return f"; no PPV for the classes {'; '.join(why)}" if why else ""


CARD_ECE_MIN_FILMS = 20  # as report.md's (convert.report_text.ECE_MIN_FILMS): the card drops no caveat the report makes


def site_rule_line(r: dict) -> str:
    """The card's line on a rule chosen on a site's films (cxr-evaluate --save-model), from the figures stored with
    it (validation.rule_on_site)."""
    # files saved by 0.31.0 and before carry 5-fold cross-validated figures (their thresholds lay above the one saved)
    how = "expected on that site's next films" if r.get("estimate") == "next films" else "5-fold cross-validated there"
    return (f"Its rule ({labelling(r)}) was chosen on {site_films_words(str(r['films']))}; {how}: sensitivity {_ci(r['sensitivity'])}, "
            f"specificity {_ci(r['specificity'])}{calls_most(r['specificity'], r['class'])}")


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


def failed_gate(meta: dict[str, Any]) -> str | None:
    """The card's line where the file failed cxr-convert's gate (quantization cost more than allowed), else None:
    said by edge-classify too, which ran such a file without a word."""
    v = meta.get("validation") if isinstance(meta.get("validation"), dict) else {}
    gate = v.get("gate") if isinstance(v.get("gate"), dict) else {}
    return str(gate.get("text") or "this file FAILED cxr-convert's gate") if gate.get("passed") is False else None


def calibration_warning(meta: dict[str, Any]) -> str | None:
    """What cxr-train found of the file's probabilities (convert.gate.calibration_line, stored by cxr-convert in its
    card: validation.calibration_warning), said once on the card and by edge-classify; None for a file without it."""
    v = meta.get("validation") if isinstance(meta.get("validation"), dict) else {}
    line = v.get("calibration_warning")
    return line if isinstance(line, str) and line.strip() else None


def new_site_words(labels: list[str]) -> str:
    """What a give-away in the data folder means at a new site. The one measured figure (README, 'How good is
    it?') is a COVID vs Normal model's on cxr-dev: cited only for a file of that task, and said whose it is,
    since it was never measured for other class sets nor for this file's own data."""
    if sorted(map(same_class_key, labels)) == ["covid", "normal"]:  # COVID-19 / NORMAL as well
        return ("Expect lower figures at a new site, possibly far lower: a COVID vs Normal model on cxr-dev called "
                "only 6% to 10% of the healthy films of a source never seen in training Normal (README, 'How good is it?').")
    return ("Expect lower figures at a new site, possibly far lower: a model that learned where its films come from "
            "can fail on films from a source it has not seen.")


def chance_verdict(meta: dict[str, Any]) -> str:
    """Where the interval of the file's test balanced accuracy lies against chance: "below" (wholly: systematically
    wrong), "reaches" (its test films do not show that it tells the classes apart) or "above" (also where the file
    holds no such interval). Said on the card and by edge-classify at classify time."""
    labels = meta.get("labels") or []
    v = meta.get("validation") if isinstance(meta.get("validation"), dict) else {}
    t = v.get("test") if isinstance(v.get("test"), dict) else {}
    ba = t.get("balanced_accuracy") or []
    if not (isinstance(ba, list) and len(ba) == 3 and ba[1] is not None and ba[2] is not None and len(labels) > 1):
        return "above"
    return against_chance(ba[1], ba[2], 1 / len(labels))


def shortcut_warning(a: dict | None, labels: list[str]) -> str | None:
    """What a shortcut audit that warned means, in the card's words (its audit as convert.card.card_audit keeps it),
    after "Warning: ": said on the card and at the top of cxr-convert's report.md, where it was once only at line
    ~200 under the training data while the card led with it. None where the audit gave no warning."""
    if not (isinstance(a, dict) and a.get("warn")):
        return None
    return (f"in its data folder, the files alone (source, format, size, borders) predicted the class with balanced "
            f"accuracy {_num(a['balanced_accuracy'])} (chance {_num(a['chance'])})"
            + (f", e.g. {'; '.join(a['give_aways'])}" if a.get("give_aways") else "")
            + ". " + new_site_words(labels))


def card_head(meta: dict[str, Any], name: str | None) -> str:
    """The card's first line: the file's name, classes, architecture, quantization, when and with what it was
    trained and by what converted. Also cxr-evaluate's "Model:" line (``name`` None: the line names the path
    already): two reports titled "model_int8.tflite on site" could not be told apart."""
    labels = meta.get("labels") or []
    if meta.get("foreign"):  # its head read "A / B (model, ?; trained ?; converted by an unknown maker)" (hunt 62 H19)
        return (f"{f'{name}: ' if name else ''}{' / '.join(labels)} (no cxr-edge metadata: the classes --labels names; "
                "how it was made, trained and quantized is not recorded in it)")
    training = meta.get("training") if isinstance(meta.get("training"), dict) else {}
    trained_with = f" with cxr-edge {training['cxr_edge_version']}" if training.get("cxr_edge_version") else ""
    seed = (training.get("settings") or {}).get("seed")
    members = meta.get("members") if isinstance(meta.get("members"), int) else 1
    arch = f"an ensemble of {members} {meta.get('arch') or 'model'} models, their logits averaged: {members} times " \
           "the compute of one" if members > 1 else meta.get("arch") or "model"
    # escaped: a file edited by hand or written by another tool ran an ESC sequence in any field on the terminal
    return escaped(f"{f'{name}: ' if name else ''}{' / '.join(labels)} ({arch}, {meta.get('quantization') or '?'}; "
                   f"trained {meta.get('trained') or '?'}{trained_with}{'' if seed is None else f', seed {seed}'}; "
                   f"converted by {_maker(meta.get('created_by'))})")


def _maker(created_by: Any) -> str:
    """The converter's 'created_by' as the card says it: a value that is no text (a list, a number: a file edited by
    hand or written by another tool) said as 'an unknown maker', not as Python's repr."""
    return created_by if isinstance(created_by, str) and created_by.strip() else "an unknown maker"


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
        design = DRAWN if drawn else _DESIGN_WORDS.get(t.get("study_design"), "")  # said where recorded (cxr-edge 0.23+)
        # a file that stores a rule answers by it: the lead figures are not its answers, and say so (hunt 58, M2)
        ruled = " (not the device's answers: it answers by its rule, below)" if meta.get("decision") else ""
        lines.append(f"Test split of {v['data']} (n = {t['n']}, kept out of training with the copies cxr-train found"
                     f"{'; ' + design if design else ''}), most probable class{ruled}: balanced accuracy "
                     f"{_ci(t['balanced_accuracy'])} (chance {1 / max(1, len(labels)):.3f}), macro AUROC "
                     f"{_auc(t)}, ECE {_num(t['ece'])}"
                     + (f" (under {CARD_ECE_MIN_FILMS} films: too few to judge calibration)"
                        if isinstance(t.get("n"), int) and t["n"] < CARD_ECE_MIN_FILMS else ""))
        where = chance_verdict(meta)
        if where == "below":
            lines.append("  Its balanced accuracy's interval lies wholly below chance: on its test films it is "
                         "systematically wrong, as if labels were swapped: check its training folders' labels "
                         "before any use.")
        elif where == "reaches":
            lines.append("  Its balanced accuracy's interval reaches down to chance: its test films do not show that it "
                         "tells the classes apart.")
        stamped_by = converter_version(meta)
        # a run split before cxr-train looked for them (0.15.0 and older; files converted then lack the key)
        if t.get("crops_searched") is False or ("crops_searched" not in t and stamped_by and stamped_by <= (0, 15, 0)):
            lines.append("  Cropped, moved, turned or mirrored copies were not looked for when this split was drawn: "
                         "test films may be such copies of training films, and then these figures flatter the model.")
        if stamped_by and stamped_by < RESTAMP_BELOW:
            lines.append(f"  These figures are as cxr-edge {'.'.join(map(str, stamped_by))} worked them out (intervals of "
                         "small test sets collapsed to one value, caveats since added): cxr-convert RUN --report-only "
                         "on its run folder stamps them again as this version does.")
        name_w = max([16, *map(shown_width, t["per_class"])])
        lines += [f"  {padded(c, name_w)} n = {r['n']:<4} sensitivity {_ci(r['sensitivity'])}  specificity "
                  f"{_ci(r['specificity'])}" for c, r in t["per_class"].items()]
        if line := misses_line(t, labels):
            lines.append(line)
        f = v.get("against_float")
        if f:
            lines.append(f"  Against the float (Keras) model on the same films: the same class for {f['same_class']} of "
                         f"{f['n']}, probabilities at most {fixed(f['max_abs_prob_error'], 4)} apart")
        rule, site_rule, decision = v.get("rule_on_test"), v.get("rule_on_site"), meta.get("decision")
        # the device answers as these figures; a clinic's prevalence means nothing for drawings
        if not (rule or site_rule or decision or drawn) and (ppv := ppv_line(t["per_class"])):
            lines.append(ppv + unanswered(t["per_class"]))
        if rule:  # the device answers by it: what an answer is worth is worked out from its figures, not argmax's
            # the stored decision's threshold, exact: cxr-convert 0.15 kept the test figures' rule rounded (0.505 for
            # 0.50453), and typed back as --threshold that lost films the stored rule calls COVID
            shown = decision if decision and decision.get("class") == rule.get("class") else rule
            lines.append(f"  The device answers by its rule ({labelling(shown)}): {rule['class']} sensitivity "
                         f"{_ci(rule['sensitivity'])}, specificity {_ci(rule['specificity'])}"
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
        if r := site_rule:
            lines.append(site_rule_line(r))
            # what its answers are worth, from those figures: the site's films, not the test split's
            word = "expected" if r.get("estimate") == "next films" else "cross-validated"
            if ppv := ppv_line(under_rule(t["per_class"], r), "films it was chosen on", f"the {word} figures'", labels):
                lines.append(ppv.replace("  If", f"  With its rule, at those {word} rates, if", 1)
                             + rule_class_alone(r, labels))
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
    d = meta.get("decision")
    stored = d.get("stored") if d and isinstance(d.get("stored"), dict) else {}
    target = recorded_target(d)
    about = ([f"chosen for {target:g} sensitivity on {chosen_on_words(d)}{shortfall_words(d)}"]  # 0.95 on 2 films ...
             if target is not None else []) + (
        [f"rule stored {stored['on'][:10]} by {stored['by']}"]  # files of 0.35.0 and before record none
        if all(isinstance(stored.get(k), str) and stored[k].strip() for k in ("on", "by")) else [])
    lines.append(f"Labels: {d['class']} whenever p({d['class']}) >= {fmt_threshold(d['threshold'])}, else the most "
                 f"probable of the other classes{' (' + '; '.join(about) + ')' if about else ''}"
                 if d else "Labels: the most probable class (no stored rule).")
    return "\n".join(lines)
