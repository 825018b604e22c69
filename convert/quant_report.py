"""The quantization report: what each .tflite mode cost against the Keras model, class by class."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from convert import plots
from convert.confusion_words import all_convert_labels, confusion_image, convert_labels, titled
from convert.gate import points_text
from convert.report import (DISCLAIMER, ECE_MIN_FILMS, most_probable_line, auc_note, confusion_table, ece_note, fmt_ci, headline, occlusion_section,
                            per_class_table, pooled_lines, provenance_section)
from convert.set_notes import copies_warning
from convert.stored_rule_sections import device_answers_line, most_probable_note, rule_of, stored_rules_section
from convert.rule_notes import swamps_line
from convert.study_design import test_split_line
from convert.subgroups import balanced_accuracy_cell, per_source_section
from convert.report_text import TERMS, align_tables, image, md_cell, md_code, md_names, reference_standard_line, reliability_table
from convert.prevalence import at_prevalences, under_rule
from convert.prevalence import section as prevalence_section
from edge.atomic import write_json, write_text
from edge.card import DRAWN, drawn_only, synthetic_mark, synthetic_words
from edge.answer_worth import is_normal_class
from edge.names import texts
from edge.decision import SPECIFICITY_FLOOR, fmt_threshold, labelling
from edge.figures import fixed
from convert.audit_section import audit_section
from train.hygiene import UNFOUND_COPIES, UNSEARCHED_COPIES, conflicts_text, duplicates_text


def summary_table(report: dict) -> list[str]:
    classes = report["classes"]
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
            f"{'—' if ratio is None else f'{ratio:.2f}'} | "
            f"{fmt_ci(m['accuracy'], m['accuracy_ci'])} | {fmt_ci(m['balanced_accuracy'], m['balanced_accuracy_ci'])} | "
            f"{_pts(d['accuracy_points'])} | " + " | ".join(_pts(d["sensitivity_points"][c]) for c in classes)
            + f" | {fixed(ag['class_agreement'], 1, 100)}% | {fixed(ag['max_abs_prob_error'])} | {lat_s} | "
            + ("pass" if m["gate"]["passed"] else "**FAILED**") + " |")
    return lines


FLIPS_SHOWN = 50


def _label(p: dict) -> str:
    return max(p, key=p.get)  # ties to the first class listed, as argmax does


def flip_what(flip: dict) -> str:
    """'now wrong', 'now right' or 'still wrong' (another wrong class), with ', a tie' where the
    quantized file's top two classes are equal and the class listed first took the film. Judged by
    each side's own answer where the record keeps it (reports before 0.25.0 kept rounded figures)."""
    before = flip.get("reference_label", _label(flip["reference"])) == flip["true"]
    after = flip.get("quantized_label", _label(flip["quantized"])) == flip["true"]
    what = "now wrong" if before else "now right" if after else "still wrong"
    top = sorted(flip["quantized"].values(), reverse=True)
    tie = flip["quantized_tie"] if "quantized_tie" in flip else len(top) > 1 and top[0] == top[1]
    return what + (", a tie" if tie else "")


def flip_order(flip: dict) -> int:
    """Films the quantized file made wrong first, then those it made right, then the rest."""
    return ("now wrong", "now right", "still wrong").index(flip_what(flip).split(",")[0])


def flip_line(flip: dict, name: str) -> str:
    """One film whose class flipped, with both models' probabilities as 'COVID 0.054, Normal 0.946'."""
    def probs(p: dict) -> str:
        return ", ".join(f"{md_cell(c)} {v:.3f}" for c, v in p.items())

    return (f"- {md_code(flip['file'])} (true {md_cell(flip['true'])}; {flip_what(flip)}): keras {probs(flip['reference'])} → "
            f"{name} {probs(flip['quantized'])}")


_CAL_MEASURES = (("nll", "negative log-likelihood"), ("ece", "expected calibration error"))


