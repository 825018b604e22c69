"""edge-classify's note on what a probability is, read beside the card it points to: for a model trained on
cxr-synth's drawings alone the note said its probabilities were "calibrated on films whose mix of classes is not your
clinic's" and that "--card says ... at which prevalence", while the card of such a model gives no prevalence (a
clinic's means nothing for drawings) and its calibration was fitted on drawings (review 73, a radiologist's
reading). A partly synthetic model and a real one keep the note on films and prevalence, which their card backs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest

from edge.card import card_text
from edge.model_notes import tell_model

LABELS = ["COVID", "Normal"]
PER_CLASS = {c: {"n": 40, "sensitivity": [0.8, 0.65, 0.9], "specificity": [0.85, 0.7, 0.93]} for c in LABELS}
TEST = {"n": 80, "balanced_accuracy": [0.82, 0.72, 0.9], "auroc_macro": [0.9, 0.8, 0.95], "ece": 0.05,
        "per_class": PER_CLASS}


@dataclass
class Held:
    """What tell_model reads of an opened model: its labels, metadata and input check."""

    meta: dict[str, Any] = field(default_factory=dict)
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    typicality: Optional[object] = "a check"


def _meta(**extra) -> dict:
    return {"labels": LABELS, "validation": {"data": "films", "test": TEST}, **extra}


def _note(meta: dict, capsys) -> str:
    tell_model(Held(meta), Path("m.tflite"))
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "not a medical device" in ln]
    assert len(lines) == 1, lines
    return lines[0]


def test_a_model_of_drawings_alone_is_not_said_calibrated_on_films_nor_to_have_a_prevalence_on_its_card(capsys):
    meta = _meta(synthetic_data=True)
    note = _note(meta, capsys)
    assert "calibrated on cxr-synth's drawings, not on films: not this patient's chance of disease" in note
    assert "calibrated on films" not in note and "prevalence" not in note
    assert "(edge-classify --card says what the model scored on drawings)" in note
    card = card_text(meta, "m.tflite")
    assert "prevalence" not in card.lower() and "PPV" not in card  # what the note no longer promises


@pytest.mark.parametrize("extra", [{}, {"synthetic_data": True, "synthetic_share": {"synthetic": 12, "of": 48}}],
                         ids=["real", "partly-synthetic"])
def test_a_model_of_films_keeps_the_prevalence_its_card_gives(capsys, extra):
    meta = _meta(**extra)
    note = _note(meta, capsys)
    assert ("calibrated on films whose mix of classes is not your clinic's: not this patient's chance of disease "
            "(edge-classify --card says what the model scored, and at which prevalence)") in note
    assert "PPV" in card_text(meta, "m.tflite")  # the prevalence the note points to is there
