"""Distillation: the loss by hand, the default two-step recipe (a teacher ensemble, then one
model), and cxr-train --teacher with a student trained on its teacher's split."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest


@pytest.fixture(scope="module")
def tf():
    from train.quiet import load_tensorflow

    load_tensorflow()
    import tensorflow

    return tensorflow


def _loss(tf, teacher, student, labels, temperature=2.0, alpha=0.7) -> np.ndarray:
    from train.distill import distillation_loss

    return distillation_loss(tf.constant(teacher, tf.float32), tf.constant(student, tf.float32),
                             tf.constant(labels), temperature, alpha).numpy()


def test_distillation_loss_by_hand(tf):
    teacher, student = np.array([[2.0, 0.0]]), np.array([[0.0, 1.0]])
    # alpha 0: plain cross-entropy with the labels.
    ce = -np.log(np.exp(1.0) / (1 + np.exp(1.0)))
    assert _loss(tf, teacher, student, [1], alpha=0.0)[0] == pytest.approx(ce, abs=1e-6)
    # alpha 1: T^2 * KL(softmax(teacher / T) || softmax(student / T)), computed here with numpy.
    t = np.exp(teacher[0] / 2) / np.exp(teacher[0] / 2).sum()
    s = np.exp(student[0] / 2) / np.exp(student[0] / 2).sum()
    assert _loss(tf, teacher, student, [1], alpha=1.0)[0] == pytest.approx(4 * np.sum(t * np.log(t / s)), abs=1e-5)
    # A student that already matches its teacher pays only the label term.
    assert _loss(tf, teacher, teacher, [0], alpha=1.0)[0] == pytest.approx(0.0, abs=1e-6)


def test_teacher_view_is_the_students_image_before_geometry(tf):
    """augment_pair: same exposure, blur, noise and markers in both views; only the student's
    image is rotated, zoomed and shifted."""
    from train.pipeline import augment_batch, augment_pair, burn_markers, geometric, marker_bank, photometric

    rng = np.random.default_rng(0)
    x = tf.constant(rng.integers(0, 256, (4, 48, 48, 1)).astype(np.float32))
    seed = tf.constant([7, 3], tf.int64)
    geo, bank = geometric(0), tf.constant(marker_bank(48))
    student, teacher = augment_pair(x, seed, geo, bank)
    s = tf.random.experimental.stateless_split(seed, 2)
    unmoved = photometric(burn_markers(x, s[0], bank), s[1])
    assert np.array_equal(teacher.numpy(), unmoved.numpy())
    assert np.abs(student.numpy() - teacher.numpy()).mean() > 1.0  # the student's view was moved
    # The student's view is exactly what plain (non-distilling) training sees.
    geo_again = geometric(0)
    assert np.allclose(student.numpy(), augment_batch(x, seed, geo_again, bank).numpy(), atol=1e-4)


def _tiny_model(seed: int):
    """A linear model of an 8x8 image: enough to check a loss by hand."""
    import keras

    keras.utils.set_random_seed(seed)
    i = keras.Input((8, 8, 1))
    return keras.Model(i, keras.layers.Dense(2)(keras.layers.Flatten()(i)))


def test_distiller_asks_the_teacher_about_its_own_view(tf):
    from train.distill import Distiller, distillation_loss

    student, teacher = _tiny_model(0), _tiny_model(1)
    d = Distiller(student, teacher)
    a, b = (tf.constant(np.random.default_rng(k).normal(size=(3, 8, 8, 1)), tf.float32) for k in (0, 1))
    y = tf.constant([0, 1, 0])
    pred = d((a, b))
    assert np.allclose(pred.numpy(), student(a).numpy())  # predictions are the student's, on its view
    got = d.compute_loss(x=(a, b), y=y, y_pred=pred).numpy()
    want = tf.reduce_mean(distillation_loss(teacher(b), student(a), y, 2.0, 0.7)).numpy()
    same = tf.reduce_mean(distillation_loss(teacher(a), student(a), y, 2.0, 0.7)).numpy()
    assert got == pytest.approx(want, rel=1e-5) and abs(got - same) > 1e-4
    assert d.compute_loss(x=a, y=y, y_pred=pred).numpy() == pytest.approx(same, rel=1e-5)  # validation: one view


def test_student_can_learn_from_the_teachers_unmoved_view(tiny_run, tmp_path, tf):
    from train.run import TrainSettings, run_training

    out = tmp_path / "unmoved"
    run_training(TrainSettings(data="synthetic", out=out, image_size=64, epochs=1, batch_size=8, teacher=str(tiny_run),
                               teacher_view="unmoved", progress=False))
    run = json.loads((out / "run.json").read_text())
    assert run["settings"]["teacher_view"] == run["fit"]["teacher_view"] == "unmoved"
    assert np.isfinite(json.loads((out / "history.json").read_text())["members"][0]["loss"]).all()


def test_unknown_teacher_view_is_refused(tmp_path):
    from train.run import TrainSettings, run_training

    with pytest.raises(ValueError, match="--teacher-view must be one of same, unmoved"):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "r", teacher_view="sideways", progress=False))


def test_js_divergence_by_hand(tf):
    from train.distill import js_divergence

    def js(a, b):
        return js_divergence(tf.constant([a], tf.float32), tf.constant([b], tf.float32)).numpy()[0]

    assert js([1.0, 2.0, -1.0], [1.0, 2.0, -1.0]) == pytest.approx(0.0, abs=1e-6)
    assert js([30.0, -30.0], [-30.0, 30.0]) == pytest.approx(np.log(2), abs=1e-4)  # certain and opposite: ln 2
    p, q = np.array([0.8, 0.2]), np.array([0.4, 0.6])
    m = (p + q) / 2
    want = 0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m))
    assert js(np.log(p), np.log(q)) == pytest.approx(want, abs=1e-6) == js(np.log(q), np.log(p))


def test_two_views_are_independent_augmentations(tf):
    from train.pipeline import augment_batch, augment_two, geometric, marker_bank

    x = tf.constant(np.random.default_rng(0).integers(0, 256, (4, 48, 48, 1)).astype(np.float32))
    seed = tf.constant([7, 3], tf.int64)
    bank = tf.constant(marker_bank(48))
    a, b = augment_two(x, seed, geometric(0), bank)
    assert np.abs(a.numpy() - b.numpy()).mean() > 1.0
    s = tf.random.experimental.stateless_split(seed, 2)
    geo = geometric(0)
    assert np.allclose(a.numpy(), augment_batch(x, s[0], geo, bank).numpy(), atol=1e-4)
    assert np.allclose(b.numpy(), augment_batch(x, s[1], geo, bank).numpy(), atol=1e-4)


def test_consistency_term_asks_the_student_to_agree_with_itself(tf):
    from train.distill import Distiller, distillation_loss, js_divergence

    student, teacher = _tiny_model(0), _tiny_model(1)
    d = Distiller(student, teacher, consistency=10.0)
    a, b = (tf.constant(np.random.default_rng(k).normal(size=(3, 8, 8, 1)), tf.float32) for k in (0, 1))
    y = tf.constant([0, 1, 0])
    pred = d((a, b))
    got = d.compute_loss(x=(a, b), y=y, y_pred=pred).numpy()
    base = distillation_loss(teacher(a), student(a), y, 2.0, 0.7)  # the teacher reads the first view
    want = tf.reduce_mean(base + 10.0 * js_divergence(student(a), student(b))).numpy()
    assert got == pytest.approx(want, rel=1e-5) and got > tf.reduce_mean(base).numpy() + 1e-3
    assert d.compute_loss(x=(a, a), y=y, y_pred=pred).numpy() == pytest.approx(tf.reduce_mean(base).numpy(), rel=1e-5)
    assert d.compute_loss(x=a, y=y, y_pred=pred).numpy() == pytest.approx(tf.reduce_mean(base).numpy(), rel=1e-5)


def test_student_trains_with_the_consistency_term(tiny_run, tmp_path, tf, monkeypatch):
    import matplotlib.pyplot as plt

    from train.run import TrainSettings, run_training

    assert json.loads((tiny_run / "run.json").read_text())["fit"]["consistency"] == 0.0  # off by default
    out = tmp_path / "consistent"
    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    run_training(TrainSettings(data="synthetic", out=out, image_size=64, epochs=1, batch_size=8, teacher=str(tiny_run),
                               consistency=10.0, progress=False))
    # curves.png titled this loss 'cross-entropy' (H67 plots2)
    assert [" ".join(f.axes[0].get_title().split("\n")) for f in kept if f.axes and "loss" in f.axes[0].get_title()] == [
        "loss (distillation: teacher term + cross-entropy + two-view term)"]
    run = json.loads((out / "run.json").read_text())
    assert run["settings"]["consistency"] == run["fit"]["consistency"] == 10.0
    assert np.isfinite(json.loads((out / "history.json").read_text())["members"][0]["loss"]).all()
    # Only the student has a second view to agree with: a teacher's members train without the term.
    run_training(TrainSettings(data="synthetic", out=tmp_path / "recipe", image_size=48, epochs=1, synthetic_count=8,
                               batch_size=8, teacher_members=2, consistency=10.0, progress=False))
    assert json.loads((tmp_path / "recipe" / "teacher" / "run.json").read_text())["fit"]["consistency"] == 0.0
    assert json.loads((tmp_path / "recipe" / "run.json").read_text())["fit"]["consistency"] == 10.0
    with pytest.raises(ValueError, match="--consistency must be 0"):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "a", consistency=-1.0, progress=False))
    with pytest.raises(ValueError, match="--consistency 0 with it"):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "b", teacher_view="unmoved", consistency=1.0,
                                   progress=False))


def test_student_learns_on_its_teachers_split(tiny_run, tmp_path, tf):
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training

    out = tmp_path / "student"
    run_training(TrainSettings(data="synthetic", out=out, image_size=64, epochs=2, batch_size=8, teacher=str(tiny_run),
                               progress=False))
    run = json.loads((out / "run.json").read_text())
    assert run["teacher"]["run"] == str(tiny_run.resolve()) and run["teacher"]["parameters"] > 0
    assert run["fit"]["distill_alpha"] == 0.7 and run["fit"]["teacher_view"] == "same"
    # Same images in every part as the teacher: the student never sees the teacher's test images.
    mine, theirs = (json.loads((d / "split.json").read_text())["splits"] for d in (out, tiny_run))
    assert {p: [i["sha256"] for i in v] for p, v in mine.items()} == {p: [i["sha256"] for i in v] for p, v in theirs.items()}
    assert not (out / "synthetic-data").exists()  # nothing generated: the teacher's data were used
    run_conversion(ConvertSettings(run_dir=out, modes=["int8"], latency_threads=(), n_boot=50, progress=False))
    assert "distilled from a" in (out / "report.md").read_text()


def test_a_student_of_a_teacher_repeats_the_warnings_of_its_few_films(tiny_run, tmp_path, capsys):
    """cxr-train --teacher RUN took the teacher's split of a few validation and test films a class without a word: its
    warnings were said once, on the stderr of the call that trained the teacher. Not said twice by the default recipe,
    whose step 1 drew the split (out/teacher is the student's own)."""
    from edge.preprocess import PreprocessConfig
    from train.run import TrainSettings
    from train.teacher_split import teacher_data

    config = PreprocessConfig.from_dict(json.loads((tiny_run / "run.json").read_text())["preprocess"])
    s = TrainSettings(data="synthetic", out=tmp_path / "student", teacher=str(tiny_run), image_size=64, progress=False)
    teacher_data(s, config)
    said = [line for line in capsys.readouterr().err.splitlines() if "one film moves" in line]
    assert [line.split(": the ")[1].split(" figures")[0] for line in said] == ["test", "validation"], said
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    teacher_data(TrainSettings(data="synthetic", out=run, teacher=str(run / "teacher"), image_size=64, progress=False),
                 config)
    assert "one film moves" not in capsys.readouterr().err


def test_a_teacher_trained_again_while_its_student_is_prepared_is_refused(tiny_run, tmp_path, tf, monkeypatch):
    """--teacher T took T's split, then loaded T/model.keras minutes later: a T retrained meanwhile taught the
    student, whose test films that teacher had trained on, and the student's run.json named the old teacher."""
    import shutil

    import keras

    import train.one_run
    from train.data import DataError
    from train.run import TrainSettings, run_training

    teacher, out = tmp_path / "T", tmp_path / "S"
    shutil.copytree(tiny_run, teacher)
    real_save, saved = train.one_run.save_cache_from, []

    def retrained_meanwhile(*args, **kwargs):  # the student's split and caches are being saved: T is rewritten
        if not saved:
            model = keras.models.load_model(teacher / "model.keras", compile=False)
            model.set_weights([w * 1.5 for w in model.get_weights()])
            model.save(teacher / "model.keras")
        saved.append(1)
        return real_save(*args, **kwargs)

    monkeypatch.setattr(train.one_run, "save_cache_from", retrained_meanwhile)
    with pytest.raises(DataError, match=r"--teacher .*T changed while this student was prepared .*nothing was trained"):
        run_training(TrainSettings(data="synthetic", out=out, image_size=64, epochs=1, batch_size=8, teacher=str(teacher),
                                   progress=False))
    assert saved and not (out / "model.keras").exists() and not (out / "run.json").exists()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".keras")]  # its checked copy is gone too


