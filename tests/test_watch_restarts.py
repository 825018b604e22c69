"""A watch as a long-running service: its restarts with --skip-answered after a film written in place, a chmod
or a log rotation, and what failed films kept in the folder cost while it is idle."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from edge.answered import Skip, already_answered, answered_times, unanswered_note
from edge.watch import Watcher


def _quiet(folder: Path) -> None:
    old = os.stat(folder).st_mtime_ns - 3600 * 10**9  # as a folder last changed an hour ago: read once, then on a change
    os.utime(folder, ns=(old, old))


def _answered_log(folder: Path, log: Path, names: list[str]) -> Watcher:
    """A first run's log: each of ``names`` answered, its "written" stamp as the watch gives it."""
    for n in names:
        (folder / n).write_bytes(b"x" * 10)
    w = Watcher([folder])
    w.poll(), w.poll()
    log.write_text("".join(json.dumps({"file": str(folder / n), "label": "COVID", "time": "2026-12-05T10:00:00+00:00",
                                       "written": w.written(str(folder / n))}) + "\n" for n in names))
    return w


def _restart(folder: Path, logs) -> tuple[list[str], list[str]]:
    """What a restarted watch hands out (the films it answers), and what it says."""
    answers, said = answered_times(logs), []
    w = Watcher([folder], say=said.append, skip=lambda p, s: already_answered(answers, p, s))
    return w.poll() + w.poll() + w.poll(), said


