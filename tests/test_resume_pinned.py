"""train.resume pinned where a small change went unseen by a fast test (hand mutation testing: each test here failed
with one such change in place, which the fast tests of tests/test_resume.py let through; its other tests train
runs, minutes each). What a second cxr-train call takes from a finished run folder: whether it is a finished run at
all, which settings differ from it (each spelling of one setting, and settings that change no weight, are none),
what a stopped retrain left there, and a saved member's fingerprint. The run folders here are hand-made records
(run.json, split.json, a model.keras of a few bytes): nothing is trained."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import replace
from pathlib import Path

from train.data import Item, Split
from train.resume import OWN_TEACHER, STOPPED, _same_folders, finished_run, fingerprint, other_settings, settings_dict
from train.run import TrainSettings


def _films(tmp_path: Path) -> Path:
    films = tmp_path / "films"
    for c in ("COVID", "Normal"):
        (films / c).mkdir(parents=True)
    return films


def _whole_archive() -> bytes:
    """A few bytes that are a whole .keras file's kind (a zip archive): one cut short is a run copied half-way
    (train.run_record.model_damage), no finished run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("config.json", "an hour's model")
    return buffer.getvalue()


def _finished(s: TrainSettings, films: Path, **record) -> Path:
    """A finished run's records in s.out, trained with ``s`` (its folders as typed, from run.json's workdir)."""
    out = Path(s.out)
    out.mkdir(parents=True, exist_ok=True)
    split = Split(str(films), ["COVID", "Normal"],
                  {p: [Item(f"{c}/{p}-{k}.png", c) for c in ("COVID", "Normal") for k in range(2)]
                   for p in ("train", "val", "test")})
    split.save(out / "split.json")
    (out / "model.keras").write_bytes(model := _whole_archive())
    run = {"settings": settings_dict(s), "classes": ["COVID", "Normal"], "split_digest": split.digest(),
           "model_sha256": hashlib.sha256(model).hexdigest(), **record}
    (out / "run.json").write_text(json.dumps(run))
    return out


def _settings(tmp_path: Path, **kw) -> TrainSettings:
    return TrainSettings(**{"data": str(tmp_path / "films"), "out": tmp_path / "run", "epochs": 1, "teacher_members": 0,
                            "progress": False, **kw})


def test_a_run_without_its_model_is_no_finished_run_and_progress_or_replace_are_no_setting(tmp_path):
    films = _films(tmp_path)
    s = _settings(tmp_path)
    out = _finished(s, films)
    assert other_settings(out, s) == []
    assert other_settings(out, replace(s, progress=True, replace=True)) == []
    assert other_settings(out, replace(s, epochs=2)) == ["epochs"]
    (out / "model.keras").unlink()
    assert other_settings(out, s) is None


def test_an_older_runs_record_and_settings_spelt_otherwise_are_the_same_settings(tmp_path):
    """Runs before 0.5 (0.9) recorded no consistency (mixstyle); --teacher-members 3 is the compact recipe's default
    typed out; --class-map and --holdout-source compare as their meaning; --synthetic-count says nothing beside a
    folder of films."""
    films = _films(tmp_path)
    s = _settings(tmp_path, teacher_members=None, class_map="Healthy=Normal", holdout_source="Site A")
    recorded = settings_dict(s)
    del recorded["consistency"], recorded["mixstyle"]
    out = _finished(s, films)
    (out / "run.json").write_text(json.dumps({**json.loads((out / "run.json").read_text()), "settings": recorded}))
    asked = replace(s, teacher_members=3, class_map="healthy = normal", holdout_source="site a", synthetic_count=40)
    assert other_settings(out, asked) == []
    assert other_settings(out, replace(asked, teacher_members=2)) == ["teacher_members"]


def test_a_split_rewritten_after_the_run_is_said_as_a_stopped_retrain_and_is_no_run_to_keep(tmp_path):
    films = _films(tmp_path)
    s = _settings(tmp_path)
    out = _finished(s, films)
    split = Split.load(out / "split.json")
    split.parts["test"].append(split.parts["train"].pop())
    split.save(out / "split.json")
    assert other_settings(out, s) == [STOPPED]
    assert finished_run(out, s, 0) is None  # what a stopped retrain left is no model to keep


