"""Metadata edits a fuzz of a converted file's cxr_edge.json found (H50): each is refused naming its field, where
it had ended in 'unexpected OverflowError' or blamed this device's Pillow. JSON's integers have no limit
(10**400 is a valid number), and a whole number written as 64.0 passed the input's shape check."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import numpy as np
import pytest

from edge.decision import stored_rule
from edge.metadata import ModelFileError, split
from edge.preprocess import PreprocessConfig
from edge.typicality import Typicality

FLATBUFFER = b"\0\0\0\0TFL3" + bytes(range(256)) * 4  # split reads the identifier and the checksum only


def _file(**change) -> bytes:
    """A model file whose cxr_edge.json holds these fields as given (json.dumps writes 10**400 and 64.0 as such)."""
    meta = {"format": "cxr-edge/1", "labels": ["COVID", "Normal"], "preprocess": PreprocessConfig(size=64).to_dict(),
            "temperature": 1.3, "tflite_bytes": len(FLATBUFFER), "tflite_sha256": hashlib.sha256(FLATBUFFER).hexdigest()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("cxr_edge.json", json.dumps({**meta, **change}))
    return FLATBUFFER + buf.getvalue()


@pytest.mark.parametrize("change, said", [
    ({"temperature": 10**400}, "temperature 1000"),  # float(t) overflowed after 0 < t < inf let it through
    ({"preprocess": {**PreprocessConfig(size=64).to_dict(), "size": 64.0}}, "preprocess.size is 64.0 (float), not a whole"),
    ({"preprocess": {**PreprocessConfig(size=64).to_dict(), "size": True}}, "preprocess.size is True (bool)"),
    ({"preprocess": {**PreprocessConfig(size=64).to_dict(), "channels": 1.0}}, "preprocess.channels is 1.0 (float)"),
])
def test_a_number_no_reader_can_use_is_refused_by_name(change, said):
    with pytest.raises(ModelFileError, match="model metadata is damaged: ") as e:
        split(_file(**change))
    assert said in str(e.value), str(e.value)


def test_a_stored_rules_threshold_too_large_for_a_float_is_a_malformed_rule():
    with pytest.raises(ValueError, match="its decision rule is malformed .*convert the model again"):
        stored_rule({"labels": ["COVID", "Normal"], "decision": {"class": "COVID", "threshold": 10**400}})


def _check(**change) -> dict:
    rng = np.random.default_rng(0)
    side, k = 4, 2
    return {"mean": rng.random(side * side).tolist(), "components": rng.random((k, side * side)).tolist(),
            "variances": [1.0, 0.5], "residual_variance": 0.1, "threshold": 3.0, "side": side, **change}


def test_an_input_check_whose_figures_overflow_a_float_is_damaged():
    Typicality.from_dict(_check())  # the check as written is read
    for change in ({"side": float("inf")}, {"threshold": 10**400}, {"residual_variance": 10**400}):
        with pytest.raises(ValueError, match="the input check's data are damaged"):
            Typicality.from_dict(_check(**change))


@pytest.mark.parametrize("change", [{"labels": "x" * 100_000}, {"format": "x" * 100_000}, {"output": "x" * 100_000}])
def test_a_100_kb_value_is_quoted_cut_short_in_the_one_error_line(change):
    with pytest.raises(ModelFileError, match="model metadata is damaged: ") as e:
        split(_file(**change))
    assert len(str(e.value)) < 400 and "(100,002 characters)" in str(e.value), str(e.value)[:400]


def test_a_stored_rules_100_kb_class_is_quoted_cut_short():
    with pytest.raises(ValueError, match="malformed") as e:
        stored_rule({"labels": ["COVID", "Normal"], "decision": {"class": "x" * 100_000, "threshold": 0.5}})
    assert len(str(e.value)) < 400, str(e.value)[:400]


def test_a_file_that_requires_a_rule_it_no_longer_stores_is_refused():
    """The rule deleted from the metadata by hand, 'requires' left: every film was labelled by the most probable class
    instead of the rule the file was given, and nothing said so (cxr-convert removes both together)."""
    with pytest.raises(ModelFileError, match="requires lists 'decision' but the file stores no decision rule") as e:
        split(_file(requires=["decision"]))
    assert "convert the model again" in str(e.value)
    for rule in (None, {"class": "COVID", "threshold": 0.3}):  # no rule and no requirement; a rule and its requirement
        split(_file(**({"decision": rule, "requires": ["decision"]} if rule else {})))


def test_an_input_checks_100_kb_figure_is_quoted_cut_short():
    with pytest.raises(ValueError, match="the input check's data are damaged") as e:
        Typicality.from_dict(_check(threshold="x" * 100_000))
    assert len(str(e.value)) < 400, str(e.value)[:400]


@pytest.mark.parametrize("probabilities", [None, 0.5, [[0.5, 0.5]]])
def test_self_test_probabilities_not_one_row_an_image_are_damaged_data(tiny_run, tmp_path, probabilities):
    """probabilities: null ended in 'unexpected IndexError' from --selftest and from every film's first answer."""
    from edge.metadata import attach
    from edge.model import EdgeModel, ModelFileError as Refused

    flatbuffer, meta, files = split((tiny_run / "model_int8.tflite").read_bytes())
    spec = json.loads(files["selftest.json"])
    path = tmp_path / "m.tflite"
    path.write_bytes(attach(flatbuffer, meta, {**files, "selftest.json": json.dumps({**spec, "probabilities": probabilities}).encode()}))
    with pytest.raises(Refused, match="its self-test data are damaged"):
        EdgeModel(path).selftest()


