"""What run.json records of how a model was trained: the class weights of its loss and the films it
was trained from (their fingerprint, compared before a finished teacher is reused)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np


def test_run_json_records_the_class_weights_of_the_loss(tiny_run):
    from train.fit import class_weights

    run = json.loads((tiny_run / "run.json").read_text())
    train = run["counts"]["train"]
    y = np.repeat(np.arange(len(run["classes"])), [train[c] for c in run["classes"]])
    expected = class_weights(y, len(run["classes"]))
    assert run["fit"]["class_weights"] == {c: expected[k] for k, c in enumerate(run["classes"])}


def test_run_json_records_the_films_it_was_trained_from(tiny_run):
    for run_dir in (tiny_run / "teacher", tiny_run):  # the student's films are its teacher's
        run = json.loads((run_dir / "run.json").read_text())
        films = sum(n for part in run["counts"].values() for n in part.values()) + len(run["skipped_files"])
        assert run["data_fingerprint"]["files"] == films and len(run["data_fingerprint"]["sha256"]) == 64


def _copy(tiny_run, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    return run


def _swap_split_classes(run):
    split = json.loads((run / "split.json").read_text())
    split["classes"] = split["classes"][::-1]  # what a --replace retrain with the other class order, stopped, left
    (run / "split.json").write_text(json.dumps(split))


def test_a_split_of_another_class_order_or_a_model_not_recorded_is_refused_by_cxr_convert(tiny_run, tmp_path):
    """The model's outputs would be named in the wrong order, and scored perfect on the split's own order."""
    import pytest

    from convert.quantize import ConvertSettings, run_conversion
    from edge.digest import file_sha256

    run = _copy(tiny_run, tmp_path)
    assert json.loads((run / "run.json").read_text())["model_sha256"] == file_sha256(run / "model.keras")
    _swap_split_classes(run)
    settings = ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), progress=False)
    with pytest.raises(ValueError, match="is not the split .* was trained on"):
        run_conversion(settings)
    run = _copy(tiny_run, tmp_path / "b")
    with open(run / "model.keras", "ab") as f:  # another model saved, run.json not yet written
        f.write(b"\0")
    with pytest.raises(ValueError, match="model.keras is not the model .*run.json describes"):
        run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), progress=False))


def test_a_teacher_whose_files_do_not_belong_together_is_neither_reused_nor_taken(tiny_run, tmp_path):
    import pytest

    from edge.preprocess import PreprocessConfig
    from train.data import DataError
    from train.teacher_split import teacher_data
    from train.resume import other_settings
    from train.run import TrainSettings

    run = _copy(tiny_run, tmp_path)
    recorded = json.loads((run / "run.json").read_text())["settings"]
    same = TrainSettings(**{**recorded, "out": run, "teacher": str(run / "teacher")})  # the copy: another --out
    assert [k for k in other_settings(run, same) if k != "out"] == []  # a run moved is the same run
    _swap_split_classes(run)
    assert [k for k in other_settings(run, same) if k != "out"] == [
        "another split or model (a cxr-train there was stopped before it finished)"]
    # no finished run to keep: the command that was stopped goes on without --replace, as its interrupt line says
    # (it was refused as "a finished run ... trained with another split or model (...)", and cxr-convert refused the run)
    from train.resume import finished_run

    assert finished_run(run, same, 0) is None
    student = TrainSettings(data="synthetic", out=tmp_path / "student", teacher=str(run), image_size=64, progress=False)
    with pytest.raises(DataError, match="--teacher .*is not the split"):
        teacher_data(student, PreprocessConfig.from_dict(json.loads((run / "run.json").read_text())["preprocess"]))


def test_a_run_folder_moved_keeps_its_own_teacher_as_the_same_setting():
    from train.resume import _comparable

    here = _comparable({"out": "/runs/a", "teacher": "/runs/a/teacher", "data": "synthetic"})
    moved = _comparable({"out": "/elsewhere/b", "teacher": "/elsewhere/b/teacher", "data": "synthetic"})
    assert here["teacher"] == moved["teacher"]
    other = _comparable({"out": "/elsewhere/b", "teacher": "/runs/a/teacher", "data": "synthetic"})
    assert other["teacher"] != moved["teacher"]  # --teacher RUN of another folder is another setting


def test_cxr_train_refuses_seeds_and_learning_rates_it_cannot_use(tmp_path):
    from typer.testing import CliRunner

    from train.cli import train_app as app

    for args, said in [(["--seed", "-1"], "--seed must be a whole number from 0 to"),
                       (["--seed", str(2**31)], "--seed must be a whole number from 0 to"),
                       (["--learning-rate", "nan"], "--learning-rate must be a number above 0"),
                       (["--learning-rate", "-0.1"], "--learning-rate must be a number above 0"),
                       (["--learning-rate", "1e20"], "and at most 1 (e.g. 0.001), not 1e+20")]:
        r = CliRunner().invoke(app, ["--data", "synthetic", "--out", str(tmp_path / "r"), *args])
        assert r.exit_code == 2 and said in r.output, r.output
    assert not (tmp_path / "r").exists()


def test_classes_named_as_the_run_found_them_are_no_other_setting(tiny_run, tmp_path):
    from train.resume import other_settings
    from train.run import TrainSettings

    run = _copy(tiny_run, tmp_path)
    info = json.loads((run / "run.json").read_text())
    same = {**info["settings"], "out": run, "teacher": str(run / "teacher")}
    assert same["classes"] in (None, info["classes"])
    for classes, differs in ((None, False), (info["classes"], False), (info["classes"][::-1], True)):
        found = [k for k in other_settings(run, TrainSettings(**{**same, "classes": classes})) if k != "out"]
        assert (found == ["classes"]) if differs else (found == []), (classes, found)


def test_cxr_evaluate_refuses_a_keras_model_whose_run_is_half_retrained(tiny_run, tmp_path):
    """cxr-convert refused the folder, cxr-evaluate scored it: the new split's films it saw counted as unseen."""
    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app

    run = _copy(tiny_run, tmp_path)
    _swap_split_classes(run)
    data = json.loads((run / "split.json").read_text())["data_dir"]
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), data, "--out", str(tmp_path / "r"), "--quiet"])
    assert r.exit_code == 2 and "is not the split" in r.output and "run its cxr-train command again" in r.output


