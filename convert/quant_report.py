"""The quantization report: what each .tflite mode cost against the Keras model, class by class."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from convert import plots
from convert.sensitivity_plot import sensitivity_bars
from convert.calibration_draw import draw_sentence
from convert.confusion_words import all_convert_labels, confusion_image, convert_labels, titled
from convert.gate import change_text, points_text
from convert.head_refit import logit_change_text
from convert.occlusion_section import occlusion_section
from convert.report import DISCLAIMER, provenance_section, write_report_json
from convert.figures_md import (auc_note, confusion_table, ece_note, fmt_ci, headline, most_probable_line, per_class_table,
                                pooled_lines)
from convert.external_section import external_gap, external_intro, external_rows, external_rule_cost
from convert.flips import flip_lines
from convert.missed import device_misses
from convert.operating_points_section import operating_points_section
from convert.other_files_lines import other_files_lines
from convert.set_notes import copies_warning
from convert.stored_rule_sections import device_answers_line, most_probable_note, rule_of, stored_rules_section
from convert.study_design import test_split_line
from convert.temperature_section import temperature_lines
from convert.subgroups import per_source_section
from convert.report_text import TERMS, align_tables, image, md_cell, md_code, md_names, reference_standard_line, reliability_table
from convert.prevalence import at_prevalences, json_rows, under_rule
from convert.prevalence import section as prevalence_section
from edge.atomic import write_text
from edge.synthetic_words import DRAWN, drawn_only, synthetic_mark, synthetic_words
from edge.decision import fmt_threshold, labelling, stored_rule
from edge.figures import counted, fixed, kept_as_shown
from convert.audit_section import audit_section
from train.hygiene import UNFOUND_COPIES, UNSEARCHED_COPIES, conflicts_text, duplicates_text


def ratio_text(ratio: float) -> str:
    """A file's size over fp32's as the summary table writes it ('0.26')."""
    return f"{ratio:.2f}"


def size_ratio(tflite_bytes: int, fp32_bytes: int) -> float:
    """report.json's size_ratio_to_fp32: to 4 decimals, more where the table, reading it, would write other digits
    than the ratio's own (0.26496 kept as 0.265 was written 0.27)."""
    return kept_as_shown(tflite_bytes / fp32_bytes, ratio_text, 4)


def summary_table(report: dict) -> list[str]:
    classes, limits = report["classes"], report.get("gate") or {}
    lines = ["| model | file size | model size | vs fp32 | accuracy % (95% CI) | balanced acc. % (95% CI) | Δ acc. | "
             + " | ".join(f"Δ sens. {md_cell(c)}" for c in classes)
             + " | agreement | max probability change | invoke ms (1 / 2 threads) | gate |",
             "|---|---:|---:|---:|---|---|---:|" + "---:|" * len(classes) + "---:|---:|---|---|"]
    for name, m in report["models"].items():
        if name == "keras":
            lines.append(f"| keras (reference) | {m['size_bytes'] / 1024:,.0f} KiB | — | — | "
                         f"{fmt_ci(m['accuracy'], m['accuracy_ci'])} | "
                         f"{fmt_ci(m['balanced_accuracy'], m['balanced_accuracy_ci'])} | —" + " | —" * len(classes)
                         + " | — | — | — | — |")
            continue
        d, ag, lat = m["delta"], m["agreement"], m.get("latency_ms", {})
        lat_s = " / ".join(f"{lat[t]['median']:.2f}" for t in sorted(lat)) if lat else "n/a"
        ratio = m.get("size_ratio_to_fp32")
        lines.append(
            f"| {name} | {m['size_bytes'] / 1024:,.0f} KiB | {m['tflite_bytes'] / 1024:,.0f} KiB | "
            f"{'—' if ratio is None else ratio_text(ratio)} | "
            f"{fmt_ci(m['accuracy'], m['accuracy_ci'])} | {fmt_ci(m['balanced_accuracy'], m['balanced_accuracy_ci'])} | "
            f"{change_text(d['accuracy_points'], limits.get('max_drop'))} | "
            + " | ".join(_gap(d, c, limits.get("max_class_drop")) for c in classes)
            + f" | {fixed(ag['class_agreement'], 1, 100)}% | {fixed(ag['max_abs_prob_error'])} | {lat_s} | "
            + ("pass" if m["gate"]["passed"] else "**FAILED**") + " |")
    if any(m.get("delta", {}).get("sensitivity_points_ci") for m in report["models"].values()):
        lines += ["", "Δ sens.: the file's sensitivity minus Keras's on the same test films, in points, with its paired 95% "
                  "interval (Newcombe's; cxr-compare gives the same on other films): the gate judges the point change "
                  "alone, and the interval says how far these films leave the true change from it."]
    return lines