def test_a_film_under_an_answered_name_with_its_size_and_time_is_answered_after_a_restart(tmp_path):
    """cp -p over an answered name keeps the inode, and ext4 gives a removed film's inode to the next file: with the
    size and modification time the same, only the change time tells the new film from the one answered. A restart
    that forgave a new change time where the inode was the same skipped it: a patient's film never answered."""
    folder, log = tmp_path / "in", tmp_path / "answers.jsonl"
    folder.mkdir()
    _answered_log(folder, log, ["IM0001.png", "IM0002.png"])
    st = os.stat(folder / "IM0001.png")
    with open(folder / "IM0001.png", "r+b") as f:  # cp -p onto the name: the same inode, new bytes
        f.write(b"y" * 10)
    os.utime(folder / "IM0001.png", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(folder / "IM0001.png").st_ino == st.st_ino
    got, said = _restart(folder, log)
    assert got == [str(folder / "IM0001.png")]
    assert said == ["1 film skipped: answered as it is now, by an earlier run (--skip-answered)"]


def test_a_chmod_while_no_watch_ran_answers_the_film_again_never_misses_one(tmp_path):
    """A change of the change time alone between runs cannot be told from another film written in place, so the
    film is answered a second time (logs of 0.34 and before, and of this version, alike)."""
    folder, log = tmp_path / "in", tmp_path / "answers.jsonl"
    folder.mkdir()
    _answered_log(folder, log, ["a.png", "b.png"])
    assert "inode" not in json.loads(log.read_text().splitlines()[0])["written"]
    os.chmod(folder / "a.png", 0o600)
    assert _restart(folder, log)[0] == [str(folder / "a.png")]


def test_rotated_logs_given_together_skip_their_films_and_the_newest_answer_counts(tmp_path):
    """A log trimmed or rotated (logrotate, as the docs advised for memory) made the next restart answer every film
    still in the folder again. Each rotated copy may be given; read oldest first, whatever the order given."""
    folder, log = tmp_path / "in", tmp_path / "answers.jsonl"
    folder.mkdir()
    _answered_log(folder, log, ["a.png", "b.png", "c.png"])
    lines = log.read_text().splitlines(keepends=True)
    rotated, older = tmp_path / "answers.jsonl.1", tmp_path / "answers.jsonl.2.gz"
    with gzip.open(older, "wt") as f:
        f.write(lines[0])                                # a.png: answered long ago (compressed by logrotate)
    rotated.write_text(lines[1] + lines[2])              # b.png and c.png
    log.write_text(json.dumps({"file": str(folder / "c.png"), "error": "cannot read file"}) + "\n")  # c.png failed since
    for k, p in enumerate((older, rotated, log)):
        os.utime(p, ns=(10**18 + k * 10**9, 10**18 + k * 10**9))
    assert _restart(folder, [log, rotated, older])[0] == [str(folder / "c.png")]
    assert _restart(folder, [log])[0] == [str(folder / n) for n in ("a.png", "b.png", "c.png")]


def test_a_restart_says_how_many_answered_films_changed_since_and_are_answered_again(tmp_path):
    """A film answered before and written anew since (a PACS export reuses IM0001 for another patient's film) was
    answered again without a word, and the log then held two answers to one name, nothing saying which is current."""
    folder, log = tmp_path / "in", tmp_path / "answers.jsonl"
    folder.mkdir()
    _answered_log(folder, log, ["IM0001.png", "IM0002.png", "IM0003.png"])
    for n in ("IM0001.png", "IM0002.png"):
        (folder / n).write_bytes(b"z" * 12)
    (folder / "IM0004.png").write_bytes(b"x" * 10)  # a film never answered: the no-answer note's, not this one's
    said, skip = [], Skip(answered_times(log))
    w = Watcher([folder], say=said.append, skip=skip)
    assert w.poll() + w.poll() + w.poll() == [str(folder / n) for n in ("IM0001.png", "IM0002.png", "IM0004.png")]
    assert skip.note() == ("note: 2 films answered before have changed since (a new film under an old name?): answered "
                           "again; the log now holds both answers, the newest line is the current one")
    assert skip.note() is None  # said once
    st = os.stat(folder / "IM0001.png")  # IM0001 written again while this watch runs: its answer is this run's now
    assert not skip(str(folder / "IM0001.png"), (st.st_size + 1, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
    st = os.stat(folder / "IM0003.png")  # IM0003, skipped at the start, written anew now: the log's answer is old
    assert not skip(str(folder / "IM0003.png"), (st.st_size + 1, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
    assert skip.note().startswith("note: 1 film answered before has changed since (a new film under an old name?)")


def test_a_restart_says_how_many_films_have_no_answer_in_the_log(tmp_path):
    log = tmp_path / "answers.jsonl"
    answers = {"in/a.png": None}
    assert unanswered_note(["in/a.png"], answers, [log], ["in"]) is None
    note = unanswered_note(["in/a.png", "in/b.png", "in/c.png"], answers, [log, Path("answers.jsonl.1")], ["in"])
    # "films in in have": the folder marked as one (in/), where a folder named "in" read as a word
    assert note.startswith(f"note: 2 films in in/ have no answer in {log} and answers.jsonl.1: answering them (")
    note = unanswered_note(["in/a.png", "in/b.png"], answers, [log], ["in"])  # '1 film(s) ... have', 'answering them'
    assert note.startswith(f"note: 1 film in in/ has no answer in {log}: answering it (")
    assert "give each rotated copy with --skip-answered too" in note


def _two_polls(monkeypatch) -> None:
    """A watch that polls twice, then is stopped as by Ctrl-C: its start and one poll, no waiting."""
    import edge.watch as watch_module

    def polls(watcher, interval, sleep=None):
        for _ in range(2):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)


def test_a_watch_given_rotated_logs_answers_nothing_again_and_says_what_a_lone_log_lacks(model_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from edge.cli import app

    _two_polls(monkeypatch)
    folder = tmp_path / "incoming"
    folder.mkdir()
    for n in ("a.png", "b.png"):
        _png(folder / n)
    model = str(model_dir / "compact" / "model_int8.tflite")
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model])
    assert r.exit_code == 0, r.output
    log, rotated = tmp_path / "answers.jsonl", tmp_path / "answers.jsonl.1"
    rotated.write_text(r.stdout)                          # logrotate copytruncate: the answers are in the copy
    log.write_text("")
    os.utime(rotated, ns=(10**18, 10**18))
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model,
                                 "--skip-answered", str(log), "--skip-answered", str(rotated)])
    assert r.exit_code == 0 and r.stdout == "", r.output
    assert "2 films skipped" in r.stderr and "no answer in" not in r.stderr
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model, "--skip-answered", str(log)])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 2, r.output
    assert (f"note: 2 films in {folder}{os.sep} have no answer in {log}: answering them" in r.stderr), r.stderr