def test_a_data_folder_given_as_typed_elsewhere_is_the_same_folder(tiny_run, tmp_path, monkeypatch):
    """run.json keeps --data as typed ('data'): a stopped default run, called again from another folder
    with the same data folder's full path, trained its finished teacher again ('another data')."""
    from train.resume import other_settings
    from train.run import TrainSettings

    run = _copy(tiny_run, tmp_path)
    info = json.loads((run / "run.json").read_text())
    where = Path(json.loads((run / "split.json").read_text())["data_dir"])
    monkeypatch.chdir(where.parent)
    info["settings"]["data"] = where.name  # typed relative, from the folder that holds it
    info.pop("workdir")  # a run of cxr-edge 0.25 or older: only its split.json says where that was
    (run / "run.json").write_text(json.dumps(info))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    same = {**info["settings"], "out": run, "teacher": str(run / "teacher"), "data": str(where)}
    assert [k for k in other_settings(run, TrainSettings(**same)) if k != "out"] == []
    other = {**same, "data": str(tmp_path)}
    assert [k for k in other_settings(run, TrainSettings(**other)) if k != "out"] == ["data"]


def test_an_incomplete_or_damaged_run_is_trained_into_again(tiny_run, tmp_path, capsys):
    """A run folder whose model.keras was gone was a dead end: cxr-train failed on it ('No such file'),
    even with --replace, and cxr-convert sent the user to that command."""
    from train.run_record import run_record_problem
    from train.run import TrainSettings, run_training

    run = _copy(tiny_run, tmp_path)
    (run / "model.keras").unlink()
    assert run_record_problem(run) == f"{run} holds an incomplete run (model.keras missing)"
    damaged = _copy(tiny_run, tmp_path / "d")
    (damaged / "run.json").write_text('{"trunc')
    assert run_record_problem(damaged).startswith(f"{damaged} holds a damaged run (")
    info = json.loads((tiny_run / "run.json").read_text())["settings"]
    run_training(TrainSettings(**{**info, "out": run, "teacher": None, "progress": False}))
    assert (run / "model.keras").is_file() and run_record_problem(run) is None
    assert f"going on in {run}, where a cxr-train was stopped before it finished: {run} holds an incomplete run" \
        in capsys.readouterr().err


