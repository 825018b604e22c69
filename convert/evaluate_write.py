"""cxr-evaluate's files: the report folder, whole, and --save-model's copy of the model, or neither.

A full disk, an interrupt or a model file rewritten meanwhile must leave the earlier report and
model copy as they were: a report naming a copy that is not there, or a deployable rule with no
report behind it, is worse than none.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Callable

from convert.evaluate_answers import Answers
from convert.evaluate_checks import REPORT_FILES, Settings
from convert.evaluate_films import Films
from convert.evaluate_model import Loaded


def report_notes(s: Settings, m: Loaded, f: Films, a: Answers) -> dict:
    """What report.json records beside the figures: where the films came from and everything said about them."""
    from convert.earlier_report import absolute_paths
    from convert.frame_films import frames_record
    from convert.provenance import scoring_provenance
    from convert.seen_lists import split_gone
    from convert.site_folders import left_out_films, not_used

    info = m.info
    from convert.foreign_model import foreign_record

    return {"model": str(s.model), "model_kind": info["kind"], "model_about": info.get("about"), "data_dir": str(s.data_dir),
            "foreign_model": foreign_record(info),  # what its figures lack (--labels: no cxr-edge metadata)
            "class_folders": f.matched, "left_out_films": left_out_films(s.data_dir, f.matched),
            "not_used": not_used(s.data_dir, f.matched) or None,  # masks/ folders too, in cxr-train's words
            "left_out_answers": a.left_out,
            "seen_in_training": f.seen_note, "study_design": f.design,
            "split_gone": [s.model.name] if split_gone(s.model) else [],  # why it could not be checked (seen_line)
            "copies_within_set": f.twins, "label_conflicts": f.conflicts,
            "input_check_flagged_validation": info.get("flagged_validation"),
            "rule_warnings": f.rule_warnings, "data_warnings": f.data_warnings,
            "stored_rule_record": info.get("decision_record"),
            "synthetic_data": info.get("synthetic_data"), "synthetic_films": f.drawn,
            "synthetic_share": info.get("synthetic_share"),
            "skipped_files": f.scan.skipped + a.left_out_skipped,  # as compare.json
            "multi_frame_films": frames_record(f.frames),  # each scored on its frame 1 (convert.frame_films)
            "left_out_multi_frame_films": frames_record(a.left_out_frames),  # the same, of the folders left out
            "provenance": scoring_provenance([s.model], s.n_boot),
            "absolute_paths": absolute_paths(data_dir=s.data_dir, model=s.model)}  # the next report's note (earlier_report)


def write_report(s: Settings, m: Loaded, f: Films, a: Answers, site: dict | None, model_bytes: bytes | None,
                 prevalences: tuple[float, ...], interrupted: Callable[[], None]) -> dict:
    """Write the report folder and, with --save-model, the model copy, each whole or not at all, once the model
    file is known to be the one scored. Returns the report (convert.report.evaluation_report's summary)."""
    from convert.model_pin import check_unchanged
    from convert.report import evaluation_report
    from edge.atomic import atomic_path, staged_folder, write_text

    saving = site is not None and s.save_model is not None
    if saving:
        from convert.save_model import clear_killed_copies

        clear_killed_copies(s.save_model)
    # The model copy is written whole first (a full disk fails before the report is in) and takes its
    # name once the report is in: no report names a file that is not there, and no rule goes without one.
    with atomic_path(s.save_model) if saving else nullcontext() as model_tmp:
        if model_tmp is not None:
            model_tmp.write_bytes(model_bytes)
        with staged_folder(s.out_dir, last=("report.md",), retire=REPORT_FILES) as stage:  # the whole set, or the old one
            files = [i.path for i in f.scan.items]
            report = evaluation_report(stage, f"{s.model.name} on {Path(s.data_dir).name}", f.y, a.probs, m.labels,
                                       files, [i.source for i in f.scan.items], report_notes(s, m, f, a),
                                       n_boot=s.n_boot, mistakes=a.mistakes, x=f.scan.x, evidence=a.evidence,
                                       unlikeness=a.unlikeness, robustness=a.robustness, threshold=m.rule,
                                       threshold_from="option" if s.threshold else "model file", site_point=site,
                                       audit=f.audit, prevalences=prevalences, subgroups=f.groups,
                                       as_given=f.given_values, header_says=f.header_says,
                                       frames=f.frames)
            if a.left_out_rows:
                write_text(stage / "left_out.csv", "\ufeff" + a.left_out_rows)
            check_unchanged(m.pins, m.digests, "cxr-evaluate")  # last: a report and a copy of one model, or none
            interrupted()
    return report
