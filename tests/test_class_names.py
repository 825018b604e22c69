"""Class folders named the site's way match the model's labels; anything ambiguous is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from train.class_names import LEAVE_OUT, match_classes, parse_class_map
from convert.evaluate_cli import evaluate_app

LABELS = ["COVID", "Normal", "Viral_Pneumonia", "Lung_Opacity"]


def test_names_match_ignoring_case_and_punctuation():
    got = match_classes(["NORMAL", "covid-19", "COVID19", "viral pneumonia", "Lung_Opacity"], LABELS)
    assert got == {"NORMAL": "Normal", "covid-19": "COVID", "COVID19": "COVID",
                   "viral pneumonia": "Viral_Pneumonia", "Lung_Opacity": "Lung_Opacity"}


def test_an_explicit_map_wins_and_can_leave_a_folder_out():
    got = match_classes(["healthy", "PNEUMONIA", "Normal"], LABELS,
                        parse_class_map("healthy=Normal, PNEUMONIA=-"))
    assert got == {"healthy": "Normal", "PNEUMONIA": LEAVE_OUT, "Normal": "Normal"}


def test_unknown_folders_are_named_with_the_way_out():
    with pytest.raises(ValueError, match=r"PNEUMONIA are not among .*--class-map FOLDER=LABEL"):
        match_classes(["NORMAL", "PNEUMONIA"], LABELS)


def test_a_name_that_fits_two_labels_is_not_guessed():
    with pytest.raises(ValueError, match="normal are not among"):
        match_classes(["normal"], ["Normal", "NORMAL"])


@pytest.mark.parametrize("text", ["NORMAL", "=Normal", "NORMAL=", " = "])
def test_a_malformed_map_is_refused(text):
    with pytest.raises(ValueError, match="FOLDER=LABEL"):
        parse_class_map(text)


def test_a_map_to_a_label_the_model_lacks_is_refused():
    with pytest.raises(ValueError, match="--class-map names Cat"):
        match_classes(["NORMAL"], LABELS, {"NORMAL": "Cat"})


def test_cxr_evaluate_scores_a_site_layout_with_its_own_folder_names(tiny_run, tmp_path):
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    site = tmp_path / "site"
    shutil.copytree(data / "COVID", site / "covid-19")
    shutil.copytree(data / "Normal", site / "NORMAL")
    shutil.copytree(data / "Normal", site / "PNEUMONIA")  # a class the model never learnt
    model = str(tiny_run / "model_int8.tflite")
    r = CliRunner().invoke(evaluate_app, [model, str(site), "--keep-seen", "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 2 and "PNEUMONIA" in r.output and "--class-map" in r.output
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [model, str(site), "--keep-seen", "--out", str(out), "--class-map", "PNEUMONIA=-",
                                          "--explain", "0", "--n-boot", "100"])
    assert r.exit_code == 0, r.output
    assert "folder PNEUMONIA: left out" in r.output and "folder NORMAL: scored as Normal" in r.output
    report = json.loads((out / "report.json").read_text())
    n = {c: len(list((data / c).glob("*.png"))) for c in ("COVID", "Normal")}
    assert {c["class"]: c["support"] for c in report["metrics"]["per_class"]} == n
    assert report["class_folders"] == {"NORMAL": "Normal", "PNEUMONIA": "-", "covid-19": "COVID"}
    assert all(not p["file"].startswith("PNEUMONIA/") for p in report["predictions"])
    assert (f"Class folders: NORMAL scored as Normal; PNEUMONIA left out ({n['Normal']} films); covid-19 scored as "
            "COVID. This model calls every film COVID or Normal: in use, films of the classes left out here get one of "
            "those answers all the same") in (out / "report.md").read_text()
    assert report["left_out_films"] == {"PNEUMONIA": n["Normal"]}


def test_a_class_list_names_each_class_once_and_none_empty():
    from train.class_names import parse_class_list

    assert parse_class_list(" COVID , Normal ") == ["COVID", "Normal"]
    assert parse_class_list(None) is None and parse_class_list("") is None  # every class folder found
    with pytest.raises(ValueError, match="^--classes names COVID twice; give each class once$"):
        parse_class_list("COVID,COVID,Normal")
    with pytest.raises(ValueError, match=r"names Normal and NORMAL, one class \(names match ignoring case\)"):
        parse_class_list("Normal,COVID,NORMAL")
    for empty in ("COVID,,Normal", "COVID,Normal,", " "):
        with pytest.raises(ValueError, match="has an empty name"):
            parse_class_list(empty)


def test_folders_left_out_are_counted_as_films_and_the_report_says_what_they_would_get(tmp_path):
    """A two-class model gives every film one of its two answers: a site that leaves its pneumonia
    folder out must read how many films that was, and that in use those films get COVID or Normal."""
    from PIL import Image

    from convert.set_notes import renamed_line
    from convert.site_folders import left_out_films

    for rel in ("Viral/images/a.png", "Viral/images/b.png", "Viral/masks/a.png", "Viral/notes.txt",
                "Viral/images/.hidden.png", "Opacity/c.png", "COVID/d.png"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".png"):
            Image.new("L", (8, 8)).save(tmp_path / rel)
        else:
            (tmp_path / rel).write_text("x")
    folders = {"COVID": "COVID", "Viral": "-", "Opacity": "-"}
    counts = left_out_films(tmp_path, folders)
    assert counts == {"Opacity": 1, "Viral": 2}  # its masks/, documents and hidden files are no films
    assert renamed_line(folders, counts, ["COVID", "Normal"]) == (
        "Class folders: Opacity left out (1 film); Viral left out (2 films). This model calls every film COVID or "
        "Normal: in use, films of the classes left out here get one of those answers all the same (edge-classify on "
        "their folder shows which).")
    assert renamed_line(folders) == "Class folders: Opacity left out; Viral left out."
    assert renamed_line(folders, {"Opacity": 0, "Viral": 0}, ["COVID", "Normal"]).endswith("Viral left out (0 films).")
