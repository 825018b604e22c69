"""Operating points: a threshold chosen for a target sensitivity, scored elsewhere, and applied on the device."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from convert.roc import operating_points, threshold_for_sensitivity
from edge.decision import beside_rule, ranking
from edge.threshold_text import parse_threshold


def test_threshold_is_the_kth_highest_positive_score():
    y = np.array([1, 1, 1, 1, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.1, 0.95, 0.05])
    assert threshold_for_sensitivity(y, s, 0.8) == 0.6  # 4 of 5 positives
    assert threshold_for_sensitivity(y, s, 0.81) == 0.1  # 4 of 5 is not enough: all 5
    assert threshold_for_sensitivity(y, s, 1.0) == 0.1
    assert threshold_for_sensitivity(y, s, 0.2) == 0.9
    assert threshold_for_sensitivity(y, s, 1e-12) == 0.9  # under 1/n: the highest, never the lowest (100% sensitivity)


def test_threshold_round_off_and_ties():
    y = np.ones(20, bool)
    s = np.arange(20, 0, -1) / 20.0  # 1.0, 0.95, ..., 0.05
    assert threshold_for_sensitivity(y, s, 0.95) == pytest.approx(0.10)  # 19 of 20, not 20
    tied = np.array([0.5, 0.5, 0.5, 0.2])
    t = threshold_for_sensitivity(np.ones(4, bool), tied, 0.5)
    assert t == 0.5 and np.mean(tied >= t) == 0.75  # ties can only add positives


def test_threshold_degenerate_inputs():
    assert math.isnan(threshold_for_sensitivity(np.zeros(3, bool), np.array([0.1, 0.2, 0.3]), 0.9))
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="target sensitivity"):
            threshold_for_sensitivity(np.ones(2, bool), np.array([0.1, 0.2]), bad)
    with pytest.raises(ValueError, match="shape"):
        threshold_for_sensitivity(np.ones(2, bool), np.array([0.1]), 0.9)


def test_operating_points_choose_on_one_set_and_count_on_another():
    # Validation: COVID films score 0.9, 0.6, 0.3 -> 2/3 sensitivity needs p >= 0.6, 3/3 needs p >= 0.3.
    y_val = np.array([0, 0, 0, 1, 1])
    p_val = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8], [0.4, 0.6]])
    # Test: COVID 0.7, 0.5, 0.35; Normal 0.4, 0.1.
    y_test = np.array([0, 0, 0, 1, 1])
    p_test = np.array([[0.7, 0.3], [0.5, 0.5], [0.35, 0.65], [0.4, 0.6], [0.1, 0.9]])
    rows = operating_points(y_val, p_val, y_test, p_test, ["COVID", "Normal"], targets=(0.6, 1.0))
    covid = [r for r in rows if r["class"] == "COVID"]
    assert [r["threshold"] for r in covid] == [0.6, 0.3]
    assert covid[0]["chosen_on"] == {"n_positive": 3, "sensitivity": pytest.approx(2 / 3)}
    assert {k: covid[0]["test"][k] for k in ("tp", "fn", "tn", "fp")} == {"tp": 1, "fn": 2, "tn": 2, "fp": 0}
    assert covid[1]["test"]["tp"] == 3 and covid[1]["test"]["fp"] == 1  # the 0.4 Normal film is flagged too
    assert covid[1]["test"]["sensitivity"] == 1.0 and covid[1]["test"]["specificity"] == 0.5
    lo, hi = covid[1]["test"]["specificity_ci"]
    assert 0.0 < lo < 0.5 < hi < 1.0
    assert len(rows) == 4 and {r["class"] for r in rows} == {"COVID", "Normal"}


def test_a_saturated_threshold_of_1_is_not_offered_as_a_rule():
    """The table offered 'p >= 1 (for 90% on validation)' to type back as --threshold, which the device
    refuses (0 < P < 1): the row says why no rule is given instead."""
    from convert.operating_points_section import operating_points_section

    y = np.array([0, 0, 0, 1, 1])
    p = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.3, 0.7]])
    rows = operating_points(y, p, y, p, ["COVID", "Normal"], targets=(0.9,))
    covid, normal = rows
    assert math.isnan(covid["threshold"]) and normal["threshold"] == 0.7
    assert covid["not_available"].startswith("probabilities saturate at 1: 3 of the 3 COVID validation films have p = 1")
    from convert.metrics import to_jsonable

    points = {"model": "model_int8.tflite", "n_validation": 5, "rows": to_jsonable(rows)}
    per_class = [{"class": c, **r["test"]} for c, r in (("COVID", covid), ("Normal", normal))]
    md = "\n".join(operating_points_section(points, {"per_class": per_class}))
    assert "p ≥ 1 " not in md and "| COVID | none for 90% (probabilities saturate at 1: " in md


def test_ranking_follows_the_threshold():
    p = np.array([0.2, 0.5, 0.3])
    assert ranking(p) == [1, 2, 0]
    assert ranking(p, (0, 0.2)) == [0, 1, 2]  # at the threshold: flagged
    assert ranking(p, (0, 0.25)) == [1, 2, 0]  # below it: the most probable other class
    assert ranking(p, (1, 0.9)) == [2, 1, 0]  # the most probable class, below its own threshold, gives way
    binary = np.array([[0.3, 0.7], [0.5, 0.5], [0.8, 0.2]])
    assert [ranking(q, (0, 0.3))[0] for q in binary] == [0, 0, 0]
    assert [ranking(q, (0, 0.6))[0] for q in binary] == [1, 1, 0]


def test_a_probability_shown_stays_on_its_side_of_the_rule():
    # Normal under "COVID at 0.3": not shown as 0.3000, but with the decimal that keeps it below
    assert beside_rule(0.29996, 0, (0, 0.3), 4) == 0.29996
    assert beside_rule(0.30004, 0, (0, 0.3), 4) == 0.3       # COVID: at the threshold, shown at it
    assert beside_rule(0.30004, 0, (0, 0.30004), 4) == 0.30004  # a threshold finer than the digits shown
    assert beside_rule(0.29996, 1, (0, 0.3), 4) == 0.3       # another class rounds as usual
    assert beside_rule(0.29996, 0, None, 4) == 0.3
    assert beside_rule(0.1234, 0, (0, 0.3), 4) == 0.1234
    assert beside_rule(0.29996, 0, [0, 0.3], 4) == 0.29996  # a rule as JSON gives it
    # two rules stated in one report (the labelling rule and one chosen on the films): each kept on its side
    assert beside_rule(0.36561834812164307, 0, [(0, 0.3), (0, 0.36561834812164307)], 6) >= 0.36561834812164307
    assert beside_rule(0.29996, 0, [(0, 0.3), (1, 0.2)], 4) == 0.29996 and beside_rule(0.5, 0, [], 4) == 0.5


def test_the_device_never_shows_a_probability_across_its_rule(capsys):
    from edge.batch import Result
    from edge.output import writer_for

    labels, rule = ["COVID", "Normal"], (0, 0.3)
    r = Result("a.png", np.array([0.2999999, 0.7000001]))
    for fmt in ("text", "csv", "json"):
        writer_for(labels, 2, fmt, threshold=rule)(r)
    text, _, row, json_line = capsys.readouterr().out.splitlines()
    assert text.split("\t") == ["a.png", "Normal", "0.7000", "COVID", "0.2999999"]
    assert row.split(",")[1:5] == ["Normal", "0.7", "0.2999999", "0.7"]  # as JSON gives them
    rec = json.loads(json_line)
    assert rec["label"] == "Normal" and rec["probabilities"]["COVID"] == 0.2999999 < rec["rule"]["threshold"]
    assert rec["top_k"][1] == {"label": "COVID", "probability": 0.2999999}


def test_the_json_rule_names_the_class_it_is_on(capsys):
    """A rule on the second class ('COVID=0.3' with labels Normal, COVID): the JSON's rule.class named
    the first, telling a PACS/RIS reading it that 'Normal >= 0.3' chose the label."""
    from edge.batch import Result
    from edge.output import writer_for

    writer_for(["Normal", "COVID"], 1, "json", threshold=(1, 0.3))(Result("a.png", np.array([0.6, 0.4])))
    rec = json.loads(capsys.readouterr().out)
    assert rec["label"] == "COVID" and rec["rule"] == {"class": "COVID", "threshold": 0.3}


def test_parse_threshold_errors_are_clear():
    assert parse_threshold("COVID=0.25", ["COVID", "Normal"]) == (0, 0.25)
    assert parse_threshold(" Normal = 0.9", ["COVID", "Normal"]) == (1, 0.9)
    assert parse_threshold("covid=0.3", ["COVID", "Normal"]) == (0, 0.3)  # case, as folder names match
    assert parse_threshold("covid-19=0.3", ["COVID", "Normal"]) == (0, 0.3)  # as a COVID-19 folder is COVID
    assert parse_threshold("viral pneumonia=0.3", ["COVID", "Viral_Pneumonia"]) == (1, 0.3)
    with pytest.raises(ValueError, match="not one of"):
        parse_threshold("covid=0.3", ["COVID", "Covid"])  # ambiguous without case: refused
    for text, reason in [("COVID", "CLASS=P"), ("Flu=0.2", "not one of"), ("COVID=high", "not a probability"),
                         ("COVID=1", "strictly between"), ("COVID=0", "strictly between")]:
        with pytest.raises(ValueError, match=reason):
            parse_threshold(text, ["COVID", "Normal"])


def test_convert_report_and_device_use_the_same_thresholds(tiny_run):
    """cxr-convert's operating points come from the device file; edge-classify --threshold applies one."""
    from tests.test_end_to_end import edge_classify

    report = json.loads((tiny_run / "report.json").read_text())
    points = report["operating_points"]
    assert points["model"] == "model_int8.tflite" and points["chosen_on"] == "validation split"
    assert [(r["class"], r["target_sensitivity"]) for r in points["rows"]] == [
        ("COVID", 0.9), ("COVID", 0.95), ("Normal", 0.9), ("Normal", 0.95)]
    for r in points["rows"]:
        t = r["test"]
        assert t["tp"] + t["fn"] + t["tn"] + t["fp"] == report["test_set"]["n"]
        assert r["chosen_on"]["sensitivity"] >= r["target_sensitivity"]
    assert "## Operating points" in (tiny_run / "report.md").read_text()

    split = json.loads((tiny_run / "split.json").read_text())
    files = [f"{split['data_dir']}/{i['path']}" for i in split["splits"]["test"]]
    model = str(tiny_run / "model_int8.tflite")
    plain = [json.loads(line) for line in edge_classify(*files, "--json", "--model", model).stdout.splitlines()]
    for rule, expect in [("COVID=0.001", lambda p: "COVID"), ("COVID=0.999", lambda p: "Normal"),
                         ("Normal=0.5", lambda p: "Normal" if p["Normal"] >= 0.5 else "COVID")]:
        r = edge_classify(*files, "--json", "--threshold", rule, "--model", model)
        assert r.returncode == 0, r.stderr
        got = [json.loads(line) for line in r.stdout.splitlines()]
        assert [g["label"] for g in got] == [expect(p["probabilities"]) for p in plain]
        assert all(g["probability"] == g["probabilities"][g["label"]] for g in got)
    r = edge_classify(*files[:1], "--threshold", "Flu=0.2", "--model", model)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "not one of the model's classes" in r.stderr