def calibration_worse(cal: dict, fell: bool = False) -> str:
    """'negative log-likelihood 0.624 → 0.806' for each test figure the temperature raised (``fell``: lowered), or ''."""
    sign = -1 if fell else 1
    return ", ".join(f"{name} {cal[f'test_{key}_before']:.3f} → {cal[f'test_{key}_after']:.3f}" for key, name in _CAL_MEASURES
                     if sign * (cal[f"test_{key}_after"] - cal[f"test_{key}_before"]) > 1e-3)


def calibration_verdict(cal: dict, n: int) -> list[str]:
    """What the temperature did on the test split, in bold only where both measures say it made calibration
    worse on enough films: ECE 0.278 → 0.200 with NLL 0.422 → 0.439 on 18 films was called worse, in bold."""
    worse, better = calibration_worse(cal), calibration_worse(cal, fell=True)
    if not worse:
        return []
    rose = sum(cal[f"test_{key}_after"] - cal[f"test_{key}_before"] > 1e-3 for key, _ in _CAL_MEASURES)
    if n < ECE_MIN_FILMS or better or rose < len(_CAL_MEASURES):
        why = (f"on {n} test films, under {ECE_MIN_FILMS}: too few to judge calibration" if n < ECE_MIN_FILMS
               else "the two measures disagree" if better else "the other measure moved by less than 0.001")
        return [f"On the test split the temperature raised {worse}" + (f" and lowered {better}" if better else "")
                + f": no verdict ({why}).", ""]
    return [f"**On the test split the temperature made calibration worse** ({worse}). It was fitted on the "
            "validation films, which are few or unlike the test films; trust the probabilities less than the "
            "validation split suggested, and the labels (ranking) as much as the tables above say.", ""]


def _pts(v) -> str:
    return "n/a" if v is None else f"{v:+.1f}"


def refit_line(refit: dict) -> str:
    """One sentence on the int8 file's refitted logits layer (convert/head_refit.py)."""
    if not refit.get("refit"):
        return f"int8: the logits layer was not refitted ({refit['why']})."
    change = refit["train_mean_abs_logit_change"]
    return (f"int8: the float logits layer was refitted to the Keras logits on the int8 features of {refit['images']} "
            f"training images; their mean |logit change| against Keras went from {change['before']:.4f} to {change['after']:.4f}.")


def input_check_section(check: dict, n_test: int, external: dict | None) -> list[str]:
    """How often edge's input check (edge.typicality) flags images that are in fact typical."""
    flagged = check["flagged"]
    ext = (f" and {fixed(flagged['external'], 1, 100)}% of the {external['n']} images of `{external['source']}`, the source "
           "held out of training (a new site's films should rarely be flagged)") if "external" in flagged else ""
    return ["## Input check", "",
            f"Every model file carries a check of whether an input looks like the training images (a probabilistic PCA "
            f"of {check['thumbnail']}x{check['thumbnail']} thumbnails, {check['components']} components; edge.typicality). "
            f"Its threshold is the 99th percentile of scores no fit has seen (the validation images, and the training images cross-fitted in 5 folds). It flags "
            f"{fixed(flagged['test'], 1, 100)}% of the {n_test} test images{ext}. On the device a flagged image gets a "
            "warning, whatever its label. On cxr-dev it flags nearly every inverted film (96–100%), most films rotated by 90 degrees or "
            "upside down and most images that are not chest X-rays (benchmarks/input_check.py); other views were not "
            "measured, and a drawing of a chest passes.", ""]