def test_a_teacher_split_rewritten_after_its_record_was_read_is_refused(tiny_run, tmp_path, tf, monkeypatch):
    """run.json was read, then split.json: a retrain finishing between the two gave the student the new split
    under the old teacher's record."""
    import shutil

    import train.teacher_split
    from edge.atomic import read_json, write_json
    from train.data import DataError, Split
    from train.run import TrainSettings, run_training

    teacher = tmp_path / "T"
    shutil.copytree(tiny_run, teacher)
    real_check = train.teacher_split.run_record_said

    def rewritten_meanwhile(tdir, *args):
        split = Split.load(teacher / "split.json")
        split.parts["test"].append(split.parts["train"].pop())
        split.save(teacher / "split.json")
        write_json(teacher / "run.json", {**read_json(teacher / "run.json"), "split_digest": split.digest()})
        return real_check(tdir, *args)

    monkeypatch.setattr(train.teacher_split, "run_record_said", rewritten_meanwhile)
    with pytest.raises(DataError, match=r"T changed while this student was prepared"):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "S", image_size=64, epochs=1, batch_size=8,
                                   teacher=str(teacher), progress=False))


def test_teacher_with_other_inputs_is_refused(tiny_run, tmp_path, tf):
    from train.data import DataError
    from train.run import TrainSettings, run_training

    with pytest.raises(DataError, match="same architecture family and --image-size"):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "a", image_size=96, epochs=1, teacher=str(tiny_run),
                                   progress=False))
    with pytest.raises(DataError, match="not a finished cxr-train run folder"):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "b", image_size=64, epochs=1,
                                   teacher=str(tmp_path / "nowhere"), progress=False))


