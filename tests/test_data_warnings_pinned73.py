"""train.data_warnings pinned case by case (mutation survivors DW of session 73): a data phase keeps each warning once,
in the order said, and nothing else it says; a data phase inside another keeps its own; a finished one hears no more;
a record's list is taken only as hearing() writes it."""

from __future__ import annotations

from train.data_warnings import heard, hearing, recorded_warnings


def test_each_warning_kept_once_in_order_and_nothing_else():
    with hearing() as said:
        for line in ("warning: 3 copies", "note: 12 films", "warning: a shortcut", "warning: 3 copies",
                     "warnings are in prepared.json", "error: none"):
            heard(line)
    assert said == ["warning: 3 copies", "warning: a shortcut"]


def test_the_innermost_data_phase_hears_and_a_finished_one_no_more():
    with hearing() as outer:
        with hearing() as inner:
            heard("warning: inner")
        heard("warning: outer")
    heard("warning: after")
    assert inner == ["warning: inner"] and outer == ["warning: outer"]


def test_a_records_list_as_hearing_writes_it():
    assert recorded_warnings(["warning: 3 copies"]) == ["warning: 3 copies"] and recorded_warnings([]) == []
    for damaged in ("warning: one line", ["copies"], [3], None, {"warning: a": 1}):
        assert recorded_warnings(damaged) is None
