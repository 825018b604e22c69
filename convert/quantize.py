"""cxr-convert's flow: export each mode, score it through edge on the frozen test split, gate it.

Every .tflite is scored by ``edge.model.EdgeModel``, the same code that runs on the device, so
the report measures what the device will do, not what the converter meant.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path, PureWindowsPath
from typing import Callable

import numpy as np

from convert.evaluate import invoke_latency_ms, scored
from convert.calibration_draw import calibration_draw, recorded_draw, uncounted_line, warned
from convert.convert_settings import ConvertSettings  # importable from here too, as its callers do
from convert.gate import choose_smallest, compare, deltas, gate, gate_under_rule, resolution_note
from convert.keras_reference import keras_reference
from convert.modes import FULL_INTEGER
from convert.convert_checks import checked_run
from convert.device_sections import device_mistakes, device_sections
from convert.operating_point import as_stored_now, kept_points, store_rule, stored_decision
from convert.provenance import conversion_provenance, written_files
from convert.set_notes import test_copies
from convert.rule_notes import others_under_rule, removed_rule_line, stored_rule_line, stored_rule_warnings
from convert.rule_on_test import rule_on_test
from convert.split_scores import fit_input_check
from edge.stored_rule_words import site_films_words
from convert.study_design import test_split_design
from convert.summary import summarize
from edge import __version__
from edge.model import EdgeModel
from edge.preprocess import PreprocessConfig
from edge.atomic import staged_folder
from edge.card import NOT_A_DEVICE
from convert.mode_lines import mode_lines
from train.cache import load_part
from train.split_synthetic import synthetic_unrecorded
from convert.run_files import (calibration_count, chosen_mode, keep_chosen, modes_to_score, retire_stale_models,
                               uncounted_files)


def log(msg: str) -> None:
    print(f"cxr-convert: {msg}", file=sys.stderr, flush=True)


def run_conversion(s: ConvertSettings) -> tuple[dict, int]:
    """Convert, evaluate and gate; returns (report, exit code). A Ctrl-C that TensorFlow dropped
    (edge.interrupts) still stops the run, before anything is moved into the run folder."""
    from edge.interrupts import kept_interrupts

    with kept_interrupts() as interrupted:
        return _conversion(s, interrupted)


def _conversion(s: ConvertSettings, interrupted: Callable[[], None]) -> tuple[dict, int]:
    run_dir = Path(s.run_dir)
    run, split, point = checked_run(s)
    if found := synthetic_unrecorded(run, split, f"{run_dir / 'run.json'}", "the model files are"):
        run = {**run, "synthetic_data": True, "synthetic_share": found[0]["synthetic_share"]}
        log(found[1])
    config = PreprocessConfig.from_dict(run["preprocess"])
    classes = run["classes"]
    s = replace(s, modes=modes_to_score(run_dir, s.modes, s.report_only, run))  # before any is rewritten
    auto_choice = chosen_mode(run_dir)  # model.tflite, an earlier --auto's choice: it follows its mode's file
    from convert.keras_model import run_model

    # before minutes of reading films; its shapes as cxr-evaluate checks them (a run before 0.20.0 records no checksum)
    model = run_model(run_dir / "model.keras", run, run_dir / "run.json", "; train the run again")
    from convert.temperature_check import check_recorded_temperature

    check_recorded_temperature(run_dir, run, split, config, model, s.progress)  # one edited inside the fit's range
    x_test, y_test = load_part(run_dir, split, "test", config, s.progress, rewrite=True)
    few = resolution_note({c: int((y_test == k).sum()) for k, c in enumerate(classes)}, s.max_class_drop, s.max_drop)
    if few:
        log(f"warning: {few}")
    test_files = [i.path for i in split.parts["test"]]
    from convert.frame_films import frames_record, say_frames
    from train.cache_frames import part_frames

    film_warnings: list[str] = []  # films of several differing frames, scored on frame 1: stderr, report.md, report.json
    frames = part_frames(run_dir, split, "test", config)  # kept beside the cache: no test film read again
    say_frames("cxr-convert", split.data_dir, frames, film_warnings)  # as cxr-evaluate's report says them

    from edge.model import softmax
    from train.fit import logits_of

    temperature = run.get("temperature", 1.0)
    ref_probs, reference, chance_warnings, sharp, calibration = keras_reference(run, model, x_test, y_test, classes,
                                                                                temperature, s.n_boot, log)
    representative, typicality = np.zeros((0,)), None
    calibrated = [m for m in s.modes if m in FULL_INTEGER]  # report.md claims no calibration where none ran
    draw = warned(recorded_draw(calibration_count(run_dir, calibrated)) if s.report_only and calibrated else None, log)
    if s.report_only and calibrated and (uncounted := uncounted_files(run_dir, calibrated)):  # else silent, as if none due
        log(f"note: {uncounted_line(uncounted)}")
    if not s.report_only:
        x_train, y_train = load_part(run_dir, split, "train", config, s.progress, rewrite=True)
        from convert.export import representative_sample

        representative, drawn = representative_sample(x_train, y_train, s.calibration_samples, seed=run["settings"]["seed"])
        draw = warned(calibration_draw(drawn, classes, s.calibration_samples) if calibrated else None, log)
        typicality = fit_input_check(run_dir, split, config, x_train, s)
    report = {
        "disclaimer": NOT_A_DEVICE, "run_dir": str(run_dir), "data_dir": str(split.data_dir), "cxr_edge_version": __version__, "classes": classes, "synthetic_data": run.get("synthetic_data", False), "synthetic_share": run.get("synthetic_share"),
        "arch": run.get("arch"), "members": run.get("members", 1), "parameters": run.get("parameters"),
        "teacher": run.get("teacher"),
        "test_set": {"n": int(len(y_test)), "counts": {c: int((y_test == k).sum()) for k, c in enumerate(classes)}},
        "study_design": test_split_design(split),
        "training_data": {"counts": run.get("counts"), "hygiene": run.get("data_hygiene"),
                          "shortcut_audit": run.get("shortcut_audit")},
        "calibration_samples": None if not calibrated else int(len(representative)) if not s.report_only
        else calibration_count(run_dir, calibrated), "calibrated_modes": calibrated, "calibration_draw": draw,
        "gate": {"max_drop": s.max_drop, "max_class_drop": s.max_class_drop, **({"resolution": few} if few else {})},
        "chance_warnings": chance_warnings, "calibration_warning": sharp,
        "temperature": temperature,
        "calibration": calibration,
        "models": {"keras": {**reference, "size_bytes": os.path.getsize(run_dir / "model.keras")}},
        "provenance": conversion_provenance(run, s.n_boot),
        "copies_within_test": test_copies(split.parts["test"]),
        "data_warnings": film_warnings, "multi_frame_films": frames_record(frames),
    }
    from convert.export import replacing_note

    for note in replacing_note(run_dir, s.modes, run.get("created")) if not s.report_only else []:
        log(note)
    # Every file this writes (models, report, plots) goes to a staging folder and moves in at the end,
    # report.md last: an interrupted or failed conversion leaves the run as it was, not new models
    # beside an old report that describes others.
    # a plot this conversion does not draw (no --explain, no operating points) must not stay from an earlier one,
    # nor model.tflite once the file it copies is written again (convert.run_files.keep_chosen)
    follows = ("model.tflite",) if s.auto or auto_choice in s.modes else ()
    written: list[str] = []
    with staged_folder(run_dir, last=("report.md",), retire=("occlusion.png", "operating_points.png", *follows)) as out:
        probs_by_mode: dict[str, np.ndarray] = {"keras": ref_probs}
        val_probs: dict[str, np.ndarray | None] = {}  # each file's answers on the validation split, where a rule needed them
        # without --operating-point, files written anew keep the rule their predecessors stored
        kept, lost = kept_points(run_dir, s.modes, classes) if point is None and not s.report_only else ({}, {})
        for mode, where in lost.items():
            log(f"warning: model_{mode}.tflite stored a rule chosen on {site_films_words(where)}; the file written now does not carry "
                "it: choose it again there (cxr-evaluate --operating-point ... --save-model)")
        val = load_part(run_dir, split, "val", config, s.progress, rewrite=True) if isinstance(point, tuple) or kept else None
        keras_val = None  # the validation labels and the Keras model's answers, where a file's rule is gated
        from convert.seen_lists import fingerprints

        seen = fingerprints(split) if s.fingerprints else None
        stored: list[tuple[str, dict]] = []  # (file, rule) of each rule chosen now, warned about after the loop
        sources = report["study_design"]["training_sources"]
        for mode in s.modes:
            path = out / f"model_{mode}.tflite"
            if s.report_only:  # scored and stamped again in the staging folder, moved back with the rest
                shutil.copyfile(run_dir / path.name, path)
            else:
                log(f"converting {mode}")
                from convert.export import export_mode

                export_mode(model, mode, path, run, representative, x_train if s.refit_head else None, typicality, seen,
                            sources)
            rule_point = point if point is not None else kept.get(mode)
            if mode in kept:
                log(f"{path.name} stored {classes[kept[mode][0]]} at {kept[mode][1]:g} sensitivity: chosen again through "
                    "the new file (--operating-point none removes it)")
            before = stored_decision(run_dir / path.name) if rule_point == "none" else None  # the file it replaces
            chosen, val_probs[mode] = store_rule(path, rule_point, val, classes) if rule_point is not None else (None, None)
            if before:
                log(removed_rule_line(path.name, before))
            if chosen:  # its warnings once, after every file's rule is chosen: the same choice on the same films
                log(stored_rule_line(path.name, chosen))
                stored.append((path.name, chosen))
            edge_model = EdgeModel(path)  # loaded once: scored, and its metadata read
            probs = scored(edge_model.classify, x_test, progress=s.progress, desc=f"scoring {mode}")[0]
            probs_by_mode[mode] = probs
            summary = summarize(y_test, probs, classes, n_boot=s.n_boot)
            meta = edge_model.meta
            entry = {**summary, "file": path.name, "size_bytes": path.stat().st_size,
                     "tflite_bytes": meta.get("tflite_bytes"), "tflite_sha256": meta.get("tflite_sha256"),
                     "head_refit": meta.get("head_refit"), "decision": None,  # null: no stored rule, as --info's
                     "delta": deltas(reference, summary, (y_test, ref_probs, probs), report["gate"]),
                     "agreement": compare(ref_probs, probs, y_test, test_files, classes),
                     "gate": gate(reference, summary, s.max_drop, s.max_class_drop)}
            if decision := as_stored_now(meta.get("decision")):  # in this version's shape, read once
                entry["decision"] = rule_on_test(decision, chosen, meta, path.name, y_test, probs, classes, split, log)
                # the device's answers judged too, where the rule was chosen as Keras's can be: on the validation split
                # (one chosen on a site's films by cxr-evaluate --save-model has no Keras counterpart here)
                k, t = classes.index(decision["class"]), decision["threshold"]
                target, on = decision.get("target_sensitivity"), decision.get("chosen_on", "validation split")
                if target is not None and on == "validation split":
                    if keras_val is None:
                        val = val if val is not None else load_part(run_dir, split, "val", config, s.progress, rewrite=True)
                        keras_val = (val[1], softmax(logits_of(model, val[0]), temperature))
                    if "others_on_validation" not in entry["decision"]:  # --report-only chose none: its check needs them
                        entry["decision"]["others_on_validation"] = others_under_rule(
                            val[1], edge_model.classify(val[0]), k, t, classes)
                    entry["gate"] = gate_under_rule(entry["gate"], y_test, ref_probs, probs, classes, (k, t), target,
                                                    keras_val, s.max_drop, s.max_class_drop)
            if s.latency_threads:
                entry["latency_ms"] = {str(t): invoke_latency_ms(path, x_test[0], t) for t in s.latency_threads}
            report["models"][mode] = entry
            for line in mode_lines(mode, summary, reference, entry, report["gate"]):  # the worst class and the limits too
                log(line)
            interrupted()
        for line in stored_rule_warnings(stored, classes):
            log(f"warning: {line}")
        fp32 = report["models"].get("fp32", {}).get("tflite_bytes")
        from convert.quant_report import size_ratio

        for mode in s.modes:
            if fp32:  # the model proper, without the metadata and self-test appended to every file
                report["models"][mode]["size_ratio_to_fp32"] = size_ratio(report["models"][mode]["tflite_bytes"], fp32)
        shown, device = device_sections(report, out, run_dir, split, config, model, run, s, x_test, y_test, probs_by_mode,
                                        val, val_probs, log)
        # the folders' last names, whichever system wrote the split (a Windows path's too, read on Linux)
        data_name = " + ".join(PureWindowsPath(d).name for d in [split.data_dir, *split.notes.get("added_data", [])])
        from convert.card import stamp_cards

        # whether cxr-train looked for cropped, moved, turned and mirrored copies when it split (0.16.0 on)
        report["crops_searched"] = "duplicate_groups" in (run.get("data_hygiene") or {})
        stamp_cards(out, report, s.modes, data_name, run.get("shortcut_audit"), written.append)  # said once moved in
        code = 0
        if s.auto:
            report["auto"] = choose_smallest(report, s.modes, out, log, before=auto_choice)
            code = 0 if report["auto"]["selected"] else 1
        elif any(not report["models"][m]["gate"]["passed"] for m in s.modes):
            code = 1
        if said := keep_chosen(out, auto_choice, s.modes, report, s.auto):
            log(said)
        mistakes = device_mistakes(shown, device, x_test, y_test, probs_by_mode, s.explain)
        from convert.run_files import other_model_files

        if other := other_model_files(run_dir, s.modes, run.get("created"), chosen_stays=not follows):
            report["other_files"] = other
        from convert.quant_report import write_quantization_report

        # the files as they move in, cards stamped: the digests sha256sum and a device's answer log give
        report["provenance"]["files_sha256"] = written_files(out)
        write_quantization_report(out, report, probs_by_mode, y_test, mistakes, x_test, test_files)
        interrupted()
    for line in written:
        log(line)
    if gone := retire_stale_models(run_dir, run.get("created")):
        log(f"note: removed {', '.join(gone)}: made from an earlier model of this run, not the one converted now")
    return report, code

