"""cxr-train's options as they combine: one setting typed two ways is one setting, and an option that
would change nothing, or a model too big to train, is refused before TensorFlow loads."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from train.cli import train_app


def _settings_given(monkeypatch, tmp_path, *args: str):
    """(the exit code and output of cxr-train ``args``, the TrainSettings it would train with), training
    nothing: TensorFlow is not loaded and run_training only records what it was given."""
    import train.cli
    import train.run

    given = []

    def record(s):
        given.append(s)
        Path(s.out).mkdir(parents=True, exist_ok=True)
        (Path(s.out) / "run.json").write_text("{}")
        return Path(s.out)

    monkeypatch.setattr(train.cli, "load_tensorflow", lambda: None)
    monkeypatch.setattr(train.run, "run_training", record)
    r = CliRunner().invoke(train_app, ["--out", str(tmp_path / "run"), *args])
    return r, (given[0] if given else None)


def test_one_setting_typed_two_ways_compares_as_one():
    """--class-map Healthy=Normal and healthy=normal, --holdout-source hannover and HANNOVER, and --add-data in
    another order give the same split, yet a finished run was refused as of 'another' setting for them."""
    from train.resume import _comparable

    one = {"data": "/d", "teacher": None, "out": "/r", "add_data": ["/a", "/b"], "class_map": "Healthy=Normal,Other=-",
           "holdout_source": "hannover"}
    two = {**one, "add_data": ["/b", "/a"], "class_map": "other=-, healthy=normal", "holdout_source": "HANNOVER"}
    assert _comparable(one) == _comparable(two)
    for other in ({"class_map": "Healthy=COVID,Other=-"}, {"class_map": "Healthy=Normal"},
                  {"holdout_source": "montreal"}, {"add_data": ["/a"]}):
        assert _comparable({**one, **other}) != _comparable(one), other


def test_a_finished_teacher_is_reused_for_the_same_settings_typed_otherwise(tmp_path, capsys):
    """With --replace, the finished teacher was trained again ('trained with --class-map ... (now ...): replacing it');
    without it, the run was refused."""
    from tests.test_data import write_images
    from train.run import TrainSettings, run_training

    films, site, site2 = tmp_path / "films", tmp_path / "site", tmp_path / "site2"
    for label in ("COVID", "Normal"):
        write_images(films / label, label, 8)
    for root, start in ((site, 20), (site2, 40)):
        write_images(root / "COVID", "COVID", 4, start)
        write_images(root / "Healthy", "Normal", 4, start)
    s = TrainSettings(data=str(films), out=tmp_path / "run", add_data=[str(site), str(site2)],
                      class_map="Healthy=Normal", holdout_source="SITE2", epochs=1, image_size=32, batch_size=8,
                      teacher_members=1, progress=False)
    run_training(s)
    teacher = (s.out / "teacher" / "model.keras").read_bytes()
    capsys.readouterr()
    typed_otherwise = replace(s, add_data=[str(site2), str(site)], class_map="healthy=normal", holdout_source="site2")
    run_training(typed_otherwise)  # the same settings and films: nothing to do
    assert "already holds a finished run of these settings and films" in capsys.readouterr().err
    run_training(replace(typed_otherwise, replace=True))  # the student trained again, from the same teacher
    assert "step 1 of 2: reusing the teacher" in capsys.readouterr().err
    assert (s.out / "teacher" / "model.keras").read_bytes() == teacher


def test_add_data_folders_are_taken_in_one_order_whatever_the_order_typed(tmp_path, monkeypatch):
    """Which copy of a film two added folders share is kept (and so its source) followed the order typed."""
    from tests.test_data import write_images

    for k, name in enumerate(("films", "b_site", "a_site")):  # films: a layout cxr-train takes (refused at once)
        for c in ("COVID", "Normal"):
            write_images(tmp_path / name / c, c, 1, start=k)
    typed = [str(tmp_path / "b_site"), str(tmp_path / "a_site")]
    r, s = _settings_given(monkeypatch, tmp_path, "--data", str(tmp_path / "films"), "--teacher-members", "0",
                           *(a for d in typed for a in ("--add-data", d)))
    assert r.exit_code == 0, r.output
    assert s.add_data == sorted(typed)


@pytest.mark.parametrize("settings, says", [
    (dict(augment=False, consistency=10.0), "--consistency 10 sets a randomly augmented view against another view"),
    (dict(augment=False, teacher_view="unmoved"), "--teacher-view unmoved sets a randomly augmented view"),
])
def test_options_that_compare_augmented_views_are_refused_without_augmentation(tmp_path, settings, says):
    """--no-augment builds no second view: --consistency's term was 0 and 'unmoved' was 'same', yet run.json
    recorded them as used."""
    from train.run import TrainSettings, check_settings, run_training

    with pytest.raises(ValueError, match=re.escape(says) + ".*--no-augment makes no augmented view"):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "r", progress=False, **settings))
    assert not (tmp_path / "r").exists()
    assert check_settings(TrainSettings(data="synthetic", out=tmp_path / "r", **{**settings, "augment": True})) == 3


def test_synthetic_count_with_a_teacher_is_refused_and_the_teachers_count_recorded(tmp_path, monkeypatch):
    """The student learns on its teacher's films: --synthetic-count 10 was accepted, ignored and recorded."""
    teacher = tmp_path / "teacher"
    teacher.mkdir()
    (teacher / "run.json").write_text(json.dumps({"settings": {"data": "synthetic", "synthetic_count": 16,
                                                              "image_size": 32, "val_fraction": 0.15}}))
    (teacher / "model.keras").write_bytes(b"")  # checked for, not read: nothing is trained here
    r, s = _settings_given(monkeypatch, tmp_path, "--teacher", str(teacher), "--synthetic-count", "10")
    assert r.exit_code == 2 and s is None
    assert "--synthetic-count sizes the built-in synthetic set; with --teacher" in " ".join(r.output.split())
    r, s = _settings_given(monkeypatch, tmp_path, "--teacher", str(teacher))
    assert r.exit_code == 0 and s.synthetic_count == 16, r.output  # what made its films: not the default 80


