"""edge.model_notes pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change to rule_record, tell_rule, tell_model or their checks in place, which tests/test_rule_note.py and the
other tests of the module that need no trained run let through; the notes are otherwise seen only through whole
edge-classify runs). The model stands in as its metadata alone: these notes read nothing else of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest

from edge.model_notes import rule_record, tell_model, tell_rule

LABELS = ["COVID", "Normal"]
CHOSEN = "chosen for 0.95 sensitivity on the validation"


@dataclass
class Held:
    """What tell_model and tell_rule read of an opened model: its labels, metadata and input check."""

    meta: dict[str, Any] = field(default_factory=dict)
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    typicality: Optional[object] = "a check"


def _meta(rule_on_test=None, test=None, validation=None) -> dict:
    v = {"test": test or {"n": 10, "per_class": {"COVID": {"n": 4}}}, "rule_on_test": rule_on_test}
    return {"decision": {"class": "COVID", "threshold": 0.2, "target_sensitivity": 0.95, "chosen_on": "validation",
                         "n_positive": 4},
            "validation": v if validation is None else validation}


REACHED = {"class": "COVID", "threshold": 0.2, "sensitivity": [1.0, 0.51, 1.0]}


def test_the_meta_helper_gives_the_test_figures_it_is_built_for():
    assert rule_record(_meta(REACHED)).startswith(f"{CHOSEN}; on the test split's 4 COVID films it reached")


def test_a_validation_record_that_is_no_mapping_gives_the_target_alone():
    assert rule_record(_meta(validation=["damaged"])) == CHOSEN


def test_a_class_row_without_a_count_of_films_gives_the_target_alone():
    """Without the class's films the figure has no 'of how many' to go with it: not 'the test split's None films'."""
    assert rule_record(_meta(REACHED, test={"n": 10, "per_class": {"COVID": {}}})) == CHOSEN


def test_a_split_said_to_hold_fewer_films_than_the_class_gives_no_count_of_other_films():
    got = rule_record(_meta({**REACHED, "specificity": [0.5, 0.3, 0.7]}, test={"n": 2, "per_class": {"COVID": {"n": 4}}}))
    assert got.endswith("specificity 0.500 (0.300 to 0.700)")


def test_a_specificity_that_is_not_three_numbers_is_left_out():
    assert rule_record(_meta({**REACHED, "specificity": [0.5]})).endswith("sensitivity 1.000 (0.510 to 1.000)")


@pytest.mark.parametrize("other", [{"class": "Normal"}, {"threshold": 0.202}, {"sensitivity": [1.0, 0.51]}],
                         ids=["another class", "another threshold", "no interval"])
def test_figures_of_another_rule_or_without_an_interval_do_not_vouch_for_the_stored_one(other):
    assert rule_record(_meta({**REACHED, **other})) == CHOSEN


def _said(capsys) -> str:
    return capsys.readouterr().err


def test_a_users_own_threshold_is_not_announced_as_the_files_rule(capsys):
    tell_rule(Held(_meta(REACHED)), (0, 0.2), given=True)
    assert _said(capsys) == ""
    tell_rule(Held(_meta(REACHED)), (0, 0.2), given=False)
    assert _said(capsys).startswith("edge-classify: note: this model file gives COVID whenever p(COVID) >= 0.2")


def test_a_rule_at_exactly_one_half_is_not_said_to_be_above_it(capsys):
    tell_rule(Held(), (0, 0.5), given=True)
    assert _said(capsys) == ""


def test_a_users_own_threshold_above_one_half_is_said_to_find_fewer_films(capsys):
    tell_rule(Held(), (0, 0.7), given=True)
    assert "note: COVID>=0.7 is above 0.5: it gives COVID less often" in _said(capsys)


def test_the_files_rule_is_said_with_what_it_was_chosen_for(capsys):
    tell_rule(Held(_meta(REACHED)), (0, 0.2), given=False)
    assert f"({CHOSEN}; on the test split's 4 COVID films" in _said(capsys)


def test_a_foreign_model_says_it_has_no_metadata_and_its_clipped_input_and_no_missing_input_check(capsys):
    m = Held({"foreign": True}, typicality=None)
    m.input_clipped = "its input is clipped"
    tell_model(m, Path("m.tflite"))
    err = _said(capsys)
    assert "warning: m.tflite has no cxr-edge metadata" in err
    assert "edge-classify: warning: m.tflite: its input is clipped\n" in err
    assert "carries no input check" not in err  # said in the first warning's 'without ... input check'
    assert "probability is the model's score, uncalibrated: not this patient's chance of disease" in err
    assert "--card says" not in err


def test_a_cxr_edge_file_without_an_input_check_says_so_and_its_probabilities_are_calibrated(capsys):
    tell_model(Held({}, typicality=None), Path("m.tflite"))
    err = _said(capsys)
    assert "note: m.tflite carries no input check" in err
    assert ("a probability is the model's score, calibrated on films whose mix of classes is not your clinic's: not "
            "this patient's chance of disease (edge-classify --card says what the model scored") in err


def test_a_synthetic_model_and_a_failed_gate_are_said(capsys):
    tell_model(Held({"synthetic_data": True, "validation": {"gate": {"passed": False, "text": "gate FAILED: 0.41"}}}),
               Path("m.tflite"))
    err = _said(capsys)
    assert "note: this model was trained on SYNTHETIC images; its output means nothing for real X-rays" in err
    assert "edge-classify: warning: m.tflite: gate FAILED: 0.41\n" in err


@pytest.mark.parametrize("interval, words", [([0.3, 0.2, 0.4], "lies wholly below chance"),
                                             ([0.6, 0.45, 0.75], "reaches chance: its answers may not tell"),
                                             ([0.9, 0.8, 0.95], None)])
def test_a_file_at_or_below_chance_is_said_which(capsys, interval, words):
    tell_model(Held({"labels": LABELS, "validation": {"test": {"balanced_accuracy": interval}}}), Path("m.tflite"))
    err = _said(capsys)
    if words is None:
        assert "balanced accuracy" not in err
    else:
        assert f"warning: m.tflite: on its test split its balanced accuracy's interval {words}" in err


def test_the_probability_note_ends_with_what_the_models_normal_class_means(capsys):
    tell_model(Held({}, labels=["COVID", "Pneumonia"]), Path("m.tflite"))
    assert "this model has no normal class: every film, a healthy one too, gets COVID or Pneumonia" in _said(capsys)


def test_a_stored_target_of_zero_is_said_as_recorded():
    """0 is a target a file can record (recorded_target keeps it): not 'not recorded'."""
    assert rule_record({"decision": {"class": "COVID", "threshold": 0.2, "target_sensitivity": 0}}).startswith(
        "chosen for 0 sensitivity")
