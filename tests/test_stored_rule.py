"""A screening rule stored in the model file (cxr-convert --operating-point) and applied by the device."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from convert.operating_point import choose_decision, parse_operating_point, stamp_decision
from convert.roc import threshold_for_sensitivity
from edge import metadata as md
from edge.decision import fmt_threshold, labels_for, ranking, stored_rule


def test_labels_for_follows_the_rule_row_by_row():
    def by_hand(row, rule):  # the rule spelt out: class k at p_k >= t, else the most probable other (first on ties)
        if rule is not None and row[rule[0]] >= rule[1]:
            return rule[0]
        candidates = [i for i in range(len(row)) if rule is None or i != rule[0]]
        return max(candidates, key=lambda i: (row[i], -i))

    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(3), size=200)
    p[:5] = [0.4, 0.4, 0.2]  # exact ties: the first of the tied classes
    for rule in (None, (0, 0.2), (1, 0.35), (2, 0.5), (2, 0.2)):
        want = [by_hand(row, rule) for row in p]
        assert labels_for(p, rule).tolist() == want
        assert [ranking(row, rule)[0] for row in p] == want  # the device's per-image path agrees
    assert labels_for(np.array([[0.7, 0.2, 0.1]]), (2, 0.1)).tolist() == [2]  # at the threshold: flagged
    assert labels_for(np.array([[0.1, 0.2, 0.7]]), (2, 0.71)).tolist() == [1]  # below: the most probable other
    with pytest.raises(ValueError, match="N, classes"):
        labels_for(np.array([0.5, 0.5]))


def test_stored_rule_reads_the_files_own_labels():
    meta = {"labels": ["COVID", "Normal"], "decision": {"class": "Normal", "threshold": 0.3}}
    assert stored_rule(meta) == (1, 0.3)
    assert stored_rule({"labels": ["COVID", "Normal"]}) is None and stored_rule(None) is None
    for bad in ({"class": "Flu", "threshold": 0.3}, {"class": "COVID"}, {"class": "COVID", "threshold": "high"}):
        with pytest.raises(ValueError, match="malformed"):
            stored_rule({"labels": ["COVID", "Normal"], "decision": bad})
    with pytest.raises(ValueError, match="strictly between"):
        stored_rule({"labels": ["COVID", "Normal"], "decision": {"class": "COVID", "threshold": 1.0}})


def test_parse_operating_point_errors_are_clear():
    assert parse_operating_point(" Normal = 0.9", ["COVID", "Normal"]) == (1, 0.9)
    assert parse_operating_point("COVID=1", ["COVID", "Normal"]) == (0, 1.0)
    for text, msg in [("COVID", "CLASS=SENSITIVITY"), ("Flu=0.9", "not one of"), ("COVID=high", "not a sensitivity"),
                      ("COVID=0", r"\(0, 1\]"), ("COVID=95", r"\(0, 1\]")]:
        with pytest.raises(ValueError, match=msg):
            parse_operating_point(text, ["COVID", "Normal"])


def test_choose_decision_by_hand():
    y = np.array([0, 0, 0, 0, 1, 1, 1])
    p0 = np.array([0.9, 0.6, 0.4, 0.2, 0.5, 0.3, 0.1])
    p = np.stack([p0, 1 - p0], axis=1)
    d = choose_decision(y, p, ["COVID", "Normal"], 0, 0.75)  # 3 of 4 COVID films: threshold 0.4
    assert d["threshold"] == 0.4 == threshold_for_sensitivity(y == 0, p0, 0.75)
    assert d["class"] == "COVID" and d["chosen_on"] == "validation split"
    assert d["chosen_films"] == {"n_positive": 4, "n_negative": 3, "sensitivity": 0.75, "specificity": 2 / 3}
    with pytest.raises(ValueError, match="no Normal films"):
        choose_decision(np.zeros(3, int), p[:3], ["COVID", "Normal"], 1, 0.9)
    saturated = np.array([[1.0, 0.0], [1.0, 0.0], [0.2, 0.8]])
    with pytest.raises(ValueError) as e:  # said 'choose another sensitivity': every one gave the same refusal
        choose_decision(np.array([0, 0, 1]), saturated, ["COVID", "Normal"], 0, 0.5)
    assert str(e.value) == ("--operating-point: probabilities saturate at 1: 2 of the 2 COVID films of the validation "
                            "split have p = 1, so the threshold for 0.5 sensitivity would be 1, which no rule can be (a "
                            "threshold lies strictly between 0 and 1); no sensitivity gives a threshold below 1")
    partly = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.7, 0.3], [0.2, 0.8]])
    with pytest.raises(ValueError, match="; a sensitivity above 0.75 gives a threshold below 1$"):
        choose_decision(np.array([0, 0, 0, 0, 1]), partly, ["COVID", "Normal"], 0, 0.5)
    assert choose_decision(np.array([0, 0, 0, 0, 1]), partly, ["COVID", "Normal"], 0, 0.9)["threshold"] == 0.7


@pytest.fixture
def ruled_run(tiny_run, tmp_path):
    """A copy of the tiny run (the shared one must stay as it is) with COVID=0.95 stored in its files."""
    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    before = {m: md.split((run / f"model_{m}.tflite").read_bytes()) for m in ("int8", "fp32")}
    report, code = run_conversion(ConvertSettings(run_dir=run, modes=["int8", "fp32"], report_only=True,
                                                  operating_point="COVID=0.95", latency_threads=(), n_boot=100,
                                                  explain=0, progress=False))
    return run, report, before


def test_the_warnings_about_a_rule_stored_in_several_files_are_said_once_naming_them(capsys, ruled_run):
    """--quant fp32,fp16,dynamic --operating-point COVID=0.95 gave the same three warnings (less sensitive, specificity,
    shortfall) three times on stderr (9 lines) and three times in report.md, for one choice on the same films."""
    from convert.rule_notes import stored_rule_warnings

    run, report, _ = ruled_run
    warned = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("cxr-convert: warning: model_")]
    short = [ln for ln in warned if "does not hold its target" in ln]  # 95% on the tiny run's few validation COVID films
    assert len(short) == 1 and short[0].startswith("cxr-convert: warning: model_int8.tflite and model_fp32.tflite: the "
                                                   "rule COVID whenever p >= "), warned
    text = (run / "report.md").read_text()
    assert text.count("does not hold its target") == 1 and "**Warning (int8 and fp32):** The rule COVID" in text
    # each file's threshold is its own (chosen through its own answers): where they differ, each is given
    d = report["models"]["int8"]["decision"]
    t = fmt_threshold(d["threshold"])
    other = {**d, "threshold": d["threshold"] * 0.99}
    said = stored_rule_warnings([("a.tflite", d), ("b.tflite", d), ("c.tflite", other)], ["COVID", "Normal"])
    assert len(said) == len(stored_rule_warnings([("a.tflite", d)], ["COVID", "Normal"])) >= 1
    assert said[-1].startswith(f"a.tflite, b.tflite and c.tflite: the rule COVID whenever p >= {t} "
                               f"({fmt_threshold(other['threshold'])} for c.tflite) was chosen for"), said


def test_convert_stores_the_rule_and_leaves_the_weights_alone(ruled_run, capsys):
    from edge.model import EdgeModel

    run, report, before = ruled_run
    # the 95% COVID row of the report's operating points is chosen by the same function on the same file
    row = next(r for r in report["operating_points"]["rows"] if r["class"] == "COVID" and r["target_sensitivity"] == 0.95)
    for mode in ("int8", "fp32"):
        flatbuffer, meta, files = md.split((run / f"model_{mode}.tflite").read_bytes())
        assert flatbuffer == before[mode][0] and files == before[mode][2]  # weights and self-test untouched
        kept = ("decision", "requires", "validation")  # the card is scored again, now with the rule on the test films
        assert {k: v for k, v in meta.items() if k not in kept} == {k: v for k, v in before[mode][1].items() if k not in kept}
        assert meta["validation"]["rule_on_test"]["threshold"] == pytest.approx(meta["decision"]["threshold"], abs=5e-4)
        assert meta["requires"] == ["decision"]  # a reader that ignored the rule would give other labels
        d = meta["decision"]
        assert d["class"] == "COVID" and d["target_sensitivity"] == 0.95 and d["chosen_films"]["sensitivity"] >= 0.95
        entry = report["models"][mode]["decision"]
        t = entry["test"]
        assert t["tp"] + t["fn"] + t["tn"] + t["fp"] == report["test_set"]["n"]
        # gated on the device's answers too: the file under its rule, as the decision's test counts say
        g = report["models"][mode]["gate"]
        assert g["under_rule"]["file"]["per_class"][0]["sensitivity"] == pytest.approx(t["sensitivity"])
        assert g["passed"] == (g["under_rule"]["passed"] and not [r for r in g["reasons"] if "under its rule" not in r])
        assert EdgeModel(run / f"model_{mode}.tflite").selftest()["passed"]
    assert report["models"]["int8"]["decision"]["threshold"] == row["threshold"]
    assert report["models"]["int8"]["decision"]["test"] == row["test"]
    text = " ".join((run / "report.md").read_text().split())  # tables padded
    assert "## The rule stored in the model files" in text and "](operating_points.png)" in text
    assert "| Keras's threshold |" in text.replace("  ", "") and "gate under the rule |" in text
    assert (run / "operating_points.png").stat().st_size > 5000

    from convert.quantize import ConvertSettings, run_conversion

    threshold = fmt_threshold(report["models"]["int8"]["decision"]["threshold"])
    # scoring again without choosing again (--report-only) still counts what the rule costs the other classes on the
    # validation split, which report.md's warning about a rule that takes their films needs (a review: it was dropped)
    chosen = report["models"]["int8"]["decision"]["others_on_validation"]
    again, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True, latency_threads=(),
                                              n_boot=100, explain=0, progress=False))
    assert again["models"]["int8"]["decision"]["others_on_validation"] == chosen
    capsys.readouterr()
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True, operating_point="none",
                                               latency_threads=(), n_boot=100, explain=0, progress=False))
    # removing the rule changes the device's answers: said, as storing it is
    assert (f"model_int8.tflite: removed the rule COVID whenever p >= {threshold} (--operating-point none): it now "
            "gives the most probable class") in capsys.readouterr().err
    assert not {"decision", "requires"} & set(md.split((run / "model_int8.tflite").read_bytes())[1])
    assert report["models"]["int8"]["decision"] is None  # null, as --info gives a file without a rule


def test_device_applies_the_stored_rule_unless_told_otherwise(ruled_run):
    from tests.test_end_to_end import edge_classify

    run, report, _ = ruled_run
    t = report["models"]["int8"]["decision"]["threshold"]
    split = json.loads((run / "split.json").read_text())
    files = [f"{split['data_dir']}/{i['path']}" for i in split["splits"]["test"] + split["splits"]["val"]]
    model = str(run / "model_int8.tflite")

    def labels(*args):
        r = edge_classify(*files, "--json", "--model", model, *args)
        assert r.returncode == 0, r.stderr
        return [json.loads(line) for line in r.stdout.splitlines()], r.stderr

    stored, err = labels()
    assert "this model file gives COVID whenever p(COVID) >=" in err and "--most-probable" in err
    assert "COVID films it reached sensitivity " in err  # the measured figure beside its target
    plain, err = labels("--most-probable")
    assert "this model file gives" not in err and all("rule" not in g for g in plain)
    probs = np.array([[g["probabilities"][c] for c in ("COVID", "Normal")] for g in plain])
    assert [g["label"] for g in plain] == [("COVID", "Normal")[i] for i in probs.argmax(1)]
    clear = np.abs(probs[:, 0] - t) > 1e-5  # the JSON rounds to 6 decimals; the validation film at t sits on it
    assert clear.sum() >= len(files) - 2
    assert [g["label"] for g, c in zip(stored, clear) if c] == ["COVID" if p[0] >= t else "Normal" for p in probs[clear]]
    assert all(g["rule"] == {"class": "COVID", "threshold": t} for g in stored)
    override, _ = labels("--threshold", "Normal=0.999")
    assert [g["label"] for g in override] == ["Normal" if p[1] >= 0.999 else "COVID" for p in probs]
    r = edge_classify(files[0], "--threshold", "COVID=0.5", "--most-probable", "--model", model)
    assert r.returncode == 2 and "choose one of" in r.stderr
    info = json.loads(edge_classify("--info", "--model", model).stdout)
    assert info["decision"]["threshold"] == t


def test_cxr_evaluate_scores_the_rule_the_file_carries(ruled_run, tmp_path):
    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app

    run, _, _ = ruled_run
    data = json.loads((run / "split.json").read_text())["data_dir"]
    model = run / "model_int8.tflite"
    args = [str(model), data, "--keep-seen", "--n-boot", "100", "--quiet"]
    r = CliRunner().invoke(evaluate_app, [*args, "--explain", "0", "--out", str(tmp_path / "plain"), "--most-probable"])
    assert r.exit_code == 0, r.output
    plain = json.loads((tmp_path / "plain" / "report.json").read_text())
    assert "threshold_rule" not in plain and "rule" not in plain["metrics"]
    assert all(p["predicted"] == max(p["probabilities"], key=p["probabilities"].get) for p in plain["predictions"])
    # a rule that overrides the most probable class somewhere: the class argmax gives least, at a low threshold
    rare = min(("COVID", "Normal"), key=lambda c: sum(p["predicted"] == c for p in plain["predictions"]))
    stamp_decision(model, {"class": rare, "threshold": 0.001, "target_sensitivity": 1.0})
    r = CliRunner().invoke(evaluate_app, [*args, "--out", str(tmp_path / "ruled"), "--explain", "2"])
    assert r.exit_code == 0, r.output
    ruled = json.loads((tmp_path / "ruled" / "report.json").read_text())
    assert len(ruled["occlusion"]) == 2 and all(o["predicted"] == rare != o["true"] for o in ruled["occlusion"])
    assert ruled["threshold_rule"]["from"] == "model file" and ruled["metrics"]["rule"] == {"class": rare, "threshold": 0.001}
    want = [rare if p["probabilities"][rare] >= 0.001 else p["predicted"] for p in plain["predictions"]]
    assert [p["predicted"] for p in ruled["predictions"]] == want != [p["predicted"] for p in plain["predictions"]]
    k = ("COVID", "Normal").index(rare)
    cm = np.array(ruled["metrics"]["confusion_matrix"])
    assert cm[:, k].sum() == want.count(rare)  # the tables count the rule's labels, not the most probable class
    assert (cm[k, k], cm[1 - k, k]) == (ruled["threshold_rule"]["tp"], ruled["threshold_rule"]["fp"])
    assert "which the model file carries" in (tmp_path / "ruled" / "report.md").read_text()


def test_a_damaged_rule_is_a_model_error(tiny_run, tmp_path):
    from tests.test_end_to_end import edge_classify

    model = tmp_path / "m.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", model)
    stamp_decision(model, {"class": "Flu", "threshold": 0.3})
    r = edge_classify("--info", "--model", str(model))
    assert r.returncode == 2 and "decision rule is malformed" in r.stderr and r.stderr.count("\n") == 1


def test_a_file_that_needs_a_newer_reader_is_refused(tiny_run):
    flatbuffer, meta, files = md.split((tiny_run / "model_int8.tflite").read_bytes())
    with pytest.raises(md.ModelFileError, match="needs a newer cxr-edge .*lung-mask"):
        md.split(md.attach(flatbuffer, {**meta, "requires": ["decision", "lung-mask"]}, files))
    ruled = {**meta, "decision": {"class": meta["labels"][0], "threshold": 0.5}, "requires": ["decision"]}
    assert md.split(md.attach(flatbuffer, ruled, files))[1]["requires"] == ["decision"]


def test_cxr_convert_refuses_a_bad_operating_point_before_any_work(tiny_run):
    from typer.testing import CliRunner

    from convert.cli import convert_app

    before = (tiny_run / "model_int8.tflite").read_bytes()
    r = CliRunner().invoke(convert_app, [str(tiny_run), "--report-only", "--quant", "int8", "--operating-point", "Flu=0.9",
                                         "--quiet"])
    assert r.exit_code == 2 and "'Flu' is not one of the model's classes" in r.output
    assert (tiny_run / "model_int8.tflite").read_bytes() == before


def test_next_film_rates_by_hand():
    from convert.metrics import beta_interval, wilson_interval
    from convert.operating_point import next_film_rates

    positive = np.array([1, 1, 1, 1, 0, 0], bool)
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])
    # at 0.6 it finds all 4 cases it was placed among: 4 in 5 of the cases to come, Beta(4, 1)'s spread
    r = next_film_rates(positive, scores, 0.6)
    assert (r["tp"], r["fn"], r["tn"], r["fp"]) == (4, 0, 2, 0)
    assert r["sensitivity"] == 0.8 and r["sensitivity_ci"] == pytest.approx([0.025 ** 0.25, 0.975 ** 0.25])
    assert r["sensitivity_ci"] == list(beta_interval(4, 1))
    # the controls chose nothing: their specificity is what was measured, with its Wilson interval
    assert r["specificity"] == 1.0 and r["specificity_ci"] == list(wilson_interval(2, 2))
    r = next_film_rates(positive, scores, 0.7)  # 3 of 4: 3 in 5
    assert r["sensitivity"] == pytest.approx(0.6) and (r["tp"], r["fn"]) == (3, 1)
    assert r["sensitivity_ci"] == pytest.approx(list(beta_interval(3, 2)))  # Beta(f, n + 1 - f): the next case too


def test_beta_interval_matches_its_closed_forms():
    from convert.metrics import beta_interval

    for n in (1, 5, 40):  # Beta(n, 1): x ** n; Beta(1, n): 1 - (1 - x) ** n
        assert beta_interval(n, 1) == pytest.approx((0.025 ** (1 / n), 0.975 ** (1 / n)), abs=1e-9)
        assert beta_interval(1, n) == pytest.approx((1 - 0.975 ** (1 / n), 1 - 0.025 ** (1 / n)), abs=1e-9)
    lo, hi = beta_interval(7, 7)
    assert lo + hi == pytest.approx(1.0, abs=1e-9) and 0.2 < lo < 0.5  # symmetric about 0.5
    assert beta_interval(1, 1) == pytest.approx((0.025, 0.975), abs=1e-9)  # uniform
    with pytest.raises(ValueError):
        beta_interval(0, 3)


def test_a_site_rules_promised_figures_hold_for_the_threshold_it_saves():
    """A hunt's case: 25 COVID films, a 95% target. The 5-fold cross-validation chose each fold's
    threshold on 20 cases, at or above the one saved, and promised a specificity the saved rule did not
    give (22.9% promised, 5.7% on 140 fresh films). Here 400 simulated sites, whose films' true
    sensitivity and specificity at any threshold are known: on average the figures promised for the
    next films must be those of the threshold saved, and the sensitivity interval must hold it about
    95% of the time."""
    import math

    from convert.operating_point import site_operating_point

    def above(t: float, mean: float) -> float:  # P(sigmoid(z) >= t) for z ~ N(mean, 1)
        return 0.5 * math.erfc((math.log(t / (1 - t)) - mean) / math.sqrt(2))

    rng = np.random.default_rng(0)
    y = np.array([0] * 25 + [1] * 35)
    true_sens, true_spec, sens, spec, covered = [], [], [], [], 0
    for _ in range(400):
        z = np.where(y == 0, rng.normal(1.0, 1.0, y.size), rng.normal(-1.0, 1.0, y.size))
        p = 1 / (1 + np.exp(-z))
        site = site_operating_point(y, np.stack([p, 1 - p], 1), ["COVID", "Normal"], 0, 0.95, films="films")
        t, nf = site["decision"]["threshold"], site["next_films"]
        true_sens.append(above(t, 1.0))
        true_spec.append(1 - above(t, -1.0))
        sens.append(nf["sensitivity"])
        spec.append(nf["specificity"])
        covered += nf["sensitivity_ci"][0] <= true_sens[-1] <= nf["sensitivity_ci"][1]
    assert abs(np.mean(sens) - np.mean(true_sens)) < 0.01, (np.mean(sens), np.mean(true_sens))
    assert abs(np.mean(spec) - np.mean(true_spec)) < 0.015, (np.mean(spec), np.mean(true_spec))
    assert 0.91 <= covered / 400 <= 0.99, covered


def test_the_card_of_a_site_rule_gives_each_next_film_figure_its_own_interval(tiny_run):
    """cxr-evaluate --operating-point ... --save-model: the copy's card (edge-classify --card, what the file itself
    says to expect) gave the next films' specificity the sensitivity's interval, while report.md had it right."""
    from convert.operating_point import site_operating_point, stamped

    y = np.array([0] * 20 + [1] * 30)
    covid = np.r_[np.linspace(0.4, 0.95, 20), np.linspace(0.02, 0.6, 30)]
    site = site_operating_point(y, np.stack([covid, 1 - covid], 1), ["COVID", "Normal"], 0, 0.9,
                                films="films in site (50)")
    nf = site["next_films"]
    assert nf["sensitivity_ci"] != nf["specificity_ci"]
    card = md.split(stamped((tiny_run / "model_int8.tflite").read_bytes(), site["decision"], site))[1]["validation"]
    assert card["rule_on_site"]["sensitivity"] == pytest.approx([nf["sensitivity"], *nf["sensitivity_ci"]])
    assert card["rule_on_site"]["specificity"] == pytest.approx([nf["specificity"], *nf["specificity_ci"]])


def test_a_site_rule_stored_in_a_file_of_0_6_0_keeps_its_site_figures(tiny_run):
    """A file converted before cxr-edge 0.7.0 carries no card: --save-model stored the site's rule in it and dropped
    the rates expected on the site's next films, so neither --card nor edge-classify's note said what the rule
    was worth, though cxr-evaluate had measured it."""
    from convert.operating_point import site_operating_point, stamped
    from edge.card import card_text

    old = md.rewrite((tiny_run / "model_int8.tflite").read_bytes(),
                     lambda meta: {k: v for k, v in meta.items() if k != "validation"})  # as 0.6.0 wrote it
    y = np.array([0] * 20 + [1] * 30)
    covid = np.r_[np.linspace(0.4, 0.95, 20), np.linspace(0.02, 0.6, 30)]
    site = site_operating_point(y, np.stack([covid, 1 - covid], 1), ["COVID", "Normal"], 0, 0.9,
                                films="films in site (50)")
    nf, meta = site["next_films"], md.split(stamped(old, site["decision"], site))[1]
    assert meta["validation"]["rule_on_site"]["sensitivity"] == pytest.approx([nf["sensitivity"], *nf["sensitivity_ci"]])
    text = card_text(meta, "site.tflite")
    assert "carries no test figures" in text
    assert (f"was chosen on films in site (50); expected on that site's next films: sensitivity {nf['sensitivity']:.3f}"
            in text)
    # the rule removed again: no card is left, as before it was stored
    assert "validation" not in md.split(stamped(stamped(old, site["decision"], site), None))[1]


def test_cxr_evaluate_chooses_a_sites_threshold_and_saves_a_copy(tiny_run, unseen_site, tmp_path):
    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file

    data = str(unseen_site)  # films the model did not see: --save-model refuses --keep-seen
    model = tiny_run / "model_int8.tflite"
    original = model.read_bytes()
    saved = tmp_path / "site.tflite"
    args = [str(model), data, "--explain", "0", "--n-boot", "100", "--quiet", "--out", str(tmp_path / "r")]
    r = CliRunner().invoke(evaluate_app, [*args, "--operating-point", "COVID=0.9", "--save-model", str(saved)])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    site = report["site_operating_point"]
    y = np.array([("COVID", "Normal").index(p["true"]) for p in report["predictions"]])
    m = EdgeModel(model)
    probs = m.classify(np.stack([preprocess_file(f"{data}/{p['file']}", m.preprocess) for p in report["predictions"]]))
    assert site["decision"]["threshold"] == threshold_for_sensitivity(y == 0, probs[:, 0], 0.9)
    nf = site["next_films"]
    assert nf["tp"] + nf["fn"] == int((y == 0).sum()) and nf["tn"] + nf["fp"] == int((y == 1).sum())
    assert model.read_bytes() == original  # the original is kept
    copy = EdgeModel(saved)
    assert copy.decision == (0, site["decision"]["threshold"]) and copy.meta["decision"]["chosen_on"].endswith("cxr-evaluate)")
    # when and by what the rule was set: the copy keeps the weights and the 'converted' date of its original
    from edge import __version__
    from edge.card import card_text

    stored = copy.meta["decision"]["stored"]
    assert stored["by"] == f"cxr-edge {__version__}" and stored["on"] >= copy.meta["converted"] > "2026"
    assert f"; rule stored {stored['on'][:10]} by cxr-edge {__version__})" in card_text(copy.meta, saved.name)
    # the site's folder is a synthetic set: the rule says it was chosen on drawings, and so do the report and stderr
    assert copy.meta["decision"]["chosen_on"].startswith("SYNTHETIC films in ")
    assert "holds SYNTHETIC images (cxr-synth)" in r.stderr
    assert re.search(r"> \*\*All \d+ films are SYNTHETIC drawings \(cxr-synth\)\.\*\*", (tmp_path / "r" / "report.md").read_text())
    assert md.split(saved.read_bytes())[0] == md.split(original)[0]
    # The copy's card says where its rule was chosen and what to expect on that site's next films, not
    # the original's test figures, which belong to the file as converted.
    card = copy.meta["validation"]
    assert "rule_on_test" not in card and card["rule_on_site"]["threshold"] == site["decision"]["threshold"]
    assert card["rule_on_site"]["sensitivity"][0] == nf["sensitivity"] and card["rule_on_site"]["estimate"] == "next films"
    assert card["test"] == EdgeModel(model).meta["validation"]["test"]
    from edge.card import card_text

    assert "expected on that site's next films: sensitivity" in card_text(copy.meta, "site.tflite")
    assert "## A threshold chosen on these films" in (tmp_path / "r" / "report.md").read_text()
    # what the saved rule's answers are worth, as its card works it out (from the expected next-film rates): the
    # report's only table was the old rule's, and the card's figures were nowhere in the report that chose the rule
    from edge.answer_worth import predictive_values

    at5 = next(r for r in site["at_prevalence"] if r["class"] == "COVID" and r["prevalence"] == 0.05)
    assert (at5["ppv"], at5["npv"]) == predictive_values(nf["sensitivity"], nf["specificity"], 0.05)
    assert site["at_prevalence_left_out"] == []  # two classes: both classes' rows, as the main at_prevalence
    assert "### What its answers would be worth at your prevalence" in (tmp_path / "r" / "report.md").read_text()
    for extra, msg in [(["--save-model", str(saved)], "needs --operating-point"),
                       (["--operating-point", "COVID=0.9", "--save-model", str(model)], "give a new path"),
                       (["--operating-point", "COVID=95"], r"(0, 1]")]:
        r = CliRunner().invoke(evaluate_app, [*args, *extra])
        assert r.exit_code == 2 and msg in r.output, r.output


def test_a_site_rule_marks_the_cards_untrained_class_counts_as_counted_before_it(tiny_run, tmp_path):
    """The card's 'films of classes it was never trained on got ...' was counted under the labelling
    the file had at conversion; a site rule stored later changes those answers, and the card says so."""
    from convert.operating_point import site_operating_point
    from edge.card import card_text

    model = tmp_path / "m.tflite"
    model.write_bytes(md.rewrite((tiny_run / "model_int8.tflite").read_bytes(), lambda m: {**m, "validation": {
        **m["validation"], "other_classes": {"Pneumonia": {"n": 10, "called": {"COVID": 0.3, "Normal": 0.7}}}}}))
    rng = np.random.default_rng(0)
    y = np.array([0] * 20 + [1] * 20)
    p1 = np.clip(0.5 + 0.3 * (2 * y - 1) + rng.normal(0, 0.2, 40), 0.01, 0.99)
    site = site_operating_point(y, np.stack([1 - p1, p1], 1), ["COVID", "Normal"], 0, 0.95, films="films in site (40)")
    stamp_decision(model, site["decision"], out=tmp_path / "site.tflite", site=site)
    meta = md.read(tmp_path / "site.tflite")[1]
    assert meta["validation"]["other_classes_before_rule"] is True and meta["validation"]["other_classes_counted_under"] is None
    way = "more" if site["decision"]["threshold"] < 0.5 else "fewer"
    assert (f"got (counted under the most probable class; under its present rule, {way} films may get COVID)"
            in card_text(meta, "site.tflite"))
    assert "counted under" not in card_text(md.read(model)[1], "m.tflite")


def test_a_site_rule_on_films_of_one_class_says_na_without_a_percent_sign(capsys):
    from convert.evaluate_lines import closing_lines
    from convert.summary import summarize

    y = np.zeros(20, int)
    p = np.c_[np.linspace(0.5, 1, 20), np.linspace(0.5, 0, 20)]
    report = {"metrics": summarize(y, p, ["COVID", "Normal"], n_boot=100), "missed_classes": []}
    site = {"decision": {"class": "COVID", "threshold": 0.6},
            "next_films": {"sensitivity": 0.95, "sensitivity_ci": [0.76, 0.99], "specificity": None,
                                "specificity_ci": [None, None]}}
    closing_lines(report, {}, ["COVID", "Normal"], site)
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.endswith("sensitivity 95.0 (76.0 to 99.0) %, specificity n/a"), line  # a terminal line: no en dash


def test_converting_again_keeps_the_rule_the_files_stored(ruled_run, capsys):
    """cxr-convert run --operating-point COVID=0.95, then cxr-convert run --auto: the new files (and the
    device's model.tflite) came without the rule, and a device given them answered the most probable
    class, missing more COVID films, with no word said."""
    from convert.quantize import ConvertSettings, run_conversion

    run, _, _ = ruled_run
    capsys.readouterr()
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, explain=0,
                                               progress=False, calibration_samples=20))
    meta = md.split((run / "model_int8.tflite").read_bytes())[1]
    assert meta["decision"]["class"] == "COVID" and meta["decision"]["target_sensitivity"] == 0.95
    assert meta["requires"] == ["decision"] and report["models"]["int8"]["decision"]["threshold"] == meta["decision"]["threshold"]
    assert "model_int8.tflite stored COVID at 0.95 sensitivity: chosen again through the new file" in capsys.readouterr().err


def test_a_rule_chosen_on_a_sites_films_is_neither_gated_against_keras_nor_chosen_again_on_validation(ruled_run, capsys):
    """Keras has no counterpart to a threshold chosen on a site's films (cxr-evaluate --save-model):
    gated against one chosen on the validation split it would fail or pass for the wrong reason, and
    re-chosen on the validation split it would become another rule under the same name."""
    from convert.operating_point import kept_points, stamped
    from convert.quantize import ConvertSettings, run_conversion

    run, _, _ = ruled_run
    labels = ["COVID", "Normal"]
    assert kept_points(run, ["int8", "fp32", "fp16"], labels) == ({"int8": (0, 0.95), "fp32": (0, 0.95)}, {})
    site = {"class": "COVID", "threshold": 0.42, "target_sensitivity": 0.9, "chosen_on": "films in site (40, cxr-evaluate)",
            "chosen_films": {"n_positive": 20, "n_negative": 20, "sensitivity": 0.9, "specificity": 0.5}}
    nf = {"sensitivity": 0.85, "sensitivity_ci": [0.64, 0.95], "specificity": 0.45, "specificity_ci": [0.26, 0.66]}
    (run / "model_int8.tflite").write_bytes(stamped(run / "model_int8.tflite", site, {"next_films": nf}))
    assert kept_points(run, ["int8", "fp32"], labels) == ({"fp32": (0, 0.95)}, {"int8": site["chosen_on"]})
    capsys.readouterr()
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8", "fp32"], report_only=True, latency_threads=(),
                                               n_boot=100, explain=0, progress=False))
    assert "under_rule" not in report["models"]["int8"]["gate"] and "under_rule" in report["models"]["fp32"]["gate"]
    # --report-only keeps saying where the rule was chosen (it said "on the validation split", with the site's
    # fitted figures under "validation", and the card lost its cross-validated site line)
    assert ("model_int8.tflite keeps its rule, COVID whenever p >= 0.42, chosen on 40 films of the folder 'site' (cxr-evaluate), "
            "not on the validation split") in capsys.readouterr().err
    text = " ".join((run / "report.md").read_text().split())  # tables padded
    assert "| int8 | COVID when p ≥ 0.42 (for 90%) | n/a (chosen on the site's films) |" in text
    assert ("`model_int8.tflite`'s rule was not chosen on the validation split but on 40 films of the folder 'site' (cxr-evaluate): "
            "its sensitivity / specificity there, 90.0 / 50.0%, are on the films it was chosen on (the sensitivity optimistic") in text
    card = md.split((run / "model_int8.tflite").read_bytes())[1]["validation"]
    assert card["rule_on_site"]["films"] == "films in site (40, cxr-evaluate)" and card["rule_on_site"]["sensitivity"][0] == 0.85
    assert "rule_on_site" not in md.split((run / "model_fp32.tflite").read_bytes())[1]["validation"]


def test_report_md_gives_the_stored_rule_and_its_notes_in_percent():
    """The stored-rule table gave validation sensitivity and specificity as '1.000 / 1.000' beside test figures in
    percent, and the note below it 'reaches COVID sensitivity 1.000 ... still reaches 0.9'; stderr keeps fractions."""
    from convert.rule_notes import stored_rule_lines
    from convert.stored_rule_sections import stored_rules_section

    d = {"class": "COVID", "threshold": 0.5776, "target_sensitivity": 0.9,
         "chosen_films": {"sensitivity": 1.0, "specificity": 0.9996},
         "test": {"sensitivity": 0.75, "sensitivity_ci": [0.301, 0.954], "specificity": 1.0, "specificity_ci": [0.758, 1.0]},
         "versus_most_probable": {"less_sensitive": True, "sensitivity": 1.0, "tp": 10, "n_positive": 10,
                                  "found_by_rule": 9, "called_by_rule": 9, "called": 10}}
    text = "\n".join(stored_rules_section({"int8": {"decision": d}}))
    assert "| validation sens. / spec. % (95% CI) |" in text and "| 100.0 / 99.96 |" in text  # a rule without counts
    assert "sensitivity 100.0% on the validation split" in text and "still reaches 90% there" in text
    assert "1.000" not in text and "0.9 " not in text
    _, warning = stored_rule_lines("model_int8.tflite", d, ["COVID", "Normal"])  # stderr: fractions, as README says
    assert "sensitivity 1.000 on the validation split" in warning and "still reaches 0.9 there" in warning


def test_a_stored_rule_that_floods_the_other_classes_is_warned_about_on_stderr_in_the_report_and_on_the_card():
    """cxr-convert stored Lung_Opacity at p >= 0.064 (validation specificity 0.286, Viral_Pneumonia found 11 of 14
    at the most probable class, 0 under the rule) without a word, while cxr-evaluate warned about the same threshold
    on the same films; the card said nothing of what the rule costs the other classes."""
    from convert.card import validation_card
    from convert.operating_point import choose_decision
    from convert.rule_notes import others_under_rule, stored_rule_lines
    from convert.site_rule_notes import site_rule_warnings
    from convert.stored_rule_sections import stored_rules_section
    from edge.card import card_text

    labels = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    y = np.repeat(np.arange(4), 10)
    probs = np.full((40, 4), 0.02)
    probs[np.arange(40), y] = 0.5  # each film its own class at the most probable class
    probs[y != 1, 1] = np.r_[np.linspace(0.3, 0.1, 27), [0.01] * 3]  # Lung_Opacity's p over most other films
    probs[y == 1, 1] = np.linspace(0.9, 0.005, 10)
    probs /= probs.sum(1, keepdims=True)
    d = choose_decision(y, probs, labels, 1, 0.95)
    d["others_on_validation"] = others_under_rule(y, probs, 1, d["threshold"], labels)
    lines = stored_rule_lines("model_int8.tflite", d, labels)
    # (and 10 validation Lung_Opacity films cannot hold 0.95: the other warning, convert.rule_notes.stored_shortfall)
    (warn,) = [x for x in lines if x.startswith("warning:") and "does not hold its target" not in x]
    assert "has a specificity of 0.100 on the validation split" in warn and "calls most COVID/Normal/Viral_Pneumonia" in warn
    assert "validation specificity" not in warn  # "a validation specificity of 0.100 on the validation split"
    assert "under it the device finds COVID in 0 of 10 films (the most probable class: 10), Normal in 0 of 10 (10), " \
           "Viral_Pneumonia in 3 of 10 (10); a specificity" in warn
    # the same check, the same words, as cxr-evaluate's for a site's films
    site = {"decision": d, "next_films": {"sensitivity": 10 / 11, "specificity": 0.1, "fp": 27, "tn": 3, "tp": 10, "fn": 0}}
    assert "has a specificity of 0.100 on these films" in site_rule_warnings(site, labels)[-1]
    # the report: the table's rule, then the warning
    k, t = 1, d["threshold"]
    entry = {**d, "test": {"sensitivity": 1.0, "sensitivity_ci": [0.7, 1.0], "specificity": 0.1, "specificity_ci": [0.03, 0.26]},
             "others_on_test": others_under_rule(y, probs, k, t, labels)}
    text = "\n".join(stored_rules_section({"int8": {"decision": entry}}))
    assert "**Warning (int8):** The rule Lung_Opacity whenever p >= " in text and "specificity of 0.100" in text
    # the card: what the device answers for the other classes under the rule
    from convert.summary import summarize

    model = {**summarize(y, probs, labels, n_boot=10), "decision": entry}
    card = validation_card({"models": {"int8": model}}, "int8", "d", None)
    meta = {"labels": labels, "validation": card, "decision": {"class": "Lung_Opacity", "threshold": t}}
    out = card_text(meta, "model_int8.tflite")
    assert "Warning: with its rule the device seldom answers COVID/Normal/Viral_Pneumonia" in out
    assert "Normal/Viral_Pneumonia: it finds COVID in 0 of 10 films (the most probable class: 10), Normal in 0 of 10 (10)," in out


def test_the_stored_rules_validation_figures_have_their_intervals_from_the_films_counts():
    """'validation sens. / spec. % 100.0 / 58.3' was 4 COVID films and 12 others (hunt 49): the test figures beside
    it had intervals, these had none."""
    from convert.metrics import wilson_interval
    from convert.stored_rule_sections import stored_rules_section

    d = {"class": "COVID", "threshold": 0.0996, "target_sensitivity": 0.95,
         "chosen_films": {"n_positive": 4, "n_negative": 12, "sensitivity": 1.0, "specificity": 7 / 12},
         "test": {"sensitivity": 0.5, "sensitivity_ci": [0.15, 0.85], "specificity": 8 / 12, "specificity_ci": [0.391, 0.862]},
         "versus_most_probable": {"less_sensitive": False, "sensitivity": 0.75, "tp": 3, "n_positive": 4,
                                  "found_by_rule": 4, "called_by_rule": 9, "called": 4}}
    text = "\n".join(stored_rules_section({"int8": {"decision": d}}))
    (s_lo, _), (c_lo, c_hi) = wilson_interval(4, 4), wilson_interval(7, 12)
    assert (f"| 100.0 ({100 * s_lo:.1f}–100.0) / 58.3 ({100 * c_lo:.1f}–{100 * c_hi:.1f}) |" in text), text
    assert "| 100.0 (51.0–100.0) / 58.3 (32.0–80.7) |" in text


def test_report_mds_gate_under_the_rule_says_failed_for_a_file_that_failed_it():
    """The gate-under-the-rule table is where report.md says whether a file's answers under its rule kept to
    Keras's: a cell reading 'pass' for a failed file sends it to the device."""
    from convert.stored_rule_sections import stored_rules_section

    def model(passed: bool) -> dict:
        rates = {"sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95], "specificity": 0.7, "specificity_ci": [0.6, 0.8]}
        per = [{"class": "COVID", "sensitivity": 0.9}, {"class": "Normal", "sensitivity": 0.7}]
        return {"decision": {"class": "COVID", "threshold": 0.3, "target_sensitivity": 0.95, "test": rates,
                             "chosen_films": {"n_positive": 20, "n_negative": 20, "sensitivity": 0.95, "specificity": 0.6}},
                "gate": {"under_rule": {"keras_threshold": 0.31, "passed": passed, "keras": {"accuracy": 0.8, "per_class": per},
                                        "file": {"accuracy": 0.7, "per_class": per}}}}

    lines = stored_rules_section({"int8": model(False), "fp32": model(True)})
    assert next(ln for ln in lines if ln.startswith("| int8 | p ≥")).endswith("| **FAILED** |")
    assert next(ln for ln in lines if ln.startswith("| fp32 | p ≥")).endswith("| pass |")


def test_report_only_restamps_a_rule_stored_by_cxr_edge_0_6_0(ruled_run, capsys):
    """cxr-edge 0.6.0 stored the counts of the films a rule was chosen on as "validation" (renamed "chosen_films"
    within that version number): cxr-convert --report-only over such a file stopped with "unexpected KeyError:
    'chosen_films'" and wrote nothing."""
    from convert.quantize import ConvertSettings, run_conversion

    run, report, _ = ruled_run
    stored = md.split((run / "model_int8.tflite").read_bytes())[1]["decision"]
    old = {"chosen_on": "validation split", "class": stored["class"], "target_sensitivity": stored["target_sensitivity"],
           "threshold": stored["threshold"], "validation": stored["chosen_films"]}  # 0.6.0's decision, key for key
    for mode in ("int8", "fp32"):
        path = run / f"model_{mode}.tflite"
        path.write_bytes(md.rewrite(path.read_bytes(), lambda meta: {**meta, "decision": old}))
    capsys.readouterr()
    again, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True, latency_threads=(),
                                              n_boot=100, explain=0, progress=False))
    d = again["models"]["int8"]["decision"]
    assert d["chosen_films"] == stored["chosen_films"] and "validation" not in d
    assert d["test"] == report["models"]["int8"]["decision"]["test"]  # the same rule, scored on the same films
    assert "## The rule stored in the model files" in (run / "report.md").read_text()
    # removing it (--operating-point none) reads the file's rule as it stands too
    run_conversion(ConvertSettings(run_dir=run, modes=["fp32"], report_only=True, operating_point="none",
                                   latency_threads=(), n_boot=100, explain=0, progress=False))
    assert (f"model_fp32.tflite: removed the rule COVID whenever p >= {fmt_threshold(old['threshold'])} "
            "(--operating-point none)") in capsys.readouterr().err
