"""edge.notes_log.NotesPlace pinned case by case (mutation survivors of session 73): a notes log of its own is judged
(not one shared with the answers, 2>&1), said once for each place it went, taken up again after a create rotation, and
said again after a later rotation to the same name."""

from __future__ import annotations

import os
import sys

from edge.notes_log import NotesPlace


def _streams(tmp_path, monkeypatch, shared: bool = False):
    notes = tmp_path / ("answers.jsonl" if shared else "watch.log")
    out = open(tmp_path / "answers.jsonl", "a")
    err = open(notes, "a")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    return notes, out, err


def test_notes_sharing_the_answers_file_are_left_to_the_answers_log(tmp_path, monkeypatch):
    notes, out, err = _streams(tmp_path, monkeypatch, shared=True)
    with out, err:
        place = NotesPlace()
        os.rename(notes, tmp_path / "answers.jsonl.1")
        notes.touch()
        assert place.check() is None


def test_a_notes_log_where_it_was_is_said_nothing_of_empty_or_not(tmp_path, monkeypatch):
    notes, out, err = _streams(tmp_path, monkeypatch)
    with out, err:
        place = NotesPlace()
        assert place.check() is None  # empty: no rotation made it
        err.write("a note\n")
        err.flush()
        assert place.check() is None


def test_a_moved_log_is_said_once_then_taken_up_then_said_again_after_the_next_rotation(tmp_path, monkeypatch):
    notes, out, err = _streams(tmp_path, monkeypatch)
    moved = tmp_path / "watch.log.1"
    with out, err:
        place = NotesPlace()
        os.rename(notes, moved)
        warning = place.check()
        assert warning.startswith(f"warning: standard error's file {notes} was moved to {moved}") and \
            f"notes go to {moved}, not to {notes}" in warning
        assert place.check() is None  # said once for this place
        notes.touch()
        note = place.check()
        assert note.startswith(f"note: standard error's file {notes} was moved to {moved}") and "go on into" in note
        os.rename(notes, moved)  # the next rotation, to the same name (rotate 1)
        assert place.check().startswith(f"warning: standard error's file {notes} was moved to {moved}")


def test_a_removed_log_is_said_removed(tmp_path, monkeypatch):
    notes, out, err = _streams(tmp_path, monkeypatch)
    with out, err:
        place = NotesPlace()
        os.remove(notes)
        warning = place.check()
        assert f"{notes} was removed" in warning and "notes go into a deleted file" in warning
        notes.touch()
        assert place.check().startswith(f"note: standard error's file {notes} was removed (a rotation")