def test_default_recipe_trains_a_teacher_ensemble_then_one_student(tiny_run):
    # tiny_run (conftest) is trained with the default settings.
    run, teacher = (json.loads((d / "run.json").read_text()) for d in (tiny_run, tiny_run / "teacher"))
    assert teacher["members"] == 3 and len(teacher["validation"]["member_accuracy"]) == 3
    assert run["members"] == 1 and run["teacher"]["members"] == 3
    assert run["teacher"]["run"] == str((tiny_run / "teacher").resolve())
    assert run["parameters"] * 3 == teacher["parameters"]  # the shipped model is one member's size
    assert run["seconds_with_teacher"] >= run["seconds"] + teacher["seconds"] - 1
    mine, theirs = (json.loads((d / "split.json").read_text())["splits"] for d in (tiny_run, tiny_run / "teacher"))
    assert mine == theirs


def test_the_tutorial_baseline_and_teacher_members_0_train_one_model(tmp_path, tf):
    from train.run import TrainSettings, run_training

    for name, extra in (("seed", {"arch": "seed", "image_size": 32}), ("plain", {"teacher_members": 0, "image_size": 48})):
        out = tmp_path / name
        run_training(TrainSettings(data="synthetic", out=out, epochs=1, synthetic_count=8, batch_size=8,
                                   progress=False, **extra))
        run = json.loads((out / "run.json").read_text())
        assert run["teacher"] is None and run["members"] == 1 and not (out / "teacher").exists(), name