def test_rates_at_threshold_by_hand():
    from convert.roc import rates_at_threshold

    r = rates_at_threshold(np.array([1, 1, 1, 0, 0]), np.array([0.9, 0.5, 0.2, 0.5, 0.1]), 0.5)
    assert {k: r[k] for k in ("tp", "fn", "tn", "fp")} == {"tp": 2, "fn": 1, "tn": 1, "fp": 1}
    assert r["sensitivity"] == pytest.approx(2 / 3) and r["specificity"] == 0.5
    assert math.isnan(rates_at_threshold(np.zeros(2), np.array([0.1, 0.9]), 0.5)["sensitivity"])


def test_cxr_evaluate_reports_a_threshold_rule_on_the_users_images(tiny_run, tmp_path):
    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app

    data = json.loads((tiny_run / "split.json").read_text())["data_dir"]
    model = str(tiny_run / "model_int8.tflite")
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [model, data, "--keep-seen", "--out", str(out), "--threshold", "COVID=0.001", "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    rule = report["threshold_rule"]
    n_covid = sum(p["true"] == "COVID" for p in report["predictions"])
    assert rule["class"] == "COVID" and rule["threshold"] == 0.001
    assert (rule["tp"], rule["fn"], rule["sensitivity"]) == (n_covid, 0, 1.0)
    assert rule["tp"] + rule["fn"] + rule["tn"] + rule["fp"] == report["metrics"]["n"]
    assert "## COVID whenever p(COVID) ≥ 0.001" in (out / "report.md").read_text()
    # the PPV table's figures are the rule's, and at_prevalence names it (cxr-convert's shape: {rule, rows})
    assert report["at_prevalence"]["rule"] == {"class": "COVID", "threshold": 0.001, "from": "option"}
    assert {x["class"] for x in report["at_prevalence"]["rows"]} == set(report["classes"])
    r = CliRunner().invoke(evaluate_app, [model, data, "--keep-seen", "--out", str(out), "--threshold", "COVID=2", "--quiet"])
    assert r.exit_code == 2 and "strictly between 0 and 1" in r.output


def test_thresholds_are_checked_on_a_held_out_source(tmp_path):
    """cxr-convert scores the validation-chosen thresholds on the source cxr-train --holdout-source kept out."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    from convert.quantize import ConvertSettings, run_conversion
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file
    from train.data import Split
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    data = tmp_path / "data"
    generate(data, n_per_class=16, classes=("COVID", "Normal"), size=(64, 64))
    for p in sorted((data / "COVID").glob("*.png"))[:5]:  # a second 'hospital' of COVID films
        p.rename(p.with_name("siteb-" + p.name))
    run = tmp_path / "run"
    run_training(TrainSettings(data=str(data), out=run, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               holdout_source="siteb", progress=False))
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, explain=0,
                                               progress=False))
    ops = report["external"]["operating_points"]
    assert report["external"]["sources"] == {}  # matched by file name: the synthetic set names no sources
    assert ops["mode"] == "int8"
    assert [(r["class"], r["target_sensitivity"]) for r in ops["rows"]] == [("COVID", 0.9), ("COVID", 0.95)]  # no Normal films there
    split = Split.load(run / "split.json")
    m = EdgeModel(run / "model_int8.tflite")
    x = np.stack([preprocess_file(data / i.path, m.preprocess)
                  for i in split.parts["external"]])
    p = m.classify(x)[:, 0]
    for r in ops["rows"]:
        chosen = next(o for o in report["operating_points"]["rows"]
                      if (o["class"], o["target_sensitivity"]) == (r["class"], r["target_sensitivity"]))
        assert r["threshold"] == chosen["threshold"]
        assert (r["external"]["tp"], r["external"]["fn"]) == (int((p >= r["threshold"]).sum()), int((p < r["threshold"]).sum()))
    assert "need not reach its target here" in (run / "report.md").read_text()
    # with a rule stored in the file, the held-out figures are the device's answers under it
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, explain=0,
                                               progress=False, report_only=True, operating_point="COVID=0.9"))
    stored = EdgeModel(run / "model_int8.tflite").decision
    assert stored is not None and report["external"]["int8"]["rule"]["threshold"] == stored[1]
    covid = next(r for r in report["external"]["int8"]["per_class"] if r["class"] == "COVID")
    assert covid["sensitivity"] == float((p >= stored[1]).mean())
    # a rule that splits the held-out films (a tiny model's rule may call them all as the most probable class does):
    # scored by the most probable class, the figures would still be 1.0
    from edge import metadata as md

    cut = float(np.sort(p)[len(p) // 2])
    (run / "model_int8.tflite").write_bytes(md.rewrite((run / "model_int8.tflite").read_bytes(), lambda meta: {
        **meta, "decision": {**meta["decision"], "threshold": cut}}))
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, explain=0,
                                               progress=False, report_only=True))
    covid = next(r for r in report["external"]["int8"]["per_class"] if r["class"] == "COVID")
    assert 0 < covid["sensitivity"] == float((p >= cut).mean()) < float((p >= 0.5).mean()), (covid, p, cut)
    assert "A file that stores a rule is given under it, as the device answers, and at its most probable class" in (
        run / "report.md").read_text()
    # and at its most probable class, as Keras's row is: 'keras 41.2, int8 82.4' compared two labellings (hunt 58, M3)
    plain = next(r for r in report["external"]["most_probable"]["int8"]["per_class"] if r["class"] == "COVID")
    assert plain["sensitivity"] == float((m.classify(x).argmax(1) == 0).mean())
    from edge import metadata as md
    from edge.card import card_text

    text = card_text(md.read(run / "model_int8.tflite")[1], "model_int8.tflite")
    assert any(line.startswith("Held-out source siteb (n = ") and "), its stored rule: COVID sensitivity" in line
               for line in text.splitlines())


def test_cxr_converts_screening_thresholds_are_chosen_on_validation_and_scored_on_test():
    """Validation COVID films score 0.6-0.9, test COVID films 0.2-0.5. Chosen on the test split, report.md's
    threshold for 90% sensitivity (the one a site types into --threshold) was fitted to the films it is scored on,
    90% by construction, while the report said 'chosen on the validation split'."""
    from pathlib import Path
    from types import SimpleNamespace

    from convert.split_scores import screening_points

    def as_probs(p):
        return np.stack([p, 1 - p], 1)

    y = np.array([0] * 20 + [1] * 20)
    p_val = np.r_[np.linspace(0.6, 0.9, 20), np.linspace(0.05, 0.4, 20)]
    p_test = np.r_[np.linspace(0.2, 0.5, 20), np.linspace(0.05, 0.4, 20)]
    out = screening_points(Path("."), SimpleNamespace(classes=["COVID", "Normal"]), None,
                           SimpleNamespace(path=Path("model_int8.tflite")), None, y, as_probs(p_test),
                           SimpleNamespace(progress=False), val=(None, y), p_val=as_probs(p_val))
    assert out["chosen_on"] == "validation split" and out["n_validation"] == 40
    row = next(r for r in out["rows"] if (r["class"], r["target_sensitivity"]) == ("COVID", 0.9))
    assert row["threshold"] == threshold_for_sensitivity(y == 0, p_val, 0.9)
    assert row["test"]["sensitivity"] < 0.5  # the test films' own threshold would promise 90%


def test_a_threshold_of_0_is_not_offered_as_a_rule():
    """Where more of a class's validation films than its target leaves out have p = 0 (a model sure they are not of it,
    or its float32 probability underflowing), the table offered 'p ≥ 0 (for 95% on validation)', a rule calling every
    film the class, to type back as --threshold, which the device refuses (0 < P < 1), as its comment said it would
    not: the row says why no rule is given instead, and which sensitivity still gives one."""
    from convert.metrics import to_jsonable
    from convert.operating_points_section import operating_points_section

    covid = np.array([0.9] * 8 + [0.0] * 2 + [0.1] * 10)
    y = np.array([0] * 10 + [1] * 10)
    p = np.stack([covid, 1 - covid], 1)
    rows = operating_points(y, p, y, p, ["COVID", "Normal"], targets=(0.8, 0.95))
    at_80, at_95 = rows[:2]
    assert at_80["threshold"] == 0.9 and "not_available" not in at_80  # 8 of 10 above 0: still a rule
    assert math.isnan(at_95["threshold"]) and at_95["test"]["tp"] == 0  # nothing stands for the rule it is not
    assert at_95["not_available"] == ("2 of the 10 COVID validation films have p = 0, so the threshold for 0.95 "
                                      "sensitivity would be 0, which no rule can be (a threshold lies strictly between 0 "
                                      "and 1; p >= 0 calls every film COVID); a sensitivity of 8 in 10 or less gives a "
                                      "threshold above 0")
    points = {"model": "model_int8.tflite", "n_validation": 20, "rows": to_jsonable(rows)}
    per_class = [{"class": c, **rows[k]["test"]} for c, k in (("COVID", 0), ("Normal", 2))]
    md = "\n".join(operating_points_section(points, {"per_class": per_class}))
    assert "p ≥ 0 " not in md and "| COVID | none for 95% (2 of the 10 COVID validation films have p = 0, " in md
