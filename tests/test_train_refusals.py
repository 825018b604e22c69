"""cxr-train refuses, at once and in words, what would otherwise train the wrong thing without a word."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from train.cli import train_app
from train.data import DataError
from train.discovery import discover
from train.run import TrainSettings, run_training


def _films(folder: Path, n: int = 2) -> None:
    folder.mkdir(parents=True)
    for k in range(n):
        Image.fromarray(np.full((40, 40), 40 * k, np.uint8)).save(folder / f"{k}.png")


def test_train_and_val_folders_without_test_are_no_classes(tmp_path):
    for part in ("train", "val"):
        for c in ("COVID", "Normal"):
            _films(tmp_path / part / c)
    with pytest.raises(DataError, match="folders train, val look like a split given in folders"):
        discover(tmp_path)  # taken as classes, they trained a 'train' against 'val' model
    r = CliRunner().invoke(train_app, ["--data", str(tmp_path), "--out", str(tmp_path.parent / "run")])
    assert r.exit_code == 2 and "add a test/ folder" in r.output
    _films(tmp_path / "test" / "COVID")
    _films(tmp_path / "test" / "Normal")
    items, given, layout = discover(tmp_path)
    assert layout == "train/test folders" and sorted({i.label for i in items}) == ["COVID", "Normal"]


def test_class_map_without_add_data_is_refused_not_ignored(tmp_path):
    r = CliRunner().invoke(train_app, ["--data", str(tmp_path), "--class-map", "Healthy=Normal", "--out", str(tmp_path / "r")])
    assert r.exit_code == 2 and "without --add-data it does nothing" in r.output


def test_the_data_folder_is_no_run_folder(tmp_path):
    for c in ("COVID", "Normal"):
        _films(tmp_path / c)
    with pytest.raises(DataError, match="is the data folder"):
        run_training(TrainSettings(data=str(tmp_path), out=tmp_path / ".." / tmp_path.name, progress=False))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["COVID", "Normal"]  # nothing written


@pytest.mark.parametrize("out", ["Normal", "Normal/run", "COVID/images/run"])
def test_a_run_in_a_class_folder_is_refused(tmp_path, out, monkeypatch):
    """--out data/Normal trained a model without Normal (said in a note only), and its run.json hid Normal from
    every later run; data/run, a folder of its own beside the classes, stays a place for a run."""
    import train.one_run

    _films(tmp_path / "COVID" / "images")
    _films(tmp_path / "Normal")
    monkeypatch.setattr(train.one_run, "prepare_data", lambda *a, **k: pytest.fail("trained"))
    folder = (tmp_path / out.split("/")[0]).resolve()
    with pytest.raises(DataError, match=f"lies in the class folder {re.escape(str(folder))}: the run would be trained "
                                        "without that class"):
        run_training(TrainSettings(data=str(tmp_path), out=tmp_path / out, progress=False))
    assert not (tmp_path / out / "run.json").exists()
    from train.run_folders import check_folders

    check_folders(TrainSettings(data=str(tmp_path), out=tmp_path / "run", progress=False))  # beside the classes: fine
    # an earlier run's pictures are no films: a second run beside it, or a stopped run's own folder, is no class
    _films(tmp_path / "runs" / "r1")
    (tmp_path / "runs" / "r1" / "run.json").write_text("{}")
    check_folders(TrainSettings(data=str(tmp_path), out=tmp_path / "runs" / "r2", progress=False))
    _films(tmp_path / "r1" / "teacher")
    (tmp_path / "r1" / "teacher" / "run.json").write_text("{}")
    check_folders(TrainSettings(data=str(tmp_path), out=tmp_path / "r1", progress=False))
    (tmp_path / "r2" / "teacher").mkdir(parents=True)  # stopped after the teacher's data phase
    (tmp_path / "r2" / "teacher" / "prepared.json").write_text('{"cxr_edge_version": "0.29.0"}')
    check_folders(TrainSettings(data=str(tmp_path), out=tmp_path / "r2", progress=False))
    # a class folder with a sub-folder named like a run's part is still a class folder
    for part in ("cache", "members", "teacher"):
        (tmp_path / "Normal" / part).mkdir(exist_ok=True)
    (tmp_path / "Normal" / "prepared.json").write_text("not a run's")
    with pytest.raises(DataError, match="lies in the class folder"):
        check_folders(TrainSettings(data=str(tmp_path), out=tmp_path / "Normal" / "run", progress=False))


def test_a_linked_sub_folder_of_a_class_is_read_once_even_with_a_loop(tmp_path):
    data, site_b = tmp_path / "data", tmp_path / "elsewhere" / "siteB"
    _films(data / "COVID")
    _films(data / "Normal")
    _films(site_b, 3)
    (data / "Normal" / "siteB").symlink_to(site_b, target_is_directory=True)
    (site_b / "up").symlink_to(data / "Normal", target_is_directory=True)  # a loop back to the class folder
    items, _, _ = discover(data)
    assert sorted(i.path for i in items if i.label == "Normal") == [
        "Normal/0.png", "Normal/1.png", "Normal/siteB/0.png", "Normal/siteB/1.png", "Normal/siteB/2.png"]


def test_classes_typed_composed_find_a_folder_spelt_decomposed(tmp_path):
    import unicodedata

    _films(tmp_path / "COVID")
    _films(tmp_path / unicodedata.normalize("NFD", "Normál"))  # as macOS hands the name out
    items, _, _ = discover(tmp_path, classes=["COVID", unicodedata.normalize("NFC", "Normál")])
    assert len({i.label for i in items}) == 2
    # the classes cxr-train trains on match the folders' spelling: typed, they stopped it with
    # "error: 'Normál' is not in list" after a line that found the class and called its folder unused
    from train.prepare import find_films

    said = []
    films, _, _, classes = find_films(tmp_path, ["COVID", unicodedata.normalize("NFC", "Normál")], [], said.append)
    # labels composed (NFC), as typed; the films are read from the folder's own spelling
    assert classes == ["COVID", unicodedata.normalize("NFC", "Normál")] and {i.label for i in films} == set(classes)
    assert all((tmp_path / i.path).is_file() for i in films)
    assert "not used" not in said[0], said


def test_a_refused_synthetic_run_leaves_nothing_behind(tmp_path):
    """--classes COVID on the synthetic set (one class) is refused after the set is generated: the
    folder it made for the run, and the images in it, must go with the refusal."""
    with pytest.raises(DataError):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "r", classes=["COVID"], synthetic_count=4,
                                   image_size=32, progress=False))
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("settings, says", [
    (dict(members=2, teacher_view="unmoved"), "--members 2 ships an ensemble"),
    (dict(teacher_members=0, consistency=10.0), "--consistency 10 only concerns a model learning from a teacher, and "
                                                "--teacher-members 0 trains one model directly"),
    (dict(augment=False, consistency=1.0), "--consistency 1 sets a randomly augmented view against another view"),
    (dict(arch="seed", teacher_view="unmoved"), "--arch seed trains without a teacher by default"),
    (dict(members=2, teacher_members=3), "--teacher-members 3 would do nothing"),
    (dict(teacher="runs/other", teacher_members=2), "--teacher-members 2 (the size of a teacher to train first)"),
])
def test_distillation_options_that_would_change_nothing_are_refused(tmp_path, settings, says):
    """Recorded in run.json as if used, they told a reader a model was distilled some way when none was."""
    with pytest.raises(ValueError, match=re.escape(says)):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "r", progress=False, **settings))
    assert not (tmp_path / "r").exists()
    # The same options where a model does learn from a teacher pass the check.
    from train.run import check_settings

    assert check_settings(TrainSettings(data="synthetic", out=tmp_path / "r", teacher_view="unmoved")) == 3
    assert check_settings(TrainSettings(data="synthetic", out=tmp_path / "r", teacher="runs/other", consistency=1.0)) >= 0


def test_synthetic_count_with_real_data_is_refused_not_ignored(tmp_path):
    r = CliRunner().invoke(train_app, ["--data", str(tmp_path), "--synthetic-count", "10", "--out", str(tmp_path / "r")])
    assert r.exit_code == 2 and "--synthetic-count sizes the built-in synthetic set; with --data" in r.output


def test_split_options_with_a_teacher_are_refused_not_recorded(tmp_path):
    """The student learns on its teacher's split: --data and the split fractions did nothing, yet run.json
    recorded them as the student's settings."""
    r = CliRunner().invoke(train_app, ["--teacher", str(tmp_path / "t"), "--data", str(tmp_path), "--val-fraction", "0.3",
                                       "--out", str(tmp_path / "r")])
    assert r.exit_code == 2 and "the student learns on the teacher's own frozen split and films, so --data, " \
                                "--val-fraction would do nothing; leave them out" in r.output


