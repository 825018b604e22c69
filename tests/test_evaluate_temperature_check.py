"""cxr-evaluate (and cxr-compare) of a run's model.keras apply run.json's temperature: one edited by hand inside the
range cxr-train fits it in (1.0 -> 0.2) is refused as cxr-convert refuses it (convert.temperature_check), where before
it silently changed every probability, calibration figure and ECE the report gave. Where the check cannot be made (no
split.json or cached validation films beside the model), one warning line says so and the model is scored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tests.test_temperature_nll_check import _copy  # tiny_run copied with run.json fields replaced

ARGS = ["--keep-seen", "--n-boot", "100", "--explain", "0", "--quiet"]


def _data(tiny_run: Path) -> str:
    return json.loads((tiny_run / "split.json").read_text())["data_dir"]


def test_cxr_evaluate_refuses_a_temperature_edited_inside_the_fitted_range(tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app

    fitted = json.loads((tiny_run / "run.json").read_text())["temperature"]
    assert abs(fitted - 0.2) > 0.5, fitted  # the edit below is one
    run = _copy(tiny_run, tmp_path, temperature=0.2)
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), _data(tiny_run), "--out", str(out), *ARGS])
    assert r.exit_code == 2, r.output
    assert f"{run / 'run.json'}'s temperature 0.2 is not the one cxr-train fitted" in r.output, r.output
    assert "restore run.json from a copy of the run, or train the run again" in r.output
    assert len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output, r.output
    assert not (out / "report.json").exists()  # refused before any report was written


def test_cxr_compare_refuses_it_too(tiny_run, tmp_path):
    from convert.compare_cli import compare_app

    run = _copy(tiny_run, tmp_path, temperature=0.2)
    r = CliRunner().invoke(compare_app, [str(tiny_run / "model_int8.tflite"), str(run / "model.keras"), _data(tiny_run),
                                         "--out", str(tmp_path / "cmp"), "--keep-seen", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 2, r.output
    assert f"{run / 'run.json'}'s temperature 0.2 is not the one cxr-train fitted" in r.output, r.output


def test_where_the_cache_is_gone_the_temperature_is_said_unchecked_and_the_model_scored(tiny_run, tmp_path):
    """The edit goes through, as before, but no longer without a word."""
    from convert.evaluate_cli import evaluate_app

    run = _copy(tiny_run, tmp_path, temperature=0.2)
    shutil.rmtree(run / "cache")
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), _data(tiny_run), "--out", str(out), *ARGS])
    assert r.exit_code == 0, r.output
    said = [line for line in r.output.splitlines() if "temperature was not checked" in line]
    assert len(said) == 1 and said[0].startswith(f"cxr-evaluate: warning: {run / 'run.json'}'s calibration "), r.output
    assert f"the run's cached validation films, {run / 'cache' / 'val.npy'}, are gone" in said[0]
    assert json.loads((out / "report.json").read_text())["model_kind"] == "keras"
    assert not (run / "cache").exists()  # cxr-evaluate does not write into the run folder


def test_no_warning_where_checked_and_a_model_out_of_its_run_is_said_unchecked(tiny_run, tmp_path, capsys):
    from convert.evaluate import model_for

    run = _copy(tiny_run, tmp_path)
    model_for(run / "model.keras")  # the run as trained: passes, in silence (the CLI's run: test_evaluate)
    assert "temperature" not in capsys.readouterr().err
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in ("model.keras", "run.json"):
        shutil.copy(run / name, alone / name)
    _, info = model_for(alone / "model.keras", "cxr-compare")
    assert info["kind"] == "keras"
    err = capsys.readouterr().err
    assert err.startswith(f"cxr-compare: warning: {alone / 'run.json'}'s calibration temperature was not checked") and (
        "(there is no split.json beside it)" in err and len(err.strip().splitlines()) == 1), err
