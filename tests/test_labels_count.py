"""--labels with fewer (or more) names than a cxr-edge file has classes: a researcher with a 4-class model gave three,
reading --labels as a way to leave a class out, and was told only the two counts. The refusal now names the file's
classes in order and says how a class is left out (a model trained without it; cxr-evaluate's --class-map FOLDER=-)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from edge.labels_given import check_renaming
from edge.metadata import ModelFileError

ROOT = Path(__file__).resolve().parents[1]


def test_three_names_for_four_classes_say_how_to_leave_one_out():
    with pytest.raises(ModelFileError) as e:
        check_renaming(["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"], ["COVID", "Normal", "Viral_Pneumonia"])
    said = str(e.value)
    assert said.startswith("--labels gives 3 names, the model has 4 (COVID,Lung_Opacity,Normal,Viral_Pneumonia, in the "
                           "order of its outputs)")
    assert "cannot leave a class out" in said and "cxr-train --classes" in said and "--class-map FOLDER=-" in said


def test_a_rename_of_every_class_still_passes():
    check_renaming(["COVID", "Normal"], ["Positive", "Negative"])


def test_edge_classify_refuses_one_name_for_two_classes_in_one_line(tiny_run):
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    film = sorted((data / "COVID").glob("*.png"))[0]
    p = subprocess.run([sys.executable, "-m", "edge.cli", str(film), "--labels", "COVID", "--model",
                        str(tiny_run / "model_int8.tflite")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("edge-classify: error: ")]
    assert p.returncode == 2 and p.stdout == "" and "Traceback" not in p.stderr
    assert len(errors) == 1 and "--labels gives 1 name, the model has 2 (COVID,Normal" in errors[0]
    assert "cannot leave a class out" in errors[0]