@pytest.mark.parametrize("options, said", [
    (["--arch", "foo"], "--arch: unknown architecture 'foo'; choose one of compact, seed"),
    (["--arch", "seed", "--mixstyle", "0.5"], "--arch seed has none to mix"),
    (["--val-fraction", "0.5", "--test-fraction", "0.5"], "which leaves 0% to train on"),  # was: 'too few images'
    (["--val-fraction", "0.45", "--test-fraction", "0.5"], "take 95% of the films together"),
    # NaN passed every comparison: trained to the end, then failed writing run.json
    (["--consistency", "nan"], "--consistency must be 0 (off) or a number above it, not nan"),
    (["--mixstyle", "nan"], "--mixstyle is a probability between 0 (off) and 1, not nan"),
    # the settings' own checks ran only after TensorFlow had loaded (5 to 9 s)
    (["--teacher-view", "bogus"], "--teacher-view must be one of same, unmoved, not 'bogus'"),
    (["--members", "3", "--teacher-members", "2"], "--members 3 ships an ensemble and distils nothing"),
    (["--teacher", "no-such-run"], "--teacher no-such-run is not a finished cxr-train run folder"),
    (["--classes", "COVID,Foo"], "--classes: the synthetic set has no class 'Foo'"),
])
def test_usage_mistakes_are_refused_before_tensorflow_loads(tmp_path, options, said, monkeypatch):
    from train import cli, models
    from train.cli import ARCHS

    def no_tensorflow() -> None:
        raise AssertionError("TensorFlow loaded before the usage mistake was said")
    monkeypatch.setattr(cli, "load_tensorflow", no_tensorflow)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(train_app, ["--out", str(tmp_path / "run"), *options])
    assert r.exit_code == 2 and said in " ".join(r.output.split()), r.output
    assert not (tmp_path / "run").exists() and ARCHS == models.ARCHS


