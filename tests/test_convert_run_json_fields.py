"""cxr-convert on a run.json whose fields were edited to the wrong kind (H54's run-folder fuzzing): one line naming
run.json and what to do, exit 2, and the run's outputs as they were; before, 'unexpected TypeError' or
'unexpected OverflowError'."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.cli import convert_app


def _run_with(tiny_run: Path, tmp_path: Path, field: str, value_json: str) -> Path:
    """The run copied, run.json's ``field`` set to the JSON text ``value_json`` (10**400 written as JSON has)."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    text = json.dumps({**json.loads((run / "run.json").read_text()), field: "@@"})
    (run / "run.json").write_text(text.replace('"@@"', value_json))
    return run


def _outputs(run: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(run.iterdir()) if p.is_file() and p.name != "run.json"}


@pytest.mark.parametrize("value", ["null", '"x"', '{"size": "64", "channels": 1}'])
def test_a_preprocess_of_the_wrong_kind_is_named_in_run_json(tiny_run, tmp_path, value):
    run = _run_with(tiny_run, tmp_path, "preprocess", value)
    before = _outputs(run)
    r = CliRunner().invoke(convert_app, [str(run), "--report-only"])
    assert r.exit_code == 2, r.output
    assert f"{run / 'run.json'} is damaged or not cxr-train's: its preprocess " in r.output
    assert "unexpected" not in r.output and "cxr-train --replace" in r.output
    assert _outputs(run) == before


def test_a_temperature_no_float_holds_is_named_not_an_overflow(tiny_run, tmp_path):
    run = _run_with(tiny_run, tmp_path, "temperature", "1" + "0" * 400)
    before = _outputs(run)
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--explain", "0"])
    assert r.exit_code == 2, r.output
    assert "its calibration temperature 1000" in r.output and "is not a number above 0" in r.output
    assert "unexpected" not in r.output and "run.json does not describe this model" in r.output
    assert _outputs(run) == before


def test_a_nan_run_json_field_the_report_copies_is_written_as_null(tiny_run, tmp_path):
    """report.json copies run.json's "synthetic_data": a NaN there ended --report-only with 'unexpected ValueError:
    Out of range float values are not JSON compliant' (convert.report.write_report_json)."""
    run = _run_with(tiny_run, tmp_path, "synthetic_data", "NaN")
    r = CliRunner().invoke(convert_app, [str(run), "--report-only", "--explain", "0"])
    assert r.exit_code in (0, 1), r.output  # 1: the tiny model's gate; a report either way
    assert json.loads((run / "report.json").read_text())["synthetic_data"] is None
