"""cxr-evaluate as a hospital researcher meets it on their own films: an empty folder of a class the model does not
know, an --out folder that holds an earlier report of other films, and the counts behind each share of report.md's
per-class table (session 74's persona test)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from convert.compare_cli import compare_app
from convert.evaluate_cli import evaluate_app
from convert.figures_md import per_class_table
from convert.summary import summarize


def _site(tiny_run: Path, where: Path, per_class: int) -> Path:
    """A site's folder of ``per_class`` films of each class, copied from the set tiny_run was trained on."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    for folder in sorted(d for d in data.iterdir() if d.is_dir()):
        (where / folder.name).mkdir(parents=True)
        for film in sorted(folder.glob("*.png"))[:per_class]:
            shutil.copy(film, where / folder.name / film.name)
    return where


def _evaluate(model: Path, site: Path, *more: str):
    return CliRunner().invoke(evaluate_app, [str(model), str(site), "--keep-seen", "--quiet", "--explain", "0",
                                             "--n-boot", "100", *more])


def test_an_empty_folder_of_a_class_the_model_does_not_know_is_passed_over_with_a_note(tiny_run, tmp_path):
    """mkdir SITE/Lung_Opacity beside COVID/ and Normal/ was refused as a class the model does not know, without a word
    that it held nothing to score."""
    site = _site(tiny_run, tmp_path / "site", 3)
    (site / "Lung_Opacity").mkdir()
    r = _evaluate(tiny_run / "model_int8.tflite", site, "--out", str(tmp_path / "r"))
    assert r.exit_code == 0, r.output
    said = "not used: class folder Lung_Opacity (it holds no images, and is none of the model's classes)"
    assert f"cxr-evaluate: note: {said}" in r.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["not_used"] == said and "Lung_Opacity" not in report["class_folders"]
    assert report["left_out_films"] == {} and report["metrics"]["n"] == 6
    assert f"{said[0].upper()}{said[1:]}." in (tmp_path / "r" / "report.md").read_text()


def test_folders_with_films_or_of_the_models_classes_are_still_refused(tiny_run, tmp_path):
    """Only what holds nothing and could stand for nothing is passed over: an unknown class with films needs
    --class-map, an empty folder of the model's own class (its class unscored) and one named in --class-map are refused."""
    site = _site(tiny_run, tmp_path / "site", 2)
    (site / "Lung_Opacity").mkdir()
    shutil.copy(next((site / "COVID").glob("*.png")), site / "Lung_Opacity" / "x.png")
    r = _evaluate(tiny_run / "model_int8.tflite", site, "--out", str(tmp_path / "r"))
    assert r.exit_code == 2 and "folder classes Lung_Opacity are not among the model's labels" in r.output
    (site / "Lung_Opacity" / "x.png").unlink()
    r = _evaluate(tiny_run / "model_int8.tflite", site, "--out", str(tmp_path / "r"), "--class-map", "Lung_Opacity=COVID")
    assert r.exit_code == 2 and "class folder Lung_Opacity in" in r.output and "holds no images" in r.output
    for film in (site / "Normal").iterdir():
        film.unlink()
    r = _evaluate(tiny_run / "model_int8.tflite", site, "--out", str(tmp_path / "r"))
    assert r.exit_code == 2 and "class folder Normal in" in r.output and "holds no images" in r.output


def test_an_out_folder_holding_a_report_of_other_films_is_replaced_aloud(tiny_run, tmp_path):
    """--out r1 over r1's report of another site's films, or of another model, replaced it unsaid; the default
    folder's note said which report it replaced, but not what it held."""
    one, two = _site(tiny_run, tmp_path / "one" / "site", 2), _site(tiny_run, tmp_path / "two" / "site", 3)
    r1 = tmp_path / "r1"
    first = _evaluate(tiny_run / "model_int8.tflite", one, "--out", str(r1))
    assert first.exit_code == 0 and "replacing" not in first.output, first.output
    scored = json.loads((r1 / "report.json").read_text())["provenance"]["scored"][:16].replace("T", " ")
    again = _evaluate(tiny_run / "model_int8.tflite", one, "--out", str(r1))
    assert again.exit_code == 0 and "replacing" not in again.output  # the same report, renewed
    other = _evaluate(tiny_run / "model_int8.tflite", two, "--out", str(r1))
    assert other.exit_code == 0
    assert (f"cxr-evaluate: note: replacing the report on {one} in {r1} (4 films, scored {scored[:11]}"
            in other.output), other.output
    assert "UTC); give another --out to keep both" in other.output
    fp32 = _evaluate(tiny_run / "model_fp32.tflite", two, "--out", str(r1))
    assert f"note: replacing the report of {tiny_run / 'model_int8.tflite'} in {r1} (6 films, scored" in fp32.output
    # the default folder's note says the same, and why that folder was taken
    models = tmp_path / "m"
    models.mkdir()
    shutil.copy(tiny_run / "model_int8.tflite", models / "model_int8.tflite")
    assert _evaluate(models / "model_int8.tflite", one).exit_code == 0
    default = _evaluate(models / "model_int8.tflite", two)
    assert (f"note: replacing the report on {one} in {models / 'site-report'} (4 films, scored" in default.output
            and "UTC; the folder is named after the data folder's name); give --out to keep both" in default.output)


def test_cxr_compare_says_so_too_for_an_out_folder(tiny_run, tmp_path):
    """cxr-compare's --out folder holding a comparison on other films was replaced unsaid as well."""
    one, two = _site(tiny_run, tmp_path / "one" / "site", 2), _site(tiny_run, tmp_path / "two" / "site", 2)

    def compare(site: Path):
        return CliRunner().invoke(compare_app, [str(tiny_run / "model_int8.tflite"), str(tiny_run / "model_fp32.tflite"),
                                                str(site), "--out", str(tmp_path / "c"), "--n-boot", "100", "--quiet",
                                                "--keep-seen"])
    assert compare(one).exit_code == 0
    r = compare(two)
    assert r.exit_code == 0 and (f"cxr-compare: note: replacing the comparison on {one} in {tmp_path / 'c'} (4 films, "
                                 "scored") in r.output, r.output


def test_the_per_class_table_gives_the_films_behind_each_share():
    """Specificity read '0.0 (0.0–79.3), 0 of 1'; sensitivity and PPV gave no count: a researcher wants the n
    behind each proportion, 1 of 3 beside 33.3%."""
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    probs = np.eye(2)[[0, 1, 1, 1, 1, 1, 1, 0]]  # COVID: 1 of 3 found; 1 Normal film called COVID
    rows = {line.split("|")[1].strip(): line for line in per_class_table(summarize(y, probs, ["COVID", "Normal"], n_boot=20))}
    covid, normal = (rows[c].split("|")[3:6] for c in ("COVID", "Normal"))
    assert [c.strip().split(", ")[-1] for c in covid] == ["1 of 3", "4 of 5", "1 of 2"]
    assert [c.strip().split(", ")[-1] for c in normal] == ["4 of 5", "1 of 3", "4 of 6"]
