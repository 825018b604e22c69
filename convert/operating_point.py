"""Store a screening threshold in a model file, so the device applies it without being told.

cxr-convert's report lists thresholds per class (convert.roc.operating_points), and
``edge-classify --threshold`` applies one. But a threshold belongs to one model file: a retrained
model puts its probabilities elsewhere, and a threshold typed on each device outlives the model
it was chosen for. ``cxr-convert --operating-point COVID=0.95`` chooses the threshold on the
validation split through each converted file itself and writes it into that file's metadata
(``decision``), where edge.decision.stored_rule reads it. The weights are untouched: only the
metadata archive after the flatbuffer is rewritten, and its checksum still covers the weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from convert.roc import rates_at_threshold, threshold_for_sensitivity
from edge import metadata as md
from edge.decision import class_and_value
from train.atomic import write_bytes


def parse_operating_point(text: str, labels: list[str]) -> tuple[int, float]:
    """'COVID=0.95' -> (index of COVID, 0.95): the class and the sensitivity to reach on validation."""
    k, target = class_and_value(text, labels, "--operating-point", "sensitivity", 0.95)
    if not 0.0 < target <= 1.0:
        raise ValueError(f"--operating-point: the sensitivity must lie in (0, 1], got {target}")
    return k, target


def choose_decision(y_val: np.ndarray, p_val: np.ndarray, labels: list[str], k: int, target: float) -> dict:
    """The rule for class k at the target sensitivity, chosen on the validation films (y_val, p_val)."""
    positive = np.asarray(y_val) == k
    if not positive.any():
        raise ValueError(f"--operating-point: the validation split has no {labels[k]} films to choose a threshold on")
    threshold = threshold_for_sensitivity(positive, np.asarray(p_val)[:, k], target)
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"--operating-point: the threshold for {target:g} sensitivity would be {threshold:g}, "
                         "which the device cannot store as a rule; choose another sensitivity")
    val = rates_at_threshold(positive, np.asarray(p_val)[:, k], threshold)
    return {"class": labels[k], "threshold": threshold, "target_sensitivity": target, "chosen_on": "validation split",
            "validation": {"n_positive": int(positive.sum()), "n_negative": int((~positive).sum()),
                           "sensitivity": val["sensitivity"], "specificity": val["specificity"]}}


def stamp_decision(path: Path, decision: dict | None) -> None:
    """Rewrite the file's metadata with this rule (None removes it); the weights stay byte-identical."""
    path = Path(path)
    flatbuffer, meta, files = md.split(path.read_bytes())
    if meta is None:
        raise ValueError(f"{path} has no cxr-edge metadata to store a rule in")
    meta = {k: v for k, v in meta.items() if k != "decision"}
    requires = [r for r in meta.pop("requires", []) if r != "decision"]
    if decision is not None:
        meta["decision"] = decision
        requires.append("decision")  # a reader that ignored the rule would give other labels than intended
    if requires:
        meta["requires"] = requires
    write_bytes(path, md.attach(flatbuffer, meta, files))
