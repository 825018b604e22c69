"""--skip-answered: a restarted watch skips the films its log already answered, and only those."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from edge.answered import already_answered, answered_times, timeless
from edge.watch import Watcher


def _at(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def _written(size: int, mtime_ns: int, ctime_ns: int) -> dict:
    return {"bytes": size, "modified_ns": mtime_ns, "changed_ns": ctime_ns}


def test_the_log_gives_each_films_last_labelled_answer(tmp_path):
    log = tmp_path / "answers.jsonl"
    log.write_text("\n".join([
        json.dumps({"file": "a.png", "label": "COVID", "time": _at(1000)}),
        json.dumps({"file": "a.png", "label": "Normal", "time": _at(2000)}),  # answered again later
        json.dumps({"file": "b.png", "error": "corrupt", "time": _at(2000)}),  # an error is no answer
        json.dumps({"file": "c.png", "label": "COVID"}),  # no time, no stamp (a batch's line): cannot tell
        json.dumps({"file": "e.png", "label": "COVID", "time": _at(9000), "written": _written(10, 5, 6)}),
        json.dumps({"file": "e.png", "label": "Normal", "time": _at(3000), "written": _written(12, 7, 8)}),  # clock set back
        json.dumps({"file": "f.png", "label": "COVID", "time": _at(9000), "written": {"bytes": "10"}}),  # not a stamp
        # answered, then failed as it was (the share went away mid-read): its last answer is the error
        json.dumps({"file": "g.png", "label": "COVID", "time": _at(9000), "written": _written(12, 7, 8)}),
        json.dumps({"file": "g.png", "error": "cannot read", "time": _at(9100), "written": _written(12, 7, 8)}),
        '["not", "a", "record"]',
        '{"file": "d.png", "label": "CO',  # a line cut by a crash
    ]) + "\n")
    answers = answered_times(log)
    assert answers == {"a.png": (2000.0, None, None, "Normal", False), "e.png": (3000.0, (12, 7, 8), None, "Normal", False),
                       "f.png": (9000.0, None, None, "COVID", False),
                       "c.png": (None, None, None, "COVID", False)}  # kept to be said apart from no answer (timeless_note)
    assert timeless(answers["c.png"]) and not already_answered(answers, "c.png", (10, 0, 1, 0))
    # a log without stamps (0.23 and earlier): answered after the film's later file time, by over a second
    assert already_answered(answers, "a.png", (10, 1500 * 10**9, 1, 1400 * 10**9))
    assert not already_answered(answers, "a.png", (10, 1000 * 10**9, 1, 2500 * 10**9))  # moved in later (cp -p)
    assert not already_answered(answers, "a.png", (10, 1999_500_000_000, 1, 0))  # same second: may be after
    # with a stamp: the film as it is now, whatever the clocks; the inode may change (FAT)
    assert already_answered(answers, "e.png", (12, 7, 99, 8))
    assert not any(already_answered(answers, "e.png", s) for s in ((13, 7, 1, 8), (12, 6, 1, 8), (12, 7, 1, 9)))
    assert not already_answered(answers, "b.png", (10, 0, 1, 0)) and not already_answered(answers, "c.png", (10, 0, 1, 0))
    assert answered_times(tmp_path / "none.jsonl") == {}  # the first run


def test_a_log_of_no_json_answers_is_refused_not_read_as_nothing_answered(tmp_path):
    """--skip-answered answers.csv (the CSV log) or a model file was taken without a word, and skipped nothing."""
    import pytest

    log = tmp_path / "answers.csv"
    log.write_text("file,label,probability,time\na.png,COVID,0.9,2026-12-04T10:00:00+00:00\n")
    with pytest.raises(ValueError, match=r"holds no JSON answers \(it starts 'file,label,probability,time'\)"):
        answered_times(log)
    # a watch's log with only its notes (2>&1) and no film yet, or a line cut by a crash: nothing answered, no error
    log.write_text('edge-classify: note: watching in/ every 2 s\n{"file": "d.png", "la\n\n')
    assert answered_times(log) == {}
    # a power cut leaves NUL bytes where the last writes were: the service failed at every restart after it
    log.write_bytes(b"\0" * 4096)
    assert answered_times(log) == {}
    log.write_bytes(b"\0" * 100 + b'\n{"file": "e.png", "label": "COVID", "time": "2026-12-04T10:00:00+00:00"}\n')
    assert list(answered_times(log)) == ["e.png"]


def test_a_log_passed_through_jq_keeps_its_films_answered(tmp_path):
    """A stamp's 19-digit nanoseconds, rounded to a double by jq or JavaScript (a log rotated with
    `jq -c .`), made every film of the log 'changed' and answered again."""
    mtime, ctime = 1796354287775638501, 1796354287775638999
    log = tmp_path / "answers.jsonl"
    rounded = {"bytes": 10, "modified_ns": 1796354287775638500, "changed_ns": 1796354287775639000}  # jq 1.6's output
    log.write_text(json.dumps({"file": "a.png", "label": "COVID", "time": _at(1000), "written": rounded}) + "\n")
    answers = answered_times(log)
    assert already_answered(answers, "a.png", (10, mtime, 1, ctime))
    assert not already_answered(answers, "a.png", (10, mtime, 1, ctime + 10**6))  # moved in a millisecond later
    assert not already_answered(answers, "a.png", (11, mtime, 1, ctime))


def test_a_restarted_watch_skips_only_films_answered_as_they_are(tmp_path):
    """The log's stamp, not its time, decides: a film swapped in under an answered name is answered
    although the answer's time is later than every time of the new file (the device's clock ahead
    of the share's, or the film written back with its old times)."""
    old, new, swapped, before = (tmp_path / n for n in ("old.png", "new.png", "IM0001.png", "early.png"))
    for p in (old, new, swapped, before):
        p.write_bytes(b"x" * 10)
    ahead = _at(os.stat(swapped).st_ctime + 3600)  # the device's clock an hour ahead of the share's
    log = tmp_path / "answers.jsonl"
    w = Watcher([tmp_path])
    w.poll(), w.poll()
    log.write_text("".join(json.dumps({"file": str(p), "label": "COVID", "time": ahead, "written": w.written(str(p))})
                           + "\n" for p in (old, swapped))
                   + json.dumps({"file": str(before), "label": "COVID", "time": ahead}) + "\n")  # an older log's line
    swapped.write_bytes(b"y" * 10)  # another patient's film under the answered name, with its old time kept (cp -p)
    st = os.stat(old)
    os.utime(swapped, ns=(st.st_atime_ns, st.st_mtime_ns))
    answers = answered_times(log)
    said = []
    w = Watcher([tmp_path], say=said.append, skip=lambda p, s: already_answered(answers, p, s))
    assert w.poll() == []
    assert w.poll() == [str(swapped), str(new)]  # old.png, and early.png by its older line's time, skipped
    assert said == ["2 films skipped: answered as they are now, by an earlier run (--skip-answered)"]
    assert w.poll() == [] and len(said) == 1