def operating_points_section(points: dict, device_summary: dict) -> list[str]:
    """Thresholds that trade specificity for sensitivity, chosen on validation and scored on test."""
    by_class = {r["class"]: r for r in device_summary["per_class"]}
    lines = [f"## Operating points: a threshold per target sensitivity ({points['model']})", "",
             "Unless a rule is stored in its file ('The rule stored in the model files' below says so when one is), the device labels each film "
             "with its most probable class, as the tables above do. A rule that must miss fewer films of one class "
             "(for research on such rules, not on patients: this is not a medical device) can instead give that class "
             "whenever its probability reaches a threshold (`edge-classify --threshold CLASS=P`). Each threshold below is the highest that reaches the target sensitivity on the validation split "
             f"(n = {points['n_validation']}), scored on the test split. Below the most probable class's, it buys "
             "sensitivity with specificity; where the most probable class already exceeds the target on validation, it lies "
             "above it and buys specificity with sensitivity instead (marked *less sensitive*: keep the most probable class "
             "or ask for a higher sensitivity). Marked on the test split: *calls most ... films ...*, a specificity under "
             f"{100 * SPECIFICITY_FLOOR:g}%; *no better on test*, no more films of the class found than with the most probable class, "
             "and no fewer false calls. With few validation films in a class the thresholds are rough: a site "
             "should choose its own on its own films. Beside each rate, the films behind it: those of the class found, "
             "and those of the other classes given the class (false calls)."
             + ("".join(f" For {md_cell(c)}, whose answer means none of the other classes, its false calls are films of "
                        f"the other classes called {md_cell(c)}: missed disease, so a rule for more {md_cell(c)} "
                        "sensitivity is one that misses more disease." for c in dict.fromkeys(r["class"] for r in points["rows"])
                        if is_normal_class(c) and len(device_summary["per_class"]) > 1)), "",
             "| class | rule | test sensitivity % (95% CI), found | test specificity % (95% CI), false calls |",
             "|---|---|---|---|"]
    for name in dict.fromkeys(r["class"] for r in points["rows"]):
        m, shown = by_class[name], md_cell(name)  # a class name is text, never Markdown
        normal = is_normal_class(name)
        lines.append(f"| {shown} | most probable class | {_found(m)} | {_false_calls(m, shown, normal)} |")
        for r in (r for r in points["rows"] if r["class"] == name):
            t = r["test"]
            if r["threshold"] is None:  # no films of the class on validation to choose one on, or saturated
                why = md_names(r.get("not_available") or f"no {name} films in the validation split", [name])
                lines.append(f"| {shown} | none for {100 * r['target_sensitivity']:.0f}% ({why}) | n/a | n/a |")
                continue
            v = r.get("versus_most_probable") or {}
            # 8 of 8 found by both, the rule calling fewer films: 'less sensitive there' was not what those films showed
            less = ("" if not v.get("less_sensitive") else
                    "; *less sensitive* than the most probable class there" if v.get("found_by_rule", 0) < v.get("tp", 0)
                    else "; *no more sensitive* than the most probable class there: the same films found, fewer called, "
                         "so fewer on new films")
            less += test_marks(r, m, [c["class"] for c in device_summary["per_class"]])
            lines.append(f"| {shown} | p ≥ {fmt_threshold(r['threshold'])} (for {100 * r['target_sensitivity']:.0f}% on validation{less}) | "
                         f"{_found(t)} | {_false_calls(t, shown, normal)} |")
    return [*lines, ""]


def device_misses(models: dict, mode: str | None, classes: list[str]) -> list[str]:
    """report.md's top-block line, with three or more classes: where each class's missed test films went under the
    device's file (the mode the card describes), most probable class. A 4-class reader found 'COVID: 3 of 11 called
    Normal' only in the confusion matrix of a section further down (hunt 58 reader2, M4)."""
    from convert.missed import misses_lines

    m = models.get(mode) if mode else None
    if not m or not (lines := misses_lines(m.get("confusion_matrix") or [], classes)):
        return []
    rule = "; its stored rule changes them, see below" if m.get("decision") else ""
    return [f"Where each class's missed test films went (`model_{mode}.tflite`, most probable class{rule}): "
            + "; ".join(md_names(line, classes) for line in lines) + ".", ""]


