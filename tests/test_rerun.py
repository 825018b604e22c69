"""The same cxr-train command run again over its finished run trains nothing, as a make-like tool does: it
trained the whole run again (minutes to an hour on real films) to the same weights, and then said the run's
.tflite files came from an earlier model. Where the run may not be what the call would make, it trains as before
and says why."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from edge import __version__
from tests.test_train_messages import cxr_train


def _files(run: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``run``: its SHA-256 and modification time."""
    return {p.relative_to(run).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(run.rglob("*")) if p.is_file()}


def test_the_same_command_over_its_finished_run_trains_and_writes_nothing(tmp_path):
    run = tmp_path / "run"
    args = ("--data", "synthetic", "--out", str(run), "--epochs", "1", "--synthetic-count", "8", "--image-size", "32",
            "--batch-size", "8", "--teacher-members", "0", "-q")
    assert cxr_train(*args).returncode == 0
    before = _files(run)
    created = json.loads((run / "run.json").read_text())["created"]  # 2026-12-05T07:31:02+00:00
    r = cxr_train(*args)
    assert r.returncode == 0, r.stderr
    assert r.stderr == (f"cxr-train: {run} already holds a finished run of these settings and films (COVID, Normal from "
                        f"synthetic, trained {created[:10]} {created[11:16]} UTC by cxr-edge {__version__}): nothing to "
                        "do; --replace trains it again\n")
    assert _files(run) == before  # model.keras's bytes and date among them
    r = cxr_train(*args, "--replace")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(f"cxr-train: replacing the finished run in {run} (COVID, Normal from synthetic)\n")
    assert (run / "model.keras").stat().st_mtime_ns != before["model.keras"][1]


def test_a_finished_run_that_may_not_be_what_the_call_would_make_is_trained_again_with_the_reason(
        tmp_path, capsys, monkeypatch):
    import train.run
    from tests.test_data import write_images
    from train.run import TrainSettings, run_training

    films = tmp_path / "films"
    write_images(films / "COVID", "COVID", 10)
    write_images(films / "Normal", "Normal", 10)
    s = TrainSettings(data=str(films), out=tmp_path / "run", epochs=1, image_size=32, batch_size=8, teacher_members=1,
                      progress=False)
    run_training(s)  # the default recipe: a teacher of one member, then its student
    trained = []
    monkeypatch.setattr(train.run, "_train", lambda settings, **kw: trained.append(settings.out))
    capsys.readouterr()

    def again() -> str:
        trained.clear()
        run_training(s)
        return capsys.readouterr().err

    assert "nothing to do" in again() and trained == []
    run_json = s.out / "run.json"
    record = json.loads(run_json.read_text())
    # its split drawn by the rules of an older cxr-edge, which this version changed
    run_json.write_text(json.dumps({**record, "cxr_edge_version": "0.27.0"}))
    assert ("; it drew its split by the rules of cxr-edge 0.27.0, which this version changed (patients kept together, "
            "placeholders, synthetic folders): training it again") in again() and trained == [s.out]
    # no record of its films (a student of a teacher older than the record): whether they changed cannot be told
    run_json.write_text(json.dumps({**record, "data_fingerprint": None}))
    assert ("; its run.json holds no record of the films it was trained from, so whether they changed since could "
            "not be told: training it again") in again() and trained == [s.out]
    # its record of them edited away or damaged: said as such, not as a run without one
    run_json.write_text(json.dumps({k: v for k, v in record.items() if k != "data_fingerprint"}))
    assert (f"; its run.json's record of its films is damaged (no data_fingerprint, which cxr-edge "
            f"{record['cxr_edge_version']} records), so whether the films in {films} changed since cannot be told"
            ) in again() and trained == [s.out]
    run_json.write_text(json.dumps(record))
    # its teacher trained again since (another model): the student learnt from another teacher
    teacher_json = s.out / "teacher" / "run.json"
    teacher_record = json.loads(teacher_json.read_text())
    teacher_json.write_text(json.dumps({**teacher_record, "model_sha256": "0" * 64}))
    assert f"; its teacher {s.out / 'teacher'} was trained again since" in again() and s.out in trained
    teacher_json.write_text(json.dumps(teacher_record))
    # model.keras not the one run.json records: a retrain stopped after saving its model goes on, as before
    model = (s.out / "model.keras").read_bytes()
    (s.out / "model.keras").write_bytes(model + b"\0")
    assert f"going on in {s.out}, where a cxr-train was stopped before it finished" in again() and trained == [s.out]
    (s.out / "model.keras").write_bytes(model)
    # the teacher's folder deleted to save space: the finished student is still this call's run
    (s.out / "teacher" / "model.keras").unlink()
    assert "nothing to do" in again() and trained == []
    # --replace trains it again as asked
    trained.clear()
    run_training(replace(s, replace=True))
    assert trained == [s.out / "teacher", s.out]


