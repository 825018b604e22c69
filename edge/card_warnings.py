"""The card's warnings that edge-classify also says when it classifies: a failed gate, overconfident probabilities,
a test balanced accuracy no better than chance, a shortcut in the training data.

One home for each, so the card and the classify-time notes (edge.model_notes) cannot word them differently.
"""

from __future__ import annotations

from typing import Any

from edge.card_figures import _num
from edge.class_key import same_class_key
from edge.figures import against_chance


def failed_gate(meta: dict[str, Any]) -> str | None:
    """The card's line where the file failed cxr-convert's gate (quantization cost more than allowed), else None:
    said by edge-classify too, which ran such a file without a word."""
    v = meta.get("validation") if isinstance(meta.get("validation"), dict) else {}
    gate = v.get("gate") if isinstance(v.get("gate"), dict) else {}
    return str(gate.get("text") or "this file FAILED cxr-convert's gate") if gate.get("passed") is False else None


def calibration_warning(meta: dict[str, Any]) -> str | None:
    """What cxr-train found of the file's probabilities (convert.gate.calibration_line, stored by cxr-convert in its
    card: validation.calibration_warning), said once on the card and by edge-classify; None for a file without it."""
    v = meta.get("validation") if isinstance(meta.get("validation"), dict) else {}
    line = v.get("calibration_warning")
    return line if isinstance(line, str) and line.strip() else None


def new_site_words(labels: list[str]) -> str:
    """What a give-away in the data folder means at a new site. The one measured figure (README, 'How good is
    it?') is a COVID vs Normal model's on cxr-dev: cited only for a file of that task, and said whose it is,
    since it was never measured for other class sets nor for this file's own data."""
    if sorted(map(same_class_key, labels)) == ["covid", "normal"]:  # COVID-19 / NORMAL as well
        return ("Expect lower figures at a new site, possibly far lower: a COVID vs Normal model on cxr-dev called "
                "only 6% to 10% of the healthy films of a source never seen in training Normal (README, 'How good is it?').")
    return ("Expect lower figures at a new site, possibly far lower: a model that learned where its films come from "
            "can fail on films from a source it has not seen.")


def chance_verdict(meta: dict[str, Any]) -> str:
    """Where the interval of the file's test balanced accuracy lies against chance: "below" (wholly: systematically
    wrong), "reaches" (its test films do not show that it tells the classes apart) or "above" (also where the file
    holds no such interval). Said on the card and by edge-classify at classify time."""
    labels = meta.get("labels") or []
    v = meta.get("validation") if isinstance(meta.get("validation"), dict) else {}
    t = v.get("test") if isinstance(v.get("test"), dict) else {}
    ba = t.get("balanced_accuracy") or []
    if not (isinstance(ba, list) and len(ba) == 3 and ba[1] is not None and ba[2] is not None and len(labels) > 1):
        return "above"
    return against_chance(ba[1], ba[2], 1 / len(labels))


def shortcut_warning(a: dict | None, labels: list[str]) -> str | None:
    """What a shortcut audit that warned means, in the card's words (its audit as convert.card.card_audit keeps it),
    after "Warning: ": said on the card and at the top of cxr-convert's report.md, where it was once only at line
    ~200 under the training data while the card led with it. None where the audit gave no warning."""
    if not (isinstance(a, dict) and a.get("warn")):
        return None
    return (f"in its data folder, the files alone (source, format, size, borders) predicted the class with balanced "
            f"accuracy {_num(a['balanced_accuracy'])} (chance {_num(a['chance'])})"
            + (f", e.g. {'; '.join(a['give_aways'])}" if a.get("give_aways") else "")
            + ". " + new_site_words(labels))