def test_cxr_convert_refuses_an_unknown_mode_before_reading_the_run(tmp_path):
    from convert.cli import ALL_MODES, convert_app
    from convert.modes import MODES

    r = CliRunner().invoke(convert_app, [str(tmp_path / "no-run"), "--quant", "int8,int9"])
    assert r.exit_code == 2 and "unknown mode int9; choose from int8, int8-full" in r.output
    assert ALL_MODES.split(",") == list(MODES)


def test_sizes_beyond_any_film_are_refused_by_their_range(tmp_path):
    """cxr-synth --size 1000000 ended in 'unexpected MemoryError: Unable to allocate 3.64 TiB'."""
    from train.synth_cli import synth_app

    r = CliRunner().invoke(synth_app, [str(tmp_path / "s"), "--count", "1", "--size", "1000000"])
    assert r.exit_code == 2 and "1000000 is not in the range 32<=x<=4096" in " ".join(r.output.split()), r.output
    r = CliRunner().invoke(train_app, ["--out", str(tmp_path / "r"), "--image-size", "5000"])
    assert r.exit_code == 2 and "5000 is not in the range 32<=x<=1024" in " ".join(r.output.split()), r.output
    assert not (tmp_path / "s").exists() and not (tmp_path / "r").exists()


def test_cxr_convert_says_a_wrong_run_folder_or_operating_point_before_tensorflow_loads(tiny_run, tmp_path,
                                                                                      monkeypatch):
    """Each waited 4 to 9 s for TensorFlow before being said."""
    from convert import cli
    from convert.cli import convert_app

    def no_tensorflow() -> None:
        raise AssertionError("TensorFlow loaded before the mistake was said")
    monkeypatch.setattr(cli, "load_tensorflow", no_tensorflow)
    (tmp_path / "afile.txt").write_text("x")
    for args, said in (([str(tmp_path / "nowhere")], "does not exist"),
                       ([str(tmp_path)], "run.json is missing: is"),
                       ([str(tiny_run), "--operating-point", "COVID=2"], "--operating-point")):
        r = CliRunner().invoke(convert_app, args)
        assert r.exit_code == 2 and said in r.output and "TensorFlow loaded" not in r.output, (args, r.output)


