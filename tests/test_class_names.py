"""Class folders named the site's way match the model's labels; anything ambiguous is refused."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from train.class_names import LEAVE_OUT, match_classes, parse_class_map
from convert.evaluate_cli import evaluate_app
from tests.conftest import unpadded

LABELS = ["COVID", "Normal", "Viral_Pneumonia", "Lung_Opacity"]


def test_names_match_ignoring_case_and_punctuation():
    got = match_classes(["NORMAL", "covid-19", "COVID19", "viral pneumonia", "Lung_Opacity"], LABELS)
    assert got == {"NORMAL": "Normal", "covid-19": "COVID", "COVID19": "COVID",
                   "viral pneumonia": "Viral_Pneumonia", "Lung_Opacity": "Lung_Opacity"}


def test_an_explicit_map_wins_and_can_leave_a_folder_out():
    got = match_classes(["healthy", "PNEUMONIA", "Normal"], LABELS,
                        parse_class_map("healthy=Normal, PNEUMONIA=-"))
    assert got == {"healthy": "Normal", "PNEUMONIA": LEAVE_OUT, "Normal": "Normal"}


def test_a_map_is_spelt_as_folders_and_labels_are_matched():
    """Folders match labels ignoring case and punctuation; so do the names a --class-map gives."""
    got = match_classes(["Healthy", "Viral Pneumonia", "NORMAL"], LABELS,
                        parse_class_map("healthy=normal, viral_pneumonia=-"))
    assert got == {"Healthy": "Normal", "Viral Pneumonia": LEAVE_OUT, "NORMAL": "Normal"}


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


def test_a_label_holding_a_comma_is_said_to_be_written_without_it_and_so_matches():
    """'Viral_Pneumonia=Viral pneumonia, non-COVID (paediatric)' was told to rename a folder that held no comma."""
    long = ["COVID", "Viral pneumonia, non-COVID (paediatric)"]
    with pytest.raises(ValueError) as e:
        parse_class_map("Viral_Pneumonia=Viral pneumonia, non-COVID (paediatric)")
    assert "a folder or label whose name holds a comma or '=' is written without them" in str(e.value)
    assert "folders and labels are matched ignoring punctuation and case" in str(e.value)
    mapping = parse_class_map("Viral_Pneumonia=Viral pneumonia non-COVID (paediatric)")
    assert match_classes(["COVID", "Viral_Pneumonia"], long, mapping)["Viral_Pneumonia"] == long[1]


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
    r_out = r.output
    assert "note: not used: class folder PNEUMONIA (left out with --class-map)" in r.output
    assert "folder NORMAL: scored as Normal" in r.output
    report = json.loads((out / "report.json").read_text())
    n = {c: len(list((data / c).glob("*.png"))) for c in ("COVID", "Normal")}
    assert {c["class"]: c["support"] for c in report["metrics"]["per_class"]} == n
    assert report["class_folders"] == {"NORMAL": "Normal", "PNEUMONIA": "-", "covid-19": "COVID"}
    assert all(not p["file"].startswith("PNEUMONIA/") for p in report["predictions"])
    assert (f"Class folders: NORMAL scored as Normal; PNEUMONIA left out ({n['Normal']} films); covid-19 scored as "
            "COVID. This model calls every film COVID or Normal: in use, films of the classes left out here get one of "
            "those answers all the same") in (out / "report.md").read_text()
    assert report["left_out_films"] == {"PNEUMONIA": n["Normal"]}
    # PNEUMONIA holds copies of the Normal films: its films must get the answers NORMAL's got, film by film
    normal = {p["file"].split("/")[-1]: p for p in report["predictions"] if p["file"].startswith("NORMAL/")}
    called = {c: sum(p["predicted"] == c for p in normal.values()) for c in ("COVID", "Normal")}
    answers = report["left_out_answers"]["PNEUMONIA"]
    assert answers["films"] == n["Normal"] and answers["unreadable"] == 0
    assert {c: a["films"] for c, a in answers["called"].items()} == called
    rows = list(csv.DictReader((out / "left_out.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == n["Normal"] and all(r["folder"] == "PNEUMONIA" for r in rows)
    for r in rows:
        p = normal[r["file"].split("/")[-1]]
        assert r["predicted"] == p["predicted"] and float(r["p_COVID"]) == pytest.approx(p["probabilities"]["COVID"], abs=1e-4)
    md = unpadded((out / "report.md").read_text())
    assert "the section \"Classes left out\" shows which" in md and "## Classes left out" in md
    share = called["COVID"] / n["Normal"]
    assert f"| PNEUMONIA | {n['Normal']} | {called['COVID']} ({100 * share:.0f}%, " in md
    # each share with its 95% interval, as docs/commands.md promises (a bare 50% on 6 films read as exact)
    from convert.metrics import wilson_interval
    from edge.figures import fixed

    lo, hi = wilson_interval(called["COVID"], n["Normal"])
    assert (f"cxr-evaluate: note: PNEUMONIA ({n['Normal']} films, left out of the figures) called COVID {called['COVID']} "
            f"({fixed(share, 0, 100)}%, {fixed(lo, 0, 100)}-{fixed(hi, 0, 100)}), Normal {called['Normal']} (") in r_out


def test_a_class_list_names_each_class_once_and_none_empty():
    from train.class_names import parse_class_list

    assert parse_class_list(" COVID , Normal ") == ["COVID", "Normal"]
    assert parse_class_list(None) is None and parse_class_list("") is None  # every class folder found
    with pytest.raises(ValueError, match="^--classes names COVID twice; give each class once$"):
        parse_class_list("COVID,COVID,Normal")
    with pytest.raises(ValueError, match=r"names Normal and NORMAL, one class \(names match ignoring case and punctuation\)"):
        parse_class_list("Normal,COVID,NORMAL")
    for empty in ("COVID,,Normal", "COVID,Normal,", " "):
        with pytest.raises(ValueError, match="has an empty item"):
            parse_class_list(empty)


@pytest.mark.parametrize("class_map", [None, "COVID-19_Radiography_Dataset=COVID"])
def test_a_site_folder_one_level_too_high_is_refused_before_class_map_is_advised(tmp_path, class_map):
    """archive/ of Kaggle's unzip was told '--class-map COVID-19_Radiography_Dataset=LABEL', and following it scored
    every film, Normal ones too, as COVID with exit 0."""
    from convert.site_folders import site_items
    from tests.test_data import write_images
    from train.data import DataError

    db = tmp_path / "archive" / "COVID-19_Radiography_Dataset"
    for c in LABELS:
        write_images(db / c / "images", c, 1)
    with pytest.raises(DataError) as e:
        site_items(tmp_path / "archive", LABELS, class_map, "cxr-evaluate", quiet=True)
    assert str(e.value).startswith(f"the folder COVID-19_Radiography_Dataset in {tmp_path / 'archive'} holds class "
                                   "folders of its own (COVID, Lung_Opacity, Normal, Viral_Pneumonia): it is the data "
                                   f"folder, not a class; give {db}")
    assert "--class-map" not in str(e.value)
    (tmp_path / "site" / "Other").mkdir(parents=True)  # folders named as the labels, no images/ level, no sheets
    for c in ("COVID", "Normal"):
        write_images(tmp_path / "site" / "Other" / c, c, 1)
    with pytest.raises(DataError, match=rf"give {tmp_path / 'site' / 'Other'}$"):
        site_items(tmp_path / "site", LABELS, None, "cxr-evaluate", quiet=True)


def test_an_added_folder_one_level_too_high_is_refused(tmp_path):
    """cxr-train --add-data archive/ gave the same --class-map advice: every added film would join one class."""
    from tests.test_data import write_images
    from train.data import DataError
    from train.extra_data import added_items

    for c in ("COVID", "Normal"):
        write_images(tmp_path / "archive" / "DB" / c / "images", c, 1)
    with pytest.raises(DataError, match=rf"^--add-data {tmp_path / 'archive'}: the folder DB in .* holds class folders of "
                                        r"its own \(COVID, Normal\)"):
        added_items([str(tmp_path / "archive")], ["COVID", "Normal"])


def test_a_site_folder_left_out_or_mapped_is_not_refused_as_a_data_folder_one_level_too_high(tmp_path):
    """The check for archive/ of Kaggle's unzip looked into folders --class-map leaves out or renames: a site's
    old_export=- holding COVID/ and Normal/, and its covid_positive=COVID holding scannerA/images/, were refused
    ('give site/old_export'), where 0.41.0 scored them (review of session 58)."""
    from convert.site_folders import site_items
    from tests.test_data import write_images

    site = tmp_path / "site"
    for c in ("COVID", "Normal"):
        write_images(site / c, c, 2)
        write_images(site / "old_export" / c, c, 1)
    items, matched = site_items(site, LABELS, "old_export=-", "cxr-evaluate", quiet=True)
    assert matched["old_export"] == "-" and len(items) == 4
    other = tmp_path / "other"
    write_images(other / "covid_positive" / "scannerA" / "images", "COVID", 2)
    write_images(other / "healthy", "Normal", 2)
    items, matched = site_items(other, LABELS, "covid_positive=COVID,healthy=Normal", "cxr-evaluate", quiet=True)
    assert matched == {"covid_positive": "COVID", "healthy": "Normal"} and len(items) == 4
