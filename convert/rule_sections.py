"""The report sections for a decision rule: a threshold given or stored (what edge-classify applies),
and one chosen on a site's own films with what it is expected to give on the site's next films
(cxr-evaluate --operating-point)."""

from __future__ import annotations

import numpy as np

from convert.metrics import to_jsonable
from convert.rule_notes import versus_sentence
from convert.site_flagged import header_flagged_line
from convert.site_rule_notes import seen_rule_line, site_rule_costs
from convert.report_text import md_cell, md_code, md_names, warning_lines
from edge.shell_words import command_words, hand_typed, shell_quote
from edge.decision import EXACT_DIGITS, fmt_threshold
from edge.figures import counted


def threshold_rule(y: np.ndarray, probs: np.ndarray, classes: list[str], k: int, t: float) -> dict:
    """Sensitivity and specificity of class k when it is given at p >= t (edge-classify --threshold)."""
    from convert.roc import rates_at_threshold

    return to_jsonable({"class": classes[k], "threshold": t,
                        **rates_at_threshold(np.asarray(y) == k, np.asarray(probs)[:, k], t)})


def site_point_section(site: dict, labels: list[str] | None = None, by: list[str] | None = None,
                       model: str | None = None) -> list[str]:
    """A threshold chosen on the user's films, with what it is expected to give on the site's next
    films beside it (convert.operating_point.next_film_rates), and, with the model's ``labels``, the warnings
    cxr-evaluate gave on stderr about what it costs (convert.site_rule_notes.site_rule_costs) as bold lines under its
    heading: 'calls most Normal films COVID (50 of 60)' was on the terminal alone, not in the report. The threshold is
    printed to EXACT_DIGITS: a film's own probability, at 4 digits (0.2187 for 0.21875736) a film at 0.21874 in
    predictions.csv read as one it finds, beside counts that miss it. ``model``: the model's path as given (report.json's
    ``model``), for the command a foreign model's rule is typed in."""
    d, nf = site["decision"], site["next_films"]
    fit = d["chosen_films"]
    saved = site.get("saved_to")
    cls, found, cases = md_cell(d["class"]), nf["tp"], nf["tp"] + nf["fn"]  # report.md's: text, never Markdown
    seen = site.get("seen") or {}
    one = fit["n_negative"] == 1
    others = (f" Its specificity there, {_pct(fit['specificity'], (None, None))} of the {fit['n_negative']} other"
              f"{'' if one else 's'}, is not " + (f"fitted to the threshold, but {seen['others']} of those films trained or "
                                                  "validated the model." if seen.get("others") else
                                                  f"fitted: {'it' if one else 'they'} played no part in choosing it.")
              if fit["n_negative"] else "")
    if missing := site.get("missing_classes"):  # a model of 3+ classes, some of them without films here
        others += (f" These films hold no {' or '.join(map(md_cell, missing))} film: the specificity counts "
                   f"{' and '.join(md_cell(c) for c in site['classes_present'] if c != d['class'])} films alone, and what the rule "
                   "costs the missing classes is not measured (--save-model refuses to store it).")
    costs = site_rule_costs(site, labels) if labels else []
    return [f"## A threshold chosen on these films: {cls} at {100 * d['target_sensitivity']:g}% sensitivity", "",
            *warning_lines(costs, [*(labels or []), d["class"]]),
            f"{cls} whenever p({cls}) ≥ {fmt_threshold(d['threshold'], EXACT_DIGITS)}. On the films it was chosen on it "
            f"finds {found} of {counted(cases, f'{cls} film')} ({_pct(fit['sensitivity'], (None, None))}): optimistic, since the threshold was placed "
            f"among them.{others} What to expect on this site's next films: sensitivity "
            f"{_pct(nf['sensitivity'], nf['sensitivity_ci'])} (a threshold that finds {found} of {counted(cases, 'case')} is expected "
            f"to find {found} in {cases + 1} of the cases to come; the interval is the Beta({found}, {cases + 1 - found}) "
            f"spread of that share), specificity {_pct(nf['specificity'], nf['specificity_ci'])}.", "",
            *([line, ""] if (line := header_flagged_line(site)) else []),
            *([f"**{line[0].upper()}{line[1:]}.**", ""] if (line := md_names(seen_rule_line(site) or "", [d["class"]])) else []),
            *versus_sentence({**d, "versus_most_probable": site.get("versus_most_probable")}, "these films",
                            EXACT_DIGITS),
            *where_to_store(site, saved, labels, model), *groups_not_at_it(d, by or []), ""]


def _typed_rule(d: dict) -> str:
    """A chosen threshold as --threshold takes it (COVID=0.179317951), every digit kept."""
    return f"{d['class']}={fmt_threshold(d['threshold'], EXACT_DIGITS)}"


