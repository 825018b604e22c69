"""A NaN in a field a report copies from the model file ("trained", "synthetic_share": an older release's file or a
hand edit) is written as null, not a crash after every film was scored (H54: cxr-evaluate and cxr-compare ended
'unexpected ValueError: Out of range float values are not JSON compliant' and wrote no report)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from convert.compare_cli import compare_app
from convert.evaluate_cli import evaluate_app
from edge.metadata import attach, split


def _with_nan_fields(tiny_run: Path, tmp_path: Path) -> Path:
    flat, meta, files = split((tiny_run / "model_int8.tflite").read_bytes())
    edited = tmp_path / "edited.tflite"
    edited.write_bytes(attach(flat, {**meta, "trained": math.nan, "synthetic_share": math.nan}, files))
    return edited


def test_cxr_evaluate_writes_a_nan_metadata_field_as_null(tiny_run, unseen_site, tmp_path):
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(_with_nan_fields(tiny_run, tmp_path)), str(unseen_site), "--out", str(out),
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert report["provenance"]["models"][0]["trained"] is None and report["synthetic_share"] is None


def test_cxr_compare_writes_a_nan_metadata_field_as_null(tiny_run, unseen_site, tmp_path):
    out = tmp_path / "compare"
    r = CliRunner().invoke(compare_app, [str(tiny_run / "model_int8.tflite"), str(_with_nan_fields(tiny_run, tmp_path)),
                                         str(unseen_site), "--out", str(out), "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    models = json.loads((out / "compare.json").read_text())["provenance"]["models"]
    assert models[1]["trained"] is None and isinstance(models[0]["trained"], str)