def test_a_rotated_copy_given_to_skip_answered_that_is_not_there_is_said_and_not_named_as_read(model_dir, tmp_path,
                                                                                                monkeypatch):
    """logrotate's dateext (or compress without delaycompress) names the copy answers.jsonl-20261206.gz, never the
    unit's answers.jsonl.1: it was passed over without a word, the start's note named it as read, and every restart
    answered the whole folder again."""
    import gzip

    from typer.testing import CliRunner

    from edge.cli import app

    _two_polls(monkeypatch)
    folder = tmp_path / "incoming"
    folder.mkdir()
    _png(folder / "a.png")
    log, missing = tmp_path / "answers.jsonl", tmp_path / "answers.jsonl.1"
    (tmp_path / "answers.jsonl-20261206.gz").write_bytes(gzip.compress(b""))  # the copy, as dateext + compress name it
    log.write_text("")
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", str(model_dir / "compact" / "model_int8.tflite"),
                                 "--skip-answered", str(log), "--skip-answered", str(missing)])
    assert r.exit_code == 0, r.output
    assert (f"warning: --skip-answered {missing}: no such file: its answers are not read; beside it: "
            f"{tmp_path / 'answers.jsonl-20261206.gz'} (logrotate's dateext") in r.stderr, r.stderr
    assert f"note: 1 film in {folder}{os.sep} has no answer in {log}: answering it" in r.stderr, r.stderr
    (note,) = [line for line in r.stderr.splitlines() if "no answer in" in line]
    assert str(missing) not in note  # nor named as read in the note
    # the log itself, there (empty), is read without one (the model's own warnings, e.g. a tiny model at chance, aside)
    assert r.stderr.count("warning: --skip-answered") == 1
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", str(model_dir / "compact" / "model_int8.tflite"),
                                 "--skip-answered", str(missing)])  # the only log given is missing: none named as read
    (note,) = [line for line in r.stderr.splitlines() if "no answer in" in line]
    assert str(missing) not in note and "no answer in any log (none given was there to read)" in note, r.stderr


def test_a_log_not_there_with_nothing_beside_it_is_said_to_be_missing(tmp_path):
    """A unit's first start, or a log given under a wrong name with no copy beside it: its answers are not read, and
    a watch that said nothing of it left the user believing the folder's answered films were skipped."""
    from edge.missing_logs import missing_logs

    log = tmp_path / "answers.jsonl"
    assert missing_logs([log]) == ([], [f"warning: --skip-answered {log}: no such file (a first run, or not rotated "
                                        "yet?): its answers are not read"])


def test_a_dated_copy_that_is_not_there_names_the_dated_copies_beside_it(tmp_path):
    """logrotate's dateext: a unit giving yesterday's answers.jsonl-20261205, where the copy kept is
    answers.jsonl-20261206, was told only 'a first run, or not rotated yet?', not the copy's name to give."""
    from edge.missing_logs import missing_logs

    (tmp_path / "answers.jsonl").write_text("")
    (tmp_path / "answers.jsonl-20261206").write_text("")
    missing = tmp_path / "answers.jsonl-20261205"
    there, warnings = missing_logs([tmp_path / "answers.jsonl", missing])
    assert there == [tmp_path / "answers.jsonl"]
    assert warnings == [f"warning: --skip-answered {missing}: no such file: its answers are not read; beside it: "
                        f"{tmp_path / 'answers.jsonl-20261206'} (logrotate's dateext, or compress without delaycompress, "
                        "names its copies so): give the copy's name instead"]


def _png(path: Path) -> None:
    import numpy as np
    from PIL import Image

    Image.fromarray(np.random.default_rng(len(path.name)).integers(0, 255, (64, 64), dtype=np.uint8)).save(path)