def test_a_watch_stamps_its_answers_and_a_restart_skips_them(model_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import edge.watch as watch_module
    from edge.cli import app

    folder = tmp_path / "incoming"
    folder.mkdir()
    _png(folder / "a.png", 0)
    _png(folder / "b.png", 1)

    def polls(watcher, interval, sleep=None):
        for _ in range(2):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    model = str(model_dir / "compact" / "model_int8.tflite")
    log = tmp_path / "answers.jsonl"
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model])
    assert r.exit_code == 0, r.output
    records = [json.loads(line) for line in r.stdout.splitlines()]
    st = os.stat(folder / "a.png")
    assert [x["file"] for x in records] == [str(folder / "a.png"), str(folder / "b.png")]
    assert records[0]["written"] == _written(st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    log.write_text(r.stdout)
    _png(folder / "b.png", 2)  # rewritten while the watch was down
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--skip-answered", str(log), "--model", model])
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["file"] for line in r.stdout.splitlines()] == [str(folder / "b.png")]
    assert "1 film skipped: answered as it is now" in r.stderr
    # b.png answered again without a word: a new film under an old name, and the log held two answers to it
    assert ("note: 1 film answered before has changed since (a new film under an old name?): answered again; the log "
            "now holds both answers, the newest line is the current") in r.stderr
    import hashlib

    assert records[0]["model_sha256"] == hashlib.sha256((model_dir / "compact" / "model_int8.tflite").read_bytes()).hexdigest()
    # the service's model file replaced under its path: the old file's answers are answered again by the new one
    other = tmp_path / "model_int8.tflite"
    other.write_bytes((model_dir / "compact" / "model_fp32.tflite").read_bytes())
    log.write_text(log.read_text() + r.stdout)
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--skip-answered", str(log), "--model", str(other)])
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["file"] for line in r.stdout.splitlines()] == [str(folder / "a.png"), str(folder / "b.png")]
    assert f"note: {log} holds the answers of another model file to 2 films" in r.stderr and "skipped" not in r.stderr
    assert "changed since" not in r.stderr  # said once, by the model's note, not again as changed films


