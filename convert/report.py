"""Reports people and machines can trust: the sections of report.json and report.md, with plots.

cxr-evaluate's report is built here (evaluation_report); its tables and headline are convert.figures_md's, which
cxr-convert's (convert.quant_report) shares. How a .tflite compares with its Keras model is convert.gate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from convert import plots
from convert.confusion_words import confusion_image, evaluate_labels, titled
from edge.figures import kept_as_shown
from convert.figures_md import auc_note, confusion_table, ece_note, headline, most_probable_line, per_class_table, pooled_lines
from convert.film_tables import predictions_csv
from convert.foreign_model import foreign_lines
from convert.input_check_report import input_check_section
from convert.occlusion_section import occlusion_section
from convert.left_out_words import answers_section
from convert.prevalence import PREVALENCES, at_prevalences, chosen_rule_worth, json_rows
from convert.prevalence import section as prevalence_section
from convert.report_text import (TERMS, align_tables, image, md_cell, md_code, md_names, reference_standard_line,
                                 reliability_table, warning_lines)
from convert.site_rule_notes import site_rule_warnings
from convert.rule_sections import site_point_section, threshold_rule, threshold_section
from convert.seen_lines import seen_elsewhere, seen_line
from convert.study_design import design_line
from convert.source_training import mark_training
from convert.set_notes import copy_lines, renamed_line, skipped_line, too_few_films, too_few_line
from convert.shift_report import robustness_section
from convert.summary import summarize
from edge.synthetic_words import drawn_among, synthetic_mark, synthetic_words
from edge.card import NOT_A_DEVICE
from edge.decision import EXACT_DIGITS, describe, for_json, labels_for
from convert.recorded_json import finite_or_null
from edge.atomic import write_json, write_text
from edge.names import texts
from convert.audit_section import audit_section
from train.manifest import NOT_GIVEN

DISCLAIMER = ("Research software, **not a medical device**. These figures describe one test set; they do not "
              "establish safety or effectiveness for any patient population.")

# under a rule the table's "accuracy" (72 right) and the headline's (70) were read as one figure computed twice
RULE_RELIABILITY = ("Calibration judges the probabilities, so its table and ECE count the most probable class as the "
                    "answer, not the rule's labels that the figures above count.")


def evaluation_report(out_dir: Path, title: str, y: np.ndarray, probs: np.ndarray, classes: list[str],
                      files: list[str], sources: list[str] | None = None, extra: dict | None = None,
                      n_boot: int = 1000, mistakes: list[dict] | None = None, x: np.ndarray | None = None,
                      evidence: dict | None = None, unlikeness: np.ndarray | None = None,
                      robustness: dict | None = None, threshold: tuple[int, float] | None = None,
                      threshold_from: str = "option", site_point: dict | None = None,
                      audit: dict | None = None, prevalences: tuple[float, ...] | None = None,
                      subgroups: dict[str, list[str]] | None = None,
                      as_given: dict[str, list[str]] | None = None, header_says: dict[str, str] | None = None,
                      frames: dict[str, int] | None = None) -> dict:
    """Full report of one model on one labelled set: JSON, Markdown and plots in out_dir.

    ``mistakes`` (convert.occlusion.explain_mistakes over the inputs ``x``) adds where the model
    looked on its most confident errors, ``evidence`` (overall_border_share) where it looks overall,
    ``unlikeness`` (edge.typicality, per image; above 1: flagged) which images look unlike the training images,
    ``robustness`` (convert.shifts.robustness) how the model fares under simulated shifts,
    ``threshold`` (class index, probability: edge-classify --threshold, or the rule the model file
    carries when ``threshold_from`` is "model file") labels the films as the device would under that
    rule, in every table; a section compares it with the most probable class. ``site_point``
    (convert.operating_point.site_operating_point) adds a threshold chosen on these films; ``audit``
    (train.audit.shortcut_audit) how well the files' storage traits alone predict the labels;
    ``prevalences`` (default convert.prevalence.PREVALENCES) what PPV and NPV become at other mixes;
    ``subgroups`` (convert.group_values.group_values: column -> each film's value) each group's figures,
    and ``as_given`` those values as the files wrote them, beside the groups in predictions.csv. ``header_says``
    (file -> edge.dicom_view's reason): the films whose DICOM header says they are no frontal chest film, atypical
    as edge-classify calls them, with the reason. ``frames`` (file -> its frame count, convert.frame_films): the films
    of several frames not all the same, scored on frame 1, each with its count as edge-classify --json gives it."""
    out_dir = Path(out_dir)
    summary = summarize(y, probs, classes, n_boot=n_boot, rule=threshold)
    # a report.json read alone (a dashboard, a script's mail) carries what report.md says first
    report: dict[str, Any] = {"title": title, "disclaimer": NOT_A_DEVICE, **(extra or {}), "classes": classes,
                              "metrics": summary}
    from convert.missed import missed_classes, misses_from_new_sources, misses_lines, mostly_missed
    from convert.subgroups import (below_overall, classes_below_overall, copy_groups, per_source, per_source_section,
                                   subgroup_section)

    # each film's copy group within the set: copies of one film count once towards a group's 20 films
    copy_of = copy_groups(files, (extra or {}).get("copies_within_set") or [], (extra or {}).get("label_conflicts") or [])
    if sources and any(sources):
        report["per_source"] = per_source(y, probs, classes, sources, n_boot, threshold, copy_of)
        mark_training(report["per_source"], (extra or {}).get("study_design"))  # held out, trained on, not in training
    predicted = labels_for(probs, threshold) if len(y) else []
    # each film on its side of every threshold this report states: the labelling rule's, and one chosen on these
    # films (--operating-point), which is a film's own probability and was shown rounded below itself
    rules = [threshold] if threshold is not None else []
    chosen = (site_point or {}).get("decision") or {}
    if chosen.get("class") in classes and chosen.get("threshold") is not None:
        rules.append((classes.index(chosen["class"]), chosen["threshold"]))
    report["predictions"] = [{"file": f, "true": classes[int(t)], "predicted": classes[int(k)],
                              "probabilities": {c: for_json(v, j, rules) for j, (c, v) in enumerate(zip(classes, p))}}
                             for f, t, p, k in zip(files, y, probs, predicted)]
    seen = (extra or {}).get("seen_in_training") or {}
    if seen.get("seen_films") and not seen.get("left_out"):  # --keep-seen: which rows flatter the model
        part = {f["file"]: f["part"] for f in seen["seen_films"]}
        for rec in report["predictions"]:
            rec["seen_in_training"] = part.get(rec["file"], "")
    if unlikeness is not None:
        for rec, u in zip(report["predictions"], unlikeness):
            # the score kept on its side of 1: 1.0004 stored as 1.0 stood beside "atypical": true
            rec["atypical"], rec["input_check_score"] = bool(u > 1.0), kept_as_shown(float(u), lambda v: str(v > 1.0), 3)
    for rec in report["predictions"]:  # as edge-classify's: atypical by the input check or by the film's own header
        if why := (header_says or {}).get(rec["file"]):
            rec["atypical"], rec["header_says"] = True, why
        if n := (frames or {}).get(rec["file"]):
            rec["frames"] = n
    if drawn := plots.available():  # a device-only install has no matplotlib: the report comes without plots
        mark = synthetic_mark(extra or {})  # a synthetic model's plots say so on each (a PNG travels alone)
        plots.confusion_grid({titled(title, evaluate_labels(threshold, classes)): np.array(summary["confusion_matrix"])},
                             classes, out_dir / "confusion.png", mark)
        # each picture names the model, the set and its films: roc.png said only 'ROC (one vs rest)' (a PNG travels alone)
        plots.roc_curves(y, probs, classes, out_dir / "roc.png", f"ROC, {title}, {len(y):,} films", mark=mark)
        plots.reliability({title: summary["reliability"]}, out_dir / "reliability.png", f"Calibration, {title}, "
                          f"{len(y):,} films", floor=1 / len(classes), mark=mark)
    report["plots"] = drawn
    md = [f"# {md_cell(title)}", "", DISCLAIMER, "", *([] if drawn else [f"No plots: {plots.NO_PLOTS}.", ""])]
    if (extra or {}).get("model_about"):  # the title names the file alone: runA's and runB's read the same
        md += [f"Model: {md_code(extra['model'])}, {md_cell(extra['model_about'])}.", ""]
    md += foreign_lines((extra or {}).get("foreign_model"))  # before any figure: what they lack
    if (extra or {}).get("synthetic_data"):
        md += [f"> **This model was trained on {synthetic_words(extra)}.** Its figures say nothing about real X-rays.", ""]
    if drawn_films := (extra or {}).get("synthetic_films"):  # True (all y's films), or {"synthetic": n, "of": m}
        n, of = (drawn_films["synthetic"], drawn_films["of"]) if isinstance(drawn_films, dict) else (y.size, y.size)
        which = drawn_among(n, of)  # the words of cxr-evaluate's note on them ('These films are' read for one film too)
        md += [f"> **{which[0].upper()}{which[1:]} (cxr-synth).** The figures, and any rule chosen on them, say "
               "nothing about real X-rays.", ""]
    md += [headline(summary), ""]
    shown = {c: md_cell(c) for c in classes}  # each class name as report.md prints it: text, never Markdown
    # sentences made for the terminal and report.json too (names as they are), as report.md says them
    names = list(dict.fromkeys([*classes, *(sources or []), *(subgroups or {}),
                                *(v for values in (subgroups or {}).values() for v in values)]))  # one of each, not a film's
    report["too_few_films"] = too_few_films(summary)
    if few := too_few_line(summary):
        md += [f"**{md_names(few, classes)}**", ""]
    from convert.chance import chance_line

    report["chance_warning"] = chance_line(summary)
    if report["chance_warning"]:
        md += [f"**Warning: {md_names(report['chance_warning'], classes)}.**", ""]
    md += [ece_note(summary), "", *auc_note([headline(summary), *per_class_table(summary)])]
    if (extra or {}).get("skipped_files"):
        md += [skipped_line(extra["skipped_files"]), ""]
    design = (extra or {}).get("study_design") or {}
    report["missed_classes"] = missed_classes(summary, classes, ((extra or {}).get("seen_in_training") or {}).get("films", 0),
                                              threshold, design.get("kind"), misses_from_new_sources(
                                                  y, predicted, sources or [], design.get("training_sources"),
                                                  design.get("seen_sources")),
                                              bool((extra or {}).get("foreign_model")))
    for line in report["missed_classes"]:
        md += [f"> {md_names(line, names)}", ""]
    # every other class with missed films, compactly: a class losing a third of its films to Normal got no words
    report["misses"] = misses_lines(summary["confusion_matrix"], classes, mostly_missed(summary))
    if report["misses"]:
        whose = "the other classes'" if report["missed_classes"] else "each class's"
        md += [f"Where {whose} missed films went: "
               + "; ".join(md_names(line, classes) for line in report["misses"]) + ".", ""]
    if renamed := renamed_line((extra or {}).get("class_folders", {}), (extra or {}).get("left_out_films"), classes,
                               bool((extra or {}).get("left_out_answers")), not_used=(extra or {}).get("not_used")):
        md += [renamed, ""]
    if "seen_in_training" in (extra or {}):
        md += [seen_line(extra["seen_in_training"], elsewhere=seen_elsewhere(extra.get("left_out_answers") or {}),
                         gone=extra.get("split_gone"), foreign=bool(extra.get("foreign_model"))), ""]
    if (extra or {}).get("study_design"):
        md += [design_line(extra["study_design"], bool(extra.get("foreign_model"))), ""]
    md += [reference_standard_line((extra or {}).get("data_dir")), ""]
    md += copy_lines((extra or {}).get("copies_within_set") or [], (extra or {}).get("label_conflicts") or [])
    # what the films' folders and MANIFEST.csv hold, said on stderr too: any name in it (a --by column no film has a
    # value in, a folder --class-map renamed) is text, and the sentence holds no Markdown of its own
    md += [f"**Warning (the films):** {w[0].upper()}{w[1:]}." for w in map(md_cell, (extra or {}).get("data_warnings") or [])]
    md += [""] if (extra or {}).get("data_warnings") else []
    if rule_warnings := (extra or {}).get("rule_warnings"):
        md += warning_lines(rule_warnings, names)
    if threshold is not None:
        # a typed threshold as typed, a stored one to 9 digits (rule_text's, predictions.csv's rule column): the rule as
        # printed gives the labels and counts shown, where 4 digits, rounded down, called COVID a film labelled Normal
        in_words = describe(threshold, classes, EXACT_DIGITS)
        md += [f"Labels follow the rule {md_names(in_words, classes)}"
               + (", which the model file carries (edge-classify applies it by default)" if threshold_from == "model file"
                  else " (--threshold)") + f"; the section \"{shown[classes[threshold[0]]]} whenever ...\" below compares it "
               "with the most probable class.", "", *stored_rule_record(extra, threshold_from, summary, classes)]
    else:
        md += [most_probable_line(len(classes)), ""]
    roc_md = image("roc", classes=classes, one_class=len(np.unique(y)) == 1,
                   absent=[c for k, c in enumerate(classes) if not (y == k).any()])  # those with no curve
    md += ["## Per class", "", *per_class_table(summary), "", *pooled_lines(summary, classes), TERMS, "",
           "## Confusion matrix", "", *confusion_table(summary, classes), "",
           *([confusion_image("confusion", evaluate_labels(threshold, classes)), "", "## ROC and calibration", "", roc_md, "", image("reliability"), ""]
             if drawn else ["## Calibration", ""]),
           *reliability_table({title: summary["reliability"]}, 1 / len(classes)), "",
           *([RULE_RELIABILITY, ""] if threshold is not None else []),
           *answers_section((extra or {}).get("left_out_answers") or {}, classes, csv_name="left_out.csv")]
    # cxr-convert's shape, less its mode (one model here): the rule the figures are of, None for the most probable class
    rows = at_prevalences(summary["per_class"], prevalences or PREVALENCES)
    report["at_prevalence"] = {"rule": None if threshold is None else {
        "class": classes[threshold[0]], "threshold": float(threshold[1]), "from": threshold_from}, **json_rows(rows, classes)}
    md += prevalence_section(rows, classes)
    if "per_source" in report:
        md += per_source_section(report["per_source"], classes, holdout=design.get("holdout_source"))
    if subgroups:
        report["subgroups"] = {}
        for column, values in subgroups.items():
            groups = per_source(y, probs, classes, values, n_boot, threshold, copy_of)
            report["subgroups"][column] = {"groups": groups, "below_overall": below_overall(groups, summary),
                                           "classes_below": classes_below_overall(groups, summary)}
            md += subgroup_section(column, groups, summary, classes, report.get("per_source"))
    if audit is not None:
        report["shortcut_audit"] = audit
        md += audit_section(audit)
    if threshold is not None:
        report["threshold_rule"] = rule = {**threshold_rule(y, probs, classes, *threshold), "from": threshold_from}
        md += threshold_section(rule, summarize(y, probs, classes, n_boot=n_boot))
    if site_point is not None:
        worth_rows, worth = chosen_rule_worth(summary["per_class"], site_point, classes, prevalences or PREVALENCES)
        # every warning cxr-evaluate gave on stderr about the rule: report.json and report.md are what get forwarded
        report["site_operating_point"] = {**site_point, "warnings": site_rule_warnings(site_point, classes),
                                          "at_prevalence": worth_rows["rows"], "at_prevalence_left_out": worth_rows["left_out"]}
        md += site_point_section(site_point, classes, list(subgroups or []), report.get("model")) + worth
    if robustness is not None:
        report["robustness"] = robustness
        md += robustness_section(robustness, classes, summary)
    if unlikeness is not None:
        md += input_check_section(report, np.asarray(unlikeness, float), y, classes, files, sources,
                                  (extra or {}).get("input_check_flagged_validation"))
    if mistakes is not None:
        md += occlusion_section(out_dir, mistakes, x, classes, files, report, evidence, rule=rules)
    if "provenance" in report:
        md += provenance_section(report["provenance"])
    write_report_json(out_dir / "report.json", report)
    columns = {"source": [s.strip() or NOT_GIVEN for s in sources]} if sources and any(sources) else {}
    # predictions.csv's own columns keep their names: a --by column 'correct' (a reader's verdict) was a second
    # 'correct', and a spreadsheet took the manifest's value for the model's
    fixed = {"file", "true", "predicted", "correct", "rule", "atypical", "header_says", "frames", "seen_in_training",
             *(f"p_{c}" for c in classes)}
    # 'source' too where the films have one: --by source's values are grouped, and blank where a row gave source_repo only
    named = {c: f"{c} (MANIFEST)" if c in fixed or c in columns else c for c in subgroups or {}}
    taken, given_as = {*fixed, *columns, *named.values()}, {}
    for c in as_given or {}:  # an age band beside the age the file gave ('unknown', '045Y')
        name = f"{c} as given"
        while name in taken:  # a --by column of that very name: neither replaces the other
            name += " (file)"
        taken.add(name)
        given_as[c] = name
    for c, values in (subgroups or {}).items():
        columns[named[c]] = values
        if c in given_as:
            columns[given_as[c]] = as_given[c]
    # A byte-order mark: Excel, which a case review is likely done in, reads UTF-8 names right only with one.
    from edge.output import rule_text

    write_text(out_dir / "predictions.csv", "\ufeff" + predictions_csv(report["predictions"], classes, columns,
                                                                        rule_text(threshold, classes)))
    write_text(out_dir / "report.md", "\n".join(align_tables(md)))
    return report


def stored_rule_record(extra: dict | None, threshold_from: str, summary: dict, classes: list[str]) -> list[str]:
    """What the file records its stored rule reached where it was measured (edge.model_notes.rule_record, which
    edge-classify's note says too), under the sentence that the labels follow it; a warning where that specificity is
    under SPECIFICITY_FLOOR. 51 COVID films scored under a rule that called 18 of 22 Normal test films COVID gave 74.5%
    sensitivity and '0 false alarms', and never the cost the file itself recorded."""
    record = (extra or {}).get("stored_rule_record")
    if threshold_from != "model file" or not record:
        return []
    present = summary.get("classes_present") or []
    alone = (f" These films are all {md_cell(present[0])}: they cannot show what the rule costs the other classes."
             if len(present) == 1 else "")
    text = f"As the model file records it, the rule was {md_names(record, classes)}.{alone}"
    # rule_record's words for a specificity under the floor (edge.stored_rule_words.calls_most)
    return [f"**Warning:** {text}" if " of the other classes " in record and ": it calls " in record else text, ""]


def write_report_json(path: Path, report: dict) -> None:
    """report.json or compare.json: valid UTF-8 whatever the names (edge.names), and a NaN copied from a file it
    read (a model's "trained", a run's "synthetic_data") written as null, not recorded (convert.recorded_json)."""
    write_json(path, texts(finite_or_null(report)))


def provenance_section(p: dict) -> list[str]:
    from convert.provenance import provenance_line

    return ["## Provenance", "", provenance_line(p), ""]