def test_folders_typed_relative_are_read_from_where_cxr_train_was_called(tiny_run, tmp_path, monkeypatch):
    """`--add-data site/` (and --teacher, --out) were compared as typed: called again from another
    folder with the same folders' full paths, a finished run read as 'another add_data'."""
    from train.resume import other_settings
    from train.run import TrainSettings

    run = _copy(tiny_run, tmp_path)
    info = json.loads((run / "run.json").read_text())
    assert Path(info["workdir"]).is_absolute()  # recorded by cxr-train
    home, site = tmp_path / "home", tmp_path / "home" / "site"
    site.mkdir(parents=True)
    where = Path(json.loads((run / "split.json").read_text())["data_dir"])
    info["workdir"] = str(home)
    info["settings"].update(data=os.path.relpath(where, home), add_data=["site/"], out=os.path.relpath(run, home),
                            teacher=os.path.relpath(run / "teacher", home))
    (run / "run.json").write_text(json.dumps(info))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    same = {**info["settings"], "out": run, "teacher": str(run / "teacher"), "data": str(where), "add_data": [str(site)]}
    assert other_settings(run, TrainSettings(**same)) == []
    other = {**same, "add_data": [str(tmp_path)]}
    assert other_settings(run, TrainSettings(**other)) == ["add_data"]


def test_a_run_from_before_split_digests_is_refused_once_a_later_retrain_left_its_split_there(tiny_run, tmp_path):
    """A run.json of cxr-edge 0.19 or older records no split_digest: a --replace retrain killed while it
    trained left the old model beside its new split, and cxr-convert scored the model on films it trained on."""
    import shutil

    import pytest

    from convert.quantize import ConvertSettings, run_conversion
    from train.run_record import run_record_problem

    old = _copy(tiny_run / "teacher", tmp_path)
    info = json.loads((old / "run.json").read_text())
    for key in ("split_digest", "model_sha256"):
        info.pop(key)
    (old / "run.json").write_text(json.dumps(info))
    assert run_record_problem(old) is None  # a finished old run is taken as it is

    def mixed(how: str) -> Path:
        run = tmp_path / how
        shutil.copytree(old, run)
        split = json.loads((run / "split.json").read_text())
        if how == "seed":  # the new call's own split, drawn with its --seed
            split["seed"] += 5
            (run / "split.json").write_text(json.dumps(split))
        elif how == "prepared":  # the record a newer cxr-train keeps until its run is finished
            (run / "prepared.json").write_text("{}")
        elif how == "counts":  # the new call's own split, drawn with the same seed and another --test-fraction
            film = split["splits"]["train"].pop()
            split["splits"]["test"].append(film)
            split["counts"]["train"][film["label"]] -= 1
            split["counts"]["test"][film["label"]] += 1
            (run / "split.json").write_text(json.dumps(split))
        return run

    for how in ("seed", "prepared", "counts"):
        run = mixed(how)
        assert "stopped after writing a new split" in (run_record_problem(run) or ""), how
    student = tmp_path / "student"  # a student's split is its teacher's, drawn with the teacher's seed: its own
    shutil.copytree(tmp_path / "seed", student)
    (student / "run.json").write_text(json.dumps({**info, "settings": {**info["settings"], "teacher": "runs/teacher"}}))
    assert run_record_problem(student) is None
    moved = tmp_path / "moved"  # its data folder moved: split.json's data_dir set anew, after the model (load_part says to)
    shutil.copytree(old, moved)
    split = json.loads((moved / "split.json").read_text())
    (moved / "split.json").write_text(json.dumps({**split, "data_dir": str(tmp_path / "elsewhere")}))
    assert run_record_problem(moved) is None
    with pytest.raises(ValueError, match="is not the split .* was trained on.*run that cxr-train command again"):
        run_conversion(ConvertSettings(run_dir=tmp_path / "seed", modes=["int8"], latency_threads=(), progress=False))


def test_class_weights_favour_the_rare_class():
    """Inverted weights gave the rare class (often the disease) the lower weight, costing sensitivity,
    while run.json recorded them as if all were well."""
    import pytest

    from train.fit import class_weights

    assert class_weights(np.array([0] * 30 + [1] * 10), 2) == pytest.approx({0: 40 / 60, 1: 2.0})
    assert class_weights(np.array([0, 1, 0, 1]), 2) == {0: 1.0, 1: 1.0}


def test_the_temperature_is_fitted_on_the_validation_split(tiny_run):
    """A temperature fitted on the test split flatters the test figures (NLL, ECE) it is then scored by,
    and contradicts the report's 'fitted on the validation split'."""
    import keras
    import pytest

    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.calibration import fit_temperature
    from train.data import Split
    from train.fit import logits_of

    run = json.loads((tiny_run / "run.json").read_text())
    split = Split.load(tiny_run / "split.json")
    model = keras.models.load_model(tiny_run / "model.keras")
    config = PreprocessConfig(**run["preprocess"])
    on = {p: fit_temperature(logits_of(model, x), y)
          for p in ("val", "test") for x, y in [load_part(tiny_run, split, p, config, progress=False)]}
    assert on["val"] != pytest.approx(on["test"], rel=0.05)  # else the test could not tell them apart
    assert run["temperature"] == pytest.approx(on["val"], rel=1e-4)


