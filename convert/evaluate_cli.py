"""cxr-evaluate: the full report of any model on any labelled folder, e.g. a site's own films
before it trusts the model. Research software, NOT a medical device."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from convert.occlusion import MAX_MAPS
from convert.evaluate_lines import closing_lines, site_shifts
from edge.cli_options import OnceOnlyCommand
from edge.cliutil import folder_problem, one_line_errors
from edge.decision import fmt_threshold
from train.quiet import load_tensorflow

evaluate_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


# films x resamples x (1 + groups) above which the intervals take long enough to say so (about 15 s here)
BOOTSTRAP_NOTE_WORK = 2_000_000_000
# Every file a report folder may hold; those a run does not write (no left-out class, no mistakes to
# map, no plots without matplotlib) are removed, not left from an earlier run on other films.
REPORT_FILES = ("report.md", "report.json", "predictions.csv", "left_out.csv", "confusion.png", "roc.png",
                "reliability.png", "occlusion.png")


@evaluate_app.command(
    cls=OnceOnlyCommand,
    help=(
        "Score a model on any labelled folder (one sub-folder per class, or the Kaggle layout), e.g. your own "
        "hospital's images, before trusting it. MODEL is a .tflite (run through edge, as on the device) or a "
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
    n_boot: int = typer.Option(1000, min=100, help="Bootstrap resamples for the 95% intervals of balanced accuracy and "
                                                   "AUROC. The work grows with the films times (1 + sources + --by "
                                                   "groups): the default takes seconds on 20,000 films from 40 sources, "
                                                   "10,000 about a minute."),
    explain: int = typer.Option(6, min=0, max=MAX_MAPS, help="Occlusion maps (where the model found its evidence) for "
                                "this many of its most confident mistakes, in occlusion.png (at most "
                                f"{MAX_MAPS}: one picture; edge-classify --explain DIR maps every film), and the share of "
                                "its evidence at the image's border over up to 200 images; 0: neither."),
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
                                   "answers flatter the model, and so are such films among the folders left out "
                                   "(--class-map FOLDER=-)."),
    find_crops: bool = typer.Option(
        True, "--find-crops/--no-find-crops", help="Also find cropped, moved, turned and mirrored copies of those "
        "films (a few percent cut off a side, or flipped left to right, as re-published collections do), either way "
        "round: a film cut from a training film, or the film a training crop was cut from; and such copies of each "
        "other within the set. Each film's copy code is tried under some 500 guesses, about 25 ms a film "
        "(benchmarks/RESULTS.md, 'Cropped, moved, turned and mirrored copies'); --no-find-crops looks for the same bytes and "
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
             "files (model_*.tflite, model.tflite) are not to be written over: give the copy a name of its own. "
             "DATA_DIR needs films of every class of the model: what a threshold costs a class without films there "
             "cannot be measured. It refuses --keep-seen: the model answers the films it was trained or validated on "
             "better than the site's next films, so a rule chosen on them would promise too much."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars, and no line per renamed folder."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
) -> None:
    from convert.site_folders import left_out_films, site_items
    from convert.evaluate import model_for, scored
    from convert.seen import leave_out_seen
    from convert.operating_point import parse_operating_point
    from edge.decision import parse_threshold
    from edge.preprocess import PreprocessConfig
    from train.data import DataError, scan

    out_dir = out or model.parent / f"{Path(data_dir).resolve().name}-report"
    from contextlib import ExitStack

    from edge.interrupts import kept_interrupts
    from train.run_lock import REPORT_CLASH, run_folder_lock  # no TensorFlow: fine on a device-only install

    # a Ctrl-C that TensorFlow dropped while scoring with a .keras model still keeps the old report
    with one_line_errors("cxr-evaluate", debug, writes_to=[out_dir, *([save_model.parent] if save_model else [])]), \
            kept_interrupts() as interrupted, ExitStack() as held:
        if by is not None and not by.replace(",", "").strip():  # '--by " , "': a report without its --by section
            raise ValueError(f"--by {by!r} names no column; give MANIFEST.csv columns or DICOM attributes, e.g. --by sex,view")
        if problem := folder_problem(out_dir) or report_folder_problem(out_dir, Path(data_dir)):
            # before any film is read, not after minutes of scoring
            raise ValueError(f"cannot write the report into {out_dir}: {problem}" + ("" if out else "; choose a folder with --out"))
        # taken once the folder is known to be a report's: a run folder that cxr-convert writes is refused as a run folder
        held.enter_context(run_folder_lock(out_dir, "cxr-evaluate", REPORT_CLASH))
        if out is None and (other := _other_report(out_dir, Path(data_dir), model)):  # two folders named test/
            print(f"cxr-evaluate: note: replacing {other} in {out_dir} (named after the data folder's "
                  "name); give --out to keep both", file=sys.stderr)
        if save_model is not None:  # refuse before minutes of reading images, and before TensorFlow loads
            from convert.save_model import check_save_model

            check_save_model(save_model, model, operating_point, keep_seen)
        if threshold and most_probable:
            raise ValueError("choose one of --threshold and --most-probable")
        from convert.prevalence import parse_prevalences

        prevalences = parse_prevalences(prevalence)
        from train.class_folders import not_a_data_folder

        if problem := not_a_data_folder(Path(data_dir)):
            raise DataError(problem)
        if model.suffix == ".keras":  # seconds: every mistake above is said first
            load_tensorflow()
        from convert.model_pin import check_unchanged, pinned, pinned_bytes, read_by_report

        pins = read_by_report(model)  # every step reads this model, or nothing is written (convert.model_pin)
        digests = [pinned(p) for p in pins]
        predict, info = model_for(model)
        labels = info["labels"]
        if info.get("synthetic_data"):
            from edge.card import synthetic_words

            print(f"cxr-evaluate: note: {model} was trained on {synthetic_words(info)}; its figures say nothing about "
                  "what it would do on real X-rays", file=sys.stderr)
        rule = parse_threshold(threshold, labels) if threshold else None if most_probable else info.get("decision")
        from convert.rule_notes import check_site_films, chosen_films_line, chosen_here_line

        here = Path(data_dir).resolve().name
        from train.synthetic_set import is_synthetic_folder, unfinished_line  # numpy and Pillow only: fine on a device

        drawn = is_synthetic_folder(data_dir)  # cxr-synth's drawings: no figure or rule chosen on them means anything
        if drawn:
            print(f"cxr-evaluate: note: {data_dir} holds SYNTHETIC images (cxr-synth): these figures, and any rule "
                  "chosen on them, say nothing about real X-rays", file=sys.stderr)
        if line := unfinished_line(data_dir):
            print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
        rule_warnings = []  # files that say which films their rule was chosen on are checked film by film, below
        if rule is not None and not threshold and not info.get("decision_films") and (line := chosen_here_line(
                info.get("decision_chosen_on"), here, f"{labels[rule[0]]} whenever p >= {fmt_threshold(rule[1])}")):
            print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
            rule_warnings.append(line)
        point = parse_operating_point(operating_point, labels) if operating_point else None
        from convert import plots

        if not plots.available():  # a device-only install: the report is written, without its plots
            print(f"cxr-evaluate: warning: {plots.NO_PLOTS}", file=sys.stderr)
        columns = [c.strip() for c in (by or "").split(",") if c.strip()]
        data_warnings: list[str] = []  # said on stderr now, and in the report beside the figures they qualify
        items, matched = site_items(data_dir, labels, class_map, "cxr-evaluate", quiet, data_warnings)
        if columns:  # before any film is read: the names, and the values among the films to be scored
            from convert.group_values import check_columns

            check_columns(data_dir, columns, [i.path for i in items])
        if point is not None:  # before minutes of reading: films that cannot choose (or price) the threshold
            check_site_films([i.label for i in items], point[0], labels, here, save_model is not None)
        res = scan(data_dir, items, PreprocessConfig.from_dict(info["preprocess"]), progress=not quiet, crops=find_crops)
        def say_skipped() -> None:  # before the figures, and before an error that cites them
            for bad in res.skipped:
                print(f"cxr-evaluate: {bad['path']}: {bad['error']}", file=sys.stderr)

        if not res.items:  # each file's reason first: a missing JPEG Lossless decoder is named there, and only there
            say_skipped()
            from convert import site_folders

            raise DataError(f"no readable images in {data_dir}" + site_folders.unreadable_clause(len(res.skipped)))
        drop, seen_note = leave_out_seen([model], res.items, keep_seen, "cxr-evaluate",
                                         str(data_dir) if find_crops else None, not quiet)
        res = res.take(~drop)
        if not drawn and res.drawn is not None and (n := int(res.drawn.sum())):  # drawings without their README
            drawn = True if n == len(res.items) else {"synthetic": n, "of": len(res.items)}
            print(f"cxr-evaluate: note: {'all' if n == len(res.items) else f'{n} of the'} {len(res.items)} films are "
                  "SYNTHETIC drawings by cxr-synth (marked in the file, or named synthetic-CLASS-NNNN.png): these "
                  "figures, and any rule chosen on them, say nothing about real X-rays", file=sys.stderr)
        from convert.study_design import design_note, evaluation_design, trained_sources

        design = evaluation_design(trained_sources(model), [i.source for i in res.items],
                                   (seen_note or {}).get("films", 0))
        if line := design_note(design):
            print(f"cxr-evaluate: note: {line}", file=sys.stderr)
        if rule is not None and not threshold and (line := chosen_films_line(
                info, [i.sha256 for i in res.items], f"{labels[rule[0]]} whenever p >= {fmt_threshold(rule[1])}")):
            print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
            rule_warnings.append(line)
        from train.code_distance import copies_within
        from convert.set_notes import conflict_warning, copies_warning, split_copies

        twins, conflicts = split_copies(copies_within(res.items, not quiet, res.crops), [i.path for i in res.items],
                                        [i.label for i in res.items])
        if line := conflict_warning(conflicts):
            print(f"cxr-evaluate: warning: label conflict: {line}", file=sys.stderr)
        if line := copies_warning(twins):
            print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
        say_skipped()
        import numpy as np

        from convert.report import evaluation_report
        from train.audit import shortcut_audit, summary_line

        y = np.array([labels.index(i.label) for i in res.items])
        if point is not None:  # again on the films scored: unreadable and seen films are gone
            check_site_films([i.label for i in res.items], point[0], labels, here, save_model is not None)
        groups, given_values = None, {}
        if columns:
            from convert.group_values import group_values

            groups = group_values(data_dir, [i.path for i in res.items], columns, as_given=given_values,
                                  said=data_warnings)
        audit = shortcut_audit(res.traits, y, labels)
        if audit["warn"] and not quiet:
            print(f"cxr-evaluate: warning: {summary_line(audit)}; if your classes came from different archives or "
                  "devices, a score here may reflect that rather than the lungs", file=sys.stderr)
        probs, unlikeness = scored(predict, res.x, info.get("typicality"), not quiet)
        from convert.left_out import one_model_answers

        left_out, left_out_rows, left_out_skipped = one_model_answers(
            data_dir, matched, labels, predict, info, rule, not quiet, model, keep_seen,
            str(data_dir) if find_crops else None) if score_left_out else ({}, "", [])
        for bad in left_out_skipped:
            print(f"cxr-evaluate: {bad['path']}: {bad['error']}", file=sys.stderr)
        mistakes = evidence = None
        if explain:
            from convert.occlusion import EVIDENCE_SAMPLE, explain_mistakes, overall_border_share
            from train.progress import progress_bar

            from edge.decision import labels_for

            given = labels_for(probs, rule)  # the answers the report gives: their evidence, as the device's maps
            mistakes = explain_mistakes(info["log_scores"], res.x, y, probs, explain, given)
            bar = progress_bar(min(len(y), EVIDENCE_SAMPLE), "mapping where the model looks", not quiet)
            evidence = overall_border_share(info["log_scores"], res.x, probs, done=bar.update, pred=given)
            bar.close()
        rob = site_shifts(predict, data_dir, [i.path for i in res.items], info, y, rule, quiet) if shifts else None
        site = None
        if point is not None:
            from convert.operating_point import site_operating_point, stamped

            kind = "partly SYNTHETIC " if isinstance(drawn, dict) else "SYNTHETIC " if drawn else ""
            kept_seen = {e["file"] for e in (seen_note or {}).get("seen_films", [])} if keep_seen else set()
            site = site_operating_point(y, probs, labels, *point, films=f"{kind}films in {here} ({len(y)}, cxr-evaluate)",
                                        seen=np.array([i.path in kept_seen for i in res.items], bool))
            site["keep_seen"] = keep_seen  # --save-model refuses it: the report says how to store a rule
            site["model_file"] = model.name  # a model.keras's threshold is not the device file's (rule_sections)
            if save_model is not None:
                if save_model.exists():  # its own choice: a file kept on purpose must not vanish without a word
                    print(f"cxr-evaluate: note: replacing {save_model}", file=sys.stderr)
                if (old := info.get("decision")) is not None:
                    print(f"cxr-evaluate: note: {model.name}'s stored rule, {labels[old[0]]} whenever p >= "
                          f"{fmt_threshold(old[1])}, is replaced in {save_model.name} by the one chosen here", file=sys.stderr)
                # Written once the report is in (below): a deployable rule with no report behind it is worse
                # than none, and an older file at that path stays until then.
                model_bytes = stamped(pinned_bytes(model, digests[0], "cxr-evaluate"), site["decision"], site,
                                      [i.sha256 for i in res.items])
                site["saved_to"] = str(save_model)
            from convert.rule_notes import site_rule_warnings

            for line in site_rule_warnings(site, labels):
                print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
        n_groups = len({i.source for i in res.items} - {""}) + sum(len(set(v)) for v in (groups or {}).values())
        if not quiet and len(y) * n_boot * (1 + n_groups) > BOOTSTRAP_NOTE_WORK:
            print(f"cxr-evaluate: computing the 95% intervals: {n_boot:,} bootstrap resamples of {len(y):,} films, for the "
                  f"whole set and each of {n_groups} groups (sources, --by); this can take a minute or more",
                  file=sys.stderr, flush=True)
        from contextlib import nullcontext

        from edge.atomic import atomic_path, staged_folder, write_text

        saving = site is not None and save_model is not None
        if saving:
            from convert.save_model import clear_killed_copies

            clear_killed_copies(save_model)
        # The model copy is written whole first (a full disk fails before the report is in) and takes its
        # name once the report is in: no report names a file that is not there, and no rule goes without one.
        with atomic_path(save_model) if saving else nullcontext() as model_tmp:
            if model_tmp is not None:
                model_tmp.write_bytes(model_bytes)
            from convert.provenance import scoring_provenance

            with staged_folder(out_dir, last=("report.md",), retire=REPORT_FILES) as stage:  # the whole set, or the old one
                report = evaluation_report(stage, f"{model.name} on {Path(data_dir).name}", y, probs, labels,
                                           [i.path for i in res.items], [i.source for i in res.items],
                                           {"model": str(model), "model_kind": info["kind"], "data_dir": str(data_dir),
                                            "class_folders": matched, "left_out_films": left_out_films(data_dir, matched),
                                            "left_out_answers": left_out,
                                            "seen_in_training": seen_note, "study_design": design,
                                            "copies_within_set": twins, "label_conflicts": conflicts,
                                            "input_check_flagged_validation": info.get("flagged_validation"),
                                            "rule_warnings": rule_warnings, "data_warnings": data_warnings,
                                            "synthetic_data": info.get("synthetic_data"), "synthetic_films": drawn,
                                            "synthetic_share": info.get("synthetic_share"),
                                            "skipped_files": res.skipped + left_out_skipped,  # as compare.json
                                            "provenance": scoring_provenance([model], n_boot)},
                                           n_boot=n_boot, mistakes=mistakes, x=res.x, evidence=evidence,
                                           unlikeness=unlikeness,
                                           robustness=rob, threshold=rule,
                                           threshold_from="option" if threshold else "model file", site_point=site,
                                           audit=audit, prevalences=prevalences, subgroups=groups,
                                           as_given=given_values)
                if left_out_rows:
                    write_text(stage / "left_out.csv", "\ufeff" + left_out_rows)
                check_unchanged(pins, digests, "cxr-evaluate")  # last: a report and a copy of one model, or none
                interrupted()
    closing_lines(report, left_out, labels, site)
    print(f"report: {out_dir / 'report.md'}")
    raise typer.Exit(1 if res.skipped or left_out_skipped else 0)


def _other_report(out_dir: Path, data_dir: Path, model: Path) -> str | None:
    """What the report in ``out_dir`` is of, where it is another data folder's ('the report on ...') or
    another model file's ('the report of ...'): model_int8 then model_fp32 on one site both report into
    RUN/site-report, and the first was replaced unsaid. None where it is this one's, or none."""
    from edge.atomic import read_json
    from edge.names import exact_name

    try:
        before = read_json(out_dir / "report.json")
        data, scored = str(exact_name(before, "data_dir")), str(exact_name(before, "model") or "")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if Path(data).resolve() != data_dir.resolve():
        return f"the report on {data}"
    if scored and Path(scored).resolve() != model.resolve():
        return f"the report of {scored}"
    return None


def report_folder_problem(out_dir: Path, data_dir: Path) -> str | None:
    """Why ``out_dir`` is no place for an evaluation report, beyond being writable, or None."""
    from convert.site_folders import in_data_folder, others_files

    if problem := in_data_folder(out_dir, data_dir):
        return problem
    if (out_dir / "run.json").is_file():
        return ("it is a run folder (run.json): its report.md and plots are cxr-convert's report on the test split, "
                "which this one would replace; give the evaluation a folder of its own")
    return others_files(out_dir, REPORT_FILES, "report.json", {"metrics", "data_dir", "model"}, "cxr-evaluate")


def evaluate_main() -> None:
    from edge.cliutil import run_app

    run_app("cxr-evaluate", evaluate_app)