def test_cxr_evaluate_says_mistakes_before_tensorflow_loads_for_a_keras_model(tiny_run, tmp_path, monkeypatch):
    """With model.keras each waited about 5 s for TensorFlow (and 8 s for '--save-model needs a .tflite')."""
    from convert import evaluate_cli
    from convert.evaluate_cli import evaluate_app

    def no_tensorflow() -> None:
        raise AssertionError("TensorFlow loaded before the mistake was said")
    monkeypatch.setattr(evaluate_cli, "load_tensorflow", no_tensorflow)
    model, out, site = str(tiny_run / "model.keras"), str(tmp_path / "report"), tmp_path / "site"
    site.mkdir()
    for args, said in (([str(tmp_path / "nowhere")], "data folder"),
                       ([str(site), "--prevalence", "2"], "--prevalence: each share must lie between 0 and 1"),
                       ([str(site), "--threshold", "COVID=0.3", "--most-probable"], "choose one of --threshold"),
                       ([str(site), "--operating-point", "COVID=0.9", "--save-model", str(tmp_path / "s.tflite")],
                        "--save-model needs a .tflite model")):
        r = CliRunner().invoke(evaluate_app, [model, *args, "--out", out])
        assert r.exit_code == 2 and said in r.output and "TensorFlow loaded" not in r.output, (args, r.output)


def test_cxr_compare_says_a_missing_data_folder_before_tensorflow_loads(tiny_run, tmp_path, monkeypatch):
    from convert import compare_cli
    from convert.compare_cli import compare_app

    def no_tensorflow() -> None:
        raise AssertionError("TensorFlow loaded before the mistake was said")
    monkeypatch.setattr(compare_cli, "load_tensorflow", no_tensorflow)
    r = CliRunner().invoke(compare_app, [str(tiny_run / "model.keras"), str(tiny_run / "model_int8.tflite"),
                                         str(tmp_path / "nowhere"), "--out", str(tmp_path / "c")])
    assert r.exit_code == 2 and "data folder" in r.output and "does not exist" in r.output, r.output


def test_a_run_that_could_not_read_some_files_exits_1(tmp_path, monkeypatch):
    """8 of 56 films unreadable (14%) and cxr-train exited 0: a script could not tell, where cxr-evaluate exits 1."""
    import json

    import train.run

    for c in ("COVID", "Normal"):
        _films(tmp_path / "data" / c)

    def trained(settings, skipped):
        settings.out.mkdir(parents=True, exist_ok=True)
        (settings.out / "run.json").write_text(json.dumps({"skipped_files": skipped}))
        return settings.out

    for skipped, code in (([], 0), ([{"path": "COVID/bad.png", "error": "truncated"}], 1)):
        monkeypatch.setattr(train.run, "run_training", lambda s, skipped=skipped: trained(s, skipped))
        r = CliRunner().invoke(train_app, ["--data", str(tmp_path / "data"), "--out", str(tmp_path / f"run{code}")])
        assert r.exit_code == code, r.output
        assert ("1 file could not be read and trained nothing (run.json lists them under skipped_files)" in r.output) == bool(code)


