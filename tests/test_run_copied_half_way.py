"""A run folder copied while cxr-train was writing it: run.json there, model.keras empty or cut short. cxr-train
saves whole files (a temporary file renamed into place), so no stopped call leaves one so; cxr-convert and
cxr-evaluate called it "not the model run.json describes ... run that cxr-train command again to finish it", and
cxr-train went on and trained over it without a word of the copy. Now each names the file and says to restore the
run from a copy, in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_temperature_range import films
from train.run_record import model_damage, run_record_said


def _copied(tiny_run: Path, tmp_path: Path, keep: int | None) -> Path:
    """tiny_run copied, its model.keras cut to its first ``keep`` bytes (0: empty)."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    whole = (tiny_run / "model.keras").read_bytes()
    (run / "model.keras").write_bytes(whole[:keep])
    return run


@pytest.mark.parametrize("keep, said", [(0, "is empty (0 bytes)"), (20_000, "is cut short or damaged (20,000 bytes")])
def test_convert_and_evaluate_name_a_cut_short_model_and_send_to_a_copy(tiny_run, tmp_path, keep, said):
    from convert.cli import convert_app
    from convert.evaluate_cli import evaluate_app

    run = _copied(tiny_run, tmp_path, keep)
    assert said in model_damage(run)
    assert run_record_said(run).startswith(f"{run} holds a damaged run ({run / 'model.keras'} {said}")
    for app, args in ((convert_app, [str(run), "--quant", "int8"]),
                      (evaluate_app, [str(run / "model.keras"), str(films(tmp_path / "films")), "--out",
                                      str(tmp_path / "r")])):
        r = CliRunner().invoke(app, args)
        lines = [line for line in r.output.splitlines() if line.strip()]
        assert r.exit_code == 2 and len(lines) == 1, r.output
        assert f"{run / 'model.keras'} {said}" in lines[0] and "copied while cxr-train was writing it?" in lines[0]
        assert "restore it from a copy of the run" in lines[0] and "again to finish it" not in lines[0], lines[0]


def test_a_whole_model_is_no_damage(tiny_run):
    assert model_damage(tiny_run) is None
    assert model_damage(tiny_run / "no-such-run") is None


def test_cxr_train_refuses_to_go_on_over_a_cut_short_model(tiny_run, tmp_path):
    """It said 'going on ... where a cxr-train was stopped' and trained the run again in the copy."""
    from train.data import DataError
    from train.run import TrainSettings, run_training

    run = _copied(tiny_run, tmp_path, 0)
    settings = TrainSettings(data="synthetic", out=run, image_size=64, epochs=2, synthetic_count=16, batch_size=8,
                             progress=False)
    with pytest.raises(DataError) as e:
        run_training(settings)
    assert str(e.value).startswith(f"--out {run} holds a damaged run ({run / 'model.keras'} is empty (0 bytes)")
    assert "--replace to train over it" in str(e.value)
    assert (run / "model.keras").stat().st_size == 0  # nothing trained over it
