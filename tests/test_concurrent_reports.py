"""cxr-evaluate and cxr-compare while other commands write: the model they scored is the one their report,
seen-film check and --save-model copy are of; one report folder has one writer; --save-model keeps to files
of its own."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

ARGS = ["--keep-seen", "--explain", "0", "--n-boot", "100", "--quiet"]


def _data(run: Path) -> str:
    return json.loads((run / "split.json").read_text())["data_dir"]


def _replace_when_seen_checked(monkeypatch, model: Path, new: bytes) -> list:
    """Rewrite ``model`` as the seen-film check begins: a cxr-train --replace and cxr-convert run during
    the scoring (hours of films, at a site) finish there."""
    import convert.seen

    real, calls = convert.seen.leave_out_seen, []
    real = getattr(real, "original", real)  # not an earlier rewrite's

    def rewritten_first(*args, **kwargs):
        calls.append(1)
        model.write_bytes(new)
        return real(*args, **kwargs)

    rewritten_first.original = real
    monkeypatch.setattr(convert.seen, "leave_out_seen", rewritten_first)
    return calls


def test_a_model_file_rewritten_while_it_is_scored_writes_no_report_and_no_copy(tiny_run, unseen_site, tmp_path,
                                                                                monkeypatch):
    """The figures were the old model's, its seen-film check, the report's digest and the --save-model copy the
    new file's: films the scored model trained on counted as unseen, and a deployable copy of the new weights
    carried the old weights' threshold. All with exit code 0."""
    from convert.evaluate_cli import evaluate_app

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    model, saved, out = run / "model_int8.tflite", tmp_path / "site.tflite", tmp_path / "r"
    calls = _replace_when_seen_checked(monkeypatch, model, (run / "model_fp32.tflite").read_bytes())
    r = CliRunner().invoke(evaluate_app, [str(model), str(unseen_site), *ARGS[1:], "--out", str(out), "--operating-point",
                                          "COVID=0.9", "--save-model", str(saved)])  # ARGS[1:]: no --keep-seen
    assert calls and r.exit_code == 2, r.output
    assert f"cxr-evaluate: error: {model} changed while it was scored" in r.output and "nothing written" in r.output
    assert not out.exists() and not saved.exists() and not list(tmp_path.glob(".site.*"))
    # a model.keras too: its seen-film check reads split.json beside it, its digest the file
    keras = run / "model.keras"
    as_trained = keras.read_bytes()
    calls = _replace_when_seen_checked(monkeypatch, keras, as_trained + b"\0")
    r = CliRunner().invoke(evaluate_app, [str(keras), _data(run), *ARGS, "--out", str(out)])
    assert calls and r.exit_code == 2 and f"{keras} changed while it was scored" in r.output, r.output
    assert not out.exists()
    keras.write_bytes(as_trained)
    split = run / "split.json"  # a retrain writes its new split first: the seen-film check of a .keras reads it
    calls = _replace_when_seen_checked(monkeypatch, split, split.read_bytes() + b"\n")
    r = CliRunner().invoke(evaluate_app, [str(keras), _data(run), *ARGS, "--out", str(out)])
    assert calls and r.exit_code == 2 and f"{split} changed while it was scored" in r.output, r.output
    assert not out.exists()
    # a .tflite without fingerprints of its own is checked against split.json too: held to it as a .keras is
    from edge import metadata as md

    flatbuffer, meta, files = md.read(run / "model_int8.tflite")
    meta.pop("seen")
    bare = run / "model_bare.tflite"
    bare.write_bytes(md.attach(flatbuffer, meta, {k: v for k, v in files.items() if not k.startswith("seen/")}))
    as_split = split.read_bytes()
    calls = _replace_when_seen_checked(monkeypatch, split, as_split + b"\n")
    r = CliRunner().invoke(evaluate_app, [str(bare), _data(run), *ARGS, "--out", str(out)])
    assert calls and r.exit_code == 2 and f"{split} changed while it was scored" in r.output, r.output
    # one that carries its own is not: its check never reads split.json, so a new split changes nothing it says
    split.write_bytes(as_split)
    calls = _replace_when_seen_checked(monkeypatch, split, as_split + b"\n")
    r = CliRunner().invoke(evaluate_app, [str(model), _data(run), *ARGS, "--out", str(out)])
    assert calls and r.exit_code == 0, r.output


