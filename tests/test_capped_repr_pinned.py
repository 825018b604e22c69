"""Pinned edges of edge.capped_repr found by mutation testing: the exact length kept, and the shortest repeat."""

from __future__ import annotations

from edge.capped_repr import LONGEST, capped_text, error_text


def test_80_characters_are_kept_whole_and_81_are_cut_to_60_and_the_length():
    assert LONGEST == 80
    assert capped_text("x" * 80) == "x" * 80
    assert capped_text("y" * 81) == "y" * 60 + "... (81 characters)"  # LONGEST - 20 kept, then the count


def test_a_piece_of_exactly_4_characters_repeated_is_that_piece():
    """'abcd' three times: its shortest repeat is 4 characters, the least a piece may be."""
    assert error_text("abcdabcdabcd") == "abcd"
    assert error_text("abcabcabc") == "abcabcabc"  # 3 characters: no sentence, left whole
