"""edge.answering.answer pinned where a small change went unseen (hand mutation testing): which lines a batch
prints, on stdout and stderr, what it refuses, and its exit code. The model is a plain numpy classifier with real
PNG films decoded by edge.preprocess: answer() reads only its labels, metadata, preprocessing and classify()/
atypical(); the TFLite runtime is no part of what is pinned here (tests/test_edge_cli_* run it whole)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from edge.answering import Answering, answer
from edge.batch import Result
from edge.cliutil import EXIT_OK, EXIT_SOME_FAILED
from edge.preprocess import PreprocessConfig

LABELS = ["COVID", "Normal"]


class Model:
    """A classifier calling a film COVID when its mean pixel is above the middle, and flagging (input check)
    the films named in ``odd`` by their mean pixel value."""

    def __init__(self, flag_bright: bool = False, meta: dict | None = None):
        self.labels = list(LABELS)
        self.meta = dict(meta or {})
        self.preprocess = PreprocessConfig(size=32, normalize="none", trim_borders=False)
        self.flag_bright = flag_bright
        self.path = Path("model_int8.tflite")

    def classify(self, batch):
        p = np.where(batch.reshape(len(batch), -1).astype(np.float64).mean(axis=1) / 255.0 > 0.5, 0.8, 0.3)
        return np.stack([p, 1 - p], axis=1).astype(np.float32)

    def log_scores(self, batch):  # edge.explain's occlusion map reads these
        return np.log(self.classify(batch))

    def atypical(self, batch):
        if not self.flag_bright:
            return None
        return batch.reshape(len(batch), -1).astype(np.float64).mean(axis=1) > 250


def _film(path: Path, value: int) -> str:
    from PIL import Image

    ramp = np.clip(value + np.arange(40) % 5 - 2, 0, 255).astype(np.uint8)  # never one grey level: no blank film
    Image.fromarray(np.tile(ramp, (40, 1))).save(path)
    return str(path)


def _run(capsys, model, how, files, missing=()):
    code = answer(model, how, list(files), [str(f) for f in files], list(missing))
    out, err = capsys.readouterr()
    return code, out, err


def _ct(path: Path) -> str:
    """A DICOM film whose header says CT: no frontal chest radiograph (edge.dicom_view)."""
    import pydicom

    from tests.test_dicom import make_dicom, ramp

    path.write_bytes(make_dicom(ramp(48, 48, 4000)))
    ds = pydicom.dcmread(path)
    ds.Modality = "CT"
    ds.save_as(path)
    return str(path)


def _watch(monkeypatch, polls: int = 2):
    """answer()'s watch made to poll ``polls`` times, then stopped as Ctrl-C stops it."""
    import edge.watch as watch_module

    def stopped(watcher, interval, sleep=None):
        for _ in range(polls):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", stopped)


def test_each_film_is_answered_where_it_was_given_and_a_failure_sets_the_exit_code(tmp_path, capsys):
    a, b = _film(tmp_path / "a.png", 200), _film(tmp_path / "b.png", 20)
    code, out, err = _run(capsys, Model(), Answering(fmt="json"), [a, b],
                          [(1, Result("gone.png", error="no such file or folder"))])
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["file"], r.get("label"), r.get("error")) for r in rows] == [
        (a, "COVID", None), ("gone.png", None, "no such file or folder"), (b, "Normal", None)]
    assert code == EXIT_SOME_FAILED
    assert "edge-classify: summary: 3 files: 1 COVID, 1 Normal, 1 failed" in err.splitlines()


def test_all_answered_is_exit_0_and_one_film_has_no_summary(tmp_path, capsys):
    a, b = _film(tmp_path / "a.png", 200), _film(tmp_path / "b.png", 20)
    code, out, err = _run(capsys, Model(), Answering(fmt="text"), [a])
    assert (code, out, err) == (EXIT_OK, f"{a}\tCOVID\t0.8000\n", "")  # one film: its line is all
    code, out, err = _run(capsys, Model(), Answering(fmt="text"), [a, b])
    assert code == EXIT_OK and err == "edge-classify: summary: 2 files: 1 COVID, 1 Normal\n"