def test_a_run_json_that_cannot_be_understood_is_not_trained_over_without_replace(tmp_path, capsys, monkeypatch):
    """A run.json beside its model.keras that is valid JSON but holds no "settings" ({}, edited by hand), or none
    at all (cut short), was read as "no finished run here": the model, an hour's training, was trained over
    without --replace and without a word; a teacher's was trained again with no reason given."""
    import dataclasses

    import pytest

    import train.run
    from train.data import DataError
    from train.run import TrainSettings, run_training

    trained = []
    monkeypatch.setattr(train.run, "_train", lambda settings, **kw: trained.append(Path(settings.out)))
    out = tmp_path / "run"
    s = TrainSettings(data="synthetic", out=out, image_size=32, epochs=1, progress=False)
    # the run itself, then (no run.json of its own: a stopped run) its finished teacher
    for where, start, said in ((out, "--out", "replacing the run in"),
                               (out / "teacher", f"--out {out} holds a finished teacher in", "has a damaged run.json")):
        where.mkdir(parents=True, exist_ok=True)
        (where / "model.keras").write_bytes(b"an hour's model")
        (where / "split.json").write_text("{}")
        for damaged, why in (("{}", 'it holds no "settings" object'), ('{"settings": []}', '"settings" is list'),
                             ('{"trunc', "not readable as JSON"), ("[]", "it holds no JSON object")):
            (where / "run.json").write_text(damaged)
            with pytest.raises(DataError, match=f"^{start} .*run.json is damaged \\(.*{why}.*\\): (restore it from a "
                                                "copy of the run, or )?--replace to train over it$"):
                run_training(s)
            assert trained == [] and (where / "model.keras").read_bytes() == b"an hour's model"
        capsys.readouterr()
        run_training(dataclasses.replace(s, replace=True))  # said, and trained over
        assert said in capsys.readouterr().err and where in trained
        trained.clear()
        if where == out:
            for name in ("run.json", "model.keras", "split.json"):
                (out / name).unlink()


def test_a_bug_in_comparing_a_finished_runs_settings_is_said_not_read_as_no_run(tmp_path, monkeypatch):
    """A KeyError anywhere in comparing the settings (train.resume._as_recorded, _comparable) was caught as "no
    finished run": the --replace guard was off, and a finished run of other settings was trained over silently."""
    import pytest

    import train.resume
    import train.run
    from train.run import TrainSettings, run_training

    trained = []
    monkeypatch.setattr(train.run, "_train", lambda settings, **kw: trained.append(settings.out))
    s = TrainSettings(data="synthetic", out=tmp_path / "run", image_size=32, epochs=1, teacher_members=0,
                      progress=False)
    s.out.mkdir()
    (s.out / "model.keras").write_bytes(b"an hour's model")
    (s.out / "run.json").write_text(json.dumps({"settings": {**train.resume.settings_dict(s), "epochs": 20},
                                                "classes": ["COVID", "Normal"]}))  # a record train.run_fields passes

    def broken(*a, **kw):
        raise KeyError("a bug")
    monkeypatch.setattr(train.resume, "_as_recorded", broken)
    with pytest.raises(KeyError, match="a bug"):
        run_training(s)
    assert trained == []


def test_a_damaged_split_json_is_said_by_its_name_and_what_is_wrong(tmp_path):
    """A split.json of {}, [] or "x" was said as "holds a damaged run ('splits')" or "(list indices must be
    integers or slices, not str)": neither the file nor what was wrong with it."""
    from train.run_record import run_record_problem

    for name in ("run.json", "model.keras"):
        (tmp_path / name).write_text("{}")
    for damaged, why in (("{}", "it is no split's record (KeyError: 'splits')"), ("[]", "it holds no JSON object"),
                         ('"x"', "it holds no JSON object"), ('{"trunc', "not readable as JSON")):
        (tmp_path / "split.json").write_text(damaged)
        said = run_record_problem(tmp_path)
        assert said.startswith(f"{tmp_path} holds a damaged run ({tmp_path / 'split.json'} is damaged: "), said
        assert why in said, said


