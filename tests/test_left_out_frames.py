"""The films of class folders left out of the figures (cxr-evaluate's and cxr-compare's "Classes left out", cxr-convert's
other classes) and of a held-out external source, when of several frames not all the same, are scored on frame 1
alone, as the films scored are (convert.frame_films): their shares ('called COVID 100%') could be of a bone image
without a word, where the films scored said it."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from convert.cli import convert_app
from convert.compare_cli import compare_app
from convert.evaluate_cli import evaluate_app
from convert.frame_films import EXTERNAL_SCORED_ON, LEFT_OUT_SCORED_ON
from tests.test_convert_frames import run_with_a_multi_page_tiff
from train.data import Split

FRAMES_FIRST = ("1 film of several frames that are not all the same (a dual-energy set, a multi-page TIFF, an animated "
                "image): {} (2 frames); ")


def dual_tiff(like: Path, to: Path) -> None:
    """A TIFF of two differing pages: ``like``'s film, then it mirrored (a bone image stands in for the second)."""
    page = Image.open(like).convert("L")
    to.parent.mkdir(parents=True, exist_ok=True)
    page.save(to, save_all=True, append_images=[page.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])


def site_with_other(tiny_run: Path, tmp_path: Path) -> Path:
    """The tiny run's films, with Other/dual.tif (two differing pages) and Other/plain.png (one page)."""
    site = tmp_path / "site"
    shutil.copytree(Split.load(tiny_run / "split.json").data_dir, site, ignore=shutil.ignore_patterns("MANIFEST.csv"))
    film = next((site / "COVID").iterdir())
    dual_tiff(film, site / "Other" / "dual.tif")
    Image.open(film).convert("L").transpose(Image.Transpose.FLIP_TOP_BOTTOM).save(site / "Other" / "plain.png")
    return site


def frame_lines(output: str) -> list[str]:
    return [x for x in output.splitlines() if "frames" in x]


def test_cxr_evaluate_says_the_left_out_films_it_scored_on_frame_1(tiny_run, tmp_path):
    site = site_with_other(tiny_run, tmp_path)
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--class-map",
                                          "Other=-", "--out", str(out), "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    line = FRAMES_FIRST.format("Other/dual.tif") + LEFT_OUT_SCORED_ON
    assert frame_lines(r.output) == [f"cxr-evaluate: warning: {line}"]  # none for the films scored: none has two
    report = json.loads((out / "report.json").read_text())
    assert report["left_out_multi_frame_films"] == {"films": 1, "listed": [{"file": "Other/dual.tif", "frames": 2}]}
    assert report["multi_frame_films"] == {"films": 0, "listed": []}
    assert report["left_out_answers"]["Other"]["multi_frame_films"] == 1
    assert line not in report["data_warnings"]  # not 'counted in every figure below'
    md = (out / "report.md").read_text()
    section = md.split("## Classes left out")[1]
    assert ("**Warning (the films):** Of several frames that are not all the same (a dual-energy set, a multi-page "
            "TIFF, an animated image): 1 film of Other. Each is scored on its frame 1 alone") in section
    assert "left_out.csv's frames column" in section
    with open(out / "left_out.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames[-1] == "frames"  # after atypical, as predictions.csv's follows it
        table = {row["file"]: row for row in reader}
    assert table["Other/dual.tif"]["frames"] == "2" and table["Other/plain.png"]["frames"] == ""


def test_cxr_evaluate_without_such_left_out_films_says_none(tiny_run, tmp_path):
    site = site_with_other(tiny_run, tmp_path)
    (site / "Other" / "dual.tif").unlink()
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--class-map",
                                          "Other=-", "--out", str(out), "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    assert frame_lines(r.output) == []
    report = json.loads((out / "report.json").read_text())
    assert report["left_out_multi_frame_films"] == {"films": 0, "listed": []}
    assert report["left_out_answers"]["Other"]["multi_frame_films"] == 0
    assert "frames" not in (out / "left_out.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert "Warning (the films)" not in (out / "report.md").read_text()


def test_cxr_compare_says_the_left_out_films_both_models_scored_on_frame_1(tiny_run, tmp_path):
    site = site_with_other(tiny_run, tmp_path)
    out = tmp_path / "cmp"
    r = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(tiny_run / "model_int8.tflite"),
                                         str(site), "--class-map", "Other=-", "--out", str(out), "--n-boot", "100",
                                         "--quiet", "--keep-seen"])
    assert r.exit_code == 0, r.output
    line = FRAMES_FIRST.format("Other/dual.tif") + LEFT_OUT_SCORED_ON.replace("each is scored",
                                                                              "each is scored by both models")
    assert frame_lines(r.output) == [f"cxr-compare: warning: {line}"]
    report = json.loads((out / "compare.json").read_text())
    assert report["left_out_multi_frame_films"] == {"films": 1, "listed": [{"file": "Other/dual.tif", "frames": 2}]}
    assert [report["left_out_answers"][m]["Other"]["multi_frame_films"] for m in "AB"] == [1, 1]
    assert "1 film of Other. Each is scored on its frame 1 alone" in (out / "compare.md").read_text()