def test_a_second_call_reuses_a_finished_teacher_with_the_same_settings(tmp_path, tf, capsys):
    from dataclasses import replace

    from train.data import DataError
    from train.run import TrainSettings, run_training

    settings = TrainSettings(data="synthetic", out=tmp_path / "run", image_size=48, epochs=1, synthetic_count=8,
                             batch_size=8, teacher_members=2, progress=False)
    run_training(settings)
    few = lambda err: [ln for ln in err.splitlines() if "one film moves" in ln or "training films:" in ln]  # noqa: E731
    said = few(capsys.readouterr().err)  # step 1 drew the split and said its few films; step 2, its student, not again
    assert len(said) == len(set(said)) >= 2, said
    teacher_run = tmp_path / "run" / "teacher" / "run.json"
    first = teacher_run.read_text()
    shutil.copytree(tmp_path / "run" / "teacher", tmp_path / "two")  # this teacher of 2, kept for the end
    run_training(replace(settings, replace=True))  # the same command alone trains nothing (tests/test_rerun.py)
    err = capsys.readouterr().err
    assert "reusing the teacher" in err and teacher_run.read_text() == first
    assert few(err) == said  # a teacher reused: its split's few films said once, as when it was drawn
    # --teacher-view concerns only the student: the teacher is still reused. The finished student
    # of other settings is replaced only when asked (--replace).
    unmoved = TrainSettings(**{**settings.__dict__, "teacher_view": "unmoved"})
    with pytest.raises(DataError, match=r"holds a finished run .* trained with --teacher-view same \(now unmoved\): "
                                        "give another --out"):
        run_training(unmoved)
    run_training(replace(unmoved, replace=True))
    assert "reusing the teacher" in capsys.readouterr().err and teacher_run.read_text() == first
    assert json.loads((tmp_path / "run" / "run.json").read_text())["fit"]["teacher_view"] == "unmoved"
    run_training(TrainSettings(**{**settings.__dict__, "teacher_members": 3, "replace": True}))  # trained again
    assert json.loads(teacher_run.read_text())["members"] == 3
    assert "the finished one there was trained with --teacher-members 2 (now 3): replacing it" in capsys.readouterr().err
    # another teacher asked for: that is the setting said; 'its teacher two was trained again since' was false
    with pytest.raises(DataError) as refused:
        run_training(TrainSettings(**{**settings.__dict__, "teacher": str(tmp_path / "two"), "teacher_members": None}))
    assert "trained with --teacher" in str(refused.value) and "trained again since" not in str(refused.value)