def test_damaged_files_carry_their_path_and_what_is_wrong_and_a_bug_is_no_damage(tmp_path, monkeypatch):
    """What is wrong with a damaged record was cut out of read_json's message on its words (" is damaged: "): a run
    folder whose own name held them was said wrong. And any ValueError while reading split.json or run.json, a bug of
    ours too, was said as a damaged run, sending users to --replace an hour's model over a bug."""
    import pytest

    import train.data
    from edge.atomic import DamagedFile, read_json
    from train.data import Split
    from train.film_changes import RecordDamaged, sources_changed
    from train.run_record import RunRecordDamaged, run_record, run_record_problem, split_damage

    run_dir = tmp_path / "x is damaged: y"
    run_dir.mkdir()
    (run_dir / "run.json").write_text('{"trunc')
    with pytest.raises(DamagedFile) as e:
        read_json(run_dir / "run.json")
    assert e.value.path == run_dir / "run.json" and e.value.why.startswith("not readable as JSON (") and str(e.value) == f"{run_dir / 'run.json'} is damaged: {e.value.why}"
    with pytest.raises(RunRecordDamaged) as e:
        run_record(run_dir)
    assert isinstance(e.value, DamagedFile) and e.value.why.startswith("not readable as JSON (")
    (run_dir / "model.keras").write_bytes(b"an hour's model")
    (run_dir / "split.json").write_text("{}")
    assert split_damage(run_dir) == "it is no split's record (KeyError: 'splits')"
    with pytest.raises(DamagedFile, match=f"^{run_dir / 'split.json'} is damaged: it is no split's record"):
        Split.load(run_dir / "split.json")
    with pytest.raises(RecordDamaged) as e:
        sources_changed(run_dir, [])
    assert isinstance(e.value, DamagedFile) and str(e.value) == "its run.json's record of its films is damaged " \
        f"({e.value.why})" and e.value.why.startswith("not readable as JSON (")

    (run_dir / "run.json").write_text("{}")

    def bug(cls, d):
        raise ValueError("a bug")
    monkeypatch.setattr(train.data.Split, "from_dict", classmethod(bug))
    with pytest.raises(ValueError, match="^a bug$"):
        run_record_problem(run_dir)
    with pytest.raises(ValueError, match="^a bug$"):
        split_damage(run_dir)


def test_a_damaged_split_json_beside_a_finished_model_is_not_trained_over_without_replace(tiny_run, tmp_path, capsys,
                                                                                          monkeypatch):
    """A finished run whose split.json was damaged (edited, a disk error; cxr-train writes it atomically) was taken
    for a retrain stopped half-way: "going on in RUN, where a cxr-train was stopped", and its model trained over
    without --replace, where a damaged run.json is refused (second look, session 54)."""
    import dataclasses
    import shutil

    import pytest

    import train.run
    from train.data import DataError
    from train.run import TrainSettings, run_training

    trained = []
    monkeypatch.setattr(train.run, "_train", lambda settings, **kw: trained.append(Path(settings.out)))
    out = tmp_path / "run"
    shutil.copytree(tiny_run, out)
    keras = (out / "model.keras").read_bytes()
    s = TrainSettings(data="synthetic", out=out, image_size=32, epochs=1, progress=False)
    for damaged, why in (('{"trunc', "not readable as JSON"), ("{}", "it is no split's record")):
        (out / "split.json").write_text(damaged)
        with pytest.raises(DataError, match=f"^--out {out} holds a run whose split.json is damaged \\(.*{why}.*\\): "
                                            "restore it from a copy of the run, or --replace to train over it$"):
            run_training(s)
        assert trained == [] and (out / "model.keras").read_bytes() == keras
    capsys.readouterr()
    run_training(dataclasses.replace(s, replace=True))  # --replace: trained over
    assert trained and trained[-1].resolve() == out.resolve(), trained


def test_cxr_train_takes_lr_as_the_learning_rate():
    """A Keras tutorial's reader types --lr 1e-4 (Adam(lr=)): it was 'No such option: --lr (Possible options: --arch,
    --help)', a suggestion that leads nowhere. --lr is --learning-rate, checked as it is."""
    from typer.testing import CliRunner

    from train.cli import train_app as app

    r = CliRunner().invoke(app, ["--data", "synthetic", "--out", "/nonexistent/r", "--lr", "nan"])
    assert r.exit_code == 2 and "--learning-rate must be a number above 0" in r.output, r.output
