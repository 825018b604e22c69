"""cxr-convert and cxr-evaluate. Research software, NOT a medical device."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from edge.cliutil import fail, folder_problem, one_line_errors
from train.quiet import load_tensorflow

convert_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
evaluate_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

ALL_MODES = "int8,int8-full,int16x8,dynamic,fp16,fp32"


@convert_app.command(
    help=(
        "Convert a cxr-train run to TensorFlow Lite in each quantization mode and prove what it cost. "
        "Writes RUN_DIR/model_<mode>.tflite (each carries labels, preprocessing, calibration and a self-test "
        "inside it: the one file to copy to a device), report.md with plots for people and report.json for "
        "machines. Every .tflite is scored on the frozen test split through edge, the device's code path. "
        "The report also lists, per class, the device file's thresholds for 90% and 95% sensitivity (chosen on the "
        "validation split, scored on the test split) for edge-classify --threshold; --operating-point stores one "
        "such rule in the model files themselves, so every device applies it. When the data's MANIFEST.csv named "
        "each film's source, the report breaks the device file's test results down by source.\n\n"
        "Modes: int8 (integer body, stem and logits in float; the device default), int8-full (every op integer, "
        "int8 I/O, for integer-only accelerators), int16x8, dynamic, fp16, fp32.\n\n"
        "Exit code 1 when a requested mode fails the gate (or, with --auto, when none passes); 2 for usage errors.\n\n"
        "Example: cxr-convert runs/covid --quant int8,fp32 --max-drop 1 --max-class-drop 2"
    )
)
def convert(
    run_dir: Path = typer.Argument(..., help="A folder written by cxr-train."),
    quant: str = typer.Option(ALL_MODES, "--quant", help="Comma-separated modes to produce and score."),
    max_drop: float = typer.Option(1.0, help="Gate: largest accuracy drop against Keras, in points."),
    max_class_drop: float = typer.Option(2.0, help="Gate: largest per-class sensitivity drop, in points."),
    auto: bool = typer.Option(False, "--auto", help="Keep the smallest mode that passes the gate as model.tflite."),
    calibration_samples: int = typer.Option(300, min=1, help="Training images (stratified) for full-integer calibration."),
    refit_head: bool = typer.Option(
        True, "--refit-head/--no-refit-head",
        help="int8: refit the float logits head on the int8 features of the training images, so its logits "
             "match Keras more closely (fewer films near a class boundary flip)."),
    fingerprints: bool = typer.Option(
        True, "--fingerprints/--no-fingerprints",
        help="Put in every model file the first 8 bytes of each training and validation film's SHA-256 and a 256-bit "
             "hash of its pixels (40 bytes a film), so cxr-evaluate and cxr-compare leave out films the model already "
             "saw, and their resized or re-encoded copies, wherever the file goes. Neither tells anything about a "
             "film to someone who does not hold it; --no-fingerprints where even that (whether a film you hold was "
             "used) must stay private."),
    explain: int = typer.Option(6, min=0, help="Occlusion maps (where the model found its evidence) for this many of the "
                                                "int8 file's most confident test-split mistakes, in occlusion.png; 0: none."),
    report_only: bool = typer.Option(False, "--report-only", help="Re-score existing .tflite files; convert nothing."),
    operating_point: Optional[str] = typer.Option(
        None, "--operating-point", metavar="CLASS=SENSITIVITY",
        help="Store a screening rule in each model file: CLASS whenever its probability reaches the threshold that gives "
             "this sensitivity on the validation split, chosen through that file (e.g. COVID=0.95). edge-classify then "
             "applies it by default. A threshold belongs to one model: retrain, and it is chosen again. 'none' removes "
             "a stored rule. Works with --report-only (the weights are not touched)."),
    no_latency: bool = typer.Option(False, "--no-latency", help="Skip the invoke-latency measurement."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
) -> None:
    load_tensorflow()
    from convert.export import MODES
    from convert.quantize import ConvertSettings, run_conversion

    modes = [m.strip() for m in quant.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise fail("cxr-convert", f"unknown mode(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(MODES)}")
    settings = ConvertSettings(run_dir=run_dir, modes=modes, max_drop=max_drop, max_class_drop=max_class_drop,
                               auto=auto, calibration_samples=calibration_samples, refit_head=refit_head,
                               fingerprints=fingerprints,
                               report_only=report_only, explain=explain, operating_point=operating_point,
                               latency_threads=() if no_latency else (1, 2), progress=not quiet)
    with one_line_errors("cxr-convert", debug, writes_to=[run_dir]):
        _, code = run_conversion(settings)
    print(f"report: {run_dir / 'report.md'}")
    raise typer.Exit(code)


@evaluate_app.command(
    help=(
        "Score a model on any labelled folder (one sub-folder per class, or the Kaggle layout), e.g. your own "
        "hospital's images, before trusting it. MODEL is a .tflite (run through edge, as on the device) or a "
        "model.keras inside a cxr-train run folder. Writes report.md (per-class sensitivity, specificity, PPV, "
        "F1 with 95% CIs, confusion matrix, ROC, reliability diagram, per-source figures and the answers each "
        "source's films got when a MANIFEST.csv (columns file, source) names sources, occlusion maps of where the model looked on its most confident mistakes, and, for a .tflite, "
        "how many images its input check finds unlike the training images), report.json, and predictions.csv (one row "
        "per film, for reviewing cases in a spreadsheet).\n\n"
        "Example: cxr-evaluate runs/covid/model_int8.tflite my_hospital/ --out my_hospital_report\n\n"
        "Your site's own operating point, stored in a copy of the model for the devices: cxr-evaluate "
        "runs/covid/model_int8.tflite my_hospital/ --operating-point COVID=0.95 --save-model my_hospital.tflite"
    )
)
def evaluate(
    model: Path = typer.Argument(..., help="model_<mode>.tflite or model.keras."),
    data_dir: Path = typer.Argument(..., help="Labelled image folder."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Report folder (default: DATA_DIR-report next to the model)."),
    n_boot: int = typer.Option(1000, min=100, help="Bootstrap resamples for confidence intervals."),
    explain: int = typer.Option(6, min=0, help="Occlusion maps (where the model found its evidence) for this many of "
                                                "its most confident mistakes, in occlusion.png, and the share of its "
                                                "evidence at the image's border over up to 200 images; 0: neither."),
    shifts: bool = typer.Option(False, "--shifts", help="Also score the model on your images under 14 simulated "
                                "acquisition shifts (exposure, contrast, blur, the vendor's edge enhancement and local "
                                "contrast, noise, a tighter crop, a crop of the height or the width alone (a film of "
                                "another shape), rotation, burned-in text, borders): balanced accuracy, "
                                "its drop, how far each shift moves the answers, the class it costs most (each "
                                "class's sensitivity is in report.json) and the classes the changed labels went to, "
                                "with the class they lean towards: the false calls to expect at a site that processes "
                                "films differently. Reads every image again and costs 15 passes of the model."),
    threshold: Optional[str] = typer.Option(
        None, "--threshold", metavar="CLASS=P", help="Label the images as edge-classify --threshold CLASS=P would: CLASS "
                                                     "whenever its probability is at least P (e.g. a threshold from "
                                                     "cxr-convert's operating points, checked on your own films). A .tflite "
                                                     "that carries a rule (cxr-convert --operating-point) is scored with it "
                                                     "unless this or --most-probable is given; the report compares the rule "
                                                     "with the most probable class."),
    most_probable: bool = typer.Option(False, "--most-probable", help="Score the most probable class, ignoring a rule "
                                                                      "the model file carries."),
    operating_point: Optional[str] = typer.Option(
        None, "--operating-point", metavar="CLASS=SENSITIVITY",
        help="Choose the threshold that gives CLASS this sensitivity on these films (e.g. COVID=0.95: your site's "
             "own operating point), and report what it gives on films it was not chosen on (5-fold cross-validation)."),
    class_map: Optional[str] = typer.Option(
        None, "--class-map", metavar="FOLDER=LABEL,...",
        help="Which model label each class folder stands for, where the names differ beyond case and punctuation "
             "(NORMAL, COVID-19 and covid19 already match Normal and COVID); FOLDER=- leaves a folder out, e.g. "
             "--class-map PNEUMONIA=- for a class the model was not trained on."),
    prevalence: str = typer.Option(
        "0.01,0.05,0.2,0.5", "--prevalence", metavar="P,...",
        help="Shares of the films a class might make up at your site (comma-separated, 0..1): the report gives each "
             "class's PPV and NPV at each, since the PPV of these films holds only at their own mix."),
    by: Optional[str] = typer.Option(
        None, "--by", metavar="COLUMN,...",
        help="Also give each subgroup's figures (balanced accuracy and per-class sensitivity with 95% CIs), marking "
             "groups whose interval lies wholly below the overall figure: a model may fail on portable AP films, "
             "another manufacturer's detector or older patients while looking fine overall. A COLUMN of "
             "DATA_DIR/MANIFEST.csv (keyed by its file column), or for DICOM files a header attribute: ViewPosition, "
             "Manufacturer, ManufacturerModelName, PatientSex, PatientAge (in bands 0-17, 18-39, 40-59, 60-79, 80+), "
             "BodyPartExamined, InstitutionName, StationName, Modality. Example: --by ViewPosition,PatientAge"),
    keep_seen: bool = typer.Option(
        False, "--keep-seen", help="Also score films the model was trained or validated on (found by SHA-256 "
                                   "or as resized or re-encoded copies: a .tflite from cxr-convert carries their "
                                   "fingerprints, a model.keras is checked against its run folder's split.json); by default they are left out, since their "
                                   "answers flatter the model."),
    find_crops: bool = typer.Option(
        False, "--find-crops", help="Also find cropped copies of those films (a few percent cut off a side, as "
        "re-published collections do): each film is read again and its copy code tried under 256 guesses of its "
        "margins, about 25 ms a film (benchmarks/RESULTS.md, 'Seen-film check')."),
    save_model: Optional[Path] = typer.Option(
        None, "--save-model", metavar="PATH",
        help="With --operating-point and a .tflite: write a copy of the model that carries the chosen threshold, "
             "so edge-classify applies it by default. The original file is left as it is."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars, and no line per renamed folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
) -> None:
    if model.suffix == ".keras":
        load_tensorflow()
    from convert.site_folders import site_items
    from convert.evaluate import model_for
    from convert.seen import leave_out_seen
    from convert.operating_point import parse_operating_point
    from edge.decision import parse_threshold
    from edge.preprocess import PreprocessConfig
    from train.data import DataError, scan

    out_dir = out or model.parent / f"{Path(data_dir).resolve().name}-report"
    with one_line_errors("cxr-evaluate", debug, writes_to=[out_dir, *([save_model.parent] if save_model else [])]):
        if problem := folder_problem(out_dir):  # before any film is read, not after minutes of scoring
            raise ValueError(f"cannot write the report into {out_dir}: {problem}" + ("" if out else "; choose a folder with --out"))
        predict, info = model_for(model)
        labels = info["labels"]
        if threshold and most_probable:
            raise ValueError("choose one of --threshold and --most-probable")
        rule = parse_threshold(threshold, labels) if threshold else None if most_probable else info.get("decision")
        point = parse_operating_point(operating_point, labels) if operating_point else None
        if save_model is not None:  # refuse before minutes of reading images
            if point is None:
                raise ValueError("--save-model needs --operating-point (the threshold to store)")
            if model.suffix != ".tflite":
                raise ValueError("--save-model needs a .tflite model (the rule is stored in its metadata)")
            if save_model.resolve() == model.resolve():
                raise ValueError("--save-model: give a new path; the original model file is kept as it is")
        try:
            prevalences = tuple(float(v) for v in prevalence.split(",") if v.strip())
        except ValueError:
            raise ValueError(f"--prevalence: {prevalence!r} is not a comma-separated list of numbers") from None
        if not prevalences or not all(0 < v < 1 for v in prevalences):
            raise ValueError(f"--prevalence: each share must lie between 0 and 1 (exclusive), not {prevalence!r}")
        columns = [c.strip() for c in (by or "").split(",") if c.strip()]
        if columns:
            from convert.subgroups import check_columns

            check_columns(data_dir, columns)
        items, matched = site_items(data_dir, labels, class_map, "cxr-evaluate", quiet)
        res = scan(data_dir, items, PreprocessConfig.from_dict(info["preprocess"]), progress=not quiet)
        if not res.items:
            raise DataError(f"no readable images in {data_dir}")
        drop, seen_note = leave_out_seen([model], res.items, keep_seen, "cxr-evaluate",
                                         str(data_dir) if find_crops else None, not quiet)
        res = res.take(~drop)
        from convert.seen import copies_within

        twins = [[res.items[k].path for k in g] for g in copies_within(res.items)]
        if twins:
            print(f"cxr-evaluate: warning: {sum(map(len, twins))} films are copies of one another ({len(twins)} group{'s' if len(twins) > 1 else ''}, "
                  f"e.g. {' = '.join(twins[0][:3])}): each is scored as a separate film, so the intervals are "
                  "narrower than the films justify (report.json lists them)", file=sys.stderr)
        for bad in res.skipped:
            print(f"cxr-evaluate: {bad['path']}: {bad['error']}", file=sys.stderr)
        import numpy as np

        from convert.report import evaluation_report, fmt_num, headline

        from train.audit import shortcut_audit, summary_line

        y = np.array([labels.index(i.label) for i in res.items])
        groups = None
        if columns:
            from convert.subgroups import group_values

            groups = group_values(data_dir, [i.path for i in res.items], columns)
        audit = shortcut_audit(res.traits, y, labels)
        if audit["warn"] and not quiet:
            print(f"cxr-evaluate: warning: {summary_line(audit)}; if your classes came from different archives or "
                  "devices, a score here may reflect that rather than the lungs", file=sys.stderr)
        probs = predict(res.x)
        mistakes = evidence = None
        if explain:
            from convert.occlusion import EVIDENCE_SAMPLE, explain_mistakes, overall_border_share
            from train.progress import progress_bar

            from edge.decision import labels_for

            mistakes = explain_mistakes(predict, res.x, y, probs, explain, labels_for(probs, rule))
            bar = progress_bar(min(len(y), EVIDENCE_SAMPLE), "mapping where the model looks", not quiet)
            evidence = overall_border_share(predict, res.x, probs, done=bar.update)
            bar.close()
        rob = None
        if shifts:
            from convert.shifts import robustness
            from edge.preprocess import load_grayscale
            from train.progress import progress_bar

            bar = progress_bar(len(y), "scoring under simulated shifts", not quiet)
            rob = robustness(predict, (load_grayscale(Path(data_dir) / i.path) for i in res.items),
                             PreprocessConfig.from_dict(info["preprocess"]), y, len(labels), done=bar.update, rule=rule)
            bar.close()
        site = None
        if point is not None:
            from convert.operating_point import site_operating_point, stamp_decision

            site = site_operating_point(y, probs, labels, *point, films=f"films in {Path(data_dir).resolve().name} "
                                        f"({len(y)}, cxr-evaluate)")
            if save_model is not None:
                stamp_decision(model, site["decision"], out=save_model, site=site)
                site["saved_to"] = str(save_model)
            from convert.rule_notes import site_rule_warnings

            for line in site_rule_warnings(site, labels):
                print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
        report = evaluation_report(out_dir, f"{model.name} on {Path(data_dir).name}", y, probs, labels,
                                   [i.path for i in res.items], [i.source for i in res.items],
                                   {"model": str(model), "model_kind": info["kind"], "data_dir": str(data_dir),
                                    "class_folders": matched, "seen_in_training": seen_note,
                                    "copies_within_set": twins,
                                    "synthetic_data": info.get("synthetic_data"), "skipped_files": res.skipped},
                                   n_boot=n_boot, mistakes=mistakes, x=res.x, evidence=evidence,
                                   atypical=None if info.get("typicality") is None else info["typicality"].atypical(res.x),
                                   robustness=rob, threshold=rule,
                                   threshold_from="option" if threshold else "model file", site_point=site, audit=audit,
                                   prevalences=prevalences, subgroups=groups)
    print(headline(report["metrics"]))
    for line in report["missed_classes"]:
        print(f"cxr-evaluate: note: {line}", file=sys.stderr)
    for column, sub in report.get("subgroups", {}).items():
        if sub["below_overall"]:
            print(f"cxr-evaluate: warning: by {column}, {', '.join(sub['below_overall'])}: balanced accuracy wholly "
                  "below the overall figure (report.md, \"By " + column + "\")", file=sys.stderr)
    if site is not None:
        d, cv = site["decision"], site["cross_validated"]
        print(f"{d['class']} whenever p >= {d['threshold']:.4g}; cross-validated on these films: sensitivity "
              f"{fmt_num(cv['sensitivity'])}, specificity {fmt_num(cv['specificity'])}"
              + (f"; saved in {site['saved_to']}" if site.get("saved_to") else ""))
    print(f"report: {out_dir / 'report.md'}")
    raise typer.Exit(1 if res.skipped else 0)


def convert_main() -> None:
    convert_app()


def evaluate_main() -> None:
    evaluate_app()