@pytest.mark.parametrize("target", [10**400, float("nan"), "0.9", True, None])
def test_a_stored_rules_target_no_float_holds_is_said_as_not_recorded(target):
    """A rule's target_sensitivity of 10**400 stopped edge-classify (its note on the rule) and --card with 'unexpected
    OverflowError'; text, true and NaN were left out already: each is now one case (edge.rule_shortfall.recorded_target)."""
    from edge.card import card_text
    from edge.rule_shortfall import recorded_target
    from edge.model_notes import rule_record

    d = {"class": "COVID", "threshold": 0.3, "target_sensitivity": target}
    meta = {"labels": ["COVID", "Normal"], "decision": d}
    assert recorded_target(d) is None and recorded_target({**d, "target_sensitivity": 0.95}) == 0.95
    assert rule_record(meta).startswith("the sensitivity it was chosen for is not recorded")
    assert card_text(meta, "m").endswith("\nLabels: COVID whenever p(COVID) >= 0.3, else the most probable of the other "
                                         "classes")  # no '(chosen for ... sensitivity ...)'
    assert "(chosen for 0.95 sensitivity" in card_text({**meta, "decision": {**d, "target_sensitivity": 0.95}}, "m")


@pytest.mark.parametrize("images", [[1, 2, 3], "abc", ["missing.png", "b.png", "c.png"]])
def test_self_test_images_the_file_does_not_hold_are_damaged_data_not_the_devices_fault(tiny_run, tmp_path, images):
    """selftest.json naming images the file lacks (or no list of names) was said as 'this device decodes or
    preprocesses the self-test's reference images otherwise ... the file is not at fault': the file was."""
    from edge.metadata import attach
    from edge.model import EdgeModel, ModelFileError as Refused

    flatbuffer, meta, files = split((tiny_run / "model_int8.tflite").read_bytes())
    spec = json.loads(files["selftest.json"])
    assert len(spec["images"]) == 3  # as the names above: one a reference image
    path = tmp_path / "m.tflite"
    path.write_bytes(attach(flatbuffer, meta, {**files, "selftest.json": json.dumps({**spec, "images": images}).encode()}))
    with pytest.raises(Refused, match="its self-test data are damaged \\(KeyError"):
        EdgeModel(path).selftest()