def test_cxr_compare_refuses_a_model_rewritten_while_it_is_scored(tiny_run, tmp_path, monkeypatch):
    from convert.compare_cli import compare_app

    a, b = tmp_path / "a.tflite", tmp_path / "b.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", a)
    shutil.copy(tiny_run / "model_fp32.tflite", b)
    calls = _replace_when_seen_checked(monkeypatch, a, b.read_bytes())
    r = CliRunner().invoke(compare_app, [str(a), str(b), _data(tiny_run), "--keep-seen", "--n-boot", "100", "--quiet",
                                         "--out", str(tmp_path / "c")])
    assert calls and r.exit_code == 2 and f"cxr-compare: error: {a} changed while it was scored" in r.output, r.output
    assert not (tmp_path / "c").exists()


def test_a_second_report_into_a_folder_being_written_is_refused_at_once(tiny_run, tmp_path):
    """Two cxr-evaluate into RUN/site-report (model_int8 and model_fp32 on one site) both said 'report: ...'; the
    folder held the fp32 report alone."""
    pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")
    from convert.compare_cli import compare_app
    from convert.evaluate_cli import evaluate_app
    from train.run_lock import run_folder_lock

    out, model = tmp_path / "r", str(tiny_run / "model_int8.tflite")
    with run_folder_lock(tmp_path / "." / "r", "cxr-evaluate"):  # another cxr-evaluate writing it, by another spelling
        r = CliRunner().invoke(evaluate_app, [model, _data(tiny_run), *ARGS, "--out", str(out)])
        assert r.exit_code == 2, r.output
        assert f"{out} is being written by cxr-evaluate (process {os.getpid()}): two reports at once" in r.output
        r = CliRunner().invoke(compare_app, [model, str(tiny_run / "model_fp32.tflite"), _data(tiny_run), "--keep-seen",
                                             "--n-boot", "100", "--quiet", "--out", str(out)])
        assert r.exit_code == 2 and "is being written by cxr-evaluate" in r.output, r.output
    assert not out.exists()
    r = CliRunner().invoke(evaluate_app, [model, _data(tiny_run), *ARGS, "--out", str(out)])
    assert r.exit_code == 0, r.output  # free once the first is done


def test_a_run_folder_that_cxr_convert_writes_is_refused_as_a_run_folder_not_as_a_busy_one(tiny_run, tmp_path):
    """--out RUN while cxr-convert wrote RUN was told to wait for 'two reports at once', then, after the wait,
    that RUN is a run folder: the real reason comes first."""
    pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")
    from convert.evaluate_cli import evaluate_app
    from train.run_lock import run_folder_lock

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    with run_folder_lock(run, "cxr-convert"):
        r = CliRunner().invoke(evaluate_app, [str(run / "model_int8.tflite"), _data(tiny_run), *ARGS, "--out", str(run)])
    assert r.exit_code == 2 and "it is a run folder (run.json)" in r.output and "being written" not in r.output, r.output


def test_save_model_refuses_a_run_folders_model_files(tiny_run, tmp_path):
    """--save-model RUN/model_fp32.tflite replaced the run's fp32 file with an int8 copy (cxr-convert --report-only
    then refused the run, and its report described an fp32 file that was gone)."""
    from convert.evaluate_cli import evaluate_app

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    fp32 = (run / "model_fp32.tflite").read_bytes()
    site = ["--operating-point", "COVID=0.9", "--out", str(tmp_path / "r")]
    for name in ("model_fp32.tflite", "model.tflite", "model_site.tflite"):
        r = CliRunner().invoke(evaluate_app, [str(run / "model_int8.tflite"), _data(run), *ARGS, *site,
                                              "--save-model", str(run / name)])
        assert r.exit_code == 2 and f"--save-model {run / name}: it is a model file of the run folder {run}" in r.output, \
            r.output
    assert (run / "model_fp32.tflite").read_bytes() == fp32 and not (run / "model_site.tflite").exists()


