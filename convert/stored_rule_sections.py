"""cxr-convert's report.md on the rule its files store (--operating-point): which tables are the most
probable class's and not the device's answers, and what each file's rule gives on the test split."""

from __future__ import annotations

from convert.metrics import wilson_interval
from convert.figures_md import fmt_ci
from convert.gate import change_text
from convert.rule_notes import (FILES_HERE, less_sensitive_line, once_per_choice, stored_rule_warning,
                                stored_shortfall)
from edge.decision import fmt_threshold, labelling
from edge.figures import fixed
from edge.stored_rule_words import site_films_words
from convert.report_text import md_cell, md_names


def pct(v: float | None) -> str:
    """A share as report.md writes it: a percentage (n/a: no films to count)."""
    return "n/a" if v is None else fixed(v, 1, 100)


def fitted(films: dict) -> str:
    """The validation sensitivity / specificity a stored rule was chosen at, each with its Wilson 95% interval
    from the films' counts: 100% sensitivity on 4 COVID films is 51–100%, and the test figures beside it have
    theirs. A file whose rule records no counts gets the rates alone."""
    shares = []
    for share, films_n in (("sensitivity", "n_positive"), ("specificity", "n_negative")):
        v, n = films.get(share), films.get(films_n)
        ci = wilson_interval(round(v * n), n) if v is not None and isinstance(n, int) and n > 0 else (None, None)
        shares.append(fmt_ci(v, ci))
    return " / ".join(shares)


def rule_of(rule: dict | None) -> dict | None:
    """Which rule report.json's figures are of (None: the most probable class)."""
    return None if rule is None else {k: rule[k] for k in ("class", "threshold", "target_sensitivity")}


def most_probable_note(models: dict) -> list[str]:
    """Where files store a rule, that the Summary's and each mode's figures are not the device's answers."""
    rules = [f"`model_{name}.tflite`: {md_names(labelling(m['decision']), [m['decision']['class']])}"
             for name, m in models.items() if m.get("decision")]
    if not rules:
        return []
    return [f"**The figures of this table and of each mode's section are the most probable class's, not the device's "
            f"answers:** the device applies the rule its file stores ({'; '.join(rules)}). Its answers under the rule "
            "are in 'The rule stored in the model files' and 'What an answer is worth at your prevalence' below.", ""]


def device_answers_line(models: dict) -> list[str]:
    """report.md's top-block line where files store a rule: the device answers by it, with what each file gives under
    it on the test split (accuracy, the rule class's sensitivity and specificity, and under SPECIFICITY_FLOOR what that
    means, edge.stored_rule_words.calls_most's words); most_probable_note, under the Summary heading, says whose its table is. runH's
    report led with 71.4% accuracy, 'pass'; its files under their rule gave 52.4%, calling 18 of 22 Normal films COVID."""
    from edge.stored_rule_words import calls_most

    shown = []
    for name, m in models.items():
        if not (d := m.get("decision")) or not isinstance(t := d.get("test"), dict):
            continue
        cls, n = md_cell(d["class"]), m.get("n")
        ruled = d.get("per_class_on_test") or {}
        right = sum(r["tp"] for r in ruled.values()) if ruled else None
        acc = (f"accuracy {fmt_ci(right / n, wilson_interval(right, n))}%, "
               if isinstance(n, int) and n > 0 and right is not None else "")
        spec = t.get("specificity")
        shown.append(f"`model_{name}.tflite` ({md_names(labelling(d), [d['class']])}): {acc}{cls} sensitivity "
                     f"{fmt_ci(t['sensitivity'], t['sensitivity_ci'])}%, specificity {_spec_ci(spec, t['specificity_ci'])}%"
                     + md_names(calls_most(None if spec is None else [spec], d["class"]), [d["class"]]))
    if not shown:
        return []
    return [f"**The device answers by the rule its file stores, not by the most probable class:** on the test split, "
            f"{'; '.join(shown)}.", ""]


def _spec_ci(spec: float | None, ci) -> str:
    """A rule's specificity in percent as fmt_ci writes it, with the decimals that keep it on its side of the 0.5
    floor calls_most judges it by (edge.card_figures.side_digits): 500 of 1,001 read "50.0 (46.8–53.0)%: it calls
    most films of the other classes COVID", the card's defect of 0.500, in report.md (review 73c)."""
    from edge.card_figures import side_digits
    from edge.figures import fixed
    from edge.rule_shortfall import SPECIFICITY_FLOOR

    if spec is None or ci is None or ci[0] is None:
        return fmt_ci(spec, ci)
    d = max(1, side_digits(spec, SPECIFICITY_FLOOR) - 2)
    return f"{fixed(spec, d, 100)} ({fixed(ci[0], d, 100)}–{fixed(ci[1], d, 100)})"


