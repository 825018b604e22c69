"""Pinned cases of convert.study_design (report.json's study_design and its words), one per hand mutant that the
existing tests let live: the order and cap of a model's training sources, what a damaged split.json or a foreign
metadata value gives, 'and N more', and which kind a folder holding both seen films and training sources is."""

from __future__ import annotations

import json

import numpy as np

from convert.study_design import (MAX_SOURCES, _names, design_line, design_note, design_short, evaluation_design,
                                  trained_sources, training_sources)
from train.data import Item, Split

TRAINED = {"films": 10, "unnamed": 0, "sources": {"site-A": 7, "site-B": 3}, "more": 0}


def _item(source: str) -> Item:
    return Item(path="x.png", label="COVID", sha256="0" * 64, source=source)


def test_training_sources_are_kept_most_films_first_and_capped_with_the_rest_counted():
    split = Split("d", ["COVID"], {"train": [_item("b")] * 1 + [_item("a")] * 3 + [_item("c")] * 2, "val": []})
    assert list(training_sources(split)["sources"]) == ["a", "c", "b"]
    many = Split("d", ["COVID"], {"train": [_item(f"s{i:03d}") for i in range(MAX_SOURCES + 7)], "val": []})
    got = training_sources(many)
    assert (len(got["sources"]), got["more"], got["films"]) == (MAX_SOURCES, 7, MAX_SOURCES + 7)


def test_names_count_the_sources_left_unsaid_and_say_no_zero_more():
    assert _names({"a": 3, "b": 2}, "films") == "a (3 films), b (2 films)"
    assert _names({f"s{i}": 1 for i in range(5)}, "here").endswith("s4 (1 here)")  # all shown: not '... and 0 more'
    assert _names({f"s{i}": 1 for i in range(6)}, "films", more=4).endswith(" and 5 more")
    trained = {"films": 70, "unnamed": 0, "sources": {f"s{i}": 10 for i in range(7)}, "more": 3}  # capped in the file
    assert "s4 (10 films) and 5 more). A source named" in design_line(evaluation_design(trained, ["site-C"]))


def test_a_damaged_split_json_beside_a_model_gives_no_sources_rather_than_an_error(tmp_path):
    (tmp_path / "split.json").write_text(json.dumps({"classes": ["COVID"], "parts": {"train": [{"path": 1}]}}))
    assert trained_sources(tmp_path / "model.keras") is None
    (tmp_path / "split.json").write_text("[1, 2]")
    assert trained_sources(tmp_path / "model.keras") is None
    (tmp_path / "split.json").write_text("{not json")
    assert trained_sources(tmp_path / "model.keras") is None


def test_a_model_files_trained_sources_that_are_not_a_mapping_are_not_taken(tmp_path):
    """Metadata is read, never trusted: a list there went on as the model's sources (and broke the report)."""
    from edge import metadata as md
    from edge.preprocess import PreprocessConfig

    meta = {"labels": ["COVID", "Normal"], "preprocess": PreprocessConfig().to_dict(), "temperature": 1.0}
    flatbuffer = b"\0\0\0\0TFL3" + b"\0" * 24  # only the metadata is read here
    (tmp_path / "m.tflite").write_bytes(md.attach(flatbuffer, {**meta, "trained_sources": [1]}))
    assert trained_sources(tmp_path / "m.tflite") is None
    (tmp_path / "m.tflite").write_bytes(md.attach(flatbuffer, {**meta, "trained_sources": TRAINED}))
    assert trained_sources(tmp_path / "m.tflite") == TRAINED


def test_seen_films_of_a_folder_whose_films_name_training_sources_are_judged_by_the_names():
    d = evaluation_design(TRAINED, ["site-A"] * 3, seen_films=2)
    assert (d["kind"], d["reason"], d["seen_films"]) == ("internal", "sources", 2)
    mixed = evaluation_design(TRAINED, ["site-A", "site-C"], seen_films=2)
    assert (mixed["kind"], mixed["reason"]) == ("mixed", "sources")
    assert type(evaluation_design(TRAINED, ["site-C"], seen_films=np.int64(3))["seen_films"]) is int  # JSON-able


def test_films_that_all_name_no_source_are_not_said_to_be_partly_uncounted():
    """(_unnamed's ``films_named`` test is equivalent here: films that all name none are unknown, whose lines do not
    use it; kept against a later caller.)"""
    d = evaluation_design(TRAINED, ["", ""])
    assert "of the 2 films name no source" not in design_line(d) and "name no source and" not in design_short(d)
    one = evaluation_design(TRAINED, ["site-C", "site-C", ""])
    assert "no film here (1 of the 3 films names no source and is not counted) comes" in design_line(one)
    assert design_short(one) == ("external validation by source name: no film here (1 of the 3 films names no source "
                                 "and is not counted) comes from a source it was trained on")


def test_compare_explains_internal_figures_where_any_model_is_internal_or_partly():
    from convert.study_design import compared_lines

    internal, mixed = evaluation_design(TRAINED, ["site-A"]), evaluation_design(TRAINED, ["site-A", "site-C"])
    external = evaluation_design(TRAINED, ["site-C"])
    for designs in ({"A (a)": internal, "B (b)": external}, {"A (a)": mixed, "B (b)": external}):
        lines = compared_lines(designs)
        assert len(lines) == 3 and lines[-1].startswith("- Internal figures show how well a model fits those archives")
    assert len(compared_lines({"A (a)": external, "B (b)": external})) == 2


def test_the_terminal_note_of_a_partly_internal_folder_counts_its_films_by_source():
    d = evaluation_design(TRAINED, ["site-A", "site-C", "site-C"], seen_films=4)
    assert (d["kind"], d["reason"]) == ("mixed", "sources")
    assert design_note(d) == ("1 of the 3 films naming a source comes from a source the model was trained on: only the "
                              "others show how it does at a hospital it never saw (report.md, per source)")
    assert design_note(evaluation_design(TRAINED, ["site-C"])) is None  # external: nothing to warn of


def test_a_split_with_a_held_out_source_names_it_and_one_without_sources_lists_none():
    from convert.study_design import test_split_design, test_split_line

    split = Split("d", ["COVID"], {"train": [_item("a")] * 2, "val": [], "test": [_item("a")]},
                  notes={"holdout_source": "site-H"})
    d = test_split_design(split)
    assert d["holdout_source"] == "site-H" and "The source `site-H` was kept out of training" in test_split_line(d)
    unnamed = test_split_design(Split("d", ["COVID"], {"train": [_item("")] * 2, "val": [], "test": [_item("")]}))
    assert test_split_line(unnamed).startswith("**Internal validation:** the test films are a random part of the same "
                                               "folders as the training films: the same hospitals")