def test_the_label_rule_in_force_gives_the_label(tmp_path, capsys):
    """COVID at 0.3 is below the most probable class, above a rule's threshold of 0.25: the rule's label."""
    b = _film(tmp_path / "b.png", 20)
    code, out, _ = _run(capsys, Model(), Answering(fmt="json", rule=(0, 0.25)), [b])
    assert json.loads(out)["label"] == "COVID" and code == EXIT_OK


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_an_atypical_film_is_warned_of_in_text_alone_and_counted(tmp_path, capsys, fmt):
    a = _film(tmp_path / "a.png", 253)
    code, out, err = _run(capsys, Model(flag_bright=True), Answering(fmt=fmt), [a, a])
    warned = [line for line in err.splitlines() if "warning:" in line]
    assert len(warned) == (2 if fmt == "text" else 0)   # machines read the "atypical" field instead
    if warned:
        assert warned[0].startswith(f"edge-classify: warning: {a}: ") and "(some ordinary films are flagged too)" in warned[0]
    assert "; 2 unlike the training images (input check)" in err
    assert code == EXIT_OK                               # flagged is no failure


def test_refuse_atypical_refuses_the_flagged_film_alone_and_fails_the_run(tmp_path, capsys):
    a, b = _film(tmp_path / "a.png", 253), _film(tmp_path / "b.png", 20)
    code, out, err = _run(capsys, Model(flag_bright=True), Answering(fmt="json", refuse_atypical=True), [a, b])
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["error"].startswith("refused: less typical than") and "label" not in rows[0]
    assert rows[1]["label"] == "Normal" and "error" not in rows[1]
    assert code == EXIT_SOME_FAILED and "2 files: 0 COVID, 1 Normal, 1 refused; 1 unlike" in err


def test_a_film_its_header_flags_is_warned_of_except_in_json_and_refused_undecoded_with_refuse(tmp_path, capsys):
    ct = _ct(tmp_path / "ct.dcm")
    for fmt, warned in (("text", True), ("csv", True), ("json", False)):
        code, out, err = _run(capsys, Model(), Answering(fmt=fmt), [ct])
        assert (f"edge-classify: warning: {ct}: the DICOM header says Modality CT: not a radiograph" in err) is warned, (fmt, err)
        assert code == EXIT_OK
    code, out, err = _run(capsys, Model(), Answering(fmt="json", refuse_atypical=True), [ct])
    row = json.loads(out)
    assert row["error"].startswith("refused: the DICOM header says Modality CT: not a radiograph") and code == EXIT_SOME_FAILED
    assert "warning" not in err


def _description(png: str) -> str:
    from PIL import Image

    with Image.open(png) as im:
        return im.text["Description"]


def test_explain_writes_a_map_per_answer_says_how_many_and_keeps_what_the_folder_held(tmp_path, capsys):
    films = tmp_path / "films"
    films.mkdir()
    a, b = _film(films / "a.png", 200), _film(films / "b.png", 20)
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "a.png").write_text("the user's own file")
    code, out, err = _run(capsys, Model(), Answering(fmt="json", explain=maps, rule=(0, 0.25)), [a, b])
    rows = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["map"]).name for r in rows] == ["a-2.png", "b.png"]  # a taken name gets -2
    assert (maps / "a.png").read_text() == "the user's own file"
    assert "COVID 0.30" in _description(rows[1]["map"])              # the rule's label, as answered
    lines = err.splitlines()
    assert lines[0] == (f"edge-classify: note: {maps} holds 1 file already: it is kept, and a map whose name is taken "
                        "gets -2, -3, ... (its caption gives the film's path; --json and --csv answers name each map)")
    assert lines[-1] == f"edge-classify: 2 maps of where the model found its evidence in {maps}"
    assert code == EXIT_OK


