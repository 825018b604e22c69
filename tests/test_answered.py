"""--skip-answered: a restarted watch skips the films its log already answered, and only those."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from edge.answered import already_answered, answered_times
from edge.watch import Watcher


def _at(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def test_the_log_gives_each_films_latest_labelled_answer(tmp_path):
    log = tmp_path / "answers.jsonl"
    log.write_text("\n".join([
        json.dumps({"file": "a.png", "label": "COVID", "time": _at(1000)}),
        json.dumps({"file": "a.png", "label": "Normal", "time": _at(2000)}),  # answered again later
        json.dumps({"file": "b.png", "error": "corrupt", "time": _at(2000)}),  # an error is no answer
        json.dumps({"file": "c.png", "label": "COVID"}),  # no time (a batch's line): cannot tell
        '{"file": "d.png", "label": "CO',  # a line cut by a crash
    ]) + "\n")
    times = answered_times(log)
    assert times == {"a.png": 2000.0}
    assert already_answered(times, "a.png", 1500 * 10**9) and not already_answered(times, "a.png", 2500 * 10**9)
    assert not already_answered(times, "a.png", 1999_500_000_000)  # same second: it may have been written after
    assert answered_times(tmp_path / "none.jsonl") == {}  # the first run


def test_a_restarted_watch_skips_only_films_answered_since_they_were_written(tmp_path):
    import time

    old, new, swapped = (tmp_path / n for n in ("old.png", "new.png", "IM0001.png"))
    for p in (old, new, swapped):
        p.write_bytes(b"x" * 10)
    os.utime(swapped, ns=(10**18, 10**18))  # another film copied in under an answered name, its time kept (cp -p)
    times = {str(old): time.time() + 10, str(swapped): 10**9 + 2000.0}
    said = []
    w = Watcher([tmp_path], say=said.append, skip=lambda p, m: already_answered(times, p, m))
    assert w.poll() == []
    assert w.poll() == [str(swapped), str(new)]  # old.png: answered after it was written
    assert said == ["1 film(s) skipped: answered after they were last written, by an earlier run (--skip-answered)"]
    assert w.poll() == [] and len(said) == 1


def test_skip_answered_needs_watch_and_json(model_dir, tmp_path):
    from typer.testing import CliRunner

    from edge.cli import app

    model = str(model_dir / "compact" / "model_int8.tflite")
    r = CliRunner().invoke(app, [str(tmp_path), "--watch", "--skip-answered", str(tmp_path / "a.jsonl"), "--model", model])
    assert r.exit_code == 2 and "give it with --watch --json" in r.output
    (tmp_path / "folder.jsonl").mkdir()
    r = CliRunner().invoke(app, [str(tmp_path), "--watch", "--json", "--skip-answered", str(tmp_path / "folder.jsonl"),
                                 "--model", model])
    assert r.exit_code == 2 and "--skip-answered: cannot read" in r.output


def test_watch_options_without_watch_are_refused_not_ignored(model_dir, tmp_path):
    from typer.testing import CliRunner

    from edge.cli import app

    model = str(model_dir / "compact" / "model_int8.tflite")
    for options, said in ((["--interval", "5"], "--interval set how"), (["--tally-every", "5"], "--tally-every set how"),
                          (["--interval", "5", "--tally-every", "0"], "--interval and --tally-every set how")):
        r = CliRunner().invoke(app, [str(tmp_path), *options, "--model", model])
        assert r.exit_code == 2 and said in r.output and "without --watch they do nothing" in r.output
