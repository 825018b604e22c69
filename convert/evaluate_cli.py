"""cxr-evaluate: the full report of any model on any labelled folder, e.g. a site's own films
before it trusts the model. Research software, NOT a medical device."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Optional

import typer

from convert.evaluate_checks import REPORT_FILES, Settings, refuse_bad_arguments  # noqa: F401 (REPORT_FILES)
from convert.evaluate_lines import closing_lines
from convert.occlusion import MAX_MAPS
from convert.summary import MAX_RESAMPLES
from edge.card import NOT_A_DEVICE
from edge.cli_options import OnceOnlyCommand
from edge.error_lines import one_line_errors
from train.quiet import load_tensorflow

evaluate_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@evaluate_app.command(
    cls=OnceOnlyCommand,
    epilog=NOT_A_DEVICE,
    help=(
        "Score a model on any labelled folder (one sub-folder per class, or the Kaggle layout), e.g. your own "
        "hospital's images, before relying on its figures there. MODEL is a .tflite (run through edge, as on the device) or a "
        "model.keras inside a cxr-train run folder. Writes report.md (per-class sensitivity, specificity and PPV with "
        "95% CIs, and F1, confusion matrix, ROC, reliability diagram, the answers films of class folders left out get, per-source figures and the answers each "
        "source's films got when a MANIFEST.csv (columns file, source) or the Kaggle database's own *.metadata.xlsx name sources, occlusion maps of where the model looked on its most confident mistakes, and, for a .tflite, "
        "how many images its input check finds unlike the training images), report.json, and predictions.csv (one row "
        "per film, for reviewing cases in a spreadsheet).\n\n"
        "Exit codes: 0 done; 1 done, but some files could not be read and were not scored (stderr "
        "names each, report.md says how many); 2 bad data or usage; 130 interrupted (an earlier report is kept); "
        "141 standard output's reader went away.\n\n"
        "Example: cxr-evaluate runs/covid/model_int8.tflite my_hospital/ --out my_hospital_report\n\n"
        "Your site's own operating point, stored in a copy of the model for the devices: cxr-evaluate "
        "runs/covid/model_int8.tflite my_hospital/ --operating-point COVID=0.95 --save-model my_hospital.tflite"
    )
)
def evaluate(
    model: Path = typer.Argument(..., help="model_<mode>.tflite or model.keras."),
    data_dir: Path = typer.Argument(..., help="Labelled image folder."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Report folder (default: DATA_DIR-report next to the model)."),
    n_boot: int = typer.Option(1000, min=100, max=MAX_RESAMPLES, help="Bootstrap resamples for the 95% interval of balanced accuracy (AUROC's "
                                                   "is Newcombe's score interval, not resampled). The work grows with "
                                                   "the films times (1 + sources + --by groups): the default takes "
                                                   "seconds on 20,000 films from 40 sources, 10,000 at most a minute."),
    explain: int = typer.Option(6, min=0, max=MAX_MAPS, help="Occlusion maps (where the model found its evidence) for "
                                "this many of its most confident mistakes, in occlusion.png (at most "
                                f"{MAX_MAPS}: one picture; edge-classify --explain DIR maps every film), and where its "
                                "evidence lies (at the image's border or not) over up to 200 images; 0: neither. A map "
                                "costs about 300 model calls: on 2 cores the 200 images take about half a minute for the "
                                "default model and 5 to 6 minutes for the tutorial's seed model, most of such a run."),
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
             "own operating point), and report what it is expected to give on your next films (its sensitivity "
             "from where the threshold lies among CLASS's films; its specificity from the others, which choose nothing)."),
    class_map: Optional[str] = typer.Option(
        None, "--class-map", metavar="FOLDER=LABEL,...",
        help="Which model label each class folder stands for, where the names differ beyond case and punctuation "
             "(NORMAL, COVID-19 and covid19 already match Normal and COVID); FOLDER=- leaves a folder out, e.g. "
             "--class-map PNEUMONIA=- for a class the model was not trained on."),
    prevalence: str = typer.Option(
        "0.01,0.05,0.2,0.5", "--prevalence", metavar="P,...",
        help="Shares of the films a class might make up at your site (comma-separated, from 0.000001 to 0.999999): the report gives each "
             "class's PPV and NPV at each, since the PPV of these films holds only at their own mix."),
    by: Optional[str] = typer.Option(
        None, "--by", metavar="COLUMN,...",
        help="Also give each subgroup's figures (balanced accuracy and per-class sensitivity with 95% CIs), marking "
             "groups whose interval lies wholly below the overall figure: a model may fail on portable AP films, "
             "another manufacturer's detector or older patients while looking fine overall. A COLUMN of "
             "DATA_DIR/MANIFEST.csv (keyed by its file column), or for DICOM files a header attribute: ViewPosition, "
             "Manufacturer, ManufacturerModelName, PatientSex, PatientAge (in bands 0-17, 18-39, 40-59, 60-79, 80+), "
             "BodyPartExamined, InstitutionName, StationName, Modality, PhotometricInterpretation (MONOCHROME1 or 2), "
             "BitsStored; or format: each film's file format as read (DICOM, PNG, JPEG, ...), where MANIFEST.csv has "
             "no column of that name. A patient's or study's identifier (PatientID, a patient_id or MRN column) is "
             "refused: a report is shared. Example: --by ViewPosition,PatientAge"),
    keep_seen: bool = typer.Option(
        False, "--keep-seen", help="Also score films the model was trained or validated on (found by SHA-256 "
                                   "or as resized or re-encoded copies: a .tflite from cxr-convert carries their "
                                   "fingerprints, a model.keras is checked against its run folder's split.json); by default they are left out, since their "
                                   "answers flatter the model, and so are such films among the folders left out "
                                   "(--class-map FOLDER=-)."),
    find_crops: bool = typer.Option(
        True, "--find-crops/--no-find-crops", help="Also find cropped, moved, turned and mirrored copies of those "
        "films (a few percent cut off a side, or flipped left to right, as re-published collections do), either way "
        "round: a film cut from a training film, or the film a training crop was cut from; and such copies of each "
        "other within the set. Each film's copy code is tried under some 500 guesses, about 12 ms of CPU a film "
        "against a model trained on cxr-dev, 35 ms against one trained on the whole Kaggle database (benchmarks/RESULTS.md, "
        "'What scoring the left-out folders costs'), and the films are compared with each "
        "other, which grows with the square of their number: 10,000 much alike films (cxr-synth's) took 128 s of CPU "
        "on 2 cores against 24 s with --no-find-crops, some 20 s of it that comparison (about 80 s at 20,000 films) "
        "(RESULTS.md, 'The search at the Kaggle database's size'); --no-find-crops looks for the same bytes and "
        "resized or re-encoded copies only, for very large sets."),
    score_left_out: bool = typer.Option(
        True, "--score-left-out/--no-score-left-out", help="Also score the films of the class folders left out "
        "(--class-map FOLDER=-), which are in no figure: report.md's \"Classes left out\" gives the answers they get "
        "(in use a COVID-or-Normal model calls a pneumonia film one or the other), left_out.csv lists them. Costs "
        "reading those films; --no-score-left-out counts them only."),
    save_model: Optional[Path] = typer.Option(
        None, "--save-model", metavar="PATH",
        help="With --operating-point and a .tflite: write a copy of the model that carries the chosen threshold, "
             "so edge-classify applies it by default. The original file is left as it is; a run folder's own model "
             "files (model.keras, model_*.tflite, model.tflite) are not to be written over: give the copy a name of its own. "
             "DATA_DIR needs films of every class of the model: what a threshold costs a class without films there "
             "cannot be measured. It refuses --keep-seen: the model answers the films it was trained or validated on "
             "better than the site's next films, so a rule chosen on them would promise too much."),
    labels: Optional[str] = typer.Option(
        None, "--labels", metavar="A,B",
        help="Class names for a .tflite without cxr-edge metadata (a foreign model, not made by cxr-convert), in the "
             "order of its outputs: it is scored as edge-classify --labels runs it (cxr-edge's preprocessing, no "
             "calibration, no input check), and no films it was trained on can be left out (it carries no "
             "fingerprints of them), so its figures may flatter it; the report says so."),
    input_scale: Optional[str] = typer.Option(
        None, "--input-scale", metavar="0..255|0..1|-1..1",
        help="With --labels: the values the model was trained on, its pixels scaled outside it, as edge-classify "
             "--input-scale feeds them: 0..255 as they are (the default), 0..1 divided by 255, -1..1 divided by 127.5 "
             "less 1; report.json's foreign_model says it. A cxr-convert file refuses it: its metadata says its input."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars, and no line per renamed folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
) -> None:
    """The steps in the order a user hears from them (each says its notes and warnings on stderr as it goes):
    a mistake in the options is refused before a film is read, and nothing is written until the last step."""
    from edge.comma_list import comma_items
    from edge.input_scale import input_scale_named
    from edge.interrupts import kept_interrupts

    out_dir = out or model.parent / f"{Path(data_dir).resolve().name}-report"
    # a Ctrl-C that TensorFlow dropped while scoring with a .keras model still keeps the old report
    with one_line_errors("cxr-evaluate", debug, writes_to=[out_dir, *([save_model.parent] if save_model else [])]), \
            kept_interrupts() as interrupted, ExitStack() as held:
        s = Settings(model=model, data_dir=data_dir, out_dir=out_dir, threshold=threshold, most_probable=most_probable,
                     operating_point=operating_point, class_map=class_map,
                     columns=[c.strip() for c in (by or "").split(",") if c.strip()], keep_seen=keep_seen,
                     find_crops=find_crops, score_left_out=score_left_out, save_model=save_model, explain=explain,
                     shifts=shifts, n_boot=n_boot, quiet=quiet,
                     labels=comma_items(labels, "--labels", "one name per output", "COVID,Normal") if labels else None,
                     input_scale=None if input_scale is None else input_scale_named(input_scale))
        prevalences = refuse_bad_arguments(s, out, by, prevalence, held)
        if model.suffix == ".keras":  # seconds: every mistake above is said first
            load_tensorflow()
        from convert.evaluate_answers import answers, say_bootstrap_time, site_point
        from convert.evaluate_films import site_films
        from convert.evaluate_model import load_model
        from convert.evaluate_write import write_report

        loaded = load_model(s)
        films = site_films(s, loaded)
        answered = answers(s, loaded, films)
        site, model_bytes = site_point(s, loaded, films, answered.probs)
        say_bootstrap_time(s, films)
        report = write_report(s, loaded, films, answered, site, model_bytes, prevalences, interrupted)
    closing_lines(report, answered.left_out, loaded.labels, site)
    from edge.output import said_name
    print(f"report: {said_name(str(out_dir / 'report.md'))}")  # a newline in --out forged a line
    raise typer.Exit(1 if films.scan.skipped or answered.left_out_skipped else 0)


def evaluate_main() -> None:
    from edge.cliutil import run_app

    run_app("cxr-evaluate", evaluate_app)