def _png(path, seed: int) -> None:
    import numpy as np
    from PIL import Image

    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (64, 64), dtype=np.uint8)).save(path)


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
    for options, said in ((["--interval", "5"], "--interval sets how"), (["--tally-every", "5"], "--tally-every sets how"),
                          (["--interval", "5", "--tally-every", "0"], "--interval and --tally-every set how")):
        r = CliRunner().invoke(app, [str(tmp_path), *options, "--model", model])
        assert r.exit_code == 2 and said in r.output and "without --watch they do nothing" in r.output


def test_a_name_that_is_not_utf8_is_text_in_the_log_and_still_skipped(model_dir, tmp_path, monkeypatch):
    """--json wrote a Latin-1 name's byte as a lone \\udce9 escape: jq and Go read two such films as one
    name (U+FFFD), Perl refused the line. Now the name is text (\\xe9) with its bytes in file_bytes."""
    import base64

    from typer.testing import CliRunner

    import edge.watch as watch_module
    from edge.cli import app

    folder = tmp_path / "incoming"
    folder.mkdir()
    latin = folder / os.fsdecode(b"r\xe9sum\xe9.png")
    _png(latin, 0)
    _png(folder / "plain.png", 1)

    def polls(watcher, interval, sleep=None):
        for _ in range(2):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    model = str(model_dir / "compact" / "model_int8.tflite")
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model])
    assert r.exit_code == 0, r.output
    out = r.stdout_bytes.decode("utf-8")  # strict: valid UTF-8
    assert "\\udc" not in out  # no lone-surrogate escape
    records = {rec["file"]: rec for rec in map(json.loads, out.splitlines())}
    shown = str(folder) + "/r\\xe9sum\\xe9.png"
    assert set(records) == {shown, str(folder / "plain.png")}
    assert base64.b64decode(records[shown]["file_bytes"]) == os.fsencode(str(latin))
    assert "file_bytes" not in records[str(folder / "plain.png")]
    log = tmp_path / "answers.jsonl"
    log.write_text(out)
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--skip-answered", str(log), "--model", model])
    assert r.exit_code == 0 and r.stdout == "" and "2 films skipped" in r.stderr, r.output
    r = CliRunner().invoke(app, [str(latin), "--csv", "--model", model])
    assert r.exit_code == 0 and "r\\xe9sum\\xe9.png," in r.stdout_bytes.decode("utf-8"), r.output