def test_files_that_ran_out_of_memory_are_said_so_not_called_unreadable(tmp_path, monkeypatch):
    """A film still short of memory when decoded alone (train.scan.scan) was one that 'could not be read', and the
    same command again said 'nothing to do': it is said as memory, with --replace to read it again."""
    import json

    import train.run
    from edge.memory import OUT_OF_MEMORY

    for c in ("COVID", "Normal"):
        _films(tmp_path / "data" / c)
    short = {"path": "COVID/big.png", "error": f"{OUT_OF_MEMORY} (also alone: this film needs more memory than is free)"}
    bad = {"path": "COVID/bad.png", "error": "truncated"}

    def trained(settings, skipped):
        settings.out.mkdir(parents=True, exist_ok=True)
        (settings.out / "run.json").write_text(json.dumps({"skipped_files": skipped}))
        return settings.out

    for k, (skipped, said) in enumerate((
            ([short], "1 file ran out of memory, also decoded alone, and trained nothing (run.json lists them "
                      "under skipped_files); free memory and give --replace to read them again: exit code 1"),
            ([short, bad], "2 files could not be read (1 of them ran out of memory, also decoded alone) and trained "
                           "nothing (run.json lists them under skipped_files); free memory and give --replace to read "
                           "them again: exit code 1"))):
        monkeypatch.setattr(train.run, "run_training", lambda s, skipped=skipped: trained(s, skipped))
        r = CliRunner().invoke(train_app, ["--data", str(tmp_path / "data"), "--out", str(tmp_path / f"run{k}")])
        assert r.exit_code == 1 and f"cxr-train: {said}" in r.output, r.output


def test_data_synthetic_beside_a_folder_named_synthetic_is_refused(tmp_path, monkeypatch):
    """cxr-synth synthetic, then cxr-train --data synthetic: the built-in set was trained (other classes,
    other films) and the folder the user made was never read, without a word."""
    monkeypatch.chdir(tmp_path)
    _films(tmp_path / "synthetic" / "Normal")
    r = CliRunner().invoke(train_app, ["--data", "synthetic", "--out", "r", "--epochs", "1"])
    assert r.exit_code == 2 and "write --data ./synthetic to train on that folder" in r.output
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("typed", ["covid,normal", "Normal,covid", "viral pneumonia,NORMAL"])
def test_classes_of_the_synthetic_set_match_as_class_folders_do_ignoring_case_and_punctuation(tmp_path, typed,
                                                                                               monkeypatch):
    """--classes covid,normal took a folder data set's COVID and Normal folders, but on the built-in synthetic set it
    was refused ('has no class covid'). Now taken there too, spelt as the set's classes (run.json's classes)."""
    from train import run

    seen = []

    def stop(settings) -> None:  # the settings as cxr-train built them; stop before TensorFlow loads
        seen.append(settings.classes)
        raise ValueError("stopped here by the test")
    monkeypatch.setattr(run, "check_settings", stop)
    r = CliRunner().invoke(train_app, ["--out", str(tmp_path / "run"), "--classes", typed])
    assert r.exit_code == 2 and "stopped here by the test" in r.output, r.output
    from train.synthetic import SYNTHETIC_CLASSES

    names = {n.replace("_", " ").casefold(): n for n in SYNTHETIC_CLASSES}
    assert seen == [[names[t.casefold()] for t in typed.split(",")]]
