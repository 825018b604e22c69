"""What a hospital engineer saw training on a Kaggle-layout copy (session 74): run.json's time with the teacher
after the same command went on from a stopped call, and cxr-convert given a model copied from another run or the
model file instead of its run folder."""
import json
import shutil

from typer.testing import CliRunner

from convert.cli import convert_app
from train.run import TrainSettings, run_training


def _settings(out):
    return TrainSettings(data="synthetic", out=out, image_size=32, epochs=1, synthetic_count=8, teacher_members=2,
                         progress=False)


def test_time_with_the_teacher_counts_a_teacher_an_earlier_call_finished(tmp_path):
    # A Ctrl-C while the student trains leaves the teacher finished and the student not: the same command again
    # reuses the teacher. Up to 0.57.0 seconds_with_teacher (and the last 'done in' line) then counted this call
    # alone: the student's seconds, without the teacher's that run.json's teacher.seconds records.
    out = tmp_path / "run"
    run_training(_settings(out))
    (out / "run.json").unlink()  # as a stop inside the student leaves it: no finished student
    (out / "model.keras").unlink()
    run_training(_settings(out))
    run, teacher = (json.loads((d / "run.json").read_text()) for d in (out, out / "teacher"))
    assert run["teacher"]["seconds"] == teacher["seconds"] > 1
    assert run["seconds_with_teacher"] >= run["seconds"] + teacher["seconds"] - 0.2


def test_convert_of_a_model_copied_from_another_run_says_to_give_that_run(tiny_run, tmp_path):
    # A model.keras copied into another run folder was called damaged or a stopped cxr-train's, and the one way on
    # said was to run that cxr-train again: the folder it came from, which holds its own records, was not named.
    run = tmp_path / "other"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("cache", "*.tflite"))
    shutil.copy(tiny_run / "teacher" / "model.keras", run / "model.keras")
    r = CliRunner().invoke(convert_app, [str(run), "--quiet"])
    assert r.exit_code == 2, r.output
    assert "copied in from another run folder" in r.output and "give that folder itself" in r.output, r.output


def test_convert_given_the_model_file_names_its_run_folder(tiny_run):
    # 'cxr-convert runs/a/model.keras' said only "is not a run folder to write into: ... is a file".
    r = CliRunner().invoke(convert_app, [str(tiny_run / "model.keras"), "--quiet"])
    assert r.exit_code == 2, r.output
    assert f"takes the run folder it is in: cxr-convert {tiny_run}" in r.output, r.output
