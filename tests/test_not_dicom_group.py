"""Under a DICOM header attribute (--by ViewPosition, PhotometricInterpretation, ...) a film that is not DICOM is
'(not DICOM)', apart from the DICOM films whose header lacks the attribute ('(not given)'): both were '(not given)',
and a physicist read 50 PNG exports' row as 50 DICOM films missing the tag. A MANIFEST.csv column's blank cell stays
'(not given)', whatever the film."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convert.group_values import MISSING, NOT_DICOM, group_values
from convert.subgroups import subgroup_section

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from tests.test_dicom import make_dicom  # noqa: E402


def _dicom(view: str | None) -> bytes:
    """A DICOM film with ViewPosition ``view``, or none (make_dicom writes none)."""
    data = make_dicom(np.tile(np.arange(40, dtype=np.uint16) * 100, (40, 1)))
    if view is None:
        return data
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.ViewPosition = view
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _site(folder: Path) -> list[str]:
    """A/1.dcm PA, A/2.dcm without ViewPosition, A/3.png and A/4.jpg exports, A/5.dcm a PNG named .dcm."""
    (folder / "A").mkdir(parents=True)
    (folder / "A" / "1.dcm").write_bytes(_dicom("PA"))
    (folder / "A" / "2.dcm").write_bytes(_dicom(None))
    grey = Image.fromarray(np.tile(np.arange(40, dtype=np.uint8) * 6, (40, 1)))
    grey.save(folder / "A" / "3.png")
    grey.save(folder / "A" / "4.jpg")
    grey.save(folder / "A" / "5.dcm", format="PNG")
    return ["A/1.dcm", "A/2.dcm", "A/3.png", "A/4.jpg", "A/5.dcm"]


def _manifest(folder: Path, rows: list[dict]) -> None:
    with open(folder / "MANIFEST.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_films_that_are_not_dicom_are_a_group_apart_from_dicom_films_without_the_tag(tmp_path):
    files = _site(tmp_path)
    assert group_values(tmp_path, files, ["ViewPosition", "PhotometricInterpretation"]) == {
        "ViewPosition": ["PA", MISSING, NOT_DICOM, NOT_DICOM, NOT_DICOM],  # was PA and four (not given)
        "PhotometricInterpretation": ["MONOCHROME2", "MONOCHROME2", NOT_DICOM, NOT_DICOM, NOT_DICOM]}


def test_a_manifest_columns_blank_cell_stays_not_given_whatever_the_film(tmp_path):
    files = _site(tmp_path)
    _manifest(tmp_path, [{"file": f, "ward": "3" if f.endswith("1.dcm") else "", "ViewPosition": ""} for f in files])
    assert group_values(tmp_path, files, ["ward", "ViewPosition"]) == {
        "ward": ["3", MISSING, MISSING, MISSING, MISSING],
        # a column of MANIFEST.csv named as the attribute: its blank cells are blanks, a DICOM's header fills in
        "ViewPosition": ["PA", MISSING, MISSING, MISSING, MISSING]}


def test_an_attribute_no_dicom_film_carries_is_still_left_out_and_said(tmp_path, capsys):
    files = _site(tmp_path)
    assert group_values(tmp_path, files[2:], ["ViewPosition"]) == {}  # PNG and JPEG films alone: no group to show
    assert ("--by ViewPosition: no film has a value (no DICOM file here carries this header attribute); left out of "
            "the report") in capsys.readouterr().err


def test_report_md_says_what_each_of_the_two_groups_holds():
    """The Markdown table's rows beside a line that tells them apart; a group's figures are not needed for it."""
    from convert.summary import summarize

    y, probs = np.array([0, 1, 0, 1]), np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])
    one = summarize(y, probs, ["a", "b"], n_boot=0)
    md = "\n".join(subgroup_section("ViewPosition", {"PA": one, MISSING: one, NOT_DICOM: one}, one, ["a", "b"]))
    assert ("(not DICOM): films that are not DICOM (PNG, JPEG, ...), which have no header to give ViewPosition; "
            "(not given): DICOM films whose header lacks it.") in md
    assert "| (not DICOM) | 4 |" in md
