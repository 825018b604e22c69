"""A watch's notes log opened by systemd's StandardError=file: on a log with earlier notes (O_WRONLY, no O_TRUNC, no
O_APPEND): the notes said at the watch's start (the model's, 'watching ...') were written from offset 0 over the
earlier ones, since the watch made standard error appending only once it began writing answers (review 72v)."""

from __future__ import annotations

import os
import signal

from tests.test_watch_log_rotation import _film, _wait_for, _watch


def test_a_notes_log_opened_without_append_keeps_its_earlier_notes(model_dir, tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    answers, notes = tmp_path / "answers.jsonl", tmp_path / "watch.log"
    earlier = "".join(f"an earlier watch's note {i:02d}\n" for i in range(40))
    notes.write_text(earlier)
    err = os.open(notes, os.O_WRONLY | os.O_CREAT, 0o644)  # systemd's StandardError=file:
    try:
        proc = _watch(model_dir, incoming, answers, err)
        try:
            _wait_for(answers, "a.png")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    finally:
        os.close(err)
    text = notes.read_text()
    assert text.startswith(earlier), text[:200]  # was overwritten from its first byte by the start's notes
    assert "summary: 1 " in text[len(earlier):] and proc.returncode == 0