def test_answers_of_another_model_file_are_answered_again(tmp_path):
    """A watch restarted with a new model file (a service's unit keeps --model's path) skipped every film the old
    one had answered, even where the new one has other classes: the old model's answers stayed the only ones."""
    from edge.answered import model_notes

    log = tmp_path / "answers.jsonl"
    this, other = "a" * 64, "b" * 64
    stamp = _written(10, 5, 6)
    log.write_text("".join(json.dumps(rec) + "\n" for rec in (
        {"file": "same.png", "label": "COVID", "written": stamp, "model_sha256": this},
        {"file": "other.png", "label": "COVID", "written": stamp, "model_sha256": other},
        {"file": "old.png", "label": "COVID", "written": stamp},  # a log from before model_sha256
        {"file": "old3.png", "label": "Viral_Pneumonia", "written": stamp},  # ... of a model with another class
    )))
    answers = answered_times(log)
    model = (this, ["COVID", "Normal"])
    skipped = [f for f in answers if already_answered(answers, f, (10, 5, 1, 6), model)]
    assert skipped == ["same.png", "old.png"]
    assert all(already_answered(answers, f, (10, 5, 1, 6)) for f in answers)  # no model given: any answer counts
    assert model_notes(answers, model, log) == [
        f"note: {log} holds the answers of another model file to 2 films (another model_sha256: another model, or this "
        "file as it was before cxr-convert or cxr-evaluate --save-model wrote it again; or a class this model does not "
        "have): they are answered again by this one; the log then holds two models' answers to them, and the newest "
        "line, matched on model_sha256, is current",
        f"warning: {log} holds 1 answer that does not say which model file gave it (no model_sha256: an older "
        "edge-classify wrote it): it is skipped as before, though another model may have given it; give a new "
        "log to answer every film with this model"]
    # the other number of each: '1 film(s) ... they are' and '2 answer(s)' were said alike
    log.write_text("".join(json.dumps(rec) + "\n" for rec in (
        {"file": "other.png", "label": "COVID", "written": stamp, "model_sha256": other},
        {"file": "old.png", "label": "COVID", "written": stamp}, {"file": "old2.png", "label": "Normal", "written": stamp},
    )))
    assert model_notes(answered_times(log), model, log) == [
        f"note: {log} holds the answers of another model file to 1 film (another model_sha256: another model, or this "
        "file as it was before cxr-convert or cxr-evaluate --save-model wrote it again; or a class this model does not "
        "have): it is answered again by this one; the log then holds two models' answers to it, and the newest "
        "line, matched on model_sha256, is current",
        f"warning: {log} holds 2 answers that do not say which model file gave them (no model_sha256: an older "
        "edge-classify wrote them): they are skipped as before, though another model may have given them; give a new "
        "log to answer every film with this model"]


def test_a_rotated_gz_log_is_read_and_the_newest_log_has_the_last_word(tmp_path):
    """logrotate leaves answers.jsonl.1.gz beside answers.jsonl: the .gz read as plain text lost every film
    it answered (all answered again after a restart), and logs read in name order let the rotated, older
    answer override the newer one."""
    import gzip

    old, new = tmp_path / "answers.jsonl.1.gz", tmp_path / "answers.jsonl"
    with gzip.open(old, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"file": "a.png", "label": "COVID", "time": _at(1000), "written": _written(10, 5, 6)}) + "\n")
        f.write(json.dumps({"file": "b.png", "label": "COVID", "time": _at(1000), "written": _written(10, 1, 2)}) + "\n")
    new.write_text(json.dumps({"file": "a.png", "label": "Normal", "time": _at(2000), "written": _written(12, 7, 8)}) + "\n")
    os.utime(old, ns=(10**18, 10**18))
    os.utime(new, ns=(2 * 10**18, 2 * 10**18))
    assert answered_times([new, old]) == {"a.png": (2000.0, (12, 7, 8), None, "Normal", False),
                                          "b.png": (1000.0, (10, 1, 2), None, "COVID", False)}


def test_options_that_contradict_each_other_are_refused_before_the_model_loads(tmp_path):
    """--skip-answered without --watch --json, --threshold with --most-probable, and --interval without --watch were
    refused only once the model had loaded (a second or more on a Pi, and a model file that is not there said
    first): a mistake in the options is said at once, whatever the model file."""
    from typer.testing import CliRunner

    from edge.cli import app

    missing = str(tmp_path / "no-such-model.tflite")  # not read: the options' mistake is said first
    for options, said in ((["--skip-answered", "answers.jsonl"], "give it with --watch --json"),
                          (["--threshold", "COVID=0.3", "--most-probable"], "choose one of --threshold and --most-probable"),
                          (["--interval", "5"], "without --watch they do nothing")):
        r = CliRunner().invoke(app, [str(tmp_path), *options, "--model", missing])
        assert r.exit_code == 2 and said in r.output and "no-such-model" not in r.output, r.output
