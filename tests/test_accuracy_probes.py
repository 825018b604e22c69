"""benchmarks/accuracy.py's two probes of shortcut learning, on a tiny real model: the adult
films scored alone, and the pneumonia films a COVID vs Normal model never trained on."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.accuracy import PEDIATRIC_SOURCES, score_other_pneumonias, score_test  # noqa: E402
from benchmarks.accuracy_tables import operating_points_table  # noqa: E402

CHILD = next(iter(PEDIATRIC_SOURCES))


def test_adults_are_scored_alone(tiny_run):
    from convert.metrics import balanced_accuracy
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file
    from train.data import Split

    split = Split.load(tiny_run / "split.json")
    test = split.parts["test"]
    for k, item in enumerate(test):
        item.source = CHILD if k % 2 else "some/adult-hospital"
    shifts, adults, _, _, sens = score_test(tiny_run / "model_int8.tflite", split, Path(split.data_dir))
    m = EdgeModel(tiny_run / "model_int8.tflite")
    kept = [i for i in test if i.source != CHILD]
    pred = m.classify(np.stack([preprocess_file(Path(split.data_dir) / i.path, m.preprocess) for i in kept])).argmax(1)
    y = np.array([split.classes.index(i.label) for i in kept])
    assert adults == balanced_accuracy(y, pred, len(split.classes))
    assert "none" in shifts and len(shifts) > 5
    assert list(sens) == list(shifts) and all(len(v) == len(split.classes) for v in sens.values())
    assert np.mean(sens["none"]) == pytest.approx(shifts["none"])  # both classes are in the tiny test split


def test_the_class_each_shift_costs_most_is_tabulated():
    from benchmarks.accuracy_tables import hardest_hit_table

    row = {"task": "4-class", "arch": "compact", "classes": ["COVID", "Normal", "Viral_Pneumonia", "Lung_Opacity"],
           "shift_sensitivity": {"none": [0.9, 0.8, 0.75, 0.5], "blur": [0.9, 0.8, 0.5, 0.4],
                                 "gamma 0.6": [0.95, 0.8, 0.75, 0.5]}}
    lines = hardest_hit_table([row], ["blur", "gamma 0.6"])
    assert "V Viral_Pneumonia" in lines[1] and lines[-1] == "| 4-class | compact | V 25.0 |  |"
    assert hardest_hit_table([], ["blur"]) == []
    row["classes"] = ["COVID", "Normal", "Viral", "Viral_bacterial"]  # initials collide: full names
    assert hardest_hit_table([row], ["blur", "gamma 0.6"])[-1] == "| 4-class | compact | Viral 25.0 |  |"


def test_evidence_share_is_split_by_right_and_wrong_answers(tiny_run, monkeypatch):
    """The benchmark's 'where it looks' figures, over all films and over those it gets right and wrong: with the
    groups swapped or "all" taken over one group, a model reading the film's border on its mistakes looked sound.
    tiny_run's maps have no evidence at all, so the maps' shares are given here (each film's map is
    convert.occlusion's, tested in tests/test_occlusion.py); the model and the films are real."""
    import convert.occlusion
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file
    from train.data import Split

    split = Split.load(tiny_run / "split.json")
    test = split.parts["test"]
    assert len(test) % 4 == 0, len(test)  # the figures below are for films in fours
    m = EdgeModel(tiny_run / "model_int8.tflite")
    x = np.stack([preprocess_file(Path(split.data_dir) / i.path, m.preprocess) for i in test])
    pred = m.classify(x).argmax(1)
    for k, item in enumerate(test):  # in each four: right, right, wrong, wrong
        item.label = m.labels[pred[k]] if k % 4 < 2 else m.labels[(pred[k] + 1) % len(m.labels)]
    assert [i.label for i in test] != [m.labels[p] for p in pred] and split.classes == m.labels

    def given_shares(log_scores, xs, answers, done=None):  # the evidence of the model's own answers, film by film
        assert np.array_equal(answers, pred) and np.array_equal(xs, x)
        return [(0.2, None, 0.6, 0.4)[k % 4] for k in range(len(xs))]

    monkeypatch.setattr(convert.occlusion, "border_shares", given_shares)
    _, _, b, _, _ = score_test(tiny_run / "model_int8.tflite", split, Path(split.data_dir))
    # right: 0.2 and a map without evidence (apart, not 0%); wrong: 0.6 and 0.4; all: the three with evidence
    assert b == {"all": pytest.approx(0.4), "right": pytest.approx(0.2), "wrong": pytest.approx(0.5),
                 "without_evidence": len(test) // 4}


def test_answer_change_under_each_shift_is_the_mean_total_variation(tiny_run):
    from convert.shifts import shifted_inputs
    from edge.model import EdgeModel
    from edge.preprocess import load_grayscale
    from train.data import Split

    split = Split.load(tiny_run / "split.json")
    shifts, _, _, moved, _ = score_test(tiny_run / "model_int8.tflite", split, Path(split.data_dir))
    assert set(moved) == set(shifts) - {"none"}
    m = EdgeModel(tiny_run / "model_int8.tflite")
    x = shifted_inputs([load_grayscale(Path(split.data_dir) / i.path) for i in split.parts["test"]], m.preprocess)
    p0, p1 = m.classify(x["none"]), m.classify(x["zoom 0.85"])
    want = np.mean([0.5 * sum(abs(a - b) for a, b in zip(r0, r1)) for r0, r1 in zip(p0, p1)])  # image by image
    assert moved["zoom 0.85"] == pytest.approx(want) and 0 < want < 1
    assert all(0 <= v <= 1 for v in moved.values())


def test_other_pneumonias_are_counted_by_age_group(tiny_run, tmp_path):
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file
    from train.data import Split

    split = Split.load(tiny_run / "split.json")
    data = tmp_path / "data"
    shutil.copytree(split.data_dir, data)
    src = sorted(data.rglob("*.png"))[:5]
    rows = ["file,label,source_repo,source_path,license_note"]
    for k, (label, repo) in enumerate([("Lung_Opacity", "nih/x"), ("Lung_Opacity", "nih/x"), ("Lung_Opacity", CHILD),
                                       ("Viral_Pneumonia", CHILD), ("Viral_Pneumonia", CHILD)]):
        (data / label).mkdir(exist_ok=True)
        shutil.copy(src[k], data / label / f"{k}.png")
        rows.append(f"{label}/{k}.png,{label},{repo},x,y")
    (data / "MANIFEST.csv").write_text("\n".join(rows) + "\n")
    normals = [i for i in split.parts["test"] if i.label == "Normal"]
    normals[0].source = CHILD  # a child's Normal film is left out of the comparison column

    out = score_other_pneumonias(tiny_run / "model_int8.tflite", data, split)
    assert {k: v for k, v in out.items() if k.endswith(" n")} == {
        "Normal (adults, test split) n": len(normals) - 1, "Lung_Opacity (adults) n": 2,
        "Lung_Opacity (children) n": 1, "Viral_Pneumonia (children) n": 2}
    assert list(out)[0] == "Normal (adults, test split)"
    m = EdgeModel(tiny_run / "model_int8.tflite")
    p = m.classify(np.stack([preprocess_file(data / "Lung_Opacity" / f"{k}.png", m.preprocess) for k in (0, 1)]))
    assert out["Lung_Opacity (adults)"] == float((p.argmax(1) == m.labels.index("COVID")).mean())
    assert "Normal (adults, test split)" not in score_other_pneumonias(tiny_run / "model_int8.tflite", data)


def test_matched_operating_point_row_is_what_the_device_rule_gives_on_the_test_split(tiny_run):
    import json

    from edge.decision import ranking
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file
    from train.data import Split

    report = json.loads((tiny_run / "report.json").read_text())
    table = operating_points_table([{"task": "t", "arch": "a", "int8": report["models"]["int8"],
                                     "operating_points": report["operating_points"]}])
    row = next(line for line in table.splitlines() if line.startswith("| t | a |"))
    op = next(o for o in report["operating_points"]["rows"] if o["class"] == "COVID" and o["target_sensitivity"] == 0.95)
    threshold = op["threshold"]
    assert row.split("|")[5].strip() == f"{threshold:.3f}"
    # the same films, through the device's --threshold rule
    split = Split.load(tiny_run / "split.json")
    m = EdgeModel(tiny_run / "model_int8.tflite")
    test = split.parts["test"]
    p = m.classify(np.stack([preprocess_file(Path(split.data_dir) / i.path, m.preprocess) for i in test]))
    covid = m.labels.index("COVID")
    called = np.array([ranking(q, (covid, threshold))[0] == covid for q in p])
    truth = np.array([i.label == "COVID" for i in test])
    sens, spec = called[truth].mean(), (~called[~truth]).mean()
    assert row.split("|")[6].strip().startswith(f"{sens:.3f} (") and row.split("|")[7].strip().startswith(f"{spec:.3f} (")
    assert operating_points_table([{"task": "t", "arch": "a", "int8": {}, "operating_points": None}]) == ""


def test_a_held_out_hospitals_films_are_scored_in_their_own_class():
    from benchmarks.accuracy_tables import loso_table

    ext = {"int8": {"n": 120, "per_class": [{"class": "COVID", "sensitivity": None, "sensitivity_ci": [None, None]},
                                            {"class": "Normal", "sensitivity": 0.75, "sensitivity_ci": [0.67, 0.82]}]},
           "operating_points": {"rows": [{"class": "Normal", "target_sensitivity": 0.9, "threshold": 0.5,
                                          "external": {"sensitivity": 0.4, "sensitivity_ci": [0.3, 0.5]}},
                                         {"class": "Normal", "target_sensitivity": 0.95, "threshold": 0.3,
                                          "external": {"sensitivity": 0.6, "sensitivity_ci": [0.5, 0.7]}}]},
           "flagged_atypical": 0.25}
    row = {"arch": "compact", "seed": 0, "holdout": "children", "external": ext,
           "int8": {"balanced_accuracy": 0.9, "balanced_accuracy_ci": [0.85, 0.95]}}
    lines = loso_table([row], "Normal", "the children's Normal films (Kermany et al.)")
    assert "without the children's Normal films" in lines[1] and "| Normal sensitivity (95% CI) | at the Normal" in lines[3]
    assert lines[-1] == "| compact | 120 | 0.750 (0.670–0.820) | 0.600 (0.500–0.700) (p ≥ 0.300) | 0.25 | 0.900 (0.850–0.950) |"
    assert loso_table([], "COVID", "the Hannover COVID films") == []