def test_fractions_of_exactly_90_percent_are_refused_by_a_message_that_says_so(tmp_path, monkeypatch):
    r, s = _settings_given(monkeypatch, tmp_path, "--val-fraction", "0.45", "--test-fraction", "0.45")
    assert r.exit_code == 2 and "keep them under 90% together" in " ".join(r.output.split()), r.output


def test_seed_parameters_are_worked_out_as_keras_counts_them():
    from train.model_size import seed_parameters
    from train.models import seed_cnn

    for size, classes in ((64, 2), (101, 3), (128, 2)):
        assert seed_parameters(size, classes) == seed_cnn(size, classes).count_params()
    assert seed_parameters(128) == 27_613_122 and seed_parameters(300) == 169_924_546  # 300: as trained, measured


def test_a_seed_model_too_big_is_refused_and_a_big_one_warned_about(tmp_path, monkeypatch):
    """At --image-size 300 seed trained 170M parameters (7.5 GB of memory) without a word, and the help said 27.6M."""
    r, s = _settings_given(monkeypatch, tmp_path, "--arch", "seed", "--image-size", "1024")
    out = " ".join(r.output.split())
    assert r.exit_code == 2 and s is None and "has 2,097,502,146 parameters" in out and "--image-size 523 or less" in out
    r, s = _settings_given(monkeypatch, tmp_path, "--arch", "seed", "--image-size", "523")
    assert r.exit_code == 0 and "warning: --arch seed at --image-size 523 has" in r.output, r.output
    r, s = _settings_given(monkeypatch, tmp_path, "--arch", "seed", "--image-size", "300")
    assert r.exit_code == 0 and "has 169,924,546 parameters (27.6M at 128" in " ".join(r.output.split()), r.output
    r, s = _settings_given(monkeypatch, tmp_path, "--arch", "seed")
    assert r.exit_code == 0 and "warning" not in r.output, r.output
    r = CliRunner().invoke(train_app, ["--help"])
    assert "27.6M parameters at --image-size 128, growing with the square of the side" in " ".join(r.output.split())
