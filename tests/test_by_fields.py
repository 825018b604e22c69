"""--by's groups every film has or a DICOM header gives beyond the first nine attributes: PhotometricInterpretation
and BitsStored (MONOCHROME1 films apart from MONOCHROME2 ones, how a site finds one vendor's films read wrongly),
and ``format``, each film's file format as edge reads it, a MANIFEST.csv column of that name winning, said."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from convert.group_values import NOT_DICOM, check_columns, group_values

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from tests.test_dicom import make_dicom  # noqa: E402


def _manifest(folder: Path, rows: list[dict]) -> None:
    with open(folder / "MANIFEST.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _mixed(folder: Path) -> list[str]:
    """A/1.dcm MONOCHROME1 of 12 bits, A/2.dcm MONOCHROME2 of 16, A/3.png a PNG, A/4.dcm a PNG named .dcm."""
    (folder / "A").mkdir(parents=True)
    pixels = np.tile(np.arange(40, dtype=np.uint16) * 100, (40, 1))
    (folder / "A" / "1.dcm").write_bytes(make_dicom(pixels, "MONOCHROME1", bits=12))
    (folder / "A" / "2.dcm").write_bytes(make_dicom(pixels, "MONOCHROME2", bits=16))
    Image.fromarray((pixels // 16).astype(np.uint8)).save(folder / "A" / "3.png")
    Image.fromarray((pixels // 16).astype(np.uint8)).save(folder / "A" / "4.dcm", format="PNG")
    return ["A/1.dcm", "A/2.dcm", "A/3.png", "A/4.dcm"]


def test_photometric_interpretation_and_bits_stored_group_dicom_films(tmp_path):
    """`--by PhotometricInterpretation` (or BitsStored) exited 2, 'not found': the list of header attributes was
    fixed at nine, and a MONOCHROME1-against-MONOCHROME2 breakdown could not be had."""
    files = _mixed(tmp_path)
    check_columns(tmp_path, ["PhotometricInterpretation", "BitsStored"], files)  # raised ValueError: not found
    assert group_values(tmp_path, files, ["PhotometricInterpretation", "BitsStored"]) == {
        "PhotometricInterpretation": ["MONOCHROME1", "MONOCHROME2", NOT_DICOM, NOT_DICOM],
        "BitsStored": ["12", "16", NOT_DICOM, NOT_DICOM]}  # PNGs: (not DICOM), no header to lack the tag


def test_format_groups_every_film_by_its_format_as_read_not_its_suffix(tmp_path, capsys):
    files = _mixed(tmp_path)
    assert group_values(tmp_path, files, ["format"]) == {"format": ["DICOM", "DICOM", "PNG", "PNG"]}
    assert capsys.readouterr().err == ""


def test_a_manifest_column_named_format_wins_and_that_is_said(tmp_path, capsys):
    files = _mixed(tmp_path)
    _manifest(tmp_path, [{"file": f, "format": "export" if f.endswith(".png") else "archive"} for f in files])
    assert group_values(tmp_path, files, ["format"]) == {"format": ["archive", "archive", "export", "archive"]}
    assert ("cxr-evaluate: note: --by format: MANIFEST.csv's format column is used, not each film's file format as "
            "read (DICOM, PNG, ...); rename that column in the file's first line to have both") in capsys.readouterr().err


def test_a_manifest_column_spelt_format_otherwise_is_named_beside_the_files_formats(tmp_path, capsys):
    files = _mixed(tmp_path)
    _manifest(tmp_path, [{"file": f, "Format": "x"} for f in files])
    assert group_values(tmp_path, files, ["format"], prog="cxr-compare") == {"format": ["DICOM", "DICOM", "PNG", "PNG"]}
    assert ("cxr-compare: note: --by format: each film's file format as read (DICOM, PNG, ...) is used; "
            "MANIFEST.csv's column 'Format' is --by Format") in capsys.readouterr().err
    assert group_values(tmp_path, files, ["Format"]) == {"Format": ["x"] * 4}


def test_an_unknown_name_lists_the_new_groups_and_a_misspelt_one_is_named(tmp_path):
    files = _mixed(tmp_path)
    with pytest.raises(ValueError) as e:
        check_columns(tmp_path, ["photometricinterpretation", "FORMAT"], files)
    said = str(e.value)
    assert "PhotometricInterpretation, BitsStored; format: each film's file format, DICOM, PNG, JPEG, ...)" in said
    assert "photometricinterpretation: the DICOM attribute is spelt PhotometricInterpretation" in said
    assert "FORMAT: the files' format is spelt format (--by format)" in said


def test_cxr_evaluate_by_photometric_interpretation_and_format(tiny_run, tmp_path):
    """The physicist's command, on a site of PNG exports beside DICOM films of two photometric interpretations
    (a MONOCHROME1 film stores the picture inverted): it exited 2 before any film was read."""
    from convert.evaluate_cli import evaluate_app

    split = json.loads((tiny_run / "split.json").read_text())
    data, site = Path(split["data_dir"]), tmp_path / "site"
    kinds = {}
    for k, item in enumerate(split["splits"]["test"]):
        (site / item["label"]).mkdir(parents=True, exist_ok=True)
        grey = np.asarray(Image.open(data / item["path"]).convert("L"), np.uint16)
        stem = site / item["path"]
        if k % 3 == 0:
            shutil.copy(data / item["path"], stem)
            kinds[item["path"]] = ("PNG", NOT_DICOM)
            continue
        name = str(Path(item["path"]).with_suffix(".dcm"))
        one = k % 3 == 1
        (site / name).write_bytes(make_dicom(255 - grey if one else grey, "MONOCHROME1" if one else "MONOCHROME2",
                                             bits=8))
        kinds[name] = ("DICOM", "MONOCHROME1" if one else "MONOCHROME2")
    out = tmp_path / "r"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--by",
                                          "PhotometricInterpretation,format", "--out", str(out), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    by_pi = {g: v["n"] for g, v in report["subgroups"]["PhotometricInterpretation"]["groups"].items()}
    by_format = {g: v["n"] for g, v in report["subgroups"]["format"]["groups"].items()}
    assert by_pi == {v: sum(pi == v for _, pi in kinds.values()) for _, v in kinds.values()}
    assert by_format == {"DICOM": sum(f == "DICOM" for f, _ in kinds.values()), "PNG": sum(f == "PNG" for f, _ in kinds.values())}
    md = (out / "report.md").read_text()
    assert "## By PhotometricInterpretation" in md and "## By format" in md
    assert "(not DICOM): films that are not DICOM (PNG, JPEG, ...), which have no header to give " in md