def test_old_failed_films_are_looked_at_on_the_full_check_not_every_poll(tmp_path, monkeypatch):
    """5,000 failed films kept in a folder cost 2,500 stats a second, idle. Where failed films are many, one that
    failed lately is still looked at every poll (a copy that resumes); one whose permissions are fixed later waits
    for the full check."""
    import edge.watch as watch_module

    monkeypatch.setattr(watch_module, "FEW_FAILURES", 0)  # as where the folders keep over 100 failed films
    (tmp_path / "a.png").write_bytes(b"x" * 10)
    _quiet(tmp_path)
    w = Watcher([tmp_path], full_every=10)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png")]
    w.failed(str(tmp_path / "a.png"), "cannot identify image file")  # at poll 2
    stats, real = [], os.stat
    monkeypatch.setattr(watch_module.os, "stat", lambda p, *a, **k: stats.append(str(p)) or real(p, *a, **k))
    assert [w.poll() for _ in range(10)] == [[]] * 10      # polls 3-12: failed lately, stat'ed each poll
    assert stats.count(str(tmp_path / "a.png")) >= 10
    stats.clear()
    assert [w.poll() for _ in range(6)] == [[]] * 6          # polls 13-18: failed over 10 polls ago
    assert str(tmp_path / "a.png") not in stats
    os.chmod(tmp_path / "a.png", 0o600)                      # its permissions fixed: only the ctime moves
    assert w.poll() == [] and str(tmp_path / "a.png") not in stats  # poll 19: not looked at
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png")]  # seen on the full check (20), settled (21)


def test_a_few_failed_films_are_looked_at_every_poll_however_long_ago_they_failed(tmp_path):
    """The full check is FULL_EVERY polls away (30 hours at --interval 3600): a film whose permissions are fixed
    long after it failed is still answered at the next polls where failed films are few."""
    (tmp_path / "a.png").write_bytes(b"x" * 10)
    _quiet(tmp_path)
    w = Watcher([tmp_path], full_every=10)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png")]
    w.failed(str(tmp_path / "a.png"), "cannot identify image file")
    assert [w.poll() for _ in range(15)] == [[]] * 15       # failed over 10 polls ago
    os.chmod(tmp_path / "a.png", 0o600)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png")]  # seen at once, settled, out again


def test_a_watch_log_of_cxr_edge_0_13_or_older_is_said_to_hold_answers_without_a_time(model_dir, tmp_path, monkeypatch):
    """A watch of cxr-edge 0.13.0 or older logged each answer without a time or the film's stamp. A restart with
    --skip-answered on that log answers those films again (whether they changed since cannot be told), as it should,
    but said that they had no answer in the log ('films that arrived while no watch ran, ... or answers trimmed or
    rotated out of the log'), sending a reader after log rotation."""
    from typer.testing import CliRunner

    from edge.cli import app

    _two_polls(monkeypatch)
    folder = tmp_path / "incoming"
    folder.mkdir()
    for n in ("a.png", "b.png", "c.png"):
        _png(folder / n)
    log = tmp_path / "answers.jsonl"
    log.write_text("".join(json.dumps({"file": str(folder / n), "label": "COVID", "probability": 0.71,  # as 0.13.0 wrote
                                       "probabilities": {"COVID": 0.71, "Normal": 0.29}}) + "\n" for n in ("a.png", "b.png")))
    model = str(model_dir / "compact" / "model_int8.tflite")
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model, "--skip-answered", str(log)])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 3, r.output
    assert f"note: 1 film in {folder}{os.sep} has no answer in {log}: answering it" in r.stderr, r.stderr
    assert (f"note: {log} holds answers to 2 films in {folder}{os.sep} without a time (an edge-classify --watch of "
            "cxr-edge 0.13.0 or older, or a run without --watch, wrote them): whether they changed since cannot be told, "
            "so they are answered again") in r.stderr, r.stderr
    # not skipped, so neither 'skipped as before' of an unknown model nor 'changed since' of a film written anew
    assert "do not say which model file" not in r.stderr and "changed since (a new film" not in r.stderr


def test_a_watched_folder_that_could_not_be_read_at_the_start_gets_the_start_note_once_it_can(model_dir, tmp_path,
                                                                                               monkeypatch):
    """A watched folder that could not be read at the first poll (its permissions, a share not yet back) was
    said in a warning, and once it could be read its films were skipped or answered, but the note of how many have
    no answer in the log (a log rotated away answers them all again) was never said: it was the first poll's alone."""
    from typer.testing import CliRunner

    import edge.watch as watch_module
    from edge.cli import app

    folder, away = tmp_path / "incoming", tmp_path / "away"
    folder.mkdir()
    for n in ("a.png", "b.png"):
        _png(folder / n)
    log = tmp_path / "answers.jsonl"
    _two_polls(monkeypatch)
    model = str(model_dir / "compact" / "model_int8.tflite")
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 2, r.output
    log.write_text(r.stdout.splitlines()[0] + "\n")  # a.png answered; b.png's answer rotated away

    def polls(watcher, interval, sleep=None):
        folder.rename(away)  # the folder cannot be read at the first poll (renamed: its films keep their stamps)
        yield watcher.poll()
        away.rename(folder)
        for _ in range(3):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model, "--skip-answered", str(log)])
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["file"] for line in r.stdout.splitlines()] == [str(folder / "b.png")]
    assert f"warning: cannot read the watched folder {folder}" in r.stderr, r.stderr
    assert "1 film skipped: answered as it is now" in r.stderr, r.stderr
    assert r.stderr.count(f"note: 1 film in {folder}{os.sep} has no answer in {log}: answering it") == 1, r.stderr