def test_a_converted_run_whose_films_changed_is_kept_until_replace_says_otherwise(tmp_path, monkeypatch, capsys):
    """Its split.json is the only record of which films trained and tested the model its .tflite files carry: the
    same command over it, after a film changed at the source, retrained and overwrote it, then warned."""
    import train.run
    from convert.quantize import ConvertSettings, run_conversion
    from tests.test_data import write_images
    from train.data import DataError
    from train.run import TrainSettings, run_training

    monkeypatch.chdir(tmp_path)  # folders as typed, and as the lines show them
    films = Path("films")
    write_images(films / "COVID", "COVID", 10)
    normal = write_images(films / "Normal", "Normal", 10)
    run = Path("run")
    s = TrainSettings(data=str(films), out=run, epochs=1, image_size=32, batch_size=8, teacher_members=0,
                      progress=False)
    run_training(s)
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=10, progress=False))
    before = _files(run)
    capsys.readouterr()
    run_training(s)  # the same films: nothing to do, and the line says how films are compared
    created = json.loads((run / "run.json").read_text())["created"]
    assert capsys.readouterr().err == (
        f"cxr-train: {run} already holds a finished run of these settings and films (as their names, sizes and dates "
        f"tell; COVID, Normal from {films}, trained {created[:10]} {created[11:16]} UTC by cxr-edge {__version__}): "
        "nothing to do; --replace trains it again\n")
    normal[0].write_bytes(write_images(Path("other"), "COVID", 1)[0].read_bytes())  # one film fixed at the source
    with pytest.raises(DataError) as refused:
        run_training(s)
    assert str(refused.value) == (
        f"--out {run} holds a finished run (COVID, Normal from {films}) and model_int8.tflite converted from it (as far as "
        "their metadata tells), but the "
        f"films in {films} changed (0 added, 1 removed or changed) since it was trained: training again would replace "
        "its split.json (which films trained and tested the model that file was converted from), run.json and "
        f"model.keras. Give another --out to train on the films as they are now and keep this run, or copy {run} "
        "elsewhere first and then train over it with --replace")
    assert _files(run) == before  # nothing trained, nothing written
    trained = []
    monkeypatch.setattr(train.run, "_train", lambda settings, **kw: trained.append(settings.out))
    run_training(replace(s, replace=True))  # as asked
    assert trained == [run]
    from edge import metadata as md

    tflite = run / "model_int8.tflite"  # a file left from an earlier model of the run is no record of this one
    tflite.write_bytes(md.rewrite(tflite.read_bytes(), lambda meta: {**meta, "trained": "2020-01-01T00:00:00+00:00"}))
    trained.clear()
    run_training(s)
    assert trained == [run]
    tflite.write_bytes(b"a .tflite whose metadata cannot be read")  # may still be converted from this model: kept
    with pytest.raises(DataError, match="and model_int8.tflite converted from it"):
        run_training(s)
    assert trained == [run]
    tflite.unlink()  # no converted file: the run is trained again as before, saying why
    trained.clear()
    run_training(s)
    assert trained == [run]


def test_a_converted_run_trained_again_for_any_reason_is_kept_until_replace_says_otherwise(tmp_path, monkeypatch):
    """A run drawn by an older cxr-edge's split rules (or with no record of its films) was trained again by the same
    command without --replace though .tflite files were converted from it: split.json and model.keras were replaced
    first, and cxr-evaluate then left out the new split's films for the old file's model."""
    import train.run
    from convert.quantize import ConvertSettings, run_conversion
    from tests.test_data import write_images
    from train.data import DataError
    from train.run import TrainSettings, run_training

    monkeypatch.chdir(tmp_path)
    films = Path("films")
    write_images(films / "COVID", "COVID", 10)
    write_images(films / "Normal", "Normal", 10)
    run = Path("run")
    s = TrainSettings(data=str(films), out=run, epochs=1, image_size=32, batch_size=8, teacher_members=0,
                      progress=False)
    run_training(s)
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=10, progress=False))
    trained = []
    monkeypatch.setattr(train.run, "_train", lambda settings, **kw: trained.append(settings.out))
    run_json = run / "run.json"
    record = json.loads(run_json.read_text())
    tail = (": training again would replace its split.json (which films trained and tested the model that file was "
            f"converted from), run.json and model.keras. Give another --out to train it again and keep this run, or "
            f"copy {run} elsewhere first and then train over it with --replace")
    for edited, why in (
            ({**record, "cxr_edge_version": "0.6.0"},
             "it drew its split by the rules of cxr-edge 0.6.0, which this version changed (patients kept together, "
             "placeholders, synthetic folders)"),
            ({**record, "data_fingerprint": None},
             "its run.json holds no record of the films it was trained from, so whether they changed since could not "
             "be told")):
        run_json.write_text(json.dumps(edited))
        before = _files(run)
        with pytest.raises(DataError) as refused:
            run_training(s)
        assert str(refused.value) == (f"--out {run} holds a finished run (COVID, Normal from {films}) and "
                                      f"model_int8.tflite converted from it (as far as their metadata tells), but {why}"
                                      + tail)
        assert trained == [] and _files(run) == before  # nothing trained, nothing written
    run_training(replace(s, replace=True))  # as asked
    assert trained == [run]
