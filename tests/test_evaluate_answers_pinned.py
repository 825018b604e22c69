"""convert.evaluate_answers pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change in place, which every earlier test of cxr-evaluate's bootstrap note let through)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from convert.evaluate_answers import BOOTSTRAP_NOTE_WORK, say_bootstrap_time


def _films(n: int, sources: list[str], groups: dict | None = None) -> SimpleNamespace:
    one_each = [SimpleNamespace(source=source) for source in sources]
    items = (one_each * (n // len(sources) + 1))[:n]
    return SimpleNamespace(y=np.zeros(n, np.uint8), groups=groups, scan=SimpleNamespace(items=items))


def _said(capsys, n: int, sources: list[str], groups: dict | None = None, quiet: bool = False, n_boot: int = 1000) -> str:
    say_bootstrap_time(SimpleNamespace(quiet=quiet, n_boot=n_boot), _films(n, sources, groups))
    return capsys.readouterr().err


def test_the_note_comes_past_2e9_films_times_resamples_times_intervals_not_at_it(capsys):
    """1,000,000 films of one source at 1,000 resamples are 2e9 (the set and the source): at the limit, no note;
    one film more, the note, with its figures in thousands."""
    assert BOOTSTRAP_NOTE_WORK == 2_000_000_000
    assert _said(capsys, 1_000_000, ["A"]) == ""
    assert "1,000 bootstrap resamples of 1,000,001 films, for the whole set and each of 1 group" in \
        _said(capsys, 1_000_001, ["A"])


def test_films_of_no_source_are_no_group_and_each_by_value_is_one(capsys):
    """A blank source is no group; a --by column of 3 values is 3 groups, not 1: 500,004 films at 1,000 resamples
    need 3 intervals past the set's to pass 2e9."""
    assert _said(capsys, 700_000, ["", "A"]) == ""  # the set and A: 1.4e9
    said = _said(capsys, 500_004, [""], groups={"ward": ["a", "b", "c", "a"] * 125_001})
    assert "each of 3 groups (sources, --by)" in said


def test_quiet_says_nothing(capsys):
    assert _said(capsys, 3_000_000, ["A"], quiet=True) == ""
