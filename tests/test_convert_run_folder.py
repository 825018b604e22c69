"""cxr-convert on a run folder that is damaged: one clear line, before minutes of reading films."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.cli import convert_app


def _copy_without_films(tiny_run: Path, tmp_path: Path) -> Path:
    """The run copied without its cache of decoded films, its split pointing at a data folder that
    is gone: reading a film would fail."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("cache"))
    split = json.loads((run / "split.json").read_text())
    split["data_dir"] = str(tmp_path / "moved-away")
    (run / "split.json").write_text(json.dumps(split))
    return run


def test_a_model_keras_cut_short_is_named_before_any_film_is_read(tiny_run, tmp_path):
    run = _copy_without_films(tiny_run, tmp_path)
    keras_file = run / "model.keras"
    keras_file.write_bytes(keras_file.read_bytes()[: keras_file.stat().st_size // 2])
    before = sorted(p.name for p in run.iterdir())
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--explain", "0"])
    assert r.exit_code == 2, r.output
    assert "model.keras" in r.output and "damaged or cut short" in r.output  # by its recorded SHA-256, or by Keras
    assert "moved-away" not in r.output  # the model was judged first
    assert sorted(p.name for p in run.iterdir()) == before


@pytest.mark.parametrize("missing", ["classes", "preprocess"])
def test_a_run_json_without_its_settings_is_named(tiny_run, tmp_path, missing):
    run = _copy_without_films(tiny_run, tmp_path)
    meta = json.loads((run / "run.json").read_text())
    del meta[missing]
    (run / "run.json").write_text(json.dumps(meta))
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8"])
    assert r.exit_code == 2, r.output
    assert "run.json is damaged or not cxr-train's" in r.output and missing in r.output
