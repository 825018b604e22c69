"""convert.source_training pinned (hand mutation testing, session 71): films without a source found among the
training films name no source trained on ("(not given)" is no site), and a held-out source's name with a control
character is escaped in the terminal's line, as the not-in-training names are."""

from __future__ import annotations

from types import SimpleNamespace

from convert.source_training import seen_sources, training_line
from train.manifest import NOT_GIVEN


def test_films_without_a_source_found_in_training_name_no_source():
    items = [SimpleNamespace(path="a.png", source=NOT_GIVEN), SimpleNamespace(path="b.png", source="sitea"),
             SimpleNamespace(path="c.png", source="siteb")]
    note = {"seen_films": [{"file": "a.png"}, {"file": "b.png"}]}
    assert seen_sources(note, items) == ["sitea"]


def test_a_held_out_source_with_a_control_character_is_escaped_in_the_terminal_line():
    line = training_line({"site\x1b[2Jb": {"in_training": "held out"}, "sitec\x1b": {"in_training": "not in training"}},
                         "site")
    assert line is not None and "\x1b" not in line and "site\\u001b[2Jb: held out of training" in line
