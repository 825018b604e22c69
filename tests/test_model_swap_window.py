"""A model file replaced in the seconds between its load and the watch's start (while --skip-answered's logs are
read, the folders listed): the watch says so. Before, edge.model_swap's first stamp was the path's at the watch's
start, so a file copied over --model in that window passed for the loaded one and was never said, though the
answers came from the model loaded before it. Real tiny models (tests/conftest.py's tiny_run: its int8 and fp32
files are two different models) and a real EdgeModel."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from edge import metadata as md
from edge.answer_model import model_file
from edge.answering import Answering, answer
from edge.digest import file_sha256
from edge.model import EdgeModel
from tests.test_answering_pinned import _film
from tests.test_model_swap import _deployed


def test_a_model_copied_over_after_the_load_and_before_the_watch_starts_is_said(tiny_run, tmp_path):
    deployed, new = _deployed(tiny_run, tmp_path)
    m = EdgeModel(deployed)  # loaded: int8
    shutil.copyfile(new, deployed)  # the rollout lands before the watch starts: a plain cp onto the same inode
    watched = model_file(m, m.file_sha256)  # as edge.answering builds it at the watch's start
    polls = [watched.note() for _ in range(3)]
    said = [p for p in polls[:2] if p]
    assert len(said) == 1 and "was replaced" in said[0], polls  # by the second poll
    assert f"sha256 {file_sha256(deployed)}" in said[0] and f"model_sha256 {m.file_sha256}" in said[0]
    assert polls[2] is None  # once


def test_a_model_renamed_over_in_that_window_is_said_through_the_watch(tiny_run, tmp_path, capsys, monkeypatch):
    deployed, new = _deployed(tiny_run, tmp_path)
    films = tmp_path / "incoming"
    films.mkdir()
    _film(films / "a.png", 120)
    import edge.watch as watch_module

    def polls(watcher, interval, sleep=None):
        for _ in range(3):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    m = EdgeModel(deployed)
    loaded, rolled_out = m.file_sha256, file_sha256(new)
    os.replace(new, deployed)  # a copy renamed onto --model's path, after the load, before the watch starts
    answer(m, Answering(fmt="json", watch=True, model_id=(loaded, list(m.labels))), [str(films)], [], [])
    out, err = capsys.readouterr()
    said = [line for line in err.splitlines() if "was replaced" in line]
    assert len(said) == 1 and f"sha256 {rolled_out}" in said[0] and f"model_sha256 {loaded}" in said[0], err
    assert {json.loads(line)["model_sha256"] for line in out.splitlines()} == {loaded}  # answered by the loaded model


def test_the_same_bytes_copied_again_in_that_window_say_nothing(tiny_run, tmp_path):
    deployed, _ = _deployed(tiny_run, tmp_path)
    m = EdgeModel(deployed)
    shutil.copyfile(tiny_run / "model_int8.tflite", deployed)  # copied again unchanged: the same model
    watched = model_file(m, m.file_sha256)
    assert [watched.note() for _ in range(3)] == [None, None, None]


def test_the_stamp_is_the_file_s_as_read(tiny_run, tmp_path):
    deployed, _ = _deployed(tiny_run, tmp_path)
    *read, digest, opened = md.read_stamped(deployed)
    assert read == list(md.read(deployed)) and digest == file_sha256(deployed)
    now = os.stat(deployed)
    assert (opened.st_ino, opened.st_size, opened.st_mtime_ns) == (now.st_ino, now.st_size, now.st_mtime_ns)
    assert EdgeModel(deployed).file_stat.st_ino == Path(deployed).stat().st_ino