def _gap(delta: dict, c: str, limit: float | None = None) -> str:
    """A class's Δ sens. cell: '+0.0 (-18.5 to +18.5)' where the report holds its paired interval (earlier reports hold none)."""
    ci = (delta.get("sensitivity_points_ci") or {}).get(c)
    return change_text(delta["sensitivity_points"][c], limit) + (f" ({ci[0]:+.1f} to {ci[1]:+.1f})" if ci else "")


def refit_line(refit: dict) -> str:
    """One sentence on the int8 file's refitted logits layer (convert/head_refit.py)."""
    if not refit.get("refit"):
        return f"int8: the logits layer was not refitted ({refit['why']})."
    change = refit["train_mean_abs_logit_change"]
    return (f"int8: the float logits layer was refitted to the Keras logits on the int8 features of {refit['images']} "
            f"training images; their mean |logit change| against Keras went from {logit_change_text(change['before'])} to "
            f"{logit_change_text(change['after'])}.")


def input_check_section(check: dict, n_test: int, external: dict | None) -> list[str]:
    """How often edge's input check (edge.typicality) flags images that are in fact typical."""
    flagged = check["flagged"]
    ext = (f" and {fixed(flagged['external'], 1, 100)}% of the {external['n']} images of {md_code(external['source'])}, the source "
           "held out of training (a new site's films should rarely be flagged)") if "external" in flagged else ""
    return ["## Input check", "",
            f"Every model file carries a check of whether an input looks like the training images (a probabilistic PCA "
            f"of {check['thumbnail']}x{check['thumbnail']} thumbnails, {check['components']} components; edge.typicality). "
            f"Its threshold is the 99th percentile of scores no fit has seen (the validation images, and the training images cross-fitted in 5 folds). It flags "
            f"{fixed(flagged['test'], 1, 100)}% of the {n_test} test images{ext}. On the device a flagged image gets a "
            "warning, whatever its label. On cxr-dev it flags nearly every inverted film (96–100%), most films rotated by 90 degrees or "
            "upside down and most images that are not chest X-rays (benchmarks/input_check.py); other views were not "
            "measured, and a drawing of a chest passes.", ""]


def training_data_section(data: dict | None) -> list[str]:
    """Images per split and class, duplicates kept together, and what the files alone give away."""
    if not data or not data.get("counts"):
        return []
    counts = data["counts"]
    classes = list(next(iter(counts.values())))
    md = ["## Training data", "", "| split | " + " | ".join(map(md_cell, classes)) + " |", "|---|" + "---:|" * len(classes)]
    md += [f"| {part} | " + " | ".join(str(n.get(c, 0)) for c in classes) + " |" for part, n in counts.items()]
    md.append("")
    h = data.get("hygiene") or {}
    if h:
        spans = ("" if h.get("duplicate_groups", 1) == 0 else f"; {counted(g := h.get('groups_across_splits', 0), 'group')} "
                 f"span{'s' if g == 1 else ''} more than one split")
        unfound = UNFOUND_COPIES if "duplicate_groups" in h else f"**{UNSEARCHED_COPIES}**"
        md += [f"Duplicates: {duplicates_text(h)}{spans}. {unfound}", ""]
        if conflicts := h.get("label_conflicts"):
            md += [f"**Label conflict** in this run's data: {conflicts_text(conflicts)}. In training the model was "
                   "taught both answers, and in the test split such a film is scored wrong whatever it says; run.json "
                   "lists them, split.json where each went.", ""]
    md += audit_section(data.get("shortcut_audit"), heading="###")
    return md


