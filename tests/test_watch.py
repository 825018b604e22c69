"""edge-classify --watch: films classified as they arrive, never half-copied, stopped cleanly."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from edge.watch import Watcher


def test_a_film_is_handed_out_once_it_has_settled_and_again_when_rewritten(tmp_path):
    w = Watcher([tmp_path], full_every=1)  # every file looked at each poll (the default: each 30th)
    film = tmp_path / "a.png"
    film.write_bytes(b"first half")
    assert w.poll() == []                      # first sight: it may still be copying
    with film.open("ab") as f:
        f.write(b" and the rest")              # it was: it grew
    assert w.poll() == []
    assert w.poll() == [str(film)]             # unchanged over one poll: settled
    assert w.poll() == []                      # handed out once
    os.utime(film, ns=(1, 1))                  # rewritten (another time)
    assert w.poll() == [] and w.poll() == [str(film)]
    data = film.read_bytes()
    film.unlink()                              # moved away once handled ...
    assert w.poll() == []
    film.write_bytes(data)
    os.utime(film, ns=(1, 1))                  # ... and brought back unchanged: a new arrival
    assert w.poll() == [] and w.poll() == [str(film)]


def test_empty_hidden_and_unlisted_files_are_not_handed_out(tmp_path):
    w = Watcher([tmp_path])
    (tmp_path / "empty.png").write_bytes(b"")           # a copy that has not started
    (tmp_path / ".b.png.part").write_bytes(b"x" * 10)   # a copy tool's temporary name
    (tmp_path / "notes.txt").write_bytes(b"x" * 10)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.png").write_bytes(b"x" * 10)
    assert w.poll() == [] and w.poll() == []
    deep = Watcher([tmp_path], recursive=True)
    assert deep.poll() == [] and deep.poll() == [str(tmp_path / "sub" / "c.png")]


def _quiet(folder: Path) -> None:
    """Date a folder's own time stamp an hour back, as for a folder that has not changed lately."""
    old = time.time_ns() - 3600 * 10**9
    os.utime(folder, ns=(old, old))


def test_a_quiet_folder_costs_one_stat_and_changes_are_still_found(tmp_path, monkeypatch):
    import edge.watch as watch_module

    films = [tmp_path / f"{k}.png" for k in range(50)]
    for f in films:
        f.write_bytes(b"x" * 10)
    _quiet(tmp_path)
    w = Watcher([tmp_path], full_every=4)
    assert w.poll() == [] and len(w.poll()) == 50   # poll 2: all settled
    calls = []
    real_stat = os.stat
    monkeypatch.setattr(watch_module.os, "stat", lambda p, *a, **k: calls.append(p) or real_stat(p, *a, **k))
    assert w.poll() == [] and calls == [str(tmp_path)]  # poll 3: the folder alone, no film
    with films[0].open("r+b") as f:                # rewritten in place: the folder's stamp stays
        f.write(b"y")
    os.utime(films[0], ns=(5, 5))
    _quiet(tmp_path)
    assert w.poll() == []                          # poll 4, a full check: seen changed
    assert w.poll() == [str(films[0])]             # poll 5: settled
    new = tmp_path / "new.png"                     # an arrival moves the folder's stamp: found at once
    new.write_bytes(b"x" * 10)
    calls.clear()
    assert w.poll() == [] and calls == [str(tmp_path), str(new)]  # read again, but only the arrival is looked at
    assert w.poll() == [str(new)]
    tmp = tmp_path / ".1.png.tmp"                  # a rewrite by rename over the old name: found at once
    tmp.write_bytes(b"z" * 20)
    os.replace(tmp, films[1])
    assert w.poll() == [] and w.poll() == [str(films[1])]


def _lines(stream, n: int, timeout: float = 60) -> list[str]:
    out, deadline = [], time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready:
            line = stream.readline()
            if not line:
                break
            out.append(line)
    return out


def _film(path: Path, seed: int) -> None:
    from PIL import Image

    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (96, 80), dtype=np.uint8)).save(path)


def test_edge_classify_watch_answers_each_arrival_and_stops_on_sigterm(model_dir, tmp_path):
    """Films already there first, then each arrival as it comes, one line at a time (nothing
    waits in a buffer); a broken arrival fails alone; SIGTERM ends it cleanly with exit 1. On
    whichever runtime is in use (tflite-runtime 2.14 in make test's second run)."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "0-early.png", 0)
    proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--interval", "0.1", "--json",
                             "--tally-every", "2", "--model", str(model_dir / "compact" / "model_int8.tflite")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = _lines(proc.stdout, 1)
        assert [json.loads(x)["file"] for x in first] == [str(incoming / "0-early.png")]
        _film(incoming / "1-late.png", 1)
        (incoming / "2-broken.png").write_bytes(b"not an image")
        later = [json.loads(x) for x in _lines(proc.stdout, 2)]
        assert [x["file"] for x in later] == [str(incoming / "1-late.png"), str(incoming / "2-broken.png")]
        assert "label" in later[0] and "error" in later[1]
        assert _lines(proc.stdout, 1, timeout=1) == []  # nothing is classified twice
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    # --tally-every 2: one line for the first two films (both labelled), none yet for the third
    tallies = [ln for ln in err.splitlines() if ln.startswith("edge-classify: last ")]
    assert len(tallies) == 1 and tallies[0].startswith("edge-classify: last 2 files: ") and "failed" not in tallies[0]
    # stopped, it ends with the summary, on stderr even with --json (stdout: the JSON lines alone)
    assert err.splitlines()[-1].startswith("edge-classify: summary: 3 files: ") and ", 1 failed" in err.splitlines()[-1]


def test_watch_takes_folders_only(model_dir, tmp_path):
    from typer.testing import CliRunner

    from edge.cli import app

    film = tmp_path / "a.png"
    film.write_bytes(b"x")
    r = CliRunner().invoke(app, [str(film), "--watch", "--model", str(model_dir / "compact" / "model_int8.tflite")])
    assert r.exit_code == 2 and "--watch takes folders" in r.output
