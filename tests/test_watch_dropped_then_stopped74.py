"""A watch ended by a stop, a stop Python dropped just before it (between two polls' checks) being the same user's:
one summary, exit 0. Up to review 74e the watch caught the second stop itself, inside edge.interrupts.kept_interrupts,
so the dropped one stayed pending, and run_app then said the late-stop line after the summary and exited 130."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# classify_files of the watch's first arrivals, then a stop dropped (as keep_lost_stops' hook records one) and another
# raised before the next poll's check: real answers, a real KeyboardInterrupt into the watch's own handling
_DROPPED_THEN_STOPPED = """
import edge.answering as answering
from edge import interrupts

real = answering.classify_files

def classify_then_stopped(m, arrived, *args, **kwargs):
    yield from real(m, arrived, *args, **kwargs)
    if not arrived:  # a poll that found no film settled yet
        return
    interrupts._lost.append("<a weakref callback>")
    raise KeyboardInterrupt

answering.classify_files = classify_then_stopped
from edge.entry import edge_classify
edge_classify()
"""


def test_a_watch_stopped_after_a_dropped_stop_says_one_summary_and_exits_0(tiny_run, films, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(films[0], folder / "a.png")
    done = subprocess.run([sys.executable, "-c", _DROPPED_THEN_STOPPED, str(folder), "--watch", "--interval", "0.2",
                           "--json", "--model", str(tiny_run / "model_int8.tflite")],
                          cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "summary:" in done.stderr, done.stderr
    assert "interrupted" not in done.stderr, done.stderr
    assert len(done.stdout.splitlines()) == 1, done.stdout
