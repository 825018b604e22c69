"""train.source_column_hint pinned where a small change went unseen (hand mutation testing, session 68)."""

from __future__ import annotations

from train.source_column_hint import ByCommand, source_column_hint


def test_the_first_of_two_source_like_or_scanner_like_columns_is_named():
    assert "its column 'site' looks like one" in source_column_hint(["file", "label", "site", "hospital"])
    said = source_column_hint(["file", "label", "Scanner", "Manufacturer"])
    assert "its column 'Scanner' names the machine" in said and "cxr-evaluate --by Scanner" in said


def test_a_scanner_column_that_cannot_be_pasted_is_said_to_be_typed_by_hand_and_one_that_can_is_not():
    said = source_column_hint(["file", "label", "Scanner\n"], ByCommand("cxr-compare"))
    assert said.endswith("(type the name by hand: a line break or control character cannot be pasted)"), said
    assert "type the name by hand" not in source_column_hint(["file", "label", "Scanner"])
