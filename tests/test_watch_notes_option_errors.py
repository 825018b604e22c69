"""A watch's notes log opened by systemd's StandardError=file: (O_WRONLY, no O_APPEND, offset 0) on a log with earlier
notes: what was said before edge.cli made standard error appending (an option's error, Click's usage lines) was
written from offset 0 over the earlier notes (review 73). No model is loaded: the option is refused first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_ENTRY = "from edge.entry import edge_classify; edge_classify()"  # as the edge-classify console script starts


@pytest.mark.parametrize("start", [["-c", _ENTRY], ["-m", "edge.cli"]])
def test_an_option_error_of_a_watch_is_appended_to_its_notes_log(tmp_path, start):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    notes = tmp_path / "watch.log"
    earlier = "".join(f"an earlier watch's note {i:02d}\n" for i in range(40))
    notes.write_text(earlier)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "TF_CPP_MIN_LOG_LEVEL": "3"}
    err = os.open(notes, os.O_WRONLY)  # systemd's StandardError=file:
    try:
        r = subprocess.run([sys.executable, *start, str(incoming), "--watch", "--no-such-option"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=err, env=env, timeout=300)
    finally:
        os.close(err)
    text = notes.read_text()
    assert r.returncode == 2 and text.startswith(earlier), text[:300]  # was written over from its first byte
    assert "--no-such-option" in text[len(earlier):], text

