"""edge.flagged_once's FlaggedOnce without a model: the warning's words at the first flagged film, None after it, and
again once after each again() (a watch's --tally-every line). tests/test_flagged_once.py runs real models."""

from __future__ import annotations

from edge.flagged_once import MARK, FlaggedOnce, flagged_words
from edge.typicality import FLAGGED


def test_the_words_are_said_at_the_first_flagged_film_and_not_after():
    once = FlaggedOnce("1 ordinary film in 100", more=True)
    assert once.words("a.png") == flagged_words("a.png", "1 ordinary film in 100", True)
    assert once.words("b.png") is None and once.words("c.png") is None


def test_again_says_them_once_more_at_the_next_flagged_film():
    once = FlaggedOnce("x", more=True)
    once.again()  # a tally line before any flagged film: the first is still said, once
    assert once.words("a.png") is not None and once.words("b.png") is None
    once.again()
    assert "warning: c.png:" in once.words("c.png") and once.words("d.png") is None


def test_the_words_name_the_film_and_say_the_mark_only_where_more_films_may_follow():
    single = FlaggedOnce("1 in 100", more=False).words("one.png")
    assert single == (f"warning: one.png: {FLAGGED}: upside down, inverted, rotated, not a chest X-ray, another "
                      "population? (1 in 100); look at it before trusting its label")
    assert FlaggedOnce("1 in 100", more=True).words("one.png") == (
        f"{single}; the films it flags after this one are not warned of again: their answer lines end in '{MARK}', "
        "and the summary counts them")