def test_cxr_convert_says_the_other_classes_films_it_scored_on_frame_1(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = Split.load(run / "split.json")
    data = tmp_path / "data"
    shutil.copytree(split.data_dir, data)
    dual_tiff(data / split.parts["test"][0].path, data / "Other" / "dual.tif")
    split.data_dir = str(data)  # the same films, moved: its digest holds
    split.save(run / "split.json")
    r = CliRunner().invoke(convert_app, [str(run), "--report-only", "--quant", "int8", "--no-latency", "--explain", "0",
                                         "--quiet"])
    assert r.exit_code in (0, 1), r.output
    line = FRAMES_FIRST.format("Other/dual.tif") + LEFT_OUT_SCORED_ON
    assert frame_lines(r.output) == [f"cxr-convert: warning: {line}"]
    report = json.loads((run / "report.json").read_text())
    other = report["other_classes"]
    assert other["multi_frame_films"] == {"films": 1, "listed": [{"file": "Other/dual.tif", "frames": 2}]}
    assert other["by_mode"]["int8"]["Other"]["multi_frame_films"] == 1
    assert report["multi_frame_films"]["films"] == 0  # the test split's: none
    assert "1 film of Other. Each is scored on its frame 1 alone" in (run / "report.md").read_text()


def test_cxr_convert_says_the_held_out_sources_films_it_scored_on_frame_1(tiny_run, tmp_path):
    """A held-out source (cxr-train --holdout-source) whose first film is a TIFF of two differing pages."""
    run, tiff = run_with_a_multi_page_tiff(tiny_run, tmp_path)
    split = Split.load(run / "split.json")
    data = Path(split.data_dir)
    films = []
    for k, item in enumerate(split.parts["test"][:4]):  # copies under other names: the held-out source's films
        path = f"{item.label}/ext_{k}{Path(item.path).suffix}"
        shutil.copy(data / item.path, data / path)
        films.append(replace(item, path=path, source="hannover"))
    split.parts["test"] = [i for i in split.parts["test"] if i.path != tiff]  # the test split's: none of two frames
    split.parts["external"] = films
    split.notes["holdout_source"] = "hannover"
    split.save(run / "split.json")
    info = json.loads((run / "run.json").read_text())
    info["split_digest"] = split.digest()
    (run / "run.json").write_text(json.dumps(info))
    ext_tiff = next(f.path for f in films if f.path.endswith(".tif"))
    assert hashlib.sha256((data / ext_tiff).read_bytes()).hexdigest() == films[0].sha256
    r = CliRunner().invoke(convert_app, [str(run), "--report-only", "--quant", "int8", "--no-latency", "--explain", "0",
                                         "--no-score-other-classes", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    line = FRAMES_FIRST.format(ext_tiff) + EXTERNAL_SCORED_ON
    assert frame_lines(r.output) == [f"cxr-convert: warning: {line}"]
    report = json.loads((run / "report.json").read_text())
    assert report["external"]["multi_frame_films"] == {"films": 1, "listed": [{"file": ext_tiff, "frames": 2}]}
    assert report["external"]["data_warnings"] == [line]
    assert report["multi_frame_films"]["films"] == 0
    held = (run / "report.md").read_text().split("## External source held out")[1].split("\n## ")[0]
    assert f"**Warning (the films):** {line[0].upper()}{line[1:]}." in held
