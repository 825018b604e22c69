"""edge.answering.answer's watch and its standard output pinned where a small change went unseen (hand mutation
testing, session 65): the watch's lines, tallies and exit code, and what a file standard output already holds
(a CSV log appended to, one of the other format, one written over). The model is tests/test_answering_pinned.py's
plain numpy classifier on real PNG films."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edge.answering import Answering, answer
from edge.cliutil import EXIT_OK, EXIT_SOME_FAILED
from tests.test_answering_pinned import Model, _film, _run, _watch


def test_a_watch_says_what_it_watches_tallies_every_n_films_and_sums_up_even_one(tmp_path, capsys, monkeypatch):
    _watch(monkeypatch)
    for i in range(3):
        _film(tmp_path / f"{i}.png", 200)
    code, out, err = _run(capsys, Model(), Answering(fmt="text", watch=True, tally_every=2, interval=0.5), [str(tmp_path)])
    lines = err.splitlines()
    assert lines[0] == (f"edge-classify: watching {tmp_path} every 0.5 s (films already there first); Ctrl-C stops")
    assert [line for line in lines if " last " in line] == ["edge-classify: last 2 files: 2 COVID, 0 Normal"]
    assert lines[-1] == "edge-classify: summary: 3 files: 3 COVID, 0 Normal" and code == EXIT_OK
    assert len(out.splitlines()) == 3
    for i in (1, 2):
        (tmp_path / f"{i}.png").unlink()
    code, _, err = _run(capsys, Model(), Answering(fmt="text", watch=True), [str(tmp_path)])
    assert err.splitlines()[-1] == "edge-classify: summary: 1 file: 1 COVID, 0 Normal"   # a watch's one film too


def test_a_watch_whose_film_failed_exits_1(tmp_path, capsys, monkeypatch):
    _watch(monkeypatch)
    (tmp_path / "bad.png").write_bytes(b"not a film")
    code, _, err = _run(capsys, Model(), Answering(fmt="json", watch=True), [str(tmp_path)])
    assert code == EXIT_SOME_FAILED and "summary: 1 file: 0 COVID, 0 Normal, 1 failed" in err


def _stdout_file(monkeypatch, path: Path, mode: str = "a"):
    import sys

    f = open(path, mode, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", f)
    return f


def test_csv_appended_to_its_own_log_gets_no_second_header_and_a_json_log_is_refused(tmp_path, capsys, monkeypatch):
    import typer

    a = _film(tmp_path / "a.png", 200)
    log = tmp_path / "answers.csv"
    for _ in range(2):
        with _stdout_file(monkeypatch, log):
            assert answer(Model(), Answering(fmt="csv"), [a], [a], []) == EXIT_OK
    rows = log.read_text().splitlines()
    assert rows[0].startswith("file,label,probability,") and len(rows) == 3 and rows[1] == rows[2]
    with _stdout_file(monkeypatch, log, "w"):
        assert answer(Model(), Answering(fmt="text"), [a], [a], []) == EXIT_OK   # written over: a new file
    assert log.read_text() == f"{a}\tCOVID\t0.8000\n"
    (tmp_path / "j.log").write_text('{"file": "x.png", "label": "COVID"}\n')
    with _stdout_file(monkeypatch, tmp_path / "j.log"), pytest.raises(typer.Exit) as e:
        answer(Model(), Answering(fmt="csv"), [a], [a], [])
    assert e.value.exit_code == 2
    assert "standard output's file holds JSON answers (--json)" in capsys.readouterr().err


def test_csv_appended_to_a_log_of_0_44_columns_keeps_them_and_says_so(tmp_path, capsys, monkeypatch):
    a = _film(tmp_path / "a.png", 200)
    log = tmp_path / "answers.csv"
    with _stdout_file(monkeypatch, log):
        answer(Model(), Answering(fmt="csv"), [a], [a], [])
    header, row = log.read_text().splitlines()
    assert header.endswith(",header_says,model_sha256,synthetic") and row.endswith(",,,,")
    log.write_text(header.removesuffix(",header_says,model_sha256,synthetic") + "\n")
    with _stdout_file(monkeypatch, log):
        assert answer(Model(), Answering(fmt="csv"), [a], [a], []) == EXIT_OK
    assert log.read_text().splitlines()[1] == row.removesuffix(",,,")
    assert ("has the CSV columns of 0.44.0 and earlier, without header_says, model_sha256 and synthetic"
            in capsys.readouterr().err)


def test_a_watch_says_its_interval_as_given_and_keeps_quiet_of_the_maps_folders_files(tmp_path, capsys, monkeypatch):
    _watch(monkeypatch)
    films, maps = tmp_path / "films", tmp_path / "maps"
    films.mkdir()
    maps.mkdir()
    (maps / "old.png").write_text("an earlier run's map")
    _film(films / "a.png", 200)
    _, _, err = _run(capsys, Model(), Answering(fmt="text", watch=True, explain=maps), [str(films)])
    assert err.splitlines()[0] == f"edge-classify: watching {films} every 2 s (films already there first); Ctrl-C stops"
    assert "note:" not in err     # a watch restarted over its own maps: said at every start, it would say nothing


def test_a_failed_film_removed_then_another_under_its_name_in_a_watch_is_two_films(tmp_path, capsys, monkeypatch):
    import edge.watch as watch_module

    film = tmp_path / "IM0001.png"
    film.write_bytes(b"not a film")

    def polls(watcher, interval, sleep=None):
        for _ in range(2):
            yield watcher.poll()             # settled, handed out: it fails
        film.unlink()
        yield watcher.poll()                 # seen removed
        _film(film, 200)                     # another film under its name
        for _ in range(3):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    code, out, err = _run(capsys, Model(), Answering(fmt="json", watch=True), [str(tmp_path)])
    assert ["error" in json.loads(line) for line in out.splitlines()] == [True, False]
    assert "summary: 2 files: 1 COVID, 0 Normal, 1 failed" in err and code == EXIT_SOME_FAILED


def test_standard_output_written_over_from_its_start_is_refused(tmp_path, capsys, monkeypatch):
    import typer

    a = _film(tmp_path / "a.png", 200)
    log = tmp_path / "answers.csv"
    log.write_text("file,label\n")
    with _stdout_file(monkeypatch, log, "r+"), pytest.raises(typer.Exit) as e:   # the shell's 1<>
        answer(Model(), Answering(fmt="csv"), [a], [a], [])
    assert e.value.exit_code == 2 and "not opened for appending" in capsys.readouterr().err
    assert log.read_text() == "file,label\n"


def test_skip_answered_says_once_at_the_start_which_films_its_logs_do_not_answer(tmp_path, capsys, monkeypatch):
    _watch(monkeypatch, polls=4)
    _film(tmp_path / "a.png", 200)
    log = tmp_path.parent / f"{tmp_path.name}.jsonl"
    log.write_text("")
    _, _, err = _run(capsys, Model(), Answering(fmt="json", watch=True, answered={}, answered_in=(log,)), [str(tmp_path)])
    said = [line for line in err.splitlines() if "no answer in" in line]
    assert len(said) == 1 and said[0].startswith(f"edge-classify: note: 1 film in {tmp_path}/ has no answer in "), err
