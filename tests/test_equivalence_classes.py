"""cxr-compare's equivalence verdict against the classes of the model and the gate limit of a converted file: the
margin was always 2 points (the .tflite's card, which holds the limit, never reached convert.equivalence), a class
with no film scored still let "equivalent" be said, and "these films show no difference" stood beside a class whose
interval excluded 0."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from convert.compare_cli import compare_app
from convert.cli import convert_app
from convert.equivalence import equivalence, equivalence_words


def test_a_converted_files_own_limit_is_the_margin_and_a_class_left_out_is_unmeasured(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    r = CliRunner().invoke(convert_app, [str(run), "--report-only", "--max-class-drop", "3.5", "--no-latency",
                                         "--explain", "0"])
    assert r.exit_code in (0, 1), r.output  # the gate's verdict is not this test's
    data = json.loads((run / "split.json").read_text())["data_dir"]
    a, b = run / "model_fp32.tflite", run / "model_int8.tflite"
    out = tmp_path / "cmp"
    res = CliRunner().invoke(compare_app, [str(a), str(b), data, "--out", str(out), "--n-boot", "100", "--quiet",
                                           "--keep-seen"])
    assert res.exit_code == 0, res.output
    e = json.loads((out / "compare.json").read_text())["equivalence"]
    assert e["margin_points"] == 3.5  # was 2.0: the file's card never reached margin_of
    assert e["margin_from"] == "the per-class limit of the gate cxr-convert judged B's file by"
    classes = json.loads((run / "run.json").read_text())["classes"]
    gone = classes[-1]
    res = CliRunner().invoke(compare_app, [str(a), str(b), data, "--out", str(tmp_path / "cmp2"), "--n-boot", "100",
                                           "--quiet", "--keep-seen", "--class-map", f"{gone}=-"])
    assert res.exit_code == 0, res.output
    e = json.loads((tmp_path / "cmp2" / "compare.json").read_text())["equivalence"]
    assert e["unmeasured"] == [gone] and e["equivalent"] is False


def test_a_class_without_films_rules_equivalence_out_and_is_named():
    per_class = [{"class": "COVID", "difference_ci": [-0.005, 0.005]}]
    e = equivalence(per_class, 2.0, "m", ["COVID", "Normal"])
    assert e["equivalent"] is False and e["unmeasured"] == ["Normal"]  # was True: COVID's interval alone was read
    assert equivalence_words(e) == ("these films show no difference, but they cannot show the two equivalent either: "
                                    "no film of Normal was scored, so its sensitivity has no interval to lie within "
                                    "+/- 2 points (m); score films of every class.")
    assert equivalence(per_class, 2.0, "m", ["COVID"])["equivalent"] is True


def test_a_class_whose_interval_excludes_0_is_said_to_differ():
    e = equivalence([{"class": "COVID", "difference_ci": [0.01, 0.3]},
                     {"class": "Normal", "difference_ci": [-0.01, 0.01]}], 2.0, "m", ["COVID", "Normal"])
    assert e["differing"] == ["COVID"]
    words = equivalence_words(e)
    assert "show no difference" not in words
    assert words.startswith("these films show a difference in COVID sensitivity (its interval excludes 0), and they "
                            "cannot show the two equivalent: COVID sensitivity's interval (+1.0 to +30.0 points)")
    inside = equivalence([{"class": "COVID", "difference_ci": [0.001, 0.01]}], 2.0, "m", ["COVID"])
    assert equivalence_words(inside).endswith("equivalent within that margin, though they show a difference in COVID "
                                              "sensitivity (its interval excludes 0).")
