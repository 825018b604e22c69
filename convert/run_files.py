"""A run folder's .tflite files: which may be scored again (--report-only), which are stale, and
what becomes of model.tflite, --auto's choice, when the files it copies change.

A file scored again is certified anew in its card; one that is not this run's (converted from an
earlier model, its labels or preprocessing edited, another mode's file under its name) would be
certified with figures the device will not give. model.tflite is the file a user ships: it must
never keep an earlier conversion's bytes beside files that now say otherwise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from convert.modes import MODES
from edge.capped_repr import capped_text
from edge.output import said_name
from edge.shell_words import command_text
from train.rerun import converted_from, made_from


def split_mismatch(run_dir: Path) -> str | None:
    """Why the run's split.json or model.keras is not the one its run.json describes (a retrain
    stopped half-way: train.run_record.run_record_problem), with what to do, or None."""
    from train.run_record import run_record_said

    return run_record_said(run_dir)


def retire_stale_models(run_dir: Path, trained: str | None) -> list[str]:
    """Remove the run's .tflite files made from an earlier model (their "trained" is not run.json's
    "created"): after a retrain, model.tflite (--auto's choice) or a mode not converted again would
    otherwise stay beside the new model, as if they were its files. Returns their names. Only the
    names cxr-convert writes: a user's model_int8_old.tflite, or a site's copy saved under another
    name (cxr-evaluate --save-model), is theirs to keep, and was deleted."""
    gone = []
    for path in stale_models(run_dir, trained):
        path.unlink()
        gone.append(path.name)
    return gone


def stale_models(run_dir: Path, trained: str | None) -> list[Path]:
    """The run's .tflite files of the names cxr-convert writes that were made from an earlier model than
    ``trained`` (run.json's "created"), which retire_stale_models removes."""
    ours = {"model.tflite", *(f"model_{m}.tflite" for m in MODES)}
    if trained is None:
        return []
    return [path for path in sorted(p for p in Path(run_dir).glob("model*.tflite") if p.name in ours)
            if not converted_from(path, trained)]  # no "trained": unreadable or not ours to judge


def other_model_files(run_dir: Path, modes: list[str], trained: str | None, chosen_stays: bool) -> list[dict]:
    """The model files that stay in the run beside this conversion's, unscored by it: modes it did
    not convert (an earlier call's), and model.tflite where it stays as it was (``chosen_stays``: it
    is neither written again nor removed), and files without cxr-edge metadata ("foreign": not made
    by cxr-convert), and files whose metadata cannot be read ("damaged"). report.md must not read as if it described
    every file there. Files made from an earlier model are left out: retire_stale_models removes them."""
    rows = []
    for path in sorted(Path(run_dir).glob("model*.tflite")):
        mode = path.stem[len("model_"):] if path.stem.startswith("model_") else None
        if mode in modes or (mode is None and not chosen_stays):
            continue
        meta = _meta(path)
        if meta is None:  # damaged: no conversion removes it (train.rerun.converted_from cannot tell whose it is)
            rows.append({"file": path.name, "damaged": True})
            continue
        if trained is not None and meta.get("trained") not in (None, trained):
            continue
        if not meta:  # no cxr-edge metadata: a file cxr-convert did not make, whatever its name
            rows.append({"file": path.name, "foreign": True})
            continue
        rows.append({"file": path.name, "mode": meta.get("quantization"), "converted": meta.get("converted"),
                     "rule": bool(meta.get("decision")), "fingerprints": "seen" in meta})
    return rows


def calibration_count(run_dir: Path, modes: list[str]) -> int | None:
    """The training images the run's full-integer files of ``modes`` had their ranges set on, as each file records
    it (convert.export.export_mode), for --report-only, which draws none: run.json never holds the count. None where
    a file does not say (converted before the files recorded it) or two say different counts (converted by
    different calls): report.md then says no number."""
    counts = {(_meta(Path(run_dir) / f"model_{m}.tflite") or {}).get("calibration_samples") for m in modes}
    return counts.pop() if len(counts) == 1 and isinstance(next(iter(counts)), int) else None


def uncounted_files(run_dir: Path, modes: list[str]) -> list[str]:
    """The names of the run's full-integer files of ``modes`` whose metadata does not record how many training images
    set their ranges (converted before files recorded it): --report-only cannot tell whether they were under the
    count cxr-convert warns of, and said nothing of it. A file it cannot read is not among them (named elsewhere)."""
    names = [f"model_{m}.tflite" for m in modes]
    return [n for n in names if (meta := _meta(Path(run_dir) / n)) is not None and "calibration_samples" not in meta]


def _meta(path: Path) -> dict | None:
    """A .tflite's cxr-edge metadata; None where it cannot be read (damaged, or not ours)."""
    from edge.metadata import ModelFileError, read

    try:
        return read(path)[1] or {}
    except ModelFileError:
        return None


def not_this_runs(path: Path, mode: str, run: dict) -> str | None:
    """Why the file ``path`` (named for ``mode``) cannot be scored again as this run's (``run``:
    run.json), or None: damaged, or its labels, preprocessing, temperature or mode are not the
    run's. The test films are fed as run.json preprocesses them, so a file's own settings would
    otherwise never be tried, and its card would certify answers the device does not give."""
    from edge.metadata import ModelFileError, read

    try:
        meta = read(path)[1] or {}
    except ModelFileError as e:
        return f"it cannot be read ({e})"
    differ = [what for what, mine, theirs in (
        ("labels", meta.get("labels"), run["classes"]), ("preprocessing", meta.get("preprocess"), run["preprocess"]),
        ("temperature", meta.get("temperature"), run.get("temperature", 1.0)), ("mode", meta.get("quantization"), mode))
        if mine != theirs]
    return f"it is not this run's file as converted ({', '.join(differ)} differ from run.json's)" if differ else None


def modes_to_score(run_dir: Path, modes: list[str] | None, report_only: bool, run: dict) -> list[str]:
    """The modes to convert (``modes``, or all), or with ``report_only`` to score again: those given,
    every one of whose files must be there, or else those whose files the run has. Files converted
    from another model than run.json's (``trained``: its "created"; the run was trained again
    since) are refused: scored against the new model, they would fail its gate and have that
    stamped into their cards, as if quantization had cost what is another model's difference."""
    if not report_only:
        return list(modes or MODES)
    have = [m for m in modes or MODES if (run_dir / f"model_{m}.tflite").is_file()]
    missing = [f"model_{m}.tflite" for m in modes or [] if m not in have]
    if missing or not have:
        raise FileNotFoundError(f"{said_name(str(run_dir))} has no {', '.join(missing) or 'model_<mode>.tflite'}; run cxr-convert "
                                "without --report-only first" + (" (or leave those modes out of --quant)" if have else ""))
    trained = run.get("created")
    for m in have:
        path = run_dir / f"model_{m}.tflite"
        if (why := not_this_runs(path, m, run)) is not None:
            raise ValueError(f"{said_name(str(path))}: {why}: run {command_text('cxr-convert', str(run_dir))} without --report-only to convert it again")
        made = made_from(path)
        if trained is not None and made != trained:  # either may be anyone's edit: 100 kB was quoted whole
            was = f"the model trained at {capped_text(made)}" if made else "no model of this run"
            raise ValueError(f"{said_name(str(path))} was converted from {was}, not the one in model.keras "
                             f"(trained at {capped_text(trained)}): run {command_text('cxr-convert', str(run_dir))} without --report-only to "
                             "convert it")
    return have


def chosen_mode(run_dir: Path) -> str | None:
    """The mode of the run's model.tflite (--auto's choice, a copy of one model_<mode>.tflite), or None;
    None too for one that carries a rule chosen on a site's films (site_rule_file): that file is the
    user's, and a conversion replaced it with its mode's file and the validation split's rule."""
    path = Path(run_dir) / "model.tflite"
    if not path.is_file() or site_rule_file(path):
        return None
    return (_meta(path) or {}).get("quantization")


def unscored_choice(run_dir: Path, modes: list[str] | None, trained: str | None) -> str | None:
    """Why --auto must not run on ``modes`` (None: all), or None. --auto chooses among the modes a call scores;
    where model.tflite is an earlier --auto's choice of a mode left out (its file still this model's), it moved
    model.tflite off that file without weighing it: a --quant fp32 replaced the device's int8 file, 3.4 times
    larger, though int8 still passed. Files of an earlier model are removed by the conversion anyway."""
    chosen, modes = chosen_mode(run_dir), list(modes or MODES)
    if chosen is None or chosen in modes or chosen not in MODES:
        return None
    path = Path(run_dir) / f"model_{chosen}.tflite"
    if not path.is_file() or any(made_from(p) != trained for p in (path, path.with_name("model.tflite")) if trained):
        return None
    both = ",".join(m for m in MODES if m in {*modes, chosen})
    return (f"--auto chooses among the modes this call scores ({', '.join(modes)}), and model.tflite is {chosen} (an "
            f"earlier --auto's choice, model_{chosen}.tflite is still there): it would move model.tflite off {chosen} "
            f"without weighing it; give --quant {both} to choose among them, or leave out --auto")


def site_rule_file(path: Path) -> str | None:
    """Where the rule a model file stores was chosen, when not on the validation split (cxr-evaluate
    --operating-point ... --save-model: a site's films); else None."""
    where = ((_meta(path) or {}).get("decision") or {}).get("chosen_on", "validation split")
    return None if where == "validation split" else str(where)


def keep_chosen(out: Path, chosen: str | None, modes: list[str], report: dict, auto: bool) -> str | None:
    """Write model.tflite into the staging folder ``out`` as a copy of its mode's file as converted
    (or re-stamped: a rule stored with --operating-point) now, where an earlier --auto chose a mode
    converted now that passes the gate now; returns what to say of model.tflite, or None where
    nothing changed. Called with the staging folder retiring model.tflite (convert.quantize), so one
    not written here is removed: its mode failed the gate now, or --auto chose none."""
    if auto:
        return None if (out / "model.tflite").is_file() or chosen is None else (
            "removed model.tflite, an earlier --auto's choice: no mode passes the gate now")
    if chosen is None or chosen not in modes:
        return None
    if report["models"][chosen]["gate"]["passed"]:
        shutil.copyfile(out / f"model_{chosen}.tflite", out / "model.tflite")
        return f"model.tflite (an earlier --auto's choice, {chosen}) is now a copy of model_{chosen}.tflite as written now"
    return (f"removed model.tflite, an earlier --auto's choice: {chosen} fails the gate now (cxr-convert --auto "
            "chooses again)")