def test_a_student_of_cxr_train_teacher_records_its_teachers_split_settings(tmp_path, tf):
    """run.json said data 'synthetic' and the default fractions for a student of a teacher trained on a
    folder with other fractions: the split it learnt on was the teacher's."""
    from typer.testing import CliRunner

    from train.cli import train_app
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    films = tmp_path / "films"
    generate(films, n_per_class=12, classes=["Normal", "COVID"], size=(48, 48), seed=0)
    teacher = tmp_path / "teacher"
    run_training(TrainSettings(data=str(films), out=teacher, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               val_fraction=0.25, test_fraction=0.2, progress=False))
    out = tmp_path / "student"
    r = CliRunner().invoke(train_app, ["--teacher", str(teacher), "--out", str(out), "--epochs", "1", "--image-size", "32",
                                       "--batch-size", "8", "--quiet"])
    assert r.exit_code == 0, r.output
    mine = json.loads((out / "run.json").read_text())["settings"]
    assert (mine["data"], mine["val_fraction"], mine["test_fraction"]) == (str(films), 0.25, 0.2)
    assert "using the teacher's data and split" not in r.output  # nothing given differs from it
    # the teacher trained again: the same student command replaced the student, and said no reason; its run.json
    # named the teacher by its folder alone
    recorded = json.loads((out / "run.json").read_text())["teacher"]
    assert recorded["model_sha256"] == json.loads((teacher / "run.json").read_text())["model_sha256"]
    run_training(TrainSettings(data=str(films), out=teacher, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               val_fraction=0.25, test_fraction=0.2, seed=5, replace=True, progress=False))
    r = CliRunner().invoke(train_app, ["--teacher", str(teacher), "--out", str(out), "--epochs", "1", "--image-size", "32",
                                       "--batch-size", "8", "--quiet"])
    assert r.exit_code == 0 and f"its teacher {teacher} was trained again since (another model and split)" in r.output


def test_a_student_records_every_setting_that_drew_its_teachers_split(tmp_path):
    """The student above records its teacher's data and fractions; its teacher's --holdout-source (and --add-data,
    --class-map) drew that split too: left out, the student's run.json and .tflite training record said no source
    was held out, though its test films are one source's."""
    from train.teacher_split import teacher_split_settings

    drew = {"data": "/films", "add_data": ["/site"], "class_map": "Healthy=Normal", "holdout_source": "site",
            "val_fraction": 0.2, "test_fraction": 0.25, "synthetic_count": None}
    (tmp_path / "run.json").write_text(json.dumps({"settings": {**drew, "epochs": 9, "seed": 3, "arch": "compact"}}))
    assert teacher_split_settings(tmp_path) == drew


def test_a_student_takes_its_teachers_image_size_unless_told(tiny_run, tmp_path, monkeypatch):
    """--image-size defaulted to 128 with --teacher too, so a teacher trained at 64 px needed its size typed again: a
    student has one size it can be trained at."""
    from typer.testing import CliRunner

    import train.run
    from train.cli import train_app

    got = []
    monkeypatch.setattr(train.run, "run_training", lambda s: got.append(s.image_size) or tmp_path / "none")
    monkeypatch.setattr("train.cli.unreadable_files", lambda run_dir: [])
    for extra, want in (([], 64), (["--image-size", "96"], 96)):
        r = CliRunner().invoke(train_app, ["--teacher", str(tiny_run), "--out", str(tmp_path / "s"), *extra])
        assert r.exit_code == 0, r.output
        assert got[-1] == want