def test_a_map_that_cannot_be_written_is_said_and_fails_the_run_but_the_label_stands(tmp_path, capsys):
    a = _film(tmp_path / "a.png", 200)
    code, out, err = _run(capsys, Model(), Answering(fmt="json", explain=tmp_path), [a])
    row = json.loads(out)
    assert row["label"] == "COVID" and row["map_error"].startswith(f"no map written ({tmp_path} is this film's own")
    assert f"edge-classify: {a}: no map written ({tmp_path} is this film's own folder" in err
    assert err.splitlines()[-1] == f"edge-classify: 0 maps of where the model found its evidence in {tmp_path}"
    assert code == EXIT_SOME_FAILED


def test_a_map_of_a_film_its_header_flags_says_what_the_header_says(tmp_path, capsys):
    ct = _ct(tmp_path / "ct.dcm")
    code, out, _ = _run(capsys, Model(), Answering(fmt="json", explain=tmp_path / "maps"), [ct])
    assert "The DICOM header says Modality CT: not a radiograph - look at the film" in _description(json.loads(out)["map"])


def test_a_film_given_twice_that_fails_counts_twice_in_a_batch(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a film")
    a = _film(tmp_path / "a.png", 200)
    code, _, err = _run(capsys, Model(), Answering(fmt="json"), [str(bad), str(bad), a])
    assert "summary: 3 files: 1 COVID, 0 Normal, 2 failed" in err and code == EXIT_SOME_FAILED


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
    assert header.endswith(",header_says") and row.endswith(",,")
    log.write_text(header.removesuffix(",header_says") + "\n")
    with _stdout_file(monkeypatch, log):
        assert answer(Model(), Answering(fmt="csv"), [a], [a], []) == EXIT_OK
    assert log.read_text().splitlines()[1] == row.removesuffix(",")
    assert "has the CSV columns of 0.44.0 and earlier, without header_says" in capsys.readouterr().err


def test_the_rule_in_force_gives_the_label_counted(tmp_path, capsys):
    """COVID at 0.3, below the most probable class and above the rule's 0.25: counted as COVID, as answered."""
    a, b = _film(tmp_path / "a.png", 200), _film(tmp_path / "b.png", 20)
    _, out, err = _run(capsys, Model(), Answering(fmt="text", rule=(0, 0.25)), [a, b])
    assert "summary: 2 files: 2 COVID, 0 Normal" in err


def test_a_film_its_header_flags_is_counted_as_such_and_keeps_its_reason_when_refused(tmp_path, capsys):
    ct = _ct(tmp_path / "ct.dcm")
    _, _, err = _run(capsys, Model(), Answering(fmt="json"), [ct, ct])
    assert "; 2 no frontal chest films by their DICOM headers" in err and "input check" not in err
    _, out, err = _run(capsys, Model(), Answering(fmt="json", refuse_atypical=True), [ct, ct])
    assert json.loads(out.splitlines()[0])["header_says"].startswith("the DICOM header says Modality CT")
    assert "2 no frontal chest films by their DICOM headers" in err


def test_refuse_atypical_refuses_a_film_its_header_flags_without_decoding_it(tmp_path, capsys, monkeypatch):
    """A CT whose pixels the device cannot decode (none here) is refused for its header, not 'cannot decode'."""
    import pydicom

    _watch(monkeypatch)
    ct = _ct(tmp_path / "ct.dcm")
    ds = pydicom.dcmread(ct)
    del ds.PixelData
    ds.save_as(ct)
    for watch in (False, True):
        code, out, _ = _run(capsys, Model(), Answering(fmt="json", refuse_atypical=True, watch=watch),
                            [str(tmp_path) if watch else ct])
        assert json.loads(out)["error"].startswith("refused: the DICOM header says Modality CT"), (watch, out)
        assert code == EXIT_SOME_FAILED


def test_a_batch_has_no_watchs_tally_lines(tmp_path, capsys):
    films = [_film(tmp_path / f"{i}.png", 200) for i in range(3)]
    _, _, err = _run(capsys, Model(), Answering(fmt="text", tally_every=2), films)
    assert err == "edge-classify: summary: 3 files: 3 COVID, 0 Normal\n"


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
