"""cxr-evaluate and cxr-compare name the films of several frames that are not all the same (a dual-energy set), each
scored on its frame 1 alone, as edge-classify says of its answers (edge.frames): their reports said nothing of it."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from convert.compare_cli import compare_app  # noqa: E402
from convert.evaluate_cli import evaluate_app  # noqa: E402
from convert.frame_films import frames_record  # noqa: E402
from tests.test_dicom import ramp  # noqa: E402
from tests.test_frames import dual_energy, frames_dicom  # noqa: E402

LINE = ("1 film of several frames that are not all the same (a dual-energy set, a multi-page TIFF, an animated image): "
        "Normal/de.dcm (3 frames); each is scored{} on its frame 1 alone, as edge-classify reads it, and counted in "
        "every figure below: check that frame 1 is the film meant (not a bone or soft-tissue image)")


def site_with_a_dual_energy_set(tiny_run, tmp_path) -> Path:
    """The tiny run's films with a dual-energy set (Normal/de.dcm) and a DICOM of three identical frames
    (COVID/same.dcm), which is no such film."""
    site = tmp_path / "site"
    shutil.copytree(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]), site,
                    ignore=shutil.ignore_patterns("MANIFEST.csv"))
    (site / "Normal" / "de.dcm").write_bytes(frames_dicom(dual_energy()))
    (site / "COVID" / "same.dcm").write_bytes(frames_dicom(np.stack([ramp()[::-1]] * 3)))
    return site


def test_cxr_evaluate_names_the_films_it_scored_on_frame_1_of(tiny_run, tmp_path):
    site = site_with_a_dual_energy_set(tiny_run, tmp_path)
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--out",
                                          str(out), "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    line = LINE.format("")
    assert [x for x in r.output.splitlines() if "frames" in x] == [f"cxr-evaluate: warning: {line}"]
    assert line in (out / "report.md").read_text()
    report = json.loads((out / "report.json").read_text())
    assert report["multi_frame_films"] == {"films": 1, "listed": [{"file": "Normal/de.dcm", "frames": 3}]}
    assert line in report["data_warnings"]
    framed = {p["file"]: p["frames"] for p in report["predictions"] if "frames" in p}
    assert framed == {"Normal/de.dcm": 3}  # the identical frames of COVID/same.dcm give no count
    with open(out / "predictions.csv", encoding="utf-8-sig", newline="") as f:
        table = {row["file"]: row for row in csv.DictReader(f)}
    assert table["Normal/de.dcm"]["frames"] == "3" and table["COVID/same.dcm"]["frames"] == ""


def test_cxr_evaluate_without_such_films_says_none(tiny_run, tmp_path):
    """No column and no warning where no film has several differing frames; report.json still says 0, for a
    script that reads the key."""
    site = tmp_path / "site"
    shutil.copytree(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]), site,
                    ignore=shutil.ignore_patterns("MANIFEST.csv"))
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--out",
                                          str(out), "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "report.json").read_text())["multi_frame_films"] == {"films": 0, "listed": []}
    assert "frames" not in (out / "predictions.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")


def test_cxr_compare_names_the_films_both_models_scored_on_frame_1_of(tiny_run, tmp_path):
    site = site_with_a_dual_energy_set(tiny_run, tmp_path)
    out = tmp_path / "cmp"
    r = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(tiny_run / "model_int8.tflite"),
                                         str(site), "--out", str(out), "--n-boot", "100", "--quiet", "--keep-seen"])
    assert r.exit_code == 0, r.output
    line = LINE.format(" by both models")
    assert f"cxr-compare: warning: {line}" in r.output.splitlines()
    report = json.loads((out / "compare.json").read_text())
    assert report["data_warnings"] == [line]
    assert report["multi_frame_films"] == {"films": 1, "listed": [{"file": "Normal/de.dcm", "frames": 3}]}
    assert line in (out / "compare.md").read_text()


def test_the_list_is_capped_and_the_count_is_not():
    counts = {f"Normal/de{k:02d}.dcm": 3 for k in range(25)}
    record = frames_record(counts)
    assert record["films"] == 25 and len(record["listed"]) == 20
    assert record["listed"][0] == {"file": "Normal/de00.dcm", "frames": 3}


def test_note_frames_says_the_warning_on_stderr_and_adds_it_to_the_reports_warnings(tmp_path, capsys):
    """An animated GIF of two differing frames among a still PNG: counted, said once on stderr with the tool's name,
    and the same line added to the report's warnings."""
    from PIL import Image

    from convert.frame_films import SCORED_ON, note_frames

    a = Image.fromarray(np.tile(np.arange(80, dtype=np.uint8) * 3, (64, 1)))
    a.save(tmp_path / "moving.gif", save_all=True, append_images=[a.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    a.save(tmp_path / "still.png")
    warnings: list[str] = []
    assert note_frames("cxr-evaluate", tmp_path, ["moving.gif", "still.png"], warnings) == {"moving.gif": 2}
    assert len(warnings) == 1 and warnings[0].startswith("1 film of several frames") and warnings[0].endswith(SCORED_ON)
    assert capsys.readouterr().err == f"cxr-evaluate: warning: {warnings[0]}\n"