def test_a_students_cache_is_its_teachers_linked_not_written_twice(tiny_run, tmp_path):
    """A distilled run held its teacher's cache a second time (byte-identical; 350 MB at the Kaggle
    database's size). The student's is now a link to the teacher's rows, and still read as its own."""
    from train.cache import cache_path, load_part, save_cache_from
    from train.data import Split
    from edge.preprocess import PreprocessConfig

    for part in ("train", "val", "test"):
        student, teacher = cache_path(tiny_run, part), cache_path(tiny_run / "teacher", part)
        assert os.path.samefile(student, teacher), part
    # a rewrite replaces one folder's file by a rename: the other keeps its own
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, copy_function=os.link)
    split = Split.load(run / "split.json")
    config = PreprocessConfig.from_dict(json.loads((run / "run.json").read_text())["preprocess"])
    x, _ = load_part(run, split, "val", config)
    save_cache_from(run / "teacher", run, "val", np.zeros_like(x), split.parts["val"], config)  # other rows: written
    assert not os.path.samefile(cache_path(run, "val"), cache_path(run / "teacher", "val"))
    assert np.load(cache_path(run / "teacher", "val")).any()  # the teacher's rows untouched


def test_a_students_classes_are_its_teachers_not_the_synthetic_sets(tmp_path, tf):
    """With --teacher and no --data, --classes was checked against the built-in synthetic set's names: a teacher
    trained on a site's own classes could not be named, and a wrong name was blamed on the synthetic set."""
    from typer.testing import CliRunner

    from train.cli import train_app
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    films = tmp_path / "films"
    generate(films, n_per_class=12, classes=["Normal", "COVID"], size=(48, 48), seed=0)
    (films / "Normal").rename(films / "Healthy")
    (films / "COVID").rename(films / "COVID-19")
    teacher = tmp_path / "teacher"
    run_training(TrainSettings(data=str(films), out=teacher, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               progress=False))
    classes = json.loads((teacher / "run.json").read_text())["classes"]
    assert sorted(classes) == ["COVID-19", "Healthy"]
    common = ["--teacher", str(teacher), "--epochs", "1", "--batch-size", "8", "--quiet"]
    r = CliRunner().invoke(train_app, [*common, "--out", str(tmp_path / "wrong"), "--classes", "COVID,Normal"])
    assert r.exit_code == 2 and ("--classes COVID,Normal differ from the teacher's " + ",".join(classes)
                                 in " ".join(r.output.split())), r.output
    assert not (tmp_path / "wrong").exists()
    # its classes in another order: the student's outputs follow the teacher's, so run.json and the .tflite's
    # training record would name them in an order that is not theirs
    r = CliRunner().invoke(train_app, [*common, "--out", str(tmp_path / "wrong"), "--classes", ",".join(classes[::-1])])
    assert r.exit_code == 2 and "(a student learns its teacher's classes, in their order)" in " ".join(r.output.split())
    assert not (tmp_path / "wrong").exists()
    r = CliRunner().invoke(train_app, [*common, "--out", str(tmp_path / "student"), "--classes", ",".join(classes)])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "student" / "run.json").read_text())["classes"] == classes


def test_distillation_weighs_each_film_by_its_class_weight(tf):
    """The default recipe ships the distilled student, and its loss ignored the class weights: the
    default model was trained as if the classes were balanced."""
    import keras

    from train.distill import Distiller, distillation_loss

    def tiny(seed):
        keras.utils.set_random_seed(seed)
        inp = keras.Input((4, 4, 1))
        return keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(inp)))

    d = Distiller(tiny(0), tiny(1), temperature=2.0, alpha=0.5)
    x = tf.constant(np.random.default_rng(0).normal(size=(6, 4, 4, 1)), tf.float32)
    y = tf.constant([0, 1, 0, 1, 1, 1])
    w = tf.constant([3.0, 0.6, 3.0, 0.6, 0.6, 0.6])
    pred = d.student(x)
    per = distillation_loss(d.teacher(x), pred, y, 2.0, 0.5)
    got = float(d.compute_loss(x, y, pred, sample_weight=w))
    assert got == pytest.approx(float(tf.reduce_mean(per * w)), rel=1e-5)
    assert abs(got - float(tf.reduce_mean(per))) > 1e-3