def test_folders_typed_relative_are_read_from_where_the_run_was_trained(tmp_path, monkeypatch):
    """run.json keeps --data and --add-data as typed, with the folder cxr-train ran in ("workdir"); older runs
    have only split.json's data_dir; a --data typed in full is taken as it is."""
    films = _films(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "elsewhere").mkdir()
    full = _settings(tmp_path, add_data=[str(tmp_path / "site")])
    typed = _settings(tmp_path, data="films", add_data=["site"])
    monkeypatch.chdir(tmp_path / "elsewhere")
    out = _finished(typed, films, workdir=str(tmp_path))
    assert other_settings(out, full) == []
    _finished(replace(typed, add_data=[]), films, workdir="not/a/full/path")  # a workdir of no use: split.json says where --data was
    assert other_settings(out, replace(full, add_data=[])) == []
    _finished(replace(typed, add_data=[]), films)  # no workdir at all
    assert other_settings(out, replace(full, add_data=[])) == []
    _finished(replace(full, add_data=[]), films)  # typed in full
    assert other_settings(out, replace(full, add_data=[])) == []


def test_a_finished_default_recipe_run_met_again_or_moved_is_the_same_run(tmp_path, monkeypatch):
    """The default recipe's student records its own teacher/ as --teacher: asked again without --teacher, or from the
    run folder moved elsewhere, it is the run it was; and it is named by its classes and data folder from here."""
    films = _films(tmp_path)
    monkeypatch.chdir(tmp_path)
    s = _settings(tmp_path, teacher_members=1)
    _finished(replace(s, teacher=str(tmp_path / "run" / "teacher")), films)
    assert finished_run(s.out, s, 1) == ("COVID, Normal from films", [], "")
    os.rename(tmp_path / "run", tmp_path / "moved")
    moved = replace(s, out=tmp_path / "moved")
    assert other_settings(moved.out, replace(moved, teacher=str(moved.out / "teacher"))) == ["out"]
    assert finished_run(moved.out, moved, 1) == ("COVID, Normal from films", [], "")
    assert "--epochs 1 (now 2)" == finished_run(moved.out, replace(moved, epochs=2), 1)[2]


def test_class_names_typed_in_another_case_pick_the_same_folders_and_the_same_members(tmp_path):
    """--classes covid,normal picks COVID/ and Normal/: the finished run, and a stopped run's saved members, are
    the same run's."""
    films = _films(tmp_path)
    s = _settings(tmp_path, classes=["COVID", "Normal"])
    out = _finished(s, films)
    typed = replace(s, classes=["covid", "normal"])
    assert other_settings(out, typed) == []
    assert fingerprint(typed, out) == fingerprint(s, out)


def test_the_recipes_own_teacher_is_not_said_beside_another_setting(tmp_path):
    """Its own teacher/ recorded, none typed now: no --teacher was typed either time, so only --epochs is said."""
    from train.resume import settings_said

    films = _films(tmp_path)
    s = _settings(tmp_path, teacher_members=1)
    out = _finished(replace(s, teacher=str(tmp_path / "run" / "teacher")), films)
    assert settings_said(out, replace(s, epochs=2), ["epochs", "teacher"]) == "--epochs 1 (now 2)"


def test_a_students_fingerprint_changes_with_its_teachers_record(tmp_path):
    """A member saved under one teacher is not one of a student whose teacher was trained again."""
    films = _films(tmp_path)
    teacher = _finished(_settings(tmp_path, out=tmp_path / "teacher"), films)
    s = _settings(tmp_path, teacher=str(teacher))
    out = _finished(s, films)
    before = fingerprint(s, out)
    (teacher / "run.json").write_text(json.dumps({**json.loads((teacher / "run.json").read_text()), "seconds": 9}))
    assert fingerprint(s, out) != before


def test_one_folder_given_twice_is_not_the_same_as_it_once(tmp_path):
    (tmp_path / "a").mkdir()
    a = str(tmp_path / "a")
    assert _same_folders([a], [a]) and not _same_folders([a, a], [a])
    assert OWN_TEACHER == "teacher/ of its --out"
