"""cxr-compare: two models on the same labelled films, compared pairwise. Research software, NOT a medical device."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from convert.compare_classes import say_class_note
from convert.compare_models import matched_classes
from convert.equivalence import equivalence, margin_of
from convert.summary import MAX_RESAMPLES
from edge.card import NOT_A_DEVICE
from edge.cli_options import OnceOnlyCommand
from edge.cliutil import folder_problem
from edge.entry import starting
from edge.error_lines import one_line_errors
from edge.output import said_name
from train.quiet import load_tensorflow

compare_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@compare_app.command(
    cls=OnceOnlyCommand,
    epilog=NOT_A_DEVICE,
    help=(
        "Is model B better than model A on your films? Scores both on the same labelled folder (one sub-folder per "
        "class, as for cxr-evaluate) and reports B minus A: balanced accuracy and each class's sensitivity with "
        "paired 95% intervals (Newcombe's score interval per class; for balanced accuracy a bootstrap, or MOVER over the classes' Newcombe intervals where a class's changed answers all favour one model) (also within each source when a MANIFEST.csv names sources), McNemar's "
        "exact test on the films only one of them gets right, and which answers changed. Each model labels the "
        "films as edge-classify would (its stored rule, if it carries one, unless --most-probable). Writes compare.md and compare.json.\n\n"
        "Exit codes: 0 done; 1 done, but some files could not be read and were not scored (compare.json's "
        "skipped_files lists them); 2 bad data or usage; 130 interrupted (an earlier comparison is kept); "
        "141 standard output's reader went away.\n\n"
        "Example: cxr-compare runs/old/model_int8.tflite runs/new/model_int8.tflite my_hospital/ --out old-vs-new"
    )
)
def compare(
    model_a: Path = typer.Argument(..., help="Model A (the one in use): a .tflite, or model.keras in a run folder."),
    model_b: Path = typer.Argument(..., help="Model B (the candidate), with the same classes."),
    data_dir: Path = typer.Argument(..., help="Labelled image folder."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Report folder (default: DATA_DIR-compare beside model B)."),
    class_map: Optional[str] = typer.Option(None, "--class-map", metavar="FOLDER=LABEL,...",
                                            help="As for cxr-evaluate: FOLDER=LABEL, or FOLDER=- to leave it out."),
    most_probable: bool = typer.Option(False, "--most-probable", help="Label by the most probable class, ignoring "
                                                                      "rules the model files carry."),
    by: Optional[str] = typer.Option(None, "--by", metavar="COLUMN,...",
                                     help="Also compare within each subgroup, as cxr-evaluate --by does: a MANIFEST.csv "
                                          "column, a DICOM attribute (ViewPosition, PhotometricInterpretation, ...) or format."),
    keep_seen: bool = typer.Option(False, "--keep-seen", help="Also compare on films either model was trained or "
                                                              "validated on (left out by default, as in cxr-evaluate)."),
    find_crops: bool = typer.Option(True, "--find-crops/--no-find-crops",
                                    help="Also find cropped, moved, turned and mirrored copies of those films, as "
                                         "cxr-evaluate does (about 12 ms of CPU a film against a model trained on cxr-dev, 35 ms against one trained on the "
                                         "whole Kaggle database, and a comparison of the films with "
                                         "each other that grows with the square of their number; --no-find-crops: the "
                                         "same bytes and resized or re-encoded copies only)."),
    score_left_out: bool = typer.Option(
        True, "--score-left-out/--no-score-left-out", help="Also score the films of the class folders left out "
        "(--class-map FOLDER=-) with both models: compare.md's \"Classes left out\" gives the answers each model "
        "gives them (in use a COVID-or-Normal model calls a pneumonia film one or the other); --no-score-left-out "
        "counts them only."),
    n_boot: int = typer.Option(1000, min=100, max=MAX_RESAMPLES, help="Bootstrap resamples for the interval on the balanced accuracy difference (the per-class intervals are Newcombe's, not resampled)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
) -> None:
    with starting("cxr-compare"):  # a second of imports before one_line_errors: a Ctrl-C there was exit 130 unsaid
        import numpy as np

        from convert import compare as cmp
        from convert.group_values import by_columns
        from convert.site_folders import left_out_films, not_used, site_items
        from convert.evaluate import model_for
        from convert.report import DISCLAIMER
        from convert.report_text import align_tables
        from train.code_distance import copies_within
        from convert.seen import leave_out_seen, model_names
        from convert.set_notes import conflict_warning, copies_warning, split_copies
        from edge.atomic import staged_folder, write_text
        from edge.decision import fmt_threshold, labels_for
        from edge.preprocess import PreprocessConfig
        from train.data import DataError
        from train.scan import scan

        out_dir = out or model_b.parent / f"{Path(data_dir).resolve().name}-compare"
        from edge.interrupts import kept_interrupts

        from contextlib import ExitStack

        from convert.model_pin import check_unchanged, pinned, read_by_report
        from train.run_lock import REPORT_CLASH, run_folder_lock

    with one_line_errors("cxr-compare", debug, writes_to=[out_dir]), kept_interrupts() as interrupted, \
            ExitStack() as held:
        columns = by_columns(by)
        from convert.earlier_report import absolute_paths, other_comparison, replacing_note
        from convert.site_folders import in_data_folder, others_files

        if problem := (folder_problem(out_dir) or in_data_folder(out_dir, Path(data_dir))  # before any film is read
                       or others_files(out_dir, ("compare.md", "compare.json"), "compare.json",
                                       {"model_a", "model_b", "data_dir"}, "cxr-compare", "comparison", "replace")):
            raise ValueError(f"cannot write the comparison into {said_name(str(out_dir))}: {problem}" + ("" if out else "; choose a folder with --out"))
        held.enter_context(run_folder_lock(out_dir, "cxr-compare", REPORT_CLASH, create=True))  # once the folder is known a report's
        from train.class_folders import not_a_data_folder

        if problem := not_a_data_folder(Path(data_dir)):
            raise DataError(problem)
        if other := other_comparison(out_dir, Path(data_dir), model_a, model_b):  # --out's folder too
            print(replacing_note("cxr-compare", other, out_dir, "compare.json", out is not None), file=sys.stderr)
        if ".keras" in (model_a.suffix, model_b.suffix):  # seconds: the mistakes above are said first
            load_tensorflow()
        pins = [*read_by_report(model_a), *read_by_report(model_b)]  # every step reads these, or nothing is written
        digests = [pinned(p) for p in pins]
        (predict_a, info_a), (predict_b, info_b) = model_for(model_a, "cxr-compare"), model_for(model_b, "cxr-compare")
        if same_model := cmp.same_model(model_a, model_b, info_a, info_b, most_probable):
            print(f"cxr-compare: warning: {same_model}", file=sys.stderr)
        labels, info_b = info_a["labels"], matched_classes(info_a, info_b)  # B's labels in A's spelling, or refused
        data_warnings: list[str] = []
        items, matched = site_items(data_dir, labels, class_map, "cxr-compare", quiet, data_warnings, columns)
        if columns:  # names, and a MANIFEST.csv column's number of values among these films: before any is read
            from convert.group_values import check_columns

            check_columns(data_dir, columns, [i.path for i in items], "cxr-compare")
        from convert.rule_notes import chosen_films_line, chosen_here_line
        from convert.seen_lists import gone_splits

        names = model_names([model_a, model_b])  # as the seen-film note names them
        here = Path(data_dir).resolve().name
        rules = [None if most_probable else info.get("decision") for info in (info_a, info_b)]
        labelling = [cmp.labelling(info["labels"], rule, info.get("decision_chosen_on"), most_probable and info.get("decision"))
                     for info, rule in zip((info_a, info_b), rules)]
        synthetic = [f"{who} ({name}) was trained on SYNTHETIC images; its figures say nothing about real X-rays"
                     for who, name, info in zip("AB", names, (info_a, info_b)) if info.get("synthetic_data")]
        for line in synthetic:
            print(f"cxr-compare: note: {line}", file=sys.stderr)
        optimistic = []
        for who, name, info, rule, words in zip("AB", names, (info_a, info_b), rules, labelling):
            if rule is not None:  # the answers are not the most probable class: say so, as edge-classify does
                print(f"cxr-compare: {who} ({name}) {words}", file=sys.stderr)
                if not info.get("decision_films") and (line := chosen_here_line(  # else by the films' bytes, below
                        info.get("decision_chosen_on"), here, f"{info['labels'][rule[0]]} whenever p >= {fmt_threshold(rule[1])}")):
                    optimistic.append(f"{who}: {line}")
                    print(f"cxr-compare: warning: {who}: {line}", file=sys.stderr)
        answers, scans, ruled = [], {}, []
        for predict, info, rule in ((predict_a, info_a, rules[0]), (predict_b, info_b, rules[1])):
            key = repr(sorted(info["preprocess"].items()))  # read the films once when both models see them alike
            if key not in scans:
                scans[key] = scan(data_dir, items, PreprocessConfig.from_dict(info["preprocess"]), progress=not quiet,
                                  crops=find_crops and not scans)  # the films' copies are found once
            res = scans[key]
            probs = predict(res.x)[:, [info["labels"].index(c) for c in labels]]  # B's columns in A's order
            if rule is not None:
                rule = (labels.index(info["labels"][rule[0]]), rule[1])
            answers.append(labels_for(probs, rule))
            ruled.append(rule)
        read = [[i.path for i in s.items] for s in scans.values()]
        skipped = list({b["path"]: b for s in scans.values() for b in s.skipped}.values())  # either model's reading

        def say_skipped() -> None:  # as cxr-evaluate does: before the figures, and before an error that cites them
            for bad in skipped:
                print(f"cxr-compare: {said_name(bad['path'])}: {bad['error']}", file=sys.stderr)

        if any(f != read[0] for f in read):  # a file one model's preprocessing could read and the other's not
            say_skipped()
            raise DataError("the two models could not read the same files; fix or remove the files listed above")
        if not read[0]:
            say_skipped()
            from convert import site_folders

            raise DataError(f"no readable images in {said_name(str(data_dir))}" + site_folders.unreadable_clause(len(skipped)))
        drop, seen_note = leave_out_seen([model_a, model_b], res.items, keep_seen, "cxr-compare",
                                         str(data_dir) if find_crops else None, not quiet, ["A", "B"])
        kept = [i for i, d in zip(res.items, drop) if not d]
        prints = next(iter(scans.values())).crops
        twins, conflicts = split_copies(copies_within(kept, not quiet, tuple(a[~drop] for a in prints)),
                                        [i.path for i in kept], [i.label for i in kept])
        if line := conflict_warning(conflicts, "compare.json"):
            print(f"cxr-compare: warning: label conflict: {line}", file=sys.stderr)
        if line := copies_warning(twins, "compare.json"):
            print(f"cxr-compare: warning: {line}", file=sys.stderr)
        say_skipped()
        from convert.compare_films import film_warnings

        frames = film_warnings(data_dir, [i.path for i in kept], data_warnings)  # header-flagged, several frames
        for who, info, rule in zip("AB", (info_a, info_b), rules):  # a site rule scored on its own films, however named
            if rule is not None and (line := chosen_films_line(info, [i.sha256 for i in kept],
                                     f"{info['labels'][rule[0]]} whenever p >= {fmt_threshold(rule[1])}")):
                optimistic.append(f"{who}: {line}")
                print(f"cxr-compare: warning: {who}: {line}", file=sys.stderr)
        files, answers = [i.path for i in kept], [a[~drop] for a in answers]
        from convert.study_design import evaluation_design, trained_sources

        seen_by = (seen_note or {}).get("by_model", {})  # each model's own: a film only the other saw is not its
        designs = {f"{who} ({name})": evaluation_design(trained_sources(m), [i.source for i in kept],
                                                        seen_by.get(who, {}).get("films", 0))
                   for who, m, name in zip("AB", (model_a, model_b), model_names([model_a, model_b]))}
        y = np.array([labels.index(i.label) for i in kept])
        groups = {}
        if any(i.source for i in kept) and not {"source", "source_repo"} & {c.lower() for c in columns}:
            from convert.group_values import MISSING

            groups["source"] = [i.source or MISSING for i in kept]  # as cxr-evaluate's per-source table, unasked
        if columns:  # a DICOM attribute's values are counted (and refused) here: before the bootstrap, not after
            from convert.group_values import group_values

            groups.update(group_values(data_dir, files, columns, "cxr-compare", said=data_warnings))
        r = cmp.compare(y, answers[0], answers[1], labels, n_boot=n_boot)
        for line in cmp.caveats(r):  # before the verdict is read as one on both classes
            print(f"cxr-compare: warning: {line}", file=sys.stderr)
        r.update(model_a=str(model_a), model_b=str(model_b), data_dir=str(data_dir), class_folders=matched,
                 absolute_paths=absolute_paths(model_a=model_a, model_b=model_b, data_dir=data_dir),
                 left_out_films=left_out_films(data_dir, matched), not_used=not_used(data_dir, matched) or None,
                 equivalence=equivalence(r["per_class"], *margin_of(info_a, info_b), r["classes"]),  # every class within the margin, or not shown
                 same_model=same_model, labelling_a=labelling[0], labelling_b=labelling[1], rule_warnings=optimistic, data_warnings=data_warnings, synthetic=synthetic,
                 rule_a=_rule_json(info_a, rules[0]), rule_b=_rule_json(info_b, rules[1]),
                 seen_in_training=seen_note, study_design=designs, split_gone=gone_splits([model_a, model_b], names),
                 copies_within_set=twins, label_conflicts=conflicts, multi_frame_films=frames,
                 skipped_files=skipped, files=files, true=[labels[k] for k in y], answers_a=[labels[k] for k in answers[0]],
                 answers_b=[labels[k] for k in answers[1]],
                 changed_axes="rows: A's answer, columns: B's answer, in the order of classes")
        if score_left_out:  # the films of folders left out: what each model calls them
            from convert.left_out import left_out_answers

            order = [info_b["labels"].index(c) for c in labels]
            left_out, _, _, left_out_skipped, _, left_out_frames = left_out_answers(data_dir, matched, labels, [
                (predict_a, info_a["preprocess"], info_a.get("typicality"), ruled[0]),
                (lambda x: predict_b(x)[:, order], info_b["preprocess"], info_b.get("typicality"), ruled[1])], not quiet,
                [model_a, model_b], keep_seen, str(data_dir) if find_crops else None)
            for bad in left_out_skipped:
                print(f"cxr-compare: {said_name(bad['path'])}: {bad['error']}", file=sys.stderr)
            skipped += left_out_skipped
            if left_out:
                r["left_out_answers"] = dict(zip("AB", left_out))
                from convert.compare_films import left_out_frames_record

                r["left_out_multi_frame_films"] = left_out_frames_record(data_dir, left_out_frames)
        if groups:
            from convert.subgroups import copy_groups

            copy_of = copy_groups(r["files"], twins, conflicts)  # copies of one film count once towards 20 films
            r["by"] = {c: cmp.by_group(y, answers[0], answers[1], labels, v, n_boot, copy_of) for c, v in groups.items()}
        md = cmp.markdown(r, *names, Path(data_dir).name, DISCLAIMER)
        for c, by_value in r.get("by", {}).items():
            md += cmp.group_markdown(c, by_value)
        if "left_out_answers" in r:
            from convert.left_out_words import answers_section

            md += answers_section(r["left_out_answers"], labels, ["A", "B"])
        from convert.provenance import scoring_provenance
        from convert.report import provenance_section, write_report_json

        r["provenance"] = {**scoring_provenance([model_a, model_b], n_boot), "resampled": cmp.resampled(r)}
        md += provenance_section(r["provenance"])
        with staged_folder(out_dir, last=("compare.md",)) as stage:  # the two together, or neither
            write_report_json(stage / "compare.json", {"disclaimer": NOT_A_DEVICE, **r})
            write_text(stage / "compare.md", "\n".join(align_tables(md)))
            check_unchanged(pins, digests, "cxr-compare")  # last: a report on these two models, or none
            interrupted()  # one TensorFlow dropped while scoring: the old comparison stays
    print(cmp.headline(r))
    say_class_note(r)  # compare.md's paragraph under the verdict
    for who, per in r.get("left_out_answers", {}).items():
        from convert.left_out_words import answers_line

        for folder, a in per.items():
            print(f"cxr-compare: note: {who}: {answers_line(folder, a, labels, whose='that either model')}",
                  file=sys.stderr)
    print(f"report: {said_name(str(out_dir / 'compare.md'))}")  # a newline in --out forged a line
    raise typer.Exit(1 if skipped else 0)


def _rule_json(info: dict, rule: tuple[int, float] | None) -> dict | None:
    """The stored rule a model labelled by, for compare.json (None: the most probable class)."""
    if rule is None:
        return None
    return {"class": info["labels"][rule[0]], "threshold": rule[1], "chosen_on": info.get("decision_chosen_on")}


def compare_main() -> None:
    from edge.cliutil import run_app

    run_app("cxr-compare", compare_app)
