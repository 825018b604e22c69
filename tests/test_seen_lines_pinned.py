"""convert.seen_lines pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change to seen_line or per_model in place, which the fast tests of tests/test_crop_copies.py,
tests/test_one_film_words.py and tests/test_compare*.py let through)."""

from __future__ import annotations

from convert.seen_lines import seen_line
from train.hygiene import COPY_CODE_BITS


def _note(**kw) -> dict:
    return {"split": "split.json", "films": 2, "train": 2, "val": 0, "copies": 0, "cropped": 0, "left_out": True, **kw}


def test_mirrored_or_padded_copies_alone_are_said_to_be_matched_by_their_copy_code():
    """Copies found only mirrored or only with a border added were matched by copy code as much as resized ones:
    the line says within how many bits, as it does for those."""
    code = f"(same copy code within {COPY_CODE_BITS} bits)"
    assert f"2 of them as mirrored copies {code}" in seen_line(_note(mirrored=2))
    assert f"2 of them as copies with a border added {code}" in seen_line(_note(padded=2))
    assert "copy code" not in seen_line(_note())  # the same bytes: no code compared


def test_one_film_of_the_folders_left_out_is_said_as_one():
    """'Of the films of the class folders left out, 1 was', never '1 were'; 2 'were'."""
    one = seen_line(_note(films=0, train=0), elsewhere=1)
    assert one.startswith("No film in the figures was found") and (
        " Of the films of the class folders left out, 1 was (\"Classes left out\" says more).") in one
    assert " left out, 2 were (" in seen_line(_note(films=0, train=0), elsewhere=2)


def test_two_models_films_seen_by_both_are_counted_with_a_thousands_separator():
    """Every count in the line reads 1,234: the films both models saw too."""
    note = _note(films=1500, train=1500, models=2, by_model={"A": {"films": 1200}, "B": {"films": 1300}}, both=1000)
    assert "; A saw 1,200 of them, B 1,300 (1,000 both); the figures are on the rest" in seen_line(note)
