"""A file that never settles under a watch is named once (edge.watch_stuck)."""

from __future__ import annotations

import json
import os

from edge.watch import Watcher
from edge.watch_stuck import StillChanging
from tests.test_watch_restarts import _png


def test_a_file_that_keeps_changing_is_named_once_and_forgotten_once_it_settles(tmp_path):
    w, changing, minute = Watcher([tmp_path]), StillChanging(), 60 * 10**9
    grow = tmp_path / "grow.png"
    (tmp_path / "done.png").write_bytes(b"x" * 10)
    said = []
    for k in range(5):  # appended to between every two polls
        with open(grow, "ab") as f:
            f.write(b"x" * (k + 1))
        assert str(grow) not in w.poll()
        said.append(changing.note(w.pending, k * minute, 3 * minute))
    assert said[:3] == [None] * 3 and said[4] is None
    assert said[3] == (f"warning: 1 file has kept changing for 3 minutes ({grow}): it is answered only once it stops "
                       "(a copy that never ends, or a file written to for ever?)")
    assert w.poll() == [str(grow)]  # it stopped: answered, and forgotten
    assert changing.note(w.pending, 10 * minute, 3 * minute) is None and changing.since == {}


def test_a_watch_names_a_film_that_never_stops_changing(model_dir, tmp_path, monkeypatch):
    """A copy that never ends was never answered, and never named: the log showed nothing of it."""
    from typer.testing import CliRunner

    import edge.watch as watch_module
    import edge.watch_timing as timing
    from edge.cli import app

    monkeypatch.setattr(timing, "STILL_CHANGING_NS", 1)  # a file changing over two polls
    _png(tmp_path / "a.png")
    grow = tmp_path / "grow.png"

    def polls(watcher, interval, sleep=None):
        for k in range(4):
            with open(grow, "ab") as f:
                f.write(os.urandom(k + 1))
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    r = CliRunner().invoke(app, [str(tmp_path), "--watch", "--json", "--model", str(model_dir / "compact" / "model_int8.tflite")])
    assert r.exit_code == 0 and [json.loads(x)["file"] for x in r.stdout.splitlines()] == [str(tmp_path / "a.png")]
    assert r.stderr.count(f"warning: 1 file has kept changing for 1 minute ({grow})") == 1, r.stderr
