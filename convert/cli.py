"""cxr-convert: export, score and gate a trained run (cxr-evaluate: evaluate_cli; cxr-compare:
compare_cli). Research software, NOT a medical device."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from convert.modes import FULL_INTEGER, MODES
from convert.occlusion import MAX_MAPS
from convert.quant_hint import ConvertCommand
from edge.card import NOT_A_DEVICE
from edge.comma_list import comma_items
from edge.cliutil import fail
from edge.entry import starting
from edge.error_lines import one_line_errors
from train.quiet import load_tensorflow, require_matplotlib

convert_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

ALL_MODES = ",".join(MODES)


def unused_by_modes(modes: list[str], refit_head: bool, given_samples: bool) -> str | None:
    """Why --calibration-samples or --no-refit-head does nothing to these modes, or None: accepted and ignored,
    they were recorded in report.md as a calibration that never ran, as --report-only refuses them."""
    quant = f"--quant {','.join(modes)}"
    if given_samples and not any(m in FULL_INTEGER for m in modes):
        return (f"--calibration-samples sets the training images that full-integer modes ({', '.join(FULL_INTEGER)}) "
                f"are calibrated on, and {quant} converts none of them: leave it out, or add such a mode")
    if not refit_head and "int8" not in modes:
        return (f"--no-refit-head leaves the int8 file's float head as converted, and {quant} does not convert int8: "
                "leave it out, or add int8")
    return None


@convert_app.command(
    cls=ConvertCommand,
    epilog=NOT_A_DEVICE,
    help=(
        "Convert a cxr-train run to TensorFlow Lite in each quantization mode and prove what it cost. "
        "Writes RUN_DIR/model_<mode>.tflite (each carries labels, preprocessing, calibration and a self-test "
        "inside it: the one file to copy to a device), report.md with plots for people and report.json for "
        "machines. Every .tflite is scored on the frozen test split through edge, the device's code path. "
        "The report also lists, per class, the device file's thresholds for 90% and 95% sensitivity (chosen on the "
        "validation split, scored on the test split) for edge-classify --threshold; --operating-point stores one "
        "such rule in the model files themselves, so every device applies it. When the data's MANIFEST.csv (or, in "
        "the Kaggle layout, its *.metadata.xlsx sheets) named each film's source, the report breaks the device "
        "file's test results down by source.\n\n"
        "Reading the report: every rate has its 95% interval (a few test films make it wide), and each model's "
        "confusion matrix the films behind it. A test split cxr-train drew is a random part of the training "
        "folders (internal validation): a hospital the model never saw usually scores lower, so score its films "
        "with cxr-evaluate. "
        "The gate compares each .tflite with the Keras model on the same films (--max-drop, --max-class-drop), "
        "which says what quantization cost, not how good the model is.\n\n"
        "Modes: int8 (integer body, stem and logits in float; the device default), int8-full (every op integer, "
        "int8 I/O, for integer-only accelerators), int16x8, dynamic, fp16, fp32.\n\n"
        "Exit codes: 0 done, every mode scored passed the gate (with --auto: one passed); 1 a mode scored failed it "
        "(with --auto: none passed); 2 bad data or usage; 130 interrupted; 141 standard output's reader went away.\n\n"
        "Example: cxr-convert runs/covid --quant int8,fp32 --max-drop 1 --max-class-drop 2"
    )
)
def convert(
    run_dir: Path = typer.Argument(..., help="A folder written by cxr-train."),
    quant: Optional[str] = typer.Option(
        None, "--quant", help=f"Comma-separated modes to produce and score (default: {ALL_MODES}; with --report-only, "
                              "those whose files the run has)."),
    max_drop: float = typer.Option(1.0, help="Gate: largest accuracy drop against Keras, in points."),
    max_class_drop: float = typer.Option(2.0, help="Gate: largest per-class sensitivity drop, in points."),
    auto: bool = typer.Option(False, "--auto", help="Keep the smallest mode that passes the gate, among the modes this "
                                                    "call scores, as model.tflite (refused where model.tflite is an "
                                                    "earlier --auto's choice of a mode left out of --quant)."),
    calibration_samples: Optional[int] = typer.Option(None, min=1, help="Training images (stratified) for full-integer "
                                                                        "calibration (default 300; int8, int8-full and "
                                                                        "int16x8 use them)."),
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
    explain: int = typer.Option(6, min=0, max=MAX_MAPS, help="Occlusion maps (where the model found its evidence) for this "
                                "many of the device file's most confident test-split mistakes (int8's, else the first "
                                "mode scored), in occlusion.png (at most "
                                f"{MAX_MAPS}: one picture; edge-classify --explain DIR maps every film); 0: none."),
    report_only: bool = typer.Option(False, "--report-only", help="Re-score existing .tflite files; convert nothing (the weights stay; each file's stored report, card and checksum are rewritten with the new scores)."),
    operating_point: Optional[str] = typer.Option(
        None, "--operating-point", metavar="CLASS=SENSITIVITY",
        help="Store a threshold rule in each model file (e.g. a high-sensitivity rule): CLASS whenever its probability reaches the threshold that gives "
             "this sensitivity on the validation split, chosen through that file (e.g. COVID=0.95). edge-classify then "
             "applies it by default. A threshold belongs to one model: retrain, and it is chosen again. 'none' removes "
             "a stored rule; without this option a conversion keeps each file's rule, chosen again through the new "
             "file. Works with --report-only (the weights are not touched)."),
    other_classes: bool = typer.Option(
        True, "--score-other-classes/--no-score-other-classes",
        help="Also score the films of the data folder's classes the run was not trained on (Lung_Opacity and Viral "
             "Pneumonia for a COVID,Normal run on the Kaggle set): what each file calls them, in report.md and in the "
             "card the file carries, since in use such films get one of its answers. Costs reading those films."),
    no_latency: bool = typer.Option(False, "--no-latency", help="Skip the invoke-latency measurement."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
) -> None:
    for name, limit in (("--max-drop", max_drop), ("--max-class-drop", max_class_drop)):
        if not 0 <= limit < float("inf"):  # NaN passes every comparison: every file would pass the gate
            raise fail("cxr-convert", f"{name} is a drop in points, 0 or more (e.g. 1.0), not {limit:g}")
    if report_only and (unused := [o for o, given in (("--no-fingerprints", not fingerprints),
                                                      ("--no-refit-head", not refit_head),
                                                      ("--calibration-samples", calibration_samples is not None)) if given]):
        # the files are re-scored as they are: a file said to be without fingerprints would still carry them
        raise fail("cxr-convert", f"{', '.join(unused)} shape{'s' if len(unused) == 1 else ''} the files a conversion "
                   "writes; --report-only converts nothing, so the files keep what they have: convert again without "
                   "--report-only")
    given_samples, calibration_samples = calibration_samples is not None, calibration_samples or 300
    try:
        modes = None if quant is None else list(dict.fromkeys(comma_items(quant, "--quant", "modes", "int8,fp32")))
    except ValueError as e:
        raise fail("cxr-convert", str(e))
    unknown = [m for m in modes or [] if m not in ALL_MODES.split(",")]  # before TensorFlow loads: seconds
    if unknown or modes == []:
        raise fail("cxr-convert", f"unknown {'mode' if len(unknown) == 1 else 'modes'} {', '.join(unknown) or '(none)'}; "
                   "choose from "
                   f"{ALL_MODES.replace(',', ', ')}")
    if not report_only and modes and (unused := unused_by_modes(modes, refit_head, given_samples)):
        raise fail("cxr-convert", unused)
    with starting("cxr-convert"):  # its modules, before one_line_errors: a Ctrl-C there was exit 130 and no word
        from convert.convert_checks import checked_run
        from convert.quantize import ConvertSettings, run_conversion

    settings = ConvertSettings(run_dir=run_dir, modes=modes, max_drop=max_drop, max_class_drop=max_class_drop,
                               auto=auto, calibration_samples=calibration_samples, refit_head=refit_head,
                               fingerprints=fingerprints,
                               report_only=report_only, explain=explain, operating_point=operating_point,
                               latency_threads=() if no_latency else (1, 2), other_classes=other_classes,
                               progress=not quiet)
    with one_line_errors("cxr-convert", debug, writes_to=[run_dir]):
        from train.run_lock import run_folder_lock

        with run_folder_lock(run_dir, "cxr-convert"):
            checked_run(settings)  # a missing or unwritable run folder, a mistyped --operating-point: before TensorFlow
            load_tensorflow()
            require_matplotlib()
            _, code = run_conversion(settings)
    from edge.output import said_name
    print(f"report: {said_name(str(run_dir / 'report.md'))}")  # a newline in the path forged a line
    raise typer.Exit(code)


def convert_main() -> None:
    from edge.cliutil import run_app

    run_app("cxr-convert", convert_app)
