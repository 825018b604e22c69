"""cxr-evaluate --labels: a foreign .tflite (not made by cxr-convert) scored as edge-classify --labels runs it.

An engineer with a hospital's own model wants the same honest report on a site's films, but such a file carries
none of what qualifies a cxr-edge model's figures: no calibration (its outputs read as edge reads them: a softmax
where they are logits, none where its last op is a softmax), no input check, no self-test, no fingerprints of the
films it was trained on (so none can be left out, and its figures may flatter it), and it is fed cxr-edge's own
preprocessing, which may not be the one it was trained with. Each is said once on stderr and in the report
(report.json's "foreign_model"), so that the figures are never read as a cxr-edge model's.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

from edge.digest import file_sha256
from edge.input_scale import PIXELS
from edge.model_graph import foreign_feed
from edge.output import said_name

# What a foreign model's report lacks, and why each matters: the words of stderr's note and report.md's section.
def lacks(scale: str = PIXELS) -> tuple[str, ...]:
    """What a foreign model's figures lack, it being fed on --input-scale ``scale`` (edge.input_scale)."""
    return ("no calibration (its outputs are read as edge-classify --labels reads them: a softmax over logits, none "
            "where the model ends in one or in a sigmoid's [1 - p, p]; no temperature)",
            "no input check (films unlike its training images are not flagged)",
            "no fingerprints of the films it was trained or validated on, so none of them can be left out: if any are "
            "among these films, its figures flatter it",
            f"fed cxr-edge's own preprocessing ({foreign_feed(scale)}), which may not be the one it was trained with: a "
            "model trained on films prepared otherwise scores worse here than it would as its makers run it")


LEFT_OUT = "no self-test, stored rule, model card, training record or per-source training figures (they need its metadata)"


def foreign_model(m: Any, path: Path, predict: Callable[[np.ndarray], np.ndarray],
                  prog: str) -> tuple[Callable[[np.ndarray], np.ndarray], dict]:
    """(predict, description) of the edge.model.EdgeModel ``m`` loaded with --labels, as convert.evaluate.model_for
    returns them. A file with cxr-edge metadata is refused: --labels would only rename its classes, and its own
    calibration, input check and fingerprints are what the report rests on."""
    from edge.card import card_head

    if not m.meta.get("foreign"):
        raise ValueError(f"--labels is for a .tflite without cxr-edge metadata; {said_name(str(path))} is cxr-convert's, "
                         f"with its own classes ({','.join(m.renamed_from or m.labels)}): leave --labels out")
    print(f"{prog}: warning: {said_name(str(path))} is a foreign model (no cxr-edge metadata), scored with the classes "
          f"--labels names: {'; '.join(lacks(m.input_scale))}; {LEFT_OUT}", file=sys.stderr)
    return predict, {
        "labels": m.labels, "preprocess": m.preprocess.to_dict(), "kind": f"tflite ({m.runtime}), foreign",
        "about": card_head(m.meta, None), "log_scores": m.log_scores, "synthetic_data": None, "synthetic_share": None,
        "typicality": None, "decision": None, "decision_chosen_on": None, "decision_films": None,
        "decision_record": None, "answers_from": (file_sha256(path), 1.0), "flagged_validation": None,
        "foreign": True, "outputs": "probabilities" if m.outputs_probabilities else "logits", "input_scale": m.input_scale}


def foreign_record(info: dict) -> dict | None:
    """report.json's "foreign_model": what its figures lack, or None for a cxr-edge model (docs/json-fields.md)."""
    if not info.get("foreign"):
        return None
    return {"calibration": None, "outputs_read_as": info["outputs"], "input_check": False,
            "seen_films_checked": False, "preprocessing": "cxr-edge's own (may not be the model's)",
            "input_scale": info["input_scale"],  # --input-scale: the values each pixel was fed as
            "left_out": ["self-test", "stored rule", "model card", "training record", "per-source training figures"]}


def foreign_lines(record: dict | None) -> list[str]:
    """report.md's section on a foreign model (report.json's "foreign_model": ``record``), before its figures; none
    for a cxr-edge model."""
    if not record:
        return []
    return (["## A foreign model", "",
             "This model has no cxr-edge metadata (it was not made by cxr-convert); its classes are the ones "
             "`--labels` named, in the order of its outputs. Its figures below have:", ""]
            + [f"- {lack[0].upper()}{lack[1:]}." for lack in lacks(record.get("input_scale", PIXELS))] + [f"- {LEFT_OUT[0].upper()}{LEFT_OUT[1:]}.", ""])
