"""What cxr-convert's report says of the device's file (int8 where it was made) beyond its scores and gate:
its input check, its operating points, its figures per source, the held-out source, what it calls the data
folder's classes the run was not trained on, and the occlusion maps of its most confident test mistakes.

Read from the files in the staging folder once every mode is scored (convert.quantize), so each section
describes the file that moves into the run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from convert.convert_settings import ConvertSettings
from convert.split_scores import evaluate_external, screening_points
from convert.subgroups import per_source
from edge.model import EdgeModel
from edge.preprocess import PreprocessConfig
from train.data import Split


def device_sections(report: dict, out: Path, run_dir: Path, split: Split, config: PreprocessConfig, model, run: dict,
                    s: ConvertSettings, x_test: np.ndarray, y_test: np.ndarray, probs_by_mode: dict[str, np.ndarray],
                    val: tuple[np.ndarray, np.ndarray] | None, val_probs: dict[str, np.ndarray | None],
                    log: Callable[[str], None]) -> tuple[str | None, EdgeModel | None]:
    """Adds the device file's sections to ``report``; returns (its mode, the file loaded), or (None, None) where
    no .tflite was made. ``val`` and ``val_probs``: the validation split and each file's answers on it, where a
    stored rule needed them (read once)."""
    classes = run["classes"]
    shown = next((m for m in ("int8", *s.modes) if m in probs_by_mode), None)  # the device's file, if made
    device = EdgeModel(out / f"model_{shown}.tflite") if shown else None
    check = device.typicality if device else None
    if check is not None:
        report["input_check"] = {"threshold": check.threshold, "thumbnail": check.side, "components": len(check.variances),
                                 "flagged": {"test": float(check.atypical(x_test).mean())}}
    if device is not None:
        report["operating_points"] = {"mode": shown, **screening_points(run_dir, split, config, device, x_test, y_test,
                                                                         probs_by_mode[shown], s, val, val_probs.get(shown))}
    sources = [i.source for i in split.parts["test"]]
    if device is not None and any(sources):  # MANIFEST.csv named them: cxr-evaluate's per-source figures, test split
        # labelled as the device labels them: by a stored rule, as the rest of the report's answers
        from convert.subgroups import copy_groups

        copy_of = copy_groups([i.path for i in split.parts["test"]], report["copies_within_test"])  # count once
        report["per_source"] = {"mode": shown, "sources": per_source(y_test, probs_by_mode[shown], classes, sources,
                                                                     s.n_boot, device.decision, copy_of),
                                "rule": list(device.decision) if device.decision else None}
    if "external" in split.parts:
        report["external"] = evaluate_external(run_dir, split, config, model, run, s, check, report.get("operating_points"),
                                               models_in=out)
        if check is not None:
            report["input_check"]["flagged"]["external"] = report["external"]["flagged_atypical"]
        from convert.external_section import external_gap

        if shown and (gap := external_gap(report["external"], report["models"], shown, classes, " to ")):
            log(gap)  # the leave-one-source-out gap, on the terminal too, as report.md's section gives it
    if s.other_classes and shown and not Path(split.data_dir).is_dir():
        log(f"note: the data folder {split.data_dir} is not there (moved?), so the films of its classes this run was "
            "not trained on are not scored; set data_dir in split.json to its new place")
    elif s.other_classes and shown:  # what each file calls the films of other findings
        from convert.left_out import data_folder_answers

        own = {i.sha256 for part in split.parts.values() for i in part if i.sha256}
        if other := data_folder_answers(Path(split.data_dir), classes, run["preprocess"],
                                        {m: out / f"model_{m}.tflite" for m in s.modes}, run_dir, s.progress,
                                        own, log):
            report["other_classes"] = other
            from convert.left_out_words import answers_line

            for folder, answers in other["by_mode"][shown].items():  # the device file's, as the card says
                log(f"{shown}: {answers_line(folder, answers, classes, 'not trained on')}")
    return shown, device


def device_mistakes(shown: str | None, device: EdgeModel | None, x_test: np.ndarray, y_test: np.ndarray,
                    probs_by_mode: dict[str, np.ndarray], explain: int) -> tuple[str, list[dict]] | None:
    """(the device file's mode, convert.occlusion.explain_mistakes of its ``explain`` most confident test
    mistakes), or None where none are asked for or no file was made."""
    if not (explain and shown):
        return None
    from convert.occlusion import explain_mistakes

    from edge.decision import labels_for

    # the answers the device gives: under a stored rule, not the most probable class's
    return (shown, explain_mistakes(device.log_scores, x_test, y_test, probs_by_mode[shown], explain,
                                    labels_for(probs_by_mode[shown], device.decision)))
