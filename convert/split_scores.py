"""What cxr-convert measures on the splits besides the test split: the input check fitted on the
training images and checked on the validation images, the thresholds chosen on the validation
split, and the scores on a held-out source (cxr-train --holdout-source)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from convert.convert_settings import ConvertSettings
from convert.evaluate import keras_probabilities, tflite_probabilities
from convert.metrics import to_jsonable
from convert.roc import rates_at_threshold
from convert.summary import summarize
from edge.model import EdgeModel
from edge.preprocess import PreprocessConfig
from train.cache import load_part
from train.data import Split
from train.holdout import source_counts


def fit_input_check(run_dir: Path, split: Split, config: PreprocessConfig, x_train: np.ndarray,
                    s: ConvertSettings) -> dict | None:
    """edge.typicality fitted on the training images (its threshold from held-out scores), as metadata,
    with the share of the validation images it flags: flagged by the check as the file stores it (6 significant
    digits) and the device reads it back, since a film scoring 0.9999994 of the unrounded threshold is flagged by
    the stored one, and the count said beside the file must be the device's."""
    from edge.typicality import Typicality, fit_typicality

    x_val, _ = load_part(run_dir, split, "val", config, s.progress, rewrite=True)
    try:
        check = fit_typicality(x_train, x_val)
    except ValueError as e:
        print(f"cxr-convert: the model files get no input check: {e}", file=sys.stderr, flush=True)
        return None
    stored = check.to_dict()
    return {**stored, "flagged_validation": float(Typicality.from_dict(stored).atypical(x_val).mean())}


def screening_points(run_dir: Path, split: Split, config: PreprocessConfig, device: EdgeModel, x_test: np.ndarray,
                     y_test: np.ndarray, p_test: np.ndarray, s: ConvertSettings,
                     val: tuple[np.ndarray, np.ndarray] | None = None, p_val: np.ndarray | None = None) -> dict:
    """The device file's thresholds for 90% and 95% sensitivity per class, chosen on the validation
    split and scored on the test split (convert.roc.operating_points). ``val`` and ``p_val``: the
    validation split and the file's answers on it, where --operating-point has read and scored them."""
    from convert.roc import operating_points

    x_val, y_val = val if val is not None else load_part(run_dir, split, "val", config, s.progress, rewrite=True)
    p_val = device.classify(x_val) if p_val is None else p_val
    return {"model": device.path.name, "chosen_on": "validation split", "n_validation": int(len(y_val)),
            "rows": to_jsonable(operating_points(y_val, p_val, y_test, p_test, split.classes))}


def evaluate_external(run_dir: Path, split: Split, config: PreprocessConfig, model, run: dict,
                      s: ConvertSettings, check=None, points: dict | None = None, models_in: Path | None = None) -> dict:
    """Scores on the held-out source (cxr-train --holdout-source): the generalisation gap, the
    share of its images the input check (``check``, edge.typicality) would flag, and what the
    thresholds chosen on the validation split (``points``) give there: a threshold fitted to one
    hospital's probabilities need not reach its target sensitivity at another. Its films of several frames not all
    the same, each scored on its frame 1 alone, are said as the test split's are (convert.frame_films)."""
    x, y = load_part(run_dir, split, "external", config, s.progress, rewrite=True)
    named = [i for i in split.parts["external"] if i.source]  # the films' own sources: 'hannover' matched by file name
    out = {"source": split.notes.get("holdout_source"), "n": int(len(y)), "sources": source_counts(named),
           "keras": summarize(y, keras_probabilities(model, x, run.get("temperature", 1.0)), split.classes, n_boot=s.n_boot)}
    from convert.frame_films import EXTERNAL_SCORED_ON, frames_record, say_frames
    from train.cache_frames import part_frames

    said: list[str] = []  # films of several differing frames, each scored on its frame 1: stderr and report.md
    frames = part_frames(run_dir, split, "external", config)  # kept beside the cache, as the test split's
    say_frames("cxr-convert", split.data_dir, frames, said, EXTERNAL_SCORED_ON)
    out.update(data_warnings=said, multi_frame_films=frames_record(frames))  # as the test split's, in report.json
    if check is not None:
        out["flagged_atypical"] = float(check.atypical(x).mean())
    probs = {mode: tflite_probabilities((models_in or run_dir) / f"model_{mode}.tflite", x) for mode in s.modes}
    from edge.model import EdgeModel

    for mode in s.modes:  # each file's answers as the device gives them: under the rule it stores, if any
        rule = EdgeModel((models_in or run_dir) / f"model_{mode}.tflite").decision
        out[mode] = summarize(y, probs[mode], split.classes, n_boot=s.n_boot, rule=rule)
        if rule is not None:  # and its most probable class, the labelling Keras's row has: like beside like
            out.setdefault("most_probable", {})[mode] = summarize(y, probs[mode], split.classes, n_boot=s.n_boot)
    if points:
        p = probs[points["mode"]]
        out["operating_points"] = {"mode": points["mode"], "rows": [
            {"class": r["class"], "target_sensitivity": r["target_sensitivity"], "threshold": r["threshold"],
             "external": to_jsonable(rates_at_threshold(y == split.classes.index(r["class"]),
                                                        p[:, split.classes.index(r["class"])], r["threshold"]))}
            for r in points["rows"] if (y == split.classes.index(r["class"])).any() and r["threshold"] is not None]}
    return out
