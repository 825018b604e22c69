"""cxr-convert and a run's .tflite files: --report-only certifies only the run's own files as
converted, model.tflite follows the file it copies, and the gate's limits and reasons mean what they say."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from convert.cli import convert_app
from convert.gate import gate
from convert.run_files import keep_chosen
from edge import metadata as md


@pytest.mark.parametrize("edit, why", [
    (lambda m: {**m, "labels": m["labels"][::-1]}, "labels"),
    (lambda m: {**m, "preprocess": {**m["preprocess"], "normalize": "none"}}, "preprocessing"),
    (lambda m: {**m, "temperature": 5.0}, "temperature"),
])
def test_report_only_refuses_a_file_whose_metadata_is_not_the_runs(tiny_run, tmp_path, edit, why):
    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    fp32 = run / "model_fp32.tflite"
    fp32.write_bytes(md.rewrite(fp32.read_bytes(), edit))
    before = fp32.read_bytes()
    with pytest.raises(ValueError, match=f"model_fp32.tflite: it is not this run's file as converted \\({why} differ"):
        run_conversion(ConvertSettings(run_dir=run, modes=["fp32"], report_only=True, latency_threads=(), progress=False))
    assert fp32.read_bytes() == before  # not certified anew


def test_report_only_refuses_another_modes_file_and_a_damaged_one(tiny_run, tmp_path):
    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    shutil.copyfile(run / "model_int8.tflite", run / "model_fp32.tflite")
    settings = ConvertSettings(run_dir=run, modes=["fp32"], report_only=True, latency_threads=(), progress=False)
    with pytest.raises(ValueError, match=r"\(mode differ from run.json's\)"):
        run_conversion(settings)
    data = bytearray((run / "model_int8.tflite").read_bytes())
    data[len(data) // 3] ^= 0xFF  # one weight byte flipped
    (run / "model_fp32.tflite").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="model_fp32.tflite: it cannot be read"):
        run_conversion(settings)


def test_a_rule_stored_later_reaches_model_tflite(tiny_run, tmp_path):
    """model.tflite, the file shipped, is a copy of --auto's choice: it must follow that file."""
    from convert.quantize import ConvertSettings, run_conversion
    from edge.model import EdgeModel

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    shutil.copyfile(run / "model_int8.tflite", run / "model.tflite")  # as an earlier --auto left it
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True, operating_point="COVID=0.9",
                                   latency_threads=(), n_boot=50, explain=0, progress=False))
    assert (run / "model.tflite").read_bytes() == (run / "model_int8.tflite").read_bytes()
    assert EdgeModel(run / "model.tflite").decision is not None


def test_model_tflite_is_removed_when_its_mode_fails_the_gate_now(tmp_path):
    out = tmp_path / "stage"
    out.mkdir()
    (out / "model_int8.tflite").write_bytes(b"int8 file")
    failed = {"models": {"int8": {"gate": {"passed": False}}}}
    said = keep_chosen(out, "int8", ["int8"], failed, auto=False)
    assert "removed model.tflite" in said and not (out / "model.tflite").exists()
    passed = {"models": {"int8": {"gate": {"passed": True}}}}
    assert "now a copy of model_int8.tflite" in keep_chosen(out, "int8", ["int8"], passed, auto=False)
    assert (out / "model.tflite").read_bytes() == b"int8 file"
    assert keep_chosen(out, "fp32", ["int8"], passed, auto=False) is None  # its mode not converted now: as it was


@pytest.mark.parametrize("option, value", [("--max-drop", "nan"), ("--max-class-drop", "inf"), ("--max-drop", "-1")])
def test_gate_limits_must_be_drops_of_zero_or_more(tmp_path, option, value):
    r = CliRunner().invoke(convert_app, [str(tmp_path), option, value])
    assert r.exit_code == 2 and f"{option} is a drop in points, 0 or more" in r.output


def test_a_gate_reason_shows_the_drop_over_its_limit():
    ref = {"accuracy": 0.9, "per_class": [{"class": "Normal", "sensitivity": 0.9}]}
    cand = {"accuracy": 0.9, "per_class": [{"class": "Normal", "sensitivity": 0.9 - 0.02222}]}
    assert gate(ref, cand, 1.0, 2.2)["reasons"] == ["Normal sensitivity fell 2.22 points (limit 2.2)"]
    assert gate(ref, cand, 1.0, 2.0)["reasons"] == ["Normal sensitivity fell 2.2 points (limit 2)"]
