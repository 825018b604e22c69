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
    pixels = np.tile(ramp, (40, 1))
    pixels[0] = np.clip(value - 20 + np.arange(40) % 21, 0, 255)  # 16 grey levels or more: no posterised one either
    Image.fromarray(pixels).save(path)
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
    assert len(warned) == (1 if fmt == "text" else 0)   # once a run (edge.flagged_once); machines read "atypical"
    if warned:
        assert warned[0].startswith(f"edge-classify: warning: {a}: ") and "(some ordinary films are flagged too)" in warned[0]
        assert out == f"{a}\tCOVID\t0.8000\tflagged\n" * 2  # each flagged answer line marked
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
