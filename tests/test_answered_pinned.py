"""edge.answered pinned where a change would skip a film that must be answered again, answer again one that must
be skipped, or say so wrongly (found by hand mutation testing: each test here failed with one small change to
answered_times, missing_logs, model_notes, timeless_note, already_answered or Skip in place, which the fast
tests of tests/test_answered.py and tests/test_watch_refusals.py let through)."""

from __future__ import annotations

import json
import os

from edge.answered import (Answer, Skip, already_answered, answered_times, logs_named, model_notes, timeless_note,
                           unanswered_note)
from edge.missing_logs import missing_logs
from tests.test_answered import _at, _written


def log_of(tmp_path, *records) -> os.PathLike:
    log = tmp_path / "answers.jsonl"
    log.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return log


def test_later_lines_without_a_stamp_do_not_undo_a_stamped_or_timed_answer(tmp_path):
    """A stamped answer, then one with a time only (a batch's log given too), then a line with neither: the film's
    stamp still decides; a time-only answer after a later one keeps the later time; a line with neither a label
    nor an error (no answer) leaves the answer before it."""
    log = log_of(tmp_path,
                 {"file": "a.png", "label": "COVID", "time": _at(5000), "written": _written(10, 5, 6)},
                 {"file": "a.png", "label": "Normal", "time": _at(9000)},
                 {"file": "a.png", "label": "Normal"},
                 {"file": "b.png", "label": "COVID", "time": _at(9000)},
                 {"file": "b.png", "label": "COVID", "time": _at(4000)},
                 {"file": "b.png", "label": "COVID"},
                 {"file": "b.png", "time": _at(9500)})
    answers = answered_times(log)
    assert answers["a.png"] == Answer(5000.0, (10, 5, 6), None, "COVID")
    assert answers["b.png"] == Answer(9000.0, None, None, "COVID")


def test_a_refusal_without_its_films_stamp_is_no_answer(tmp_path):
    """--refuse-atypical: a refusal counts as answered only with the film's stamp and the model file named."""
    model = "ab" * 32
    log = log_of(tmp_path, {"file": "a.png", "atypical": True, "error": "refused", "time": _at(9000), "model_sha256": model},
                 {"file": "b.png", "atypical": True, "error": "refused", "time": _at(9000), "model_sha256": model,
                  "written": _written(10, 5, 6)})
    assert list(answered_times(log, refusals=True)) == ["b.png"]


def test_a_log_of_json_answers_with_a_stray_text_line_is_read(tmp_path):
    """A line of other text (a shell's 'nohup: ignoring input') among JSON answers: the answers count."""
    log = log_of(tmp_path, "nohup: ignoring input", {"file": "a.png", "label": "COVID", "time": _at(9000)})
    assert list(answered_times(log)) == ["a.png"]


def test_an_answer_logged_in_the_second_after_the_write_counts_as_before_it():
    """Whole seconds: an answer at exactly write + 1 s may still be before it; answered again."""
    answers = {"a.png": Answer(1001.0, None)}
    assert not already_answered(answers, "a.png", (10, 1000 * 10**9, 1, 0))
    assert already_answered(answers, "a.png", (10, 999 * 10**9, 1, 0))


def test_missing_logs_names_rotated_copies_beside_and_not_the_ones_given(tmp_path):
    for name in ("answers.jsonl", "answers.jsonl-20261206", "answers.jsonl-20261207", "answers.jsonl.2.gz"):
        (tmp_path / name).write_text("")
    given = [tmp_path / "answers.jsonl", tmp_path / "answers.jsonl.1", tmp_path / "answers.jsonl.2.gz"]
    there, warnings = missing_logs(given)
    assert there == [tmp_path / "answers.jsonl", tmp_path / "answers.jsonl.2.gz"] and len(warnings) == 1
    assert warnings[0].startswith(f"warning: --skip-answered {tmp_path / 'answers.jsonl.1'}: no such file: its answers "
                                  f"are not read; beside it: {tmp_path / 'answers.jsonl-20261206'}, "
                                  f"{tmp_path / 'answers.jsonl-20261207'} (logrotate"), warnings[0]
    for name in ("answers.jsonl.3", "answers.jsonl.4"):  # four beside: all named, no "..."
        (tmp_path / name).write_text("")
    assert f"{tmp_path / 'answers.jsonl.4'} (logrotate" in missing_logs(given)[1][0]
    (tmp_path / "answers.jsonl.5").write_text("")
    assert f"{tmp_path / 'answers.jsonl.4'}, ... (logrotate" in missing_logs(given)[1][0]


def test_the_log_standard_output_writes_to_counts_as_there_before_it_is_written(tmp_path):
    log = tmp_path / "answers.jsonl"
    assert missing_logs([log], own=os.path.abspath(log)) == ([log], [])
    assert logs_named([]) == "any log (none given was there to read)"


def test_answers_without_a_time_are_said_once_and_apart(tmp_path):
    """A film answered without a time is timeless_note's to say (answered again), not model_notes' (skipped) nor
    unanswered_note's (no answer at all)."""
    answers = {"old.png": Answer(None, None, None, "COVID"), "timed.png": Answer(9000.0, None, None, "COVID")}
    model = ("ab" * 32, ["COVID", "Normal"])
    log = tmp_path / "answers.jsonl"
    notes = model_notes(answers, model, log)
    assert len(notes) == 1 and notes[0].startswith(f"warning: {log} holds 1 answer that does not say"), notes
    films = ["old.png", "timed.png", "new.png"]
    assert timeless_note(films, answers, [log], ["in"]).startswith(f"note: {log} holds answers to 1 film in in/ without")
    assert unanswered_note(films, answers, [log], ["in"]).startswith("note: 1 film in in/ has no answer in")


def test_skip_counts_a_changed_film_once_and_not_another_models_or_a_timeless_answer():
    this, other = "ab" * 32, "cd" * 32
    stamp = (10, 5, 6)
    answers = {"a.png": Answer(9000.0, stamp, this, "COVID"), "b.png": Answer(9000.0, stamp, other, "COVID"),
               "c.png": Answer(None, None, None, "COVID")}
    skip = Skip(answers, (this, ["COVID", "Normal"]))
    changed = (11, 5, 1, 6)
    assert not skip("a.png", changed) and not skip("a.png", changed)  # the same changed film seen twice
    assert not skip("b.png", changed) and not skip("c.png", changed)
    assert skip.note() == ("note: 1 film answered before has changed since (a new film under an old name?): answered "
                           "again; the log now holds both answers, the newest line is the current one")
    assert skip.note() is None
    assert skip("a.png", (10, 5, 1, 6)) is True
