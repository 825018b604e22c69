"""A watch's model file replaced under it (a new model rolled out by mv or cp, a copy cut short, emptied,
removed, a rollback): said once it settles, while the watch goes on answering with the model it loaded
(edge.model_swap). Before, the watch said nothing: the fleet's operator took the new model to be answering.
Real tiny models (tests/conftest.py's tiny_run: its int8 and fp32 files are two different models) and a real
EdgeModel in the watch."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from edge.answering import Answering, answer
from edge.digest import file_sha256
from edge.model import EdgeModel
from edge.model_swap import ModelFile
from tests.test_answering_pinned import _film


def _deployed(tiny_run: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(the deployed model_int8.tflite, the new model to roll out), copies of tiny_run's."""
    deployed = tmp_path / "model_int8.tflite"
    shutil.copyfile(tiny_run / "model_int8.tflite", deployed)
    new = tmp_path / "new.tflite"
    shutil.copyfile(tiny_run / "model_fp32.tflite", new)
    return deployed, new


def test_a_watch_says_its_model_file_was_replaced_and_goes_on_answering_with_the_one_it_loaded(
        tiny_run, tmp_path, capsys, monkeypatch):
    deployed, new = _deployed(tiny_run, tmp_path)
    loaded, rolled_out = file_sha256(deployed), file_sha256(new)
    films = tmp_path / "incoming"
    films.mkdir()
    _film(films / "a.png", 120)
    import edge.watch as watch_module

    def polls(watcher, interval, sleep=None):
        yield watcher.poll()
        os.replace(new, deployed)  # the rollout: a copy renamed onto --model's path
        for _ in range(3):
            yield watcher.poll()
        _film(films / "b.png", 200)  # a film after the rollout
        for _ in range(3):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    m = EdgeModel(deployed)
    how = Answering(fmt="json", watch=True, model_id=(loaded, list(m.labels)))
    answer(m, how, [str(films)], [], [])
    out, err = capsys.readouterr()
    said = [line for line in err.splitlines() if "was replaced" in line]
    assert len(said) == 1, err  # once, not at every poll
    assert f"sha256 {rolled_out}" in said[0] and f"model_sha256 {loaded}" in said[0] and "restart" in said[0]
    answers = [json.loads(line) for line in out.splitlines()]
    assert [Path(a["file"]).name for a in answers] == ["a.png", "b.png"]
    assert {a["model_sha256"] for a in answers} == {loaded}  # the model that answered, not the file now there


def test_a_model_file_cut_short_emptied_or_removed_is_said_to_be_unloadable(tiny_run, tmp_path):
    deployed, _ = _deployed(tiny_run, tmp_path)
    whole = deployed.read_bytes()
    watched = ModelFile(deployed, file_sha256(deployed))
    assert watched.note() is None
    deployed.write_bytes(whole[: len(whole) // 2])  # a plain cp onto it, interrupted: the same inode
    assert watched.note() is None  # changing: not judged before it settles
    said = watched.note()
    assert said is not None and "would not load" in said and "cut short" in said and "restart with this file fails" in said
    assert watched.note() is None  # said once
    deployed.write_bytes(b"")
    watched.note()
    assert "the file is empty" in (watched.note() or "")
    deployed.unlink()
    watched.note()
    assert "is gone" in (watched.note() or "")


def test_the_loaded_file_put_back_is_said_and_a_touch_is_not(tiny_run, tmp_path):
    deployed, new = _deployed(tiny_run, tmp_path)
    kept = tmp_path / "model_int8.tflite.prev"
    shutil.copyfile(deployed, kept)
    watched = ModelFile(deployed, file_sha256(deployed))
    os.utime(deployed, ns=(1, 1))  # the same bytes, touched or copied again: the same model, nothing said
    watched.note()
    assert watched.note() is None
    shutil.copyfile(new, deployed)
    watched.note()
    assert "was replaced" in (watched.note() or "")
    shutil.copyfile(kept, deployed)  # the rollback
    watched.note()
    assert "is again the one this watch loaded" in (watched.note() or "")