def shortcut_lines(data: dict | None, classes: list[str]) -> list[str]:
    """The shortcut audit's warning at the top of report.md, in the card's words (edge.card.shortcut_warning): it
    was at line ~200, under the training data, after every figure it casts doubt on, while the card led with it."""
    from convert.card import card_audit
    from edge.card import shortcut_warning

    audit = (data or {}).get("shortcut_audit")
    warning = shortcut_warning(card_audit(audit), classes)
    if warning is None:
        return []
    names = [*classes, *(str(g["value"]) for g in audit["give_aways"][:3])]  # a source's name: text, never Markdown
    return [f"**Warning:** {md_names(warning, names)} See *What the files alone say about the label* under "
            "*Training data* below.", ""]


def write_quantization_report(run_dir: Path, report: dict, probs_by_mode: dict[str, np.ndarray], y: np.ndarray,
                              mistakes: tuple[str, list[dict]] | None = None, x: np.ndarray | None = None,
                              files: list[str] | None = None) -> None:
    """report.md, report.json and the plots; ``mistakes`` is (mode, convert.occlusion.explain_mistakes
    of that mode's file on the test inputs ``x``), shown as occlusion maps."""
    classes = report["classes"]
    shown = {c: md_cell(c) for c in classes}  # each class name as report.md prints it: text, never Markdown
    models = report["models"]
    absent = [c for k, c in enumerate(classes) if not (y == k).any()]  # no bar and no curve: the alt texts say so
    mark = synthetic_mark(report)  # on each plot too: a PNG is pasted into a slide without the report's banner
    plots.confusion_grid({titled(n, convert_labels(m.get("decision"))): np.array(m["confusion_matrix"])
                          for n, m in models.items()}, classes, run_dir / "confusion_matrices.png", mark)
    sensitivity_bars({n: m["per_class"] for n, m in models.items()}, classes, run_dir / "sensitivity.png", mark)
    # the ROC of the file a device runs (its AUROC and the operating points are that file's too), not Keras's
    device_mode = (report.get("operating_points") or {}).get("mode")  # the file a device runs, as the card describes it
    roc_mode = device_mode or "keras"
    roc_of = "the Keras model" if roc_mode == "keras" else f"model_{roc_mode}.tflite"
    plots.roc_curves(y, probs_by_mode[roc_mode], classes, run_dir / "roc.png", f"ROC, {roc_of} (test split)", mark)
    bins = {n: models[n]["reliability"] for n in models if n in ("keras", "int8", "fp32")}
    plots.reliability(bins, run_dir / "reliability.png", floor=1 / len(classes), mark=mark)
    md = [f"# Quantization report: {Path(str(report['run_dir'])).name}", "", DISCLAIMER, ""]
    if report.get("synthetic_data"):
        md += [f"> **Trained on {synthetic_words(report)}.** These figures only show that the pipeline works; "
               "they say nothing about real chest X-rays.", ""]
    members = report.get("members", 1)
    ensemble = f" (an ensemble of {members}, logits averaged)" if members > 1 else ""
    if report.get("teacher"):
        ensemble += f", distilled from a {report['teacher']['parameters']:,}-parameter teacher"
    calibrated = draw_sentence(report, md_cell)  # how many films of each class, and a warning where they are too few
    md += [f"Run: {md_code(report['run_dir'])} — architecture `{report.get('arch')}`{ensemble}, {report.get('parameters') or 0:,} parameters. "
           f"Test split (frozen in split.json): n = {report['test_set']['n']} "
           f"({', '.join(f'{shown[c]} {n}' for c, n in report['test_set']['counts'].items())}). {calibrated}"
           f"Every .tflite was scored through `edge`, the device's own code path. Probabilities use the temperature "
           f"T = {report.get('temperature', 1.0):.2f} fitted on the validation split (temperature scaling: the model's "
           "logits are divided by T before the softmax; a T below 1 makes the probabilities more confident, above 1 "
           "less).", "",
           # drawings alone: no hospitals, archives or reference standard to speak of (hunt 58, L1)
           *([f"**Test films:** {DRAWN}.", ""] if drawn_only(report) else
             [*([test_split_line(report["study_design"]), ""] if report.get("study_design") else []),
              reference_standard_line(report.get("data_dir")), ""]),
           *([f"**Copies in the test split:** {copies_warning(report['copies_within_test'])}.", ""]
             if report.get("copies_within_test") else []),
           # the test films' own warnings (several differing frames, scored on frame 1), as cxr-evaluate's report.md
           *[line for w in map(md_cell, report.get("data_warnings") or []) for line in
             (f"**Warning (the films):** {w[0].upper()}{w[1:]}.", "")],
           *([refit_line(models["int8"]["head_refit"]), ""] if models.get("int8", {}).get("head_refit") else []),
           f"Gate: accuracy may fall at most {points_text(report['gate']['max_drop'])} and each class's sensitivity at most "
           f"{points_text(report['gate']['max_class_drop'])} below the Keras model.", "",
           *([f"**Few test films:** {md_names(report['gate']['resolution'], classes)}.", ""]
             if report["gate"].get("resolution") else []), *device_answers_line(models),
           *[line for w in report.get("chance_warnings") or [] for line in (f"**Warning: {md_names(w, classes)}.**", "")],
           *device_misses(models, device_mode, classes),
           *shortcut_lines(report.get("training_data"), classes),
           # the table below is what gets pasted on: its heading keeps the banner's word (hunt 58, H1)
           "## Summary" + (f": trained on {synthetic_words(report)}" if report.get("synthetic_data") else ""), "",
           "File size includes the embedded metadata and self-test; model size is the TFLite "
           "flatbuffer alone, and 'vs fp32' compares model sizes.", "",
           *(most_probable_note(models) or [most_probable_line(len(classes)), ""]), *summary_table(report), "",
           TERMS, "", confusion_image("confusion_matrices", all_convert_labels([m.get("decision") for m in models.values()])), "",
           image("sensitivity", absent=absent), ""]
    md += other_files_lines(report.get("other_files") or [])
    if "auto" in report:
        a = report["auto"]
        md += ["## --auto", "", f"Selected: **{a['selected'] or 'none'}**" + (" → `model.tflite`" if a["selected"] else ""), ""]
        md += [f"- {r['mode']} rejected: {md_names('; '.join(r['reasons']), classes)}" for r in a["rejected"]] + [""]
    for name, m in models.items():
        ruled = (f" (the most probable class; its stored rule, {md_names(labelling(m['decision']), classes)}, is scored below)"
                 if m.get("decision") else "")
        md += [f"## {name}{ruled}", "", headline(m), "", *per_class_table(m), "",
               *(pooled_lines(m, classes) if name == device_mode else []), *auc_note([headline(m), *per_class_table(m)]),
               "Confusion matrix (rows: the true class; columns: the answer):", "", *confusion_table(m, classes), ""]
        if name != "keras":
            if not m["gate"]["passed"]:
                md += [f"**Gate FAILED:** {md_names('; '.join(m['gate']['reasons']), classes)}", ""]
            md += flip_lines(m["agreement"]["flipped"], name)
    if "per_source" in report:
        ps, (k, t) = report["per_source"], report["per_source"].get("rule") or (None, None)
        md += per_source_section(ps["sources"], classes, f" ({ps['mode']}, test split"
                                 + (f", labels by its rule p({shown[classes[k]]}) >= {fmt_threshold(t)})" if k is not None else ")"))
    if "external" in report:
        ext = report["external"]
        md += [f"## External source held out of training: {md_code(ext['source'])} (n = {ext['n']})", "",
               external_intro(ext, classes)
               + (" A file that stores a rule is given under it, as the device answers, and at its most probable class, "
                  "as Keras is: compare like with like." if any(isinstance(v, dict) and v.get("rule") for v in ext.values()) else ""),
               "", *[line for w in map(md_cell, ext.get("data_warnings") or []) for line in
                     (f"**Warning (the films):** {w[0].upper()}{w[1:]}.", "")],
               "| model | balanced accuracy % (95% CI; of one class: its sensitivity) | "
               + " | ".join(f"{shown[c]} sens. %" for c in classes) + " |",
               "|---|---|" + "---|" * len(classes)]
        md += external_rows(ext) + [""] + external_rule_cost(ext, models, classes)
        if gap := external_gap(ext, models, device_mode or "keras", classes):  # as cxr-convert's line says it
            md += [f"The gap: {md_cell(gap)}.", ""]
        ops = ext.get("operating_points")
        if ops and ops["rows"]:
            md += [f"The thresholds of the operating points below ({ops['mode']}, chosen on the validation split), on this "
                   "source: a threshold fitted to the training hospitals' probabilities need not reach its target here.", "",
                   "| class | rule | sensitivity here % (95% CI) |", "|---|---|---|"]
            md += [f"| {md_cell(r['class'])} | p ≥ {fmt_threshold(r['threshold'])} (for {100 * r['target_sensitivity']:g}% on validation) | "
                   f"{fmt_ci(r['external']['sensitivity'], r['external']['sensitivity_ci'])} |" for r in ops["rows"]
                   if r["threshold"] is not None]
            md.append("")
    if "other_classes" in report:  # the data folder's classes the run was not trained on
        from convert.left_out_words import answers_section

        by_mode = report["other_classes"]["by_mode"]
        md += answers_section(by_mode, classes, list(by_mode), lead=f"The films of the class folders in {md_code(report['other_classes']['data_dir'])} "
                              "this run was not trained on (each file, its stored rule applied): the model "
                              "has no answer for their class.", whose="this run",
                              keep="cxr-evaluate --keep-seen scores them")
    md += training_data_section(report.get("training_data"))
    if "operating_points" in report:
        points = report["operating_points"]
        md += operating_points_section(points, models[points["mode"]])
        plots.operating_points(y, probs_by_mode[points["mode"]], classes, points["rows"], run_dir / "operating_points.png",
                               models[points["mode"]].get("decision"), f"Operating points of {points['model']} (test split)",
                               synthetic_mark(report))
        md += [image("operating_points"), ""]
        # the PPV above holds at the test split's own mix (54% COVID on cxr-dev): what an answer is worth at a clinic's,
        # as the device answers: by the file's stored rule where it has one, as the card and cxr-evaluate say
        device, rule = models[points["mode"]], models[points["mode"]].get("decision")
        worth = at_prevalences(under_rule(device["per_class"], rule) if rule else device["per_class"])
        report["at_prevalence"] = {"mode": points["mode"], "rule": rule_of(rule), **json_rows(worth, classes)}
        # named: seven modes' tables stand above it, and a reader could take the keras one's figures
        md += prevalence_section(worth, classes, (
            f"the test sensitivity and specificity of the rule {points['model']} stores ({md_names(labelling(rule), classes)}), by which "
            "the device answers, not the most probable class's of the tables above" if rule else
            f"the test sensitivity and specificity of {points['model']} (the section {points['mode']} above)"))
    md += stored_rules_section(models, report["gate"].get("max_class_drop"))
    md += ["## Calibration and ROC", ""]
    md += temperature_lines(report.get("calibration"), report["test_set"]["n"])
    md += [ece_note(models["keras"]), ""]
    md += [image("reliability"), "", *reliability_table(bins, 1 / len(classes)), "",
           f"The ROC {'curve below is' if len(classes) == 2 else 'curves below are'} {roc_of}'s on the test split; each "
           "mode's AUROC is in its table above.", "",
           image("roc", classes=classes, absent=absent), ""]
    report["roc_model"] = roc_mode
    if "input_check" in report:
        md += input_check_section(report["input_check"], report["test_set"]["n"], report.get("external"))
    if mistakes is not None:
        (mode, found), report["occlusion_model"] = mistakes, mistakes[0]
        labelled_by = stored_rule({"labels": classes, "decision": models[mode].get("decision")})  # as the maps are
        md += occlusion_section(run_dir, found, x, classes, files, report, scope=f" ({mode}, test split)", rule=labelled_by)
    if "provenance" in report:
        md += provenance_section(report["provenance"])
    write_report_json(run_dir / "report.json", report)
    write_text(run_dir / "report.md", "\n".join(align_tables(md)))