def test_save_model_clears_the_copies_a_killed_save_model_left(tiny_run, unseen_site, tmp_path):
    """A killed cxr-evaluate --save-model left a hidden, model-sized copy that no later run removed."""
    from convert.evaluate_cli import evaluate_app

    run = tiny_run
    site = ["--operating-point", "COVID=0.9", "--out", str(tmp_path / "r")]
    saves = tmp_path / "saves"
    saves.mkdir()
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = saves / f".site.0123456789abcdef.p{dead.pid}.tmp.tflite"  # a cxr-evaluate --save-model saves/site.tflite
    others = [saves / f".other.0123456789abcdef.p{dead.pid}.tmp.tflite", saves / "notes.txt"]  # not this file's
    for p in (killed, *others):
        p.write_bytes(b"x" * 1000)
        old = time.time() - 120  # older than edge.leftovers.YOUNG_S
        os.utime(p, (old, old))
    r = CliRunner().invoke(evaluate_app, [str(run / "model_int8.tflite"), str(unseen_site), *ARGS[1:], *site,
                                          "--save-model", str(saves / "site.tflite")])
    assert r.exit_code == 0, r.output
    assert f"removed 1 temporary copy of {saves / 'site.tflite'}" in r.output
    assert sorted(p.name for p in saves.iterdir()) == sorted([others[0].name, "notes.txt", "site.tflite"])


def test_a_second_save_model_into_a_file_being_written_is_refused_at_once(tiny_run, unseen_site, tmp_path):
    """Two cxr-evaluate --save-model site.tflite at once both said 'saved in site.tflite': the file held the last
    one's rule, and the other's report named a SHA-256 and threshold that were not in it."""
    pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")
    from convert.evaluate_cli import evaluate_app
    from train.run_lock import run_folder_lock

    saved = tmp_path / "site.tflite"
    args = [str(tiny_run / "model_int8.tflite"), str(unseen_site), *ARGS[1:], "--operating-point", "COVID=0.9",
            "--save-model", str(saved)]
    with run_folder_lock(tmp_path / "." / "site.tflite", "cxr-evaluate"):  # another --save-model of it, by another spelling
        r = CliRunner().invoke(evaluate_app, [*args, "--out", str(tmp_path / "r")])  # its own report folder
        assert r.exit_code == 2, r.output
        assert f"{saved} is being written by cxr-evaluate (process {os.getpid()}): two --save-model copies" in r.output
    assert not saved.exists() and not (tmp_path / "r").exists()


def _mid_retrain(tiny_run: Path, run: Path) -> None:
    """``run``: a copy of tiny_run as a cxr-train --replace leaves it part-way (its new split beside the old record)."""
    shutil.copytree(tiny_run, run)
    record = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**record, "split_digest": "0" * 64}))


def test_a_run_being_written_is_said_to_be_written_not_stopped(tiny_run, tmp_path, monkeypatch):
    """cxr-evaluate RUN/model.keras and --teacher RUN while a cxr-train (on this machine, or another through a share)
    retrained RUN said 'a cxr-train there stopped ... run its cxr-train command again': a third writer, for a run
    that was still being written."""
    pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")
    import train.machine_lock as machine_lock
    from convert.evaluate_cli import evaluate_app
    from edge.preprocess import PreprocessConfig
    from train.data import DataError
    from train.run import TrainSettings
    from train.run_lock import run_folder_lock
    from train.teacher_split import teacher_data

    run = tmp_path / "run"
    _mid_retrain(tiny_run, run)
    config = PreprocessConfig.from_dict(json.loads((run / "run.json").read_text())["preprocess"])
    student = TrainSettings(data="synthetic", out=tmp_path / "student", teacher=str(run), image_size=64, progress=False)
    for host in ("this", "another"):
        with run_folder_lock(run, "cxr-train"):
            if host == "another":  # its lock in another /tmp: the folder's own lock tells
                monkeypatch.setattr(machine_lock, "lock_folder_path", lambda: str(tmp_path / "tmp-of-this"))
            r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), _data(tiny_run), *ARGS,
                                                  "--out", str(tmp_path / "r")])
            assert r.exit_code == 2 and f"{run} is being written by cxr-train (process {os.getpid()}" in r.output, r.output
            assert "stopped" not in r.output and "command again" not in r.output, r.output
            with pytest.raises(DataError, match=r"is being written by cxr-train \(process"):
                teacher_data(student, config)
    with pytest.raises(DataError, match="run its cxr-train command again"):  # none writing it: stopped, as said
        teacher_data(student, config)
