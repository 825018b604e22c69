"""A model trained on cxr-synth's drawings is marked SYNTHETIC from its films, not only from a run record
made before the films' own marks were read (cxr-edge 0.30 and older): a student of such a teacher, and
cxr-convert of such a run, went out unmarked (run.json, card, the device's note)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def _old_run(tiny_run: Path, tmp_path: Path) -> Path:
    """The tiny run's teacher as cxr-edge 0.15.0 left it: trained on a folder of cxr-synth's films copied
    without their README, and recorded as real (that release read neither the films' marks nor names)."""
    old = tmp_path / "old"
    shutil.copytree(tiny_run / "teacher", old)
    split = json.loads((old / "split.json").read_text())
    films = tmp_path / "films"
    shutil.copytree(split["data_dir"], films, ignore=shutil.ignore_patterns("README.md"))
    split["data_dir"] = str(films)
    split["notes"] = {"synthetic": False, "holdout_source": None, "added_data": []}
    (old / "split.json").write_text(json.dumps(split))
    run = json.loads((old / "run.json").read_text())
    run.update(cxr_edge_version="0.15.0", synthetic_data=False)
    run.pop("synthetic_share", None)
    (old / "run.json").write_text(json.dumps(run))
    return old


def test_a_student_of_an_older_teacher_is_marked_from_its_films(tiny_run, tmp_path, capsys):
    from edge.preprocess import PreprocessConfig
    from train.run import TrainSettings
    from train.teacher_split import teacher_data

    old = _old_run(tiny_run, tmp_path)
    config = PreprocessConfig.from_dict(json.loads((old / "run.json").read_text())["preprocess"])
    s = TrainSettings(data="synthetic", out=tmp_path / "student", teacher=str(old), image_size=64, progress=False)
    split, _, _ = teacher_data(s, config)
    of = sum(map(len, split.parts.values()))
    assert split.notes["synthetic"] is True and split.notes["synthetic_share"] == {"synthetic": of, "of": of}
    err = capsys.readouterr().err
    assert (f"note: --teacher's {old / 'run.json'} (cxr-edge 0.15.0, which did not yet check every film) does not mark the "
            f"run as trained on synthetic images, but all {of} films of its split are SYNTHETIC drawings by cxr-synth (e.g. "
            ) in err and "the student is marked as trained on synthetic images" in err, err
    assert json.loads((old / "split.json").read_text())["notes"]["synthetic"] is False  # the teacher's files are its own


def test_cxr_convert_marks_an_older_run_trained_on_drawings(tiny_run, tmp_path, capsys):
    from convert.quantize import ConvertSettings, run_conversion
    from edge import metadata as md

    old = _old_run(tiny_run, tmp_path)
    run_conversion(ConvertSettings(run_dir=old, modes=["fp32"], latency_threads=(), n_boot=50, progress=False))
    _, meta, _ = md.read(old / "model_fp32.tflite")
    assert meta["synthetic_data"] is True and meta["synthetic_share"]["synthetic"] == meta["synthetic_share"]["of"]
    assert json.loads((old / "report.json").read_text())["synthetic_data"] is True
    assert "the model files are marked as trained on synthetic images" in capsys.readouterr().err


def test_cxr_evaluate_of_an_older_runs_keras_model_says_it_was_trained_on_drawings(tiny_run, tmp_path):
    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app

    old = _old_run(tiny_run, tmp_path)
    films = json.loads((old / "split.json").read_text())["data_dir"]
    r = CliRunner().invoke(evaluate_app, [str(old / "model.keras"), films, "--out", str(tmp_path / "r"), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "model.keras was trained on" in r.output and "synthetic" in r.output.lower()
    assert json.loads((tmp_path / "r" / "report.json").read_text())["synthetic_data"] is True


def test_cxr_evaluate_of_an_older_runs_tflite_says_it_was_trained_on_drawings_as_for_its_keras_model(tiny_run, tmp_path):
    """cxr-evaluate said the model.keras of a run of cxr-edge 0.30 or older was trained on cxr-synth's drawings (read
    from its films), and not the .tflite converted from it beside it, whose file carries that release's mark alone."""
    from typer.testing import CliRunner

    from convert.evaluate import model_for
    from convert.evaluate_cli import evaluate_app
    from edge import metadata as md

    old = _old_run(tiny_run, tmp_path)
    trained = json.loads((old / "run.json").read_text())["created"]
    model = old / "model_fp32.tflite"  # as cxr-convert 0.15.0 left it: unmarked, converted from this run's model
    model.write_bytes(md.rewrite((tiny_run / "model_fp32.tflite").read_bytes(), lambda meta: {
        **{k: v for k, v in meta.items() if k != "synthetic_share"}, "synthetic_data": False, "trained": trained}))
    films = json.loads((old / "split.json").read_text())["data_dir"]
    r = CliRunner().invoke(evaluate_app, [str(model), films, "--out", str(tmp_path / "r"), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "model_fp32.tflite was trained on" in r.output and "synthetic" in r.output.lower()
    assert json.loads((tmp_path / "r" / "report.json").read_text())["synthetic_data"] is True
    # converted from another model than the run's there now: that run's films say nothing of the file's
    model.write_bytes(md.rewrite(model.read_bytes(), lambda meta: {**meta, "trained": "2020-01-01T00:00:00+00:00"}))
    assert not model_for(model)[1]["synthetic_data"]


def test_a_run_json_edited_to_say_real_does_not_take_split_jsons_synthetic_mark_off(tiny_run, tmp_path, capsys):
    """run.json set to synthetic_data false by hand, while split.json still says synthetic: cxr-convert took run.json
    as it was, and the report, the card and the device dropped every warning that the model was trained on drawings."""
    from convert.quantize import ConvertSettings, run_conversion
    from edge import metadata as md

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("teacher"))
    record = json.loads((run / "run.json").read_text())
    notes = json.loads((run / "split.json").read_text())["notes"]
    assert record["synthetic_data"] is True and notes["synthetic"] is True
    record.update(synthetic_data=False, synthetic_share={"synthetic": 0, "of": 24})
    (run / "run.json").write_text(json.dumps(record))
    run_conversion(ConvertSettings(run_dir=run, modes=["fp32"], latency_threads=(), n_boot=50, progress=False))
    _, meta, _ = md.read(run / "model_fp32.tflite")
    assert meta["synthetic_data"] is True and meta["synthetic_share"] == notes.get("synthetic_share")  # not run.json's
    assert json.loads((run / "report.json").read_text())["synthetic_data"] is True
    assert "> **Trained on SYNTHETIC images" in (run / "report.md").read_text()
    assert (f"note: {run / 'run.json'} does not mark the run as trained on synthetic images, but its split.json does "
            "(its films are cxr-synth's, as the run that drew the split found them): the model files are marked as "
            "trained on synthetic images, and its figures say nothing about real X-rays") in capsys.readouterr().err