def external_rows(ext: dict) -> list[str]:
    """The held-out source's table rows: each file under the rule it stores, and beside it the same file at its most
    probable class, as Keras's row is (an earlier report holds the first alone). 'keras 41.2, int8 82.4' read as
    quantization doubling sensitivity at the one unseen hospital: the 82.4 was the rule's (hunt 58, M3)."""
    plain = ext.get("most_probable") or {}
    ruled = any(isinstance(s, dict) and s.get("rule") for s in ext.values())
    rows = []
    for name, s in ext.items():
        if not (isinstance(s, dict) and "per_class" in s):
            continue
        if r := s.get("rule"):
            label = f"{name}, its rule {md_cell(r['class'])} when p ≥ {fmt_threshold(r['threshold'])}"
        else:
            label = f"{name}, most probable class" if ruled else name
        for shown, figures in ((label, s), *([(f"{name}, most probable class", plain[name])] if name in plain else [])):
            rows.append(f"| {shown} | {balanced_accuracy_cell(figures)} | "
                        + " | ".join(fmt_ci(r["sensitivity"], r["sensitivity_ci"]) for r in figures["per_class"]) + " |")
    return rows


def external_rule_cost(ext: dict, models: dict, classes: list[str]) -> list[str]:
    """One sentence under the held-out source's table where files answer by a stored rule: what the rule costs the other
    classes on the test split (its specificity there), which a source of one class cannot show."""
    ruled = [(name, models[name]["decision"]) for name, s in ext.items() if isinstance(s, dict) and s.get("rule")
             and isinstance((models.get(name) or {}).get("decision"), dict) and (models[name]["decision"].get("test") or {})
             .get("specificity") is not None]
    if not ruled:
        return []
    name, d = ruled[0]
    t, cls = d["test"], md_cell(d["class"])
    present = next((s.get("classes_present") for s in ext.values() if isinstance(s, dict) and "per_class" in s), None)
    alone = (f"; this source holds {md_cell(present[0])} films alone, so what the rule costs the other classes cannot show here"
             if present and len(present) == 1 else "")
    others = "/".join(md_cell(c) for c in classes if c != d["class"])
    most = f": it calls most {others} films {cls}" if t["specificity"] < SPECIFICITY_FLOOR else ""
    return [f"The rule's higher {cls} sensitivity has a price: on the test split `model_{name}.tflite`'s rule had "
            f"specificity {fmt_ci(t['specificity'], t['specificity_ci'])}%{most}{alone}.", ""]


def test_marks(r: dict, plain: dict, labels: list[str]) -> str:
    """The marks an operating point's row gets from its test figures: a specificity under SPECIFICITY_FLOOR (the check
    stored rules get, convert.rule_notes.swamps_line), and no better than the most probable class (``plain``: its
    per-class row), finding no more films of the class while calling it on no fewer others. 'p ≥ 0.3539: 100.0, 22 of
    22' with 20 of 22 Normal films called COVID, and a row finding the same 20 of 22 with 15 false calls against 10,
    were offered unmarked for edge-classify --threshold (hunt 58, M4, L10)."""
    t, cls = r["test"], r["class"]
    if "fp" not in t:  # a report written before the counts were kept
        return ""
    others = "/".join(md_cell(c) for c in labels if c != cls)
    marks = [f"*calls most {others} films {md_cell(cls)}*"] if swamps_line(
        r, t["specificity"], t["fp"], t["fp"] + t["tn"], labels, "the test split", "") else []
    if "tp" in plain and t["tp"] <= plain["tp"] and t["fp"] >= plain["fp"]:
        marks.append("*no better on test* than the most probable class")
    return "".join(f"; {m}" for m in marks)


def _found(r: dict) -> str:
    """'97.0 (89.6–99.2), 64 of 66': a rate with the films behind it (a clinician weighs 2 missed, not 3 points)."""
    rate = fmt_ci(r["sensitivity"], r["sensitivity_ci"])
    return f"{rate}, {r['tp']} of {r['tp'] + r['fn']}" if "tp" in r else rate