def test_a_restart_that_gives_the_watched_folder_otherwise_skips_the_films_answered(model_dir, tmp_path, monkeypatch):
    """The log names films by the path the watch printed: a service's /srv/incoming, then a restart by hand in /srv with
    'incoming' (or ./incoming/, or a link to the folder) found no answer for any film, and answered the whole folder
    again, its note blaming films that arrived while no watch ran or a log rotated away."""
    from typer.testing import CliRunner

    from edge.cli import app

    _two_polls(monkeypatch)
    folder = tmp_path / "incoming"
    (folder / "study").mkdir(parents=True)
    for n in ("a.png", "b.png", "study/c.png"):
        _png(folder / n)
    model = os.path.abspath(model_dir / "compact" / "model_int8.tflite")  # read after the chdir below
    r = CliRunner().invoke(app, [str(folder), "--watch", "--recursive", "--json", "--model", model])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 3, r.output
    log = tmp_path / "answers.jsonl"
    log.write_text(r.stdout)
    _png(folder / "d.png")  # arrived while no watch ran
    (tmp_path / "link").symlink_to(folder)
    monkeypatch.chdir(tmp_path)
    for given in ("incoming", "./incoming/", "link"):
        r = CliRunner().invoke(app, [given, "--watch", "--recursive", "--json", "--model", model,
                                     "--skip-answered", str(log)])
        assert r.exit_code == 0, r.output
        assert [json.loads(line)["file"] for line in r.stdout.splitlines()] == [str(Path(given) / "d.png")], r.stderr
        assert "3 films skipped: answered as they are now" in r.stderr, r.stderr
        assert f"note: 1 film in {os.path.join(given, '')} has no answer in {log}: answering it" in r.stderr, r.stderr


def test_a_share_mounted_on_the_watched_folder_after_the_start_gets_the_start_note(model_dir, tmp_path, monkeypatch):
    """A Pi's service often starts before its network share is mounted: the watch read the bare mount point (empty)
    at its first poll, found no film without an answer, and the share's films were answered without the note. An
    arrival on the share once mounted is no film of the start's, and gets none."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    import edge.watch as watch_module
    from edge.cli import app

    share, hidden, log = tmp_path / "share", tmp_path / "hidden", tmp_path / "answers.jsonl"
    share.mkdir()
    hidden.mkdir()
    for n in ("a.png", "b.png"):
        _png(hidden / n)  # on the share, not yet mounted
    log.write_text("")
    real_stat, mounted = os.stat, {"yes": False}

    def stat(path, *args, **kw):
        st = real_stat(path, *args, **kw)
        return SimpleNamespace(st_mtime_ns=st.st_mtime_ns, st_ctime_ns=st.st_ctime_ns,
                               st_dev=st.st_dev + 1) if Path(path) == share and mounted["yes"] else st

    def polls(watcher, interval, sleep=None):
        yield watcher.poll()  # the bare mount point
        for n in ("a.png", "b.png"):
            (hidden / n).rename(share / n)
        mounted["yes"] = True
        monkeypatch.setattr(watch_module.os, "stat", stat)
        for _ in range(3):
            yield watcher.poll()
        _png(share / "c.png")  # an arrival
        for _ in range(3):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    r = CliRunner().invoke(app, [str(share), "--watch", "--json", "--model", str(model_dir / "compact" / "model_int8.tflite"),
                                 "--skip-answered", str(log)])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 3, r.output
    assert r.stderr.count("has no answer in") + r.stderr.count("have no answer in") == 1, r.stderr
    assert f"note: 2 films in {share}{os.sep} have no answer in {log}: answering them" in r.stderr, r.stderr