def groups_not_at_it(d: dict, by: list[str]) -> list[str]:
    """The --by tables are under the report's labels, not under the threshold chosen in the same run: a physicist
    read the "By Scanner" table beside this section as each scanner's sensitivity at it. Says how to get those."""
    if not by:
        return []
    again = command_words("--threshold", _typed_rule(d), "--by", ",".join(by))
    tables = " and ".join(f'"By {md_cell(c)}"' for c in by)
    return ["", f"The {tables} {'table is' if len(by) == 1 else 'tables are'} under this report's labels, not this "
            f"threshold: run again with {md_code(again)} for each group's figures at it (its {md_cell(d['class'])} "
            "sensitivity there is fitted too, the threshold having been placed among these films)."]


def where_to_store(site: dict, saved: str | None, labels: list[str] | None = None, model: str | None = None) -> list[str]:
    """How the device gets this threshold. One chosen on a model.keras is the float model's: the device file puts
    its probabilities elsewhere, and --save-model (a .tflite's metadata) refuses a .keras. A foreign model's is typed
    with its ``model`` path as given: site["model_file"] is its name alone, and 'dir with space/pair.tflite' was
    given to the device as `--model pair.tflite`."""
    d = site["decision"]
    if saved:
        digest = f" (file SHA-256 `{site['saved_sha256']}`)" if site.get("saved_sha256") else ""
        return [f"Saved in {md_code(saved)}{digest} with this rule: {md_code(command_words('edge-classify', '--model', saved))}{hand_typed(saved)} "
                "applies it by default."]
    if site.get("foreign"):  # --save-model refuses a file without cxr-edge metadata: it has none to store a rule in
        path = model or site.get("model_file", "MODEL")
        typed = command_words("edge-classify", "--model", path, "--labels", ",".join(labels or ["A", "B"]),
                              "--threshold", _typed_rule(d))
        return [f"A foreign model's file cannot carry a rule (it has no cxr-edge metadata): give it to the device as "
                f"{md_code(typed)}{hand_typed(path)}."]
    if site.get("missing_classes") and not str(site.get("model_file", "")).endswith(".keras"):  # refused (site_rule_notes)
        return ["To write a copy of the model that carries a rule, add films of every class and run again with "
                "`--save-model PATH`: --save-model refuses one chosen on these films."]
    if site.get("keep_seen") and not str(site.get("model_file", "")).endswith(".keras"):
        return ["To write a copy of the model that carries a rule, run again without `--keep-seen` and with `--save-model "
                "PATH`: the rule is then chosen on the films the model did not see (--save-model refuses --keep-seen)."]
    if not str(site.get("model_file", "")).endswith(".keras"):
        return ["Add `--save-model PATH` to write a copy of the model that carries this rule."]
    point = shell_quote(f"{d['class']}={d['target_sensitivity']:g}")
    return [f"This threshold is the float model's ({md_code(site['model_file'])}): a threshold belongs to one model file, and the "
            "device's quantized file gives other probabilities, so do not type it into `edge-classify`. Choose the "
            f"device's own on the same films through its file, "
            f"{md_code(f'cxr-evaluate model_int8.tflite DATA --operating-point {point} --save-model PATH')}, or store one "
            f"chosen on the validation split with {md_code(f'cxr-convert RUN --operating-point {point}')}."]


def _pct(value, ci) -> str:
    from convert.figures_md import fmt_ci

    return fmt_ci(value, ci) + ("" if value is None else "%")


def threshold_section(rule: dict, summary: dict) -> list[str]:
    """The rule against the most probable class (``summary``: the argmax summary)."""
    plain = next(r for r in summary["per_class"] if r["class"] == rule["class"])
    stored = rule.get("from") == "model file"
    # a typed threshold as typed, a stored one (a float32) to 9 digits: the rule as printed gives the counts shown;
    # 0.2187 for a stored 0.21875736 counted a film at 0.21874 found, which the rule misses
    t = fmt_threshold(rule["threshold"], EXACT_DIGITS)
    typed = "edge-classify --threshold " + shell_quote(rule["class"] + "=" + t)  # a code span, whatever the name holds
    how = ("`edge-classify` gives by default with the rule this model file carries" if stored
           else f"{md_code(typed)} gives")
    cls = md_cell(rule["class"])  # report.md's: text, never Markdown
    return [f"## {cls} whenever p({cls}) ≥ {t}", "",
            f"What {how} on these images: "
            f"{cls} sensitivity {_pct(rule['sensitivity'], rule['sensitivity_ci'])}, specificity "
            f"{_pct(rule['specificity'], rule['specificity_ci'])} ({rule['tp']} found, {rule['fn']} missed, "
            f"{false_alarms(rule)}), against {_pct(plain['sensitivity'], plain['sensitivity_ci'])} and "
            f"{_pct(plain['specificity'], plain['specificity_ci'])} with the most probable class (`--most-probable`; "
            f"balanced accuracy {_pct(summary['balanced_accuracy'], summary['balanced_accuracy_ci'])}).", ""]


def false_alarms(rule: dict) -> str:
    """'3 false alarms', or where no film here is of another class, that none could be one: '0 false alarms' on 51
    COVID films alone read as a rule that calls no healthy film COVID."""
    if rule["fp"] + rule["tn"] == 0:
        return "false alarms: not measurable, no films of other classes here"
    return counted(rule['fp'], "false alarm")
