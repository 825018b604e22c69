"""A Kaggle class folder renamed by mistake (Normal/ -> Nromal/): cxr-train without --classes trained a class called
Nromal, exit 0, and said only that Nromal.metadata.xlsx was missing, never that Normal.metadata.xlsx lay there with no
folder. The folder and the sheet that fail to meet are now named together in one warning, with the way on."""

from __future__ import annotations

from pathlib import Path

from tests.test_kaggle_metadata import BIMCV, HANNOVER, KIDS, kaggle_layout
from train.discovery import discover

TYPO = ("Nromal/ has no Nromal.metadata.xlsx, and Normal.metadata.xlsx has no Normal/ folder: a misspelt folder? "
        "rename it, or give --classes")


def _layout(root: Path, rename: dict[str, str], **more: list[str]) -> list[str]:
    """A tiny Kaggle layout (COVID, Normal and ``more``) with folders renamed as ``rename`` says; cxr-train's discovery
    of it (no --classes), its lines said."""
    kaggle_layout(root, {"COVID": [BIMCV, HANNOVER], "Normal": [KIDS, KIDS], **more})
    for old, new in rename.items():
        (root / old).rename(root / new)
    said: list[str] = []
    discover(root, log=said.append)
    return said


def test_a_misspelt_class_folder_is_named_with_the_sheet_it_lost(tmp_path):
    said = _layout(tmp_path, {"Normal": "Nromal"})
    warned = [line for line in said if "Nromal" in line]
    assert len(warned) == 1, said  # one message: the missing sheet and the folderless one together
    assert TYPO in warned[0], warned[0]
    assert warned[0].startswith("warning: ") and "(not given)" in warned[0]  # what it costs, as before


def test_given_classes_the_folder_is_trained_as_spelt_and_only_its_sheet_is_missed(tmp_path):
    kaggle_layout(tmp_path, {"COVID": [BIMCV, HANNOVER], "Normal": [KIDS, KIDS]})
    (tmp_path / "Normal").rename(tmp_path / "Nromal")
    said: list[str] = []
    discover(tmp_path, ["COVID", "Nromal"], log=said.append)  # the user named it: no question asked
    assert not any("misspelt" in line for line in said), said
    assert any("class folder Nromal in " in line and "(Nromal.metadata.xlsx)" in line for line in said), said


def test_a_class_left_out_by_removing_its_folder_is_no_typo(tmp_path):
    _layout(tmp_path, {}, Lung_Opacity=[KIDS])
    (tmp_path / "Lung_Opacity").rename(tmp_path.parent / f"{tmp_path.name}_gone")  # its sheet stays, as downloaded
    said = []
    discover(tmp_path, log=said.append)
    assert not any("misspelt" in line or "has no metadata" in line for line in said), said


def test_an_unlike_folder_keeps_the_old_warning_alone(tmp_path):
    said = _layout(tmp_path, {"Normal": "Tuberculosis"})  # not a respelling of Normal: no guess at one
    assert not any("misspelt" in line for line in said), said
    assert any("class folder Tuberculosis in " in line and "no metadata spreadsheet" in line for line in said), said


def test_pairs_are_the_closest_spellings_each_sheet_once():
    from train.misspelt_folders import misspelt_pairs

    assert misspelt_pairs(["Nromal", "COVD"], ["Normal", "COVID", "Lung_Opacity"]) == [("COVD", "COVID"),
                                                                                       ("Nromal", "Normal")]
    assert misspelt_pairs(["Nromal", "Nrmal"], ["Normal"]) == [("Nrmal", "Normal")]  # the closer one wins it
    assert misspelt_pairs(["Healthy"], ["Normal"]) == []
    assert misspelt_pairs([], ["Normal"]) == [] and misspelt_pairs(["Nromal"], []) == []
