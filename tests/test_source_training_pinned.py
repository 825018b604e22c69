"""convert.source_training pinned where a small change went unseen (hand mutation testing, session 68: each test
here failed with one such change in place, which tests/test_source_training.py let through)."""

from __future__ import annotations

from edge import metadata as md
from convert.source_training import held_out_source, training_role
from train.data import Split

FLATBUFFER = b"\0\0\0\0TFL3" + bytes(32)  # enough for edge.metadata to read the archive after it


def _tflite(tmp_path, held):
    path = tmp_path / "model_int8.tflite"
    path.write_bytes(md.attach(FLATBUFFER, {"labels": ["A", "B"], "temperature": 1.0,
                                          "preprocess": {"size": 64, "channels": 1}, "training": {"settings": {"holdout_source": held}}}))
    return path


def test_a_tflite_records_its_holdout_source_in_its_training_settings(tmp_path):
    assert held_out_source(_tflite(tmp_path, "siteB")) == "siteB"


def test_a_blank_holdout_source_is_none_in_a_tflite_and_in_split_json(tmp_path):
    """' ' held nothing out: marking every source whose name holds a space 'held out' would be false."""
    assert held_out_source(_tflite(tmp_path, "  ")) is None
    Split(str(tmp_path), ["A", "B"], {}, notes={"holdout_source": " "}).save(tmp_path / "split.json")
    assert held_out_source(tmp_path / "model.keras") is None
    Split(str(tmp_path), ["A", "B"], {}, notes={"holdout_source": "siteB"}).save(tmp_path / "split.json")
    assert held_out_source(tmp_path / "model.keras") == "siteB"


def test_a_source_the_record_says_was_trained_on_is_trained_on_even_where_its_name_holds_the_holdout_text():
    """--holdout-source b held out 'hospB'; 'Boston' is listed among the training films' sources, so it was trained
    on: calling its row 'held out of training' would make a trained-on site read as an external estimate."""
    trained = {"sources": {"Boston": 40}}
    assert training_role("Boston", trained, "b") == "trained on"
    assert training_role("hospB", trained, "b") == "held out"


def test_the_marks_the_note_and_the_terminal_line_say_each_role_in_its_own_words():
    from convert.source_training import mark_training, marks, training_line, training_note

    per = {"siteA": {}, "siteB": {}, "siteC": {}, "": {}}
    mark_training(per, {"training_sources": {"sources": {"siteA": 10}}, "holdout_source": "siteB"})
    assert [per[s].get("in_training") for s in per] == ["trained on", "held out", "not in training", None]
    assert marks(per) == {"siteA": "trained on", "siteB": "held out of training", "siteC": "not in training"}
    line = training_line(per, "siteB")
    assert "siteB: held out of training (cxr-train --holdout-source siteB)" in line and "siteC: not in training" in line
    note = " ".join(training_note(per, "siteB"))
    assert "**held out of training**" in note and "**not in training**" in note and "trained on a source" in note
    only_new = {"siteC": {"in_training": "not in training"}}
    assert "siteC: not in training" in training_line(only_new, None)
    assert training_note(only_new, None) and "held out of training**" not in " ".join(training_note(only_new, None))
    assert training_note({"siteA": {"in_training": "trained on"}}, "x") == []
    assert marks({"siteA": {"in_training": "odd"}}) == {}