def _false_calls(r: dict, name: str, normal: bool = False) -> str:
    """'89.4 (80.1–94.8), 7 of 66 called COVID'; for a Normal class (``normal``) its false calls said for what they
    are: 'films of other classes called Normal: missed disease' (they read as a disease's false alarms)."""
    rate = fmt_ci(r["specificity"], r["specificity_ci"])
    if "fp" not in r:
        return rate
    return (f"{rate}, {r['fp']} of {r['fp'] + r['tn']} films of other classes called {name}: missed disease" if normal
            else f"{rate}, {r['fp']} of {r['fp'] + r['tn']} called {name}")


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
        spans = ("" if h.get("duplicate_groups", 1) == 0 else
                 f"; {h.get('groups_across_splits', 0)} groups span more than one split")
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
    mark = synthetic_mark(report)  # on each plot too: a PNG is pasted into a slide without the report's banner
    plots.confusion_grid({titled(n, convert_labels(m.get("decision"))): np.array(m["confusion_matrix"])
                          for n, m in models.items()}, classes, run_dir / "confusion_matrices.png", mark)
    plots.sensitivity_bars({n: m["per_class"] for n, m in models.items()}, classes, run_dir / "sensitivity.png", mark)
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
    calibrated = ("" if not report.get("calibrated_modes", True) else
                  f"The full-integer modes' quantization ranges were set on {report['calibration_samples']} training "
                  "images (stratified; never test). " if report.get("calibration_samples") else "The full-integer modes' "
                  "quantization ranges were set on training images when they were converted (stratified; never test). ")
    md += [f"Run: `{report['run_dir']}` — architecture `{report.get('arch')}`{ensemble}, {report.get('parameters') or 0:,} parameters. "
           f"Test split (frozen in split.json): n = {report['test_set']['n']} "
           f"({', '.join(f'{shown[c]} {n}' for c, n in report['test_set']['counts'].items())}). {calibrated}"
           f"Every .tflite was scored through `edge`, the device's own code path. Probabilities use the temperature "
           f"T = {report.get('temperature', 1.0):.2f} fitted on the validation split (temperature scaling: the model's "
           "logits are divided by T before the softmax; a T below 1 makes the probabilities more confident, above 1 "
           "less).", "",
           # drawings alone: no hospitals, archives or reference standard to speak of (hunt 58, L1)
           *([f"**Drawn images:** {DRAWN}.", ""] if drawn_only(report) else
             [*([test_split_line(report["study_design"]), ""] if report.get("study_design") else []),
              reference_standard_line(report.get("data_dir")), ""]),
           *([f"**Copies in the test split:** {copies_warning(report['copies_within_test'])}.", ""]
             if report.get("copies_within_test") else []),
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
           image("sensitivity"), ""]
    ours = [f for f in report.get("other_files") or [] if not f.get("foreign")]
    if ours:
        md += ["**Also in this folder, not scored by this conversion** (an earlier call's; each file's card, "
               "`edge-classify --card`, holds the figures it was scored with): "
               + "; ".join(f"`{f['file']}` ({f['mode'] or '?'}, converted {f['converted'] or '?'}"
                           + (", with a stored rule" if f["rule"] else "")
                           + ("" if f["fingerprints"] else ", without fingerprints") + ")" for f in ours)
               + ".", ""]
    if foreign := [f["file"] for f in report.get("other_files") or [] if f.get("foreign")]:
        md += ["**Also in this folder, not made by cxr-convert** (no cxr-edge metadata: no labels, calibration, "
               "self-test or card; not scored): " + ", ".join(f"`{name}`" for name in foreign) + ".", ""]
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
            flipped = sorted(m["agreement"]["flipped"], key=flip_order)  # films made wrong first
            md += [f"Class flips against Keras: {len(flipped)}" + (":" if flipped else "."), ""]
            md += [flip_line(f, name) for f in flipped[:FLIPS_SHOWN]]
            if len(flipped) > FLIPS_SHOWN:
                md.append(f"- ... and {len(flipped) - FLIPS_SHOWN} more (report.json lists every flip)")
            md += [""] if flipped else []
    if "per_source" in report:
        ps, (k, t) = report["per_source"], report["per_source"].get("rule") or (None, None)
        md += per_source_section(ps["sources"], classes, f" ({ps['mode']}, test split"
                                 + (f", labels by its rule p({shown[classes[k]]}) >= {fmt_threshold(t)})" if k is not None else ")"))
    if "external" in report:
        ext = report["external"]
        md += [f"## External source held out of training: {md_code(ext['source'])} (n = {ext['n']})", "",
               "Films from a source kept out of training and validation: an estimate of how the model does at one "
               "new site, for the classes that source holds (a source of one class gives that class's sensitivity "
               "only: how often the site's other films would be called that class is not measured here)."
               + (" A file that stores a rule is given under it, as the device answers, and at its most probable class, "
                  "as Keras is: compare like with like." if any(isinstance(v, dict) and v.get("rule") for v in ext.values()) else ""),
               "",
               "| model | balanced accuracy % (95% CI; of one class: its sensitivity) | "
               + " | ".join(f"{shown[c]} sens. %" for c in classes) + " |",
               "|---|---|" + "---|" * len(classes)]
        md += external_rows(ext) + [""] + external_rule_cost(ext, models, classes)
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
        from convert.left_out import answers_section

        by_mode = report["other_classes"]["by_mode"]
        md += answers_section(by_mode, classes, list(by_mode), lead=f"The films of `{report['other_classes']['data_dir']}`'s "
                              "class folders this run was not trained on (each file, its stored rule applied): the model "
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
        report["at_prevalence"] = {"mode": points["mode"], "rule": rule_of(rule), "rows": at_prevalences(
            under_rule(device["per_class"], rule) if rule else device["per_class"])}
        # named: seven modes' tables stand above it, and a reader could take the keras one's figures
        md += prevalence_section(report["at_prevalence"]["rows"], classes, (
            f"the test sensitivity and specificity of the rule {points['model']} stores ({md_names(labelling(rule), classes)}), by which "
            "the device answers, not the most probable class's of the tables above" if rule else
            f"the test sensitivity and specificity of {points['model']} (the section {points['mode']} above)"))
    md += stored_rules_section(models)
    md += ["## Calibration and ROC", ""]
    if cal := report.get("calibration"):
        md += [f"Temperature scaling (T = {cal['temperature']:.2f}, fitted on the {cal['fitted_on']}) on the test split, "
               "the Keras model's figures (each .tflite's own ECE is in its section above): "
               f"expected calibration error {cal['test_ece_before']:.3f} → {cal['test_ece_after']:.3f}, "
               f"negative log-likelihood {cal['test_nll_before']:.3f} → {cal['test_nll_after']:.3f}. "
               "The device applies the same temperature (it travels in the .tflite).", ""]
        md += calibration_verdict(cal, report["test_set"]["n"])
    md += [ece_note(models["keras"]), ""]
    md += [image("reliability"), "", *reliability_table(bins, 1 / len(classes)), "",
           f"The ROC {'curve below is' if len(classes) == 2 else 'curves below are'} {roc_of}'s on the test split; each "
           "mode's AUROC is in its table above.", "",
           image("roc", classes=classes), ""]
    report["roc_model"] = roc_mode
    if "input_check" in report:
        md += input_check_section(report["input_check"], report["test_set"]["n"], report.get("external"))
    if mistakes is not None:
        mode, found = mistakes
        report["occlusion_model"] = mode
        md += occlusion_section(run_dir, found, x, classes, files, report, scope=f" ({mode}, test split)")
    if "provenance" in report:
        md += provenance_section(report["provenance"])
    write_json(run_dir / "report.json", texts(report))  # valid UTF-8 whatever the names (edge.names)
    write_text(run_dir / "report.md", "\n".join(align_tables(md)))