def stored_rules_section(models: dict, max_class_drop: float | None = None) -> list[str]:
    """The rule each file carries (cxr-convert --operating-point), and what it gives on the test split
    (``max_class_drop``: the gate's limit, so a sensitivity drop over it keeps the decimals that show it over)."""
    rows = [(name, m["decision"]) for name, m in models.items() if m.get("decision")]
    if not rows:
        return []
    lines = ["## The rule stored in the model files", "",
             "These files label a film with the class below whenever its probability reaches the threshold, instead of "
             "the most probable class: `edge-classify` applies the stored rule by default (`--most-probable` ignores it, "
             "`--threshold` replaces it; `--info` shows it). Each threshold was chosen through that file on the "
             "validation split for the target sensitivity, then scored on the test split. The agreement with Keras and "
             "the flips above compare the most probable class; the gate judges the device's answers too: each file "
             "under its rule against the Keras model under a threshold chosen the same way on the same validation "
             "films (the second table), and a file passes only where both pass.", "",
             "| model | rule | validation sens. / spec. % (95% CI) | test sensitivity % (95% CI) | test specificity % (95% CI) |",
             "|---|---|---|---|---|"]
    # the class names the sentences below hold, as report.md prints them: text, never Markdown (md_names)
    names = {r["class"] for m in models.values() for r in m.get("per_class", [])} | {d["class"] for _, d in rows}
    elsewhere = []  # files whose rule cxr-evaluate chose on a site's films (--save-model), kept by --report-only
    for name, d in rows:
        v, t = d["chosen_films"], d["test"]
        fit = fitted(v)
        if (on := d.get("chosen_on", "validation split")) != "validation split":
            elsewhere.append(f"`model_{name}.tflite`'s rule was not chosen on the validation split but on {md_cell(site_films_words(str(on)))}: its "
                             f"sensitivity / specificity there, {pct(v['sensitivity'])} / {pct(v['specificity'])}%, are on the films it was chosen on (the sensitivity "
                             "optimistic: the threshold was placed among them); what to expect on that site's next films "
                             "is on its card (`edge-classify --card`).")
            fit = "n/a (chosen on the site's films)"
            if warn := d.get("chosen_films_warning"):  # the test figures in its row count them
                elsewhere.append(f"**Its test figures count films its rule was chosen on:** {md_names(warn, names)}.")
        lines.append(f"| {name} | {md_cell(d['class'])} when p ≥ {fmt_threshold(d['threshold'])} (for {100 * d['target_sensitivity']:g}%) | "
                     f"{fit} | {fmt_ci(t['sensitivity'], t['sensitivity_ci'])} | "
                     f"{fmt_ci(t['specificity'], t['specificity_ci'])} |")
    lines += ["", *(" ".join(elsewhere) and [" ".join(elsewhere), ""])]
    gated = [(name, models[name]["gate"]["under_rule"]) for name, _ in rows if models[name].get("gate", {}).get("under_rule")]
    if gated:
        lines += ["| model | Keras's threshold | test accuracy %: Keras / file | test sensitivity %: Keras / file "
                  "(change in points, paired 95% CI) | gate under the rule |", "|---|---|---|---|---|"]
        for name, g in gated:
            sens = "; ".join(_sensitivities(k, f, (g.get("sensitivity_points_ci") or {}).get(k["class"]), max_class_drop)
                             for k, f in zip(g["keras"]["per_class"], g["file"]["per_class"]))
            lines.append(f"| {name} | p ≥ {fmt_threshold(g['keras_threshold'])} | {pct(g['keras']['accuracy'])} / "
                         f"{pct(g['file']['accuracy'])} | {sens} | {'pass' if g['passed'] else '**FAILED**'} |")
        lines.append("")
    # each once, naming the files it is of: the same choice on the same validation films through each file
    for kind, files, warn in once_per_choice(rows, _rule_notes):
        lines += [f"**Less sensitive than the most probable class:** {md_names(warn, names)}." if kind == "versus"
                  else f"**Warning ({files}):** {md_names(warn, names)}.", ""]
    return lines


def _sensitivities(keras: dict, file: dict, ci: list[float] | None, limit: float | None) -> str:
    """'Normal 80.0 / 75.0 (-5.0, -14.1 to +4.2)': a class's sensitivity under the rules, Keras's and the file's, with
    the change and its paired interval (convert.gate.gate_under_rule's, as cxr-convert's worst-class line gives it);
    the shares alone where the report keeps no interval (written before it was kept) or a class had no test film."""
    both = f"{md_cell(keras['class'])} {pct(keras['sensitivity'])} / {pct(file['sensitivity'])}"
    if not ci or keras["sensitivity"] is None or file["sensitivity"] is None:
        return both
    return f"{both} ({change_text(100 * (file['sensitivity'] - keras['sensitivity']), limit)}, {ci[0]:+.1f} to {ci[1]:+.1f})"


def _rule_notes(d: dict) -> list[tuple[str, str]]:
    """(kind, sentence) of the notes report.md gives below the rule of a file (stored_rules_section): the warnings
    cxr-convert gave on stderr when it stored it (convert.rule_notes.stored_rule_warnings), in percent."""
    notes = [("versus", versus)] if (versus := less_sensitive_line(d, f"the validation split ({FILES_HERE})", percent=True)) \
        else []
    if d.get("chosen_on", "validation split") == "validation split":  # else a site's, judged when cxr-evaluate chose it
        notes += [("warning", w) for w in (stored_rule_warning(d, [d["class"], *(d.get("others_on_test") or {})]),
                                           stored_shortfall(d)) if w]
    return [(kind, f"{w[0].upper()}{w[1:]}") for kind, w in notes]
