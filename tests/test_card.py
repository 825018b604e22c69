"""The test figures a model file carries (convert.card) and edge-classify --card, which reads them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edge import metadata as md
from edge.card import card_text
from edge.cli import app
from edge.model import EdgeModel
from tests.conftest import unpadded


def test_each_file_carries_its_own_test_figures_from_the_report(tiny_run):
    report = json.loads((tiny_run / "report.json").read_text())
    for mode in ("int8", "fp32"):
        v = EdgeModel(tiny_run / f"model_{mode}.tflite").meta["validation"]
        m = report["models"][mode]
        assert v["test"]["n"] == m["n"] == report["test_set"]["n"]
        assert v["synthetic_data"] is True and v["data"] == "synthetic-data"
        assert v["test"]["crops_searched"] is True  # this version's cxr-train looks for them
        for r in m["per_class"]:
            got = v["test"]["per_class"][r["class"]]
            assert got["n"] == r["support"]
            assert got["sensitivity"] == pytest.approx([r["sensitivity"], *r["sensitivity_ci"]], abs=5e-4)
            assert got["specificity"] == pytest.approx([r["specificity"], *r["specificity_ci"]], abs=5e-4)
        assert v["test"]["balanced_accuracy"][0] == pytest.approx(m["balanced_accuracy"], abs=5e-4)
        # The report gives the size of the file as shipped, card included.
        assert m["size_bytes"] == (tiny_run / f"model_{mode}.tflite").stat().st_size


def test_stamping_a_card_keeps_the_weights_and_the_selftest(tiny_run, tmp_path):
    from convert.card import stamp_card

    path = tmp_path / "m.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", path)
    before, _, files_before = md.split(path.read_bytes())
    stamp_card(path, {"test": {"n": 1}, "data": "elsewhere"})
    after, meta, files_after = md.split(path.read_bytes())
    assert after == before and files_after == files_before
    assert meta["validation"] == {"test": {"n": 1}, "data": "elsewhere"}  # replaced, not merged
    assert EdgeModel(path).selftest()["passed"]
    with pytest.raises(md.ModelFileError, match="no cxr-edge metadata"):  # a bare flatbuffer has nothing to rewrite
        md.rewrite(before, lambda meta: meta)


def test_edge_classify_card_prints_the_files_figures(tiny_run):
    r = CliRunner().invoke(app, ["--card", "--model", str(tiny_run / "model_int8.tflite")])
    assert r.exit_code == 0, r.output
    v = EdgeModel(tiny_run / "model_int8.tflite").meta["validation"]
    assert "SYNTHETIC" in r.output and "NOT a medical device" in r.output.splitlines()[1]  # read before any figure
    for c, row in v["test"]["per_class"].items():
        line = next(ln for ln in r.output.splitlines() if ln.strip().startswith(c))
        assert f"sensitivity {row['sensitivity'][0]:.3f} ({row['sensitivity'][1]:.3f} to {row['sensitivity'][2]:.3f})" in line
        assert f"n = {row['n']}" in line
    report = json.loads((tiny_run / "report.json").read_text())["models"]["int8"]
    same = round(report["agreement"]["class_agreement"] * report["n"])
    assert f"the same class for {same} of {report['n']}" in r.output
    seen = EdgeModel(tiny_run / "model_int8.tflite").meta["seen"]
    assert f"leaves out the {seen['train'] + seen['val']} films it was trained or validated on" in r.output
    # provenance: the versions it was trained with, told from the converter's, and what ties it to its run
    run = json.loads((tiny_run / "run.json").read_text())
    training = EdgeModel(tiny_run / "model_int8.tflite").meta["training"]
    assert training["model_sha256"] == run["model_sha256"] and training["split_digest"] == run["split_digest"]
    assert training["settings"]["seed"] == run["settings"]["seed"] and "data" not in training["settings"]
    first = r.output.splitlines()[0]
    assert f"with cxr-edge {run['cxr_edge_version']}, seed {run['settings']['seed']}; converted by cxr-edge " in first, first
    assert run["command"] and "workdir" in run


def _meta(**validation) -> dict:
    per_class = {"COVID": {"n": 66, "sensitivity": [0.894, 0.797, 0.948], "specificity": [0.911, 0.808, 0.961]},
                 "Normal": {"n": 56, "sensitivity": [0.911, 0.808, 0.961], "specificity": [0.894, 0.797, 0.948]}}
    return {"labels": ["COVID", "Normal"], "arch": "compact", "quantization": "int8",
            "validation": {"data": "cxr-dev", "test": {"n": 122, "balanced_accuracy": [0.902, 0.845, 0.949],
                                                       "macro_auroc": [0.966, 0.94, 0.99], "ece": 0.07,
                                                       "per_class": per_class}, **validation}}


def test_a_foreign_models_card_says_it_has_no_metadata_not_question_marks():
    """edge-classify --card --labels A,B on a .tflite cxr-convert did not make began "A / B (model, ?; trained ?;
    converted by an unknown maker)", and blamed a cxr-edge before 0.7.0 for its missing figures (hunt 62 H19)."""
    meta = {"labels": ["A", "B"], "temperature": 1.0, "foreign": True}  # what edge.model gives such a file
    text = card_text(meta, "foreign.tflite")
    assert text.splitlines()[0] == ("foreign.tflite: A / B (no cxr-edge metadata: the classes --labels names; how it "
                                    "was made, trained and quantized is not recorded in it)")
    assert "This file carries no test figures (not made by cxr-convert)." in text and "?" not in text
    # nor sends its reader to cxr-evaluate, which refuses such a file
    assert "also a film with a finding it was never trained on.\n" in text and "cxr-evaluate" not in text


@pytest.mark.parametrize("created_by, said", [(["cxr-edge", 3], "converted by an unknown maker)"),
                                              (12, "converted by an unknown maker)"),
                                              ("tool\x1b[2J 1.0", "converted by tool\\u001b[2J 1.0)")])
def test_a_converter_stamp_that_is_no_text_is_said_as_unknown_not_printed_raw(created_by, said):
    """A 'created_by' edited by hand or written by another tool was printed as Python's repr (['cxr-edge', 3]) or ran
    its ESC sequence on the terminal; and a version it does not name (cxr-edge v0.45) was said to be before 0.4.0."""
    from edge.input_check_words import no_input_check_why

    meta = {**_meta(), "created_by": created_by}
    assert card_text(meta, "m.tflite").splitlines()[0].endswith(said)
    head = card_text({**_meta(), "arch": "compact\x1b[2J", "trained": "2026\x07"}, "m.tflite").splitlines()[0]
    assert "compact\\u001b[2J" in head and "trained 2026\\u0007" in head and "\x1b" not in head
    assert no_input_check_why({"created_by": "cxr-edge v0.45, tensorflow 2.21"}) == (
        "made by an unknown cxr-edge version: convert it again to add one")
    assert no_input_check_why({"created_by": "cxr-edge 0.3.0, tensorflow 2.15"}).startswith("made before cxr-edge 0.4.0")


def test_card_text_says_what_is_missing_and_what_to_distrust():
    bare = card_text({"labels": ["COVID", "Normal"]}, "old.tflite")
    assert "carries no test figures" in bare and "most probable class (no stored rule)" in bare

    plain = card_text(_meta(), "m.tflite")
    assert "balanced accuracy 0.902 (0.845 to 0.949)" in plain and "Warning" not in plain
    assert "ECE 0.070" in plain  # three decimals as the figures beside it: the JSON's 0.07 read 'ECE 0.07' (hunt 59)
    # A run split before cxr-train looked for cropped copies says what its test figures may hide.
    assert "not looked for" not in plain
    searched, unsearched = _meta(), _meta()
    searched["validation"]["test"]["crops_searched"] = True
    unsearched["validation"]["test"]["crops_searched"] = False
    assert "not looked for" not in card_text(searched, "m.tflite")
    assert ("Cropped, moved, turned or mirrored copies were not looked for when this split was drawn: test films may "
            "be such copies of training films, and then these figures flatter the model.") in card_text(unsearched, "m")
    # A file converted by 0.15 has no such key: its version says it, and that its figures can be stamped again
    old = card_text({**_meta(), "created_by": "cxr-edge 0.15.0, tensorflow 2.20.0"}, "m")
    assert "not looked for when this split was drawn" in old
    assert ("These figures are as cxr-edge 0.15.0 worked them out (intervals of small test sets collapsed to one "
            "value, caveats since added): cxr-convert RUN --report-only on its run folder stamps them again") in old
    newer = card_text({**_meta(), "created_by": "cxr-edge 0.19.0, tensorflow 2.20.0"}, "m")
    assert "not looked for" not in newer and "worked them out" not in newer
    restamped = _meta()  # converted by 0.15, its figures stamped again by --report-only since: the advice is taken
    restamped["validation"]["scored_by"] = "cxr-edge 0.27.0 (cxr-convert)"
    assert "worked them out" not in card_text({**restamped, "created_by": "cxr-edge 0.15.0, tensorflow 2.20.0"}, "m")

    text = card_text({**_meta(rule_on_test={"class": "COVID", "threshold": 0.247, "sensitivity": [0.955, 0.875, 0.984],
                                             "specificity": [0.804, 0.682, 0.887]},
                               held_out_source={"source": "hannover", "n": 51,
                                                "per_class": {"COVID": {"n": 51, "sensitivity": [1.0, 0.93, 1.0]}}},
                               shortcut_audit={"balanced_accuracy": 0.66, "chance": 0.5, "warn": True,
                                               "give_aways": ["source kermany: 100% Normal (n = 120)"]}),
                      "decision": {"class": "COVID", "threshold": 0.247}}, "m.tflite")
    assert "COVID sensitivity 0.955 (0.875 to 0.984), specificity 0.804 (0.682 to 0.887)" in text
    assert "Held-out source hannover (n = 51" in text and "COVID sensitivity 1.000 (0.930 to 1.000)" in text
    assert "balanced accuracy 0.660 (chance 0.500), e.g. source kermany: 100% Normal (n = 120)" in text
    assert "Labels: COVID whenever p(COVID) >= 0.247, else the most probable of the other classes" in text
    # cxr-convert 0.15 stored its test figures' rule rounded to 3 decimals: the card gave two thresholds, and the
    # one typed back as --threshold (0.505) dropped films the stored rule (0.50453228) calls COVID
    old_rule = card_text({**_meta(rule_on_test={"class": "COVID", "threshold": 0.505, "sensitivity": [0.25, 0.05, 0.7],
                                                "specificity": [0.8, 0.5, 0.9]}),
                          "decision": {"class": "COVID", "threshold": 0.50453228}}, "m.tflite")
    assert "by its rule (COVID whenever p >= 0.5045)" in old_rule and "0.505" not in old_rule
    # A class absent from a set has no figure, not a crash.
    none = _meta()
    none["validation"]["test"]["per_class"]["Normal"]["sensitivity"] = [None, None, None]
    assert "sensitivity n/a" in card_text(none, "m.tflite")


def test_the_card_says_what_an_answer_is_worth_at_a_low_prevalence():
    meta = {"labels": ["COVID", "Normal"], "validation": {"data": "x", "test": {
        "n": 100, "balanced_accuracy": [0.9, 0.85, 0.95], "ece": 0.05, "per_class": {
            "COVID": {"n": 50, "sensitivity": [0.9, 0.8, 0.95], "specificity": [0.8, 0.7, 0.9]},
            "Normal": {"n": 50, "sensitivity": [0.8, 0.7, 0.9], "specificity": [0.9, 0.8, 0.95]}}}}}
    text = card_text(meta, "m.tflite")
    # 5% COVID: 0.9 * 0.05 = 0.045 found, 0.2 * 0.95 = 0.19 false: 19% of COVID answers right;
    # 0.8 * 0.95 = 0.76 rightly Normal, 0.1 * 0.05 = 0.005 missed: 0.76 / 0.765 = 99.3% of Normal answers right.
    # Not "Normal 30%": that was Normal at 5% of the films, i.e. COVID at 95%, which no clinic sees.
    # with the range the ends of the intervals give: 0.8 and 0.7 give 12%, 0.95 and 0.9 give 33%
    assert ("If 5% of your films were COVID and the rest like its Normal test films: a COVID answer would be right 19% "
            "of the time (PPV, 12% to 33% within the test figures' intervals), a Normal answer 99% (NPV, 99% to 99.7% "
            "within the test figures' intervals; every film called Normal: 95%) (other findings among the rest lower it, and a Normal "
            "answer says only 'not COVID': films of findings it was not trained on, such as other pneumonias, get it "
            "too; cxr-evaluate --prevalence for your own mix)") in text
    assert "If a class made up" not in text and "Normal 30%" not in text
    # a perfect specificity on a few films: 100% promised an answer never wrong (the report: 100.0 (3.0-100.0)), even
    # beside its range: the range's lower end is what the films show
    few = {"labels": ["COVID", "Viral", "Normal"], "validation": {"data": "x", "test": {
        "n": 14, "balanced_accuracy": [0.8, 0.6, 0.95], "ece": 0.05, "per_class": {
            "COVID": {"n": 6, "sensitivity": [1.0, 0.61, 1.0], "specificity": [0.6, 0.31, 0.83]},
            "Viral": {"n": 2, "sensitivity": [1.0, 0.34, 1.0], "specificity": [1.0, 0.76, 1.0]},
            "Normal": {"n": 6, "sensitivity": [0.5, 0.19, 0.81], "specificity": [1.0, 0.68, 1.0]}}}}}
    line = next(ln for ln in card_text(few, "m").splitlines() if "If a class made up 5%" in ln)
    assert "Viral at least 6% (no false Viral call among the test films)" in line and "100%" not in line, line
    assert "(PPV)" not in card_text({"labels": ["A"], "validation": {"data": "x", "test": {
        "n": 5, "balanced_accuracy": [1, 1, 1], "ece": 0, "per_class": {"A": {"n": 5, "sensitivity": [1, 1, 1],
                                                                          "specificity": [None, None, None]}}}}}, "m")


def _two_class_meta(first: str, second: str, rates: dict[str, tuple[float, float]]) -> dict:
    per_class = {c: {"n": 50, "sensitivity": [se, se, se], "specificity": [sp, sp, sp]}
                 for c, (se, sp) in rates.items()}
    return {"labels": [first, second], "validation": {"data": "x", "test": {
        "n": 100, "balanced_accuracy": [0.9, 0.85, 0.95], "ece": 0.05, "per_class": per_class}}}


def test_a_disease_or_normal_card_keys_both_answers_to_the_diseases_prevalence():
    # Normal listed first, spelt as a folder might be: the disease is still the other class.
    # 5% Pneumonia at sensitivity 0.99, specificity 0.9: PPV 0.0495 / (0.0495 + 0.095) = 34.3%;
    # NPV 0.855 / (0.855 + 0.0005) = 99.94%, which rounds to 100%: shown as 99.9%, never "right 100% of the time".
    for normal in ("No_Finding", "HEALTHY", "negative", "normal"):
        text = card_text(_two_class_meta(normal, "Pneumonia", {normal: (0.9, 0.99), "Pneumonia": (0.99, 0.9)}), "m")
        assert (f"If 5% of your films were Pneumonia and the rest like its {normal} test films: a Pneumonia answer "
                "would be right 34% of the time (PPV), "
                f"a {normal} answer 99.9% (NPV; every film called {normal}: 95%)") in text, text
    # Two classes, neither normal (or both normal): each class's PPV, as before. 0.9 * 0.05 = 0.045 found,
    # 0.2 * 0.95 = 0.19 false: 19%; 0.8 * 0.05 = 0.04 found, 0.1 * 0.95 = 0.095 false: 30%.
    for a, b in (("COVID", "Pneumonia"), ("Normal", "Healthy")):
        text = card_text(_two_class_meta(a, b, {a: (0.9, 0.8), b: (0.8, 0.9)}), "m")
        assert f"If a class made up 5% of your films, its answers would be right (PPV): {a} 19%, {b} 30%" in text
    # Three classes, one of them Normal: "COVID at 5%" no longer fixes the others' shares, so per class; Normal's
    # left out, as with two classes: "Normal 30%" read as a Normal answer seldom right where most films are Normal
    # (hunt 58 reader2, M2), and what a Normal answer says is said naming the other classes
    three = _two_class_meta("COVID", "Normal",
                            {"COVID": (0.9, 0.8), "Normal": (0.8, 0.9), "Lung_Opacity": (0.9, 0.8)})
    three["labels"].append("Lung_Opacity")
    assert ("its answers would be right (PPV): COVID 19%, Lung_Opacity 19%; Normal left out: a Normal answer says only "
            "'not COVID or Lung_Opacity', never 'no disease'") in card_text(three, "m")
    # a class whose answers add nothing at 5% is marked, as report.md marks it (it was on two-class cards only)
    chance = _two_class_meta("COVID", "Normal", {"COVID": (0.5, 0.5), "Normal": (0.8, 0.9), "Lung_Opacity": (0.9, 0.8)})
    chance["labels"].append("Lung_Opacity")
    assert "COVID 5% (no better than no test), Lung_Opacity 19%" in card_text(chance, "m")
    # A disease never (or always) answered: its PPV (or NPV) is undefined, and the line says so in words.
    never = card_text(_two_class_meta("COVID", "Normal", {"COVID": (0.0, 1.0), "Normal": (1.0, 0.0)}), "m")
    assert ("it answered COVID for none of the test films; a Normal answer would be right 95% of the time (NPV; every "
            "film called Normal: "
            "95%, so this answer is no better than no test)") in never
    always = card_text(_two_class_meta("COVID", "Normal", {"COVID": (1.0, 0.0), "Normal": (0.0, 1.0)}), "m")
    assert ("a COVID answer would be right 5% of the time (PPV) (no better than no test); it answered Normal for none of "
            "the test films") in always  # said of the test films: it may answer Normal on others
    assert "never answer" not in always + never
    # 5/7 and 2/7 as the card stores them, 0.714 and 0.286: a PPV of 0.05000000000000002 is the prevalence, and
    # report.md (from the counts) marks it no better than no test; the card said nothing
    chance = card_text(_two_class_meta("COVID", "Normal", {"COVID": (0.714, 0.286), "Normal": (0.286, 0.714)}), "m")
    assert "right 5% of the time (PPV) (no better than no test)" in chance, chance
    assert "every film called Normal: 95%, so this answer is no better than no test" in chance
    # No COVID films in the test split: no figure to key the line to, so no line.
    none = _two_class_meta("COVID", "Normal", {"COVID": (0.9, 0.8), "Normal": (0.8, 0.9)})
    none["validation"]["test"]["per_class"]["COVID"]["sensitivity"] = [None, None, None]
    assert "(PPV)" not in card_text(none, "m")


def test_a_file_that_failed_the_gate_carries_the_verdict_and_its_reasons(tiny_run):
    """A failed file stays on disk beside the others: copied to a device, its card must still say so."""
    from convert.card import validation_card

    report = json.loads((tiny_run / "report.json").read_text())
    reasons = ["accuracy fell 6.2 points (limit 1)", "COVID sensitivity fell 12.5 points (limit 2)"]
    report["models"]["int8"]["gate"] = {"passed": False, "reasons": reasons}
    card = validation_card(report, "int8", "cxr-dev", None)
    assert card["gate"]["passed"] is False and card["gate"]["reasons"] == reasons
    assert (card["gate"]["max_drop"], card["gate"]["max_class_drop"]) == (report["gate"]["max_drop"],
                                                                           report["gate"]["max_class_drop"])
    assert card["gate"]["text"].startswith("This file FAILED cxr-convert's gate: accuracy fell 6.2 points (limit 1); "
                                           "COVID sensitivity fell 12.5 points (limit 2).")
    meta = {**json.loads((tiny_run / "report.json").read_text()), "labels": report["classes"], "validation": card}
    assert card["gate"]["text"] in card_text(meta, "model_int8.tflite").splitlines()  # what --card prints
    report["models"]["fp32"]["gate"] = {"passed": True, "reasons": []}
    passed = validation_card(report, "fp32", "cxr-dev", None)
    assert passed["gate"]["passed"] is True
    assert "gate" not in card_text({**meta, "validation": passed}, "model_fp32.tflite")


def test_convert_scores_the_data_folders_other_classes_and_the_card_says_what_they_got(tiny_run, tmp_path, capsys):
    """A COVID,Normal run whose data folder also holds a class it was not trained on: cxr-convert
    gives each file's answers for those films (here copies of Normal test films, so they must get
    exactly the answers those get), in report.md and in the file's card; a copy of a training film
    (one film under two labels) is left out of them."""
    import numpy as np

    from convert.quantize import ConvertSettings, run_conversion
    from edge.decision import labels_for
    from edge.figures import fixed
    from edge.preprocess import preprocess_file

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = json.loads((run / "split.json").read_text())
    data = tmp_path / "data"
    shutil.copytree(split["data_dir"], data)
    (data / "Pneumonia").mkdir()
    for i in split["splits"]["test"]:
        if i["label"] == "Normal":
            copy = data / "Pneumonia" / Path(i["path"]).name
            # other bytes, the same pixels (a PNG ignores what follows its end): a folder of the run's own test
            # films is taken for a class folder renamed since training (convert.left_out), not another finding
            copy.write_bytes((data / i["path"]).read_bytes() + b"\0")
    films = sorted((data / "Pneumonia").glob("*.png"))
    trained = next(i for i in split["splits"]["train"] if i["label"] == "Normal")
    shutil.copy(data / trained["path"], data / "Pneumonia" / "trained.png")
    split["data_dir"] = str(data)
    (run / "split.json").write_text(json.dumps(split))
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True, latency_threads=(),
                                               n_boot=100, explain=0, progress=False))
    m = EdgeModel(run / "model_int8.tflite")
    x = np.stack([preprocess_file(f, m.preprocess) for f in films])
    said = labels_for(m.classify(x), m.decision)
    got = report["other_classes"]["by_mode"]["int8"]["Pneumonia"]
    assert films and got["films"] == len(films) and got["unreadable"] == 0 and got["seen_in_training"] == 1
    assert {c: a["films"] for c, a in got["called"].items()} == {c: int((said == k).sum()) for k, c in enumerate(m.labels)}
    # on stderr too each share with its 95% interval, as docs/commands.md says (a bare 48% of 50 films read as exact)
    covid = got["called"]["COVID"]
    said_on_stderr = (f"cxr-convert: int8: Pneumonia ({len(films)} films, not trained on) called COVID {int((said == 0).sum())} "
                      f"({fixed(covid['share'], 0, 100)}%, {fixed(covid['share_ci'][0], 0, 100)}-{fixed(covid['share_ci'][1], 0, 100)})")
    assert said_on_stderr in capsys.readouterr().err and m.labels[0] == "COVID"
    assert list(report["other_classes"]["by_mode"]["int8"]) == ["Pneumonia"]  # COVID and Normal are its own
    card = m.meta["validation"]["other_classes"]
    assert {f: {k: v for k, v in r.items() if k != "called_ci"} for f, r in card.items()} == {
        "Pneumonia": {"n": len(films), "called": {c: pytest.approx(float((said == k).mean()), abs=5e-4) for k, c in enumerate(m.labels)}}}
    # each share's 95% interval beside it (an older edge-classify reads "called" as numbers)
    assert card["Pneumonia"]["called_ci"] == {c: pytest.approx(v["share_ci"], abs=5e-4) for c, v in got["called"].items()}
    text = card_text(m.meta, "model_int8.tflite")
    assert f"Films of its data folder's classes it was never trained on got (95% intervals in brackets): Pneumonia (n = {len(films)}) COVID " in text
    assert "Every film gets one of its answers (COVID or Normal), also a film with a finding it was never trained on" in text
    md_text = (run / "report.md").read_text()
    assert "## Classes left out" in md_text and "The films of the class folders in `" in md_text
    assert "` this run was not trained on (each file" in md_text and "`'s class folders" not in md_text
    assert "Left out of this table, as films this run was trained or validated on (the same films or copies): 1 of Pneumonia." in unpadded(md_text)
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True, latency_threads=(),
                                               n_boot=100, explain=0, other_classes=False, progress=False))
    assert "other_classes" not in report and "other_classes" not in EdgeModel(run / "model_int8.tflite").meta["validation"]


def test_the_files_own_facts_stay_its_own_and_each_is_asked_for_alone(tiny_run, tmp_path):
    """--card --selftest printed the card and exited 0 without running the self-test (a script's
    '--selftest --card && deploy' shipped a failing file); --card --json printed text; --card with
    --labels renamed the headline but not the figures or the rule below it."""
    model = str(tiny_run / "model_int8.tflite")
    for options, said in ((["--card", "--selftest"], "choose one of --card and --selftest"),
                          (["--selftest", "--info"], "choose one of --info and --selftest"),
                          (["--card", "--json"], "--card is for people; --info gives the facts as JSON"),
                          (["--info", "--csv"], "--info prints JSON (with --json on one line), not CSV"),
                          (["--selftest", "--csv"], "--selftest prints text, or JSON with --json"),
                          (["x.png", "--card"], "--card is about the model file and classifies nothing"),
                          # printed as if obeyed: a card 'under' a threshold it never applied
                          (["--card", "--threshold", "COVID=0.3"], "--card is about the model file and classifies "
                                                                    "nothing: --threshold is for classifying films"),
                          (["--selftest", "--watch", "--top-k", "2"], "--watch, --top-k are for classifying films"),
                          (["--info", "--explain", "maps", "-r"], "--explain, --recursive are for classifying films")):
        r = CliRunner().invoke(app, [*options, "--model", model])
        assert r.exit_code == 2 and said in r.output, (options, r.output)
    own = EdgeModel(model).labels
    r = CliRunner().invoke(app, ["--card", "--labels", "Pos,Neg", "--model", model])
    assert r.exit_code == 0 and " / ".join(own) in r.stdout and "Pos" not in r.stdout, r.stdout
    assert "the card names the classes as" in r.stderr
    r = CliRunner().invoke(app, ["--info", "--labels", "Pos,Neg", "--model", model])
    facts = json.loads(r.stdout)
    assert facts["labels"] == own and facts["labels_given"] == ["Pos", "Neg"]


def test_a_card_whose_figures_were_cut_is_refused_in_words(tiny_run, tmp_path):
    path = tmp_path / "edited.tflite"
    path.write_bytes(md.rewrite((tiny_run / "model_int8.tflite").read_bytes(),
                                lambda meta: {**meta, "validation": {**meta["validation"],
                                              "test": {k: v for k, v in meta["validation"]["test"].items() if k != "ece"}}}))
    r = CliRunner().invoke(app, ["--card", "--model", str(path)])
    assert r.exit_code == 2 and "its card's figures are damaged or incomplete (KeyError: 'ece')" in r.output, r.output


def test_a_held_out_figure_counted_under_another_rule_says_which(tiny_run, tmp_path):
    """cxr-evaluate --save-model stored a Normal rule; the card still called its held-out COVID
    sensitivity, counted under the earlier labelling, 'its stored rule'."""
    from convert.operating_point import stamped
    from edge.card import card_text

    held = {"source": "hannover", "n": 10, "labels": "its stored rule",
            "per_class": {"COVID": {"n": 10, "sensitivity": [0.5, 0.237, 0.763]}}}
    path = tmp_path / "m.tflite"
    path.write_bytes(md.rewrite((tiny_run / "model_int8.tflite").read_bytes(), lambda meta: {
        **meta, "decision": {"class": "COVID", "threshold": 0.3, "target_sensitivity": 0.9},
        "validation": {**meta["validation"], "held_out_source": held}}))
    path.write_bytes(stamped(path, {"class": "Normal", "threshold": 0.4931, "target_sensitivity": 0.9,
                                    "chosen_on": "films in site (40, cxr-evaluate)"}))
    text = card_text(EdgeModel(path).meta, "m.tflite")
    line = next(ln for ln in text.splitlines() if ln.startswith("Held-out source"))
    assert "counted under COVID whenever p >= 0.3, before its present rule was stored: COVID sensitivity 0.500" in line
    path.write_bytes(stamped(path, {"class": "Normal", "threshold": 0.2, "target_sensitivity": 0.95,
                                    "chosen_on": "films in site (40, cxr-evaluate)"}))  # a third rule: still the first's
    assert "counted under COVID whenever p >= 0.3" in card_text(EdgeModel(path).meta, "m.tflite")


def test_with_a_rule_on_three_classes_each_class_is_given_under_it_where_the_card_has_them():
    from edge.answer_worth import ppv_line, rule_class_alone, under_rule

    per_class = {c: {"n": 30, "sensitivity": [0.8, 0.6, 0.9], "specificity": [0.9, 0.8, 0.95]}
                 for c in ("COVID", "Normal", "Viral")}
    rule = {"class": "COVID", "threshold": 0.2, "sensitivity": [0.95, 0.8, 0.99], "specificity": [0.7, 0.6, 0.8]}
    line = ppv_line(under_rule(per_class, rule))
    assert "COVID 14%" in line and "Normal" not in line and "Viral" not in line  # theirs are the most probable class's
    assert "COVID alone: the card does not carry the other answers' figures under the rule" in \
        line + rule_class_alone(rule, list(per_class))
    # a card that carries every class's figures under the rule gives each answer's worth (cxr-convert's rule_on_test)
    rule["per_class"] = {c: {"sensitivity": [0.5, 0.3, 0.7], "specificity": [0.95, 0.9, 0.99]} for c in ("Normal", "Viral")}
    rule["per_class"]["COVID"] = {"sensitivity": rule["sensitivity"], "specificity": rule["specificity"]}
    line = ppv_line(under_rule(per_class, rule))
    assert "COVID 14%" in line and "Normal 34%" not in line and "Viral 34%" in line and "Normal left out" in line
    assert rule_class_alone(rule, list(per_class)) == ""
    nearly = {"A": {"sensitivity": [0.999], "specificity": [0.99999]}, "B": {"sensitivity": [0.5], "specificity": [0.5]},
              "C": {"sensitivity": [0.5], "specificity": [0.5]}}
    assert "A >99.9%" in ppv_line(nearly)  # not "100%": an answer right 100% of the time is a promise


def test_the_device_note_says_what_a_normal_answer_means():
    """'Normal 0.9988' for a child's viral pneumonia read as a normal film: to the model it means only
    none of its other classes."""
    from edge.answer_worth import normal_note

    assert normal_note(["COVID", "Normal"]) == "; 'Normal' means only 'not COVID', never 'no disease'"
    assert normal_note(["COVID", "Lung_Opacity", "No_Finding"]) == \
        "; 'No_Finding' means only 'not COVID or Lung_Opacity', never 'no disease'"
    assert normal_note(["Normal"]) == "" and normal_note(["Normal", "Healthy", "COVID"]) == ""


def test_the_device_note_says_a_model_without_a_normal_class_gives_every_film_a_disease_label():
    """A COVID / Lung_Opacity / Viral_Pneumonia model answered a healthy film 'Viral_Pneumonia 0.8042', and
    edge-classify's note said nothing of it, where a model with a Normal class is told what that answer means."""
    from edge.answer_worth import normal_note

    assert normal_note(["COVID", "Lung_Opacity", "Viral_Pneumonia"]) == (
        "; this model has no normal class: every film, a healthy one too, gets one of COVID, Lung_Opacity or Viral_Pneumonia")
    assert normal_note(["COVID", "Pneumonia"]) == \
        "; this model has no normal class: every film, a healthy one too, gets COVID or Pneumonia"
    # the card says it once, in its own line, and not as the device's note
    text = card_text({"labels": ["COVID", "Lung_Opacity", "Viral_Pneumonia"]}, "m.tflite")
    assert text.count("every film") + text.count("Every film") == 1 and "no normal class" not in text


def test_a_normal_rule_chosen_on_four_classes_gives_no_normal_ppv_on_the_card():
    """cxr-evaluate --operating-point Normal=0.9 --save-model on a 4-class model: the copy's card said 'Normal 7% (6%
    to 10% ...)' at 5%, read as a Normal answer right 7% of the time, where everywhere else Normal is left out
    (hunt 59, 1): the line counted the rows it was given (Normal's alone), not the model's labels."""
    labels = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    meta = _meta(rule_on_site={"films": "films in site (120, cxr-evaluate)", "class": "Normal", "threshold": 0.1138,
                               "estimate": "next films", "sensitivity": [0.871, 0.735, 0.962],
                               "specificity": [0.433, 0.336, 0.536]})
    meta["labels"], meta["decision"] = labels, {"class": "Normal", "threshold": 0.1138}
    meta["validation"]["test"]["per_class"] = {c: {"n": 8, "sensitivity": [0.75, 0.41, 0.93],
                                                   "specificity": [0.88, 0.69, 0.96]} for c in labels}
    text = card_text(meta, "site.tflite")
    (line,) = [ln for ln in text.splitlines() if "worth at your prevalence" in ln or "(PPV)" in ln]
    assert "Normal 7%" not in line and "PPV" not in line and "Normal alone" not in line
    assert line.startswith("  No figure for what its answers are worth at your prevalence: Normal left out, since a "
                           "Normal answer says only 'not COVID, Lung_Opacity or Viral_Pneumonia'")
    assert line.endswith("; the card does not carry the other answers' figures under the rule")


def test_a_normal_class_named_between_the_others_says_every_other_class():
    """The note names every class a Normal answer rules out, wherever Normal stands among the labels."""
    from edge.answer_worth import normal_note

    assert normal_note(["COVID", "Normal", "Viral_Pneumonia"]) == \
        "; 'Normal' means only 'not COVID or Viral_Pneumonia', never 'no disease'"


def test_the_ppv_line_of_a_model_of_three_classes_follows_its_labels_not_the_rows_it_is_given():
    """A card of a COVID / Normal / Viral model whose figures hold two or one of its classes: the two-class line
    ('a Normal answer would be right 99%') would count the Viral answers as right Normal ones, and a Normal left
    out whose figures were never given is no word for the card; a model of two normal-like classes leaves neither
    out (which would be the Normal answer?)."""
    from edge.answer_worth import ppv_line

    labels = ["COVID", "Normal", "Viral"]
    rates = {"n": 30, "sensitivity": [0.8, 0.6, 0.9], "specificity": [0.9, 0.8, 0.95]}
    line = ppv_line({"COVID": rates, "Normal": rates}, labels=labels)
    assert line.startswith("  If a class made up 5% of your films, its answers would be right (PPV): COVID 30%"), line
    assert "Normal left out: a Normal answer says only 'not COVID or Viral'" in line and "NPV" not in line
    alone = ppv_line({"COVID": rates}, labels=labels)
    assert alone.startswith("  If a class made up 5% of your films, its answers would be right (PPV): COVID 30%")
    assert "left out" not in alone, alone
    assert ppv_line({"COVID": {"n": 0, "sensitivity": [None], "specificity": [0.9, 0.8, 0.95]}}, labels=labels) is None
    both = ppv_line({c: rates for c in ("COVID", "Normal", "No_Finding")})
    assert "Normal 30%" in both and "No_Finding 30%" in both and "left out" not in both, both


def test_a_normal_class_is_known_in_the_names_sites_give_it():
    """Normalbefund was read as a disease: its card gave each class's PPV at its own prevalence, and
    the device no note that a Normal answer says only 'not COVID'."""
    import unicodedata

    from edge.answer_worth import is_normal_class, normal_note

    for name in ("Normal", "NORMAL", "No_Finding", "0_normal", "Normalbefund", unicodedata.normalize("NFD", "Unauffällig"),
                 "gesund", "Healthy", "normals", "sano"):
        assert is_normal_class(name), name
    for name in ("COVID", "Pneumonia", "Abnormal", "not normal", "Lung_Opacity", "1_covid"):
        assert not is_normal_class(name), name
    assert "Normalbefund" in normal_note(["COVID-19 positiv", "Normalbefund"])


def test_the_card_is_read_where_no_runtime_is_installed(tiny_run, monkeypatch):
    """--card only reads the file's metadata, but failed on a machine without a TFLite runtime."""
    import edge.model
    from edge.runtime import RuntimeMissing

    def missing():
        raise RuntimeMissing("no TensorFlow Lite runtime: pip install ai-edge-litert")

    monkeypatch.setattr(edge.model, "interpreter_class", missing)
    model = str(tiny_run / "model_int8.tflite")
    r = CliRunner().invoke(app, ["--card", "--model", model])
    assert r.exit_code == 0 and "NOT a medical device" in r.output and "sensitivity" in r.output, r.output
    r = CliRunner().invoke(app, ["--info", "--model", model])  # the weights' facts need the runtime
    assert r.exit_code == 2 and "no TensorFlow Lite runtime" in r.output


def test_edge_classify_warns_about_a_file_that_failed_the_gate_and_the_card_names_an_ensemble(tiny_run, tmp_path):
    """A failed mode's file stays in the run folder: copied to a device, edge-classify ran it without a word (only
    --card said FAILED). And an ensemble's card read as one compact model's: 3 members, 3 times the compute."""
    from convert.card import stamp_card

    path = tmp_path / "m.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", path)
    meta = EdgeModel(path).meta
    failed = {**meta["validation"], "gate": {"passed": False, "text": "This file FAILED cxr-convert's gate: accuracy "
                                                                    "fell 6.2 points (limit 1)."}}
    stamp_card(path, failed)
    film = next(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]).glob("COVID/*.png"))
    r = CliRunner().invoke(app, [str(film), "--model", str(path)])
    assert r.exit_code == 0, r.output
    assert f"edge-classify: warning: {path}: This file FAILED cxr-convert's gate: accuracy fell 6.2 points" in r.output
    r = CliRunner().invoke(app, [str(film), "--model", str(tiny_run / "model_int8.tflite")])
    assert "gate" not in r.output
    assert "an ensemble of 3 compact models, their logits averaged: 3 times the compute of one" in card_text(
        {**meta, "members": 3}, "m.tflite").splitlines()[0]
    assert "ensemble" not in card_text(meta, "m.tflite")


def test_edge_classify_warns_at_classify_time_about_a_file_whose_test_split_does_not_beat_chance(tiny_run, tmp_path):
    """runB's file called all 44 test films Normal; its card said its interval reaches chance, but edge-classify gave
    its answers with the generic note alone, where it warns of a failed gate, a lesser reason (hunt 58, M7)."""
    from convert.card import stamp_card

    path = tmp_path / "m.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", path)
    meta = EdgeModel(path).meta
    film = next(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]).glob("COVID/*.png"))
    for interval, words in (([0.5, 0.45, 0.6], "reaches chance: its answers may not tell the classes apart"),
                            ([0.2, 0.1, 0.3], "lies wholly below chance: it was systematically wrong there")):
        stamp_card(path, {**meta["validation"], "test": {**meta["validation"]["test"], "balanced_accuracy": interval}})
        r = CliRunner().invoke(app, [str(film), "--model", str(path)])
        assert r.exit_code == 0, r.output
        assert (f"edge-classify: warning: {path}: on its test split its balanced accuracy's interval {words}"
                in r.output), r.output
    stamp_card(path, {**meta["validation"], "test": {**meta["validation"]["test"], "balanced_accuracy": [0.9, 0.85, 0.95]}})
    r = CliRunner().invoke(app, [str(film), "--model", str(path)])  # wholly above chance: no such warning
    assert r.exit_code == 0 and "balanced accuracy's interval" not in r.output, r.output


def test_a_damaged_synthetic_share_gives_the_plain_words():
    """A synthetic_share that is no object stopped edge-classify with 'unexpected AttributeError', exit 2."""
    from edge.synthetic_words import synthetic_words

    assert synthetic_words({"synthetic_share": "24 of 48"}) == synthetic_words({}) == "SYNTHETIC images"
    assert synthetic_words({"synthetic_share": {"synthetic": 24, "of": 48}}) == "partly SYNTHETIC images (24 of 48 films)"


def test_the_card_says_whether_the_file_checks_its_inputs_and_how_often_it_flags_its_own_films():
    """The card said nothing of the input check: whether a scanned form gets a warning, or an answer alone, was
    learnt only from edge-classify's notes at the first film."""
    without = card_text({**_meta(), "created_by": "cxr-edge 0.29.0, tensorflow 2.20.0"}, "m.tflite")
    assert ("Input check: none (its run had too few training films to fit one when it was converted: train on more "
            "films for one): a film unlike its training films gets an answer without a warning.") in without
    checked = card_text({**_meta(), "typicality": {"flagged_validation": 0.042, "mean": [0.0]}}, "m.tflite")
    assert ("Input check: a film unlike its training films (upside down, inverted, not a chest film) gets a warning "
            "beside its answer (--refuse-atypical: no answer); it flagged 4.2% of its own validation films too") in checked
    unstated = card_text({**_meta(), "typicality": {"mean": [0.0]}}, "m.tflite")
    assert "(--refuse-atypical: no answer)." in unstated and "flagged" not in unstated.split("Input check")[1]


def test_a_ppv_of_100_from_no_false_call_is_given_as_at_least_its_lower_end():
    """The card said 'COVID 100% (1% to 100% ...)' at 5% prevalence from no false call among 12 test films."""
    from edge.answer_worth import ppv_line

    per_class = {"COVID": {"n": 4, "sensitivity": [0.25, 0.046, 0.699], "specificity": [1.0, 0.758, 1.0]},
                 **{c: {"n": 4, "sensitivity": [0.5, 0.15, 0.85], "specificity": [0.8, 0.6, 0.9]} for c in ("Normal", "V")}}
    line = ppv_line(per_class)
    assert "COVID at least 0.9% (no false COVID call among the test films)" in line and "100%" not in line
    two = {"COVID": {"n": 4, "sensitivity": [1.0, 0.51, 1.0], "specificity": [1.0, 0.758, 1.0]},
           "Normal": {"n": 12, "sensitivity": [1.0, 0.758, 1.0], "specificity": [1.0, 0.51, 1.0]}}
    line = ppv_line(two)
    assert ("a COVID answer would be right at least 9% of the time (PPV, no false COVID call among the test films), "
            "a Normal answer at least 96% (NPV, no COVID film missed among the test films;") in line
    assert "100%" not in line  # the lower ends, 9.98% and 96.7%, rounded down: 'at least' is a promise


def test_card_per_class_lines_line_up_whatever_the_names_length_or_script():
    from edge.text_width import shown_width
    row = {"n": 2, "sensitivity": [0.5, 0.095, 0.905], "specificity": [0.938, 0.717, 0.989]}
    names = ["all", "肺炎", "Diffuse interstitial lung disease with honeycombing pattern X", "Lunge\u0301"]
    meta = _meta()
    meta["labels"] = names
    meta["validation"]["test"]["per_class"] = {c: row for c in names}
    rows = [line for line in card_text(meta, "m.tflite").splitlines() if " n = 2 " in line]
    assert len(rows) == 4
    assert len({shown_width(line.split(" n = ")[0]) for line in rows}) == 1, rows


def test_info_counts_are_in_the_order_the_docs_give():
    """--info's validation.test.per_class.*.counts is an unnamed list: documented nowhere, a script had to guess
    from the rates which of 6, 0, 6, 0 were the false positives; the order the docs give is the one written
    (convert.card) and read back (edge.answer_worth) (hunt 59)."""
    import re

    from convert.card import _counts
    from edge.answer_worth import exact_rates

    docs = " ".join((Path(__file__).parents[1] / "docs" / "commands.md").read_text(encoding="utf-8").split())
    info = docs.split("- `--info`:", 1)[1].split("- `--selftest`:", 1)[0]
    said = re.search(r"`counts`.*?`\[(\w+), (\w+), (\w+), (\w+)\]`", info)
    assert said, info
    figures = {"tp": 1, "fn": 2, "fp": 3, "tn": 4}
    assert _counts(figures)["counts"] == [figures[k] for k in said.groups()]
    sens, spec = exact_rates({"sensitivity": [0.5, 0.1, 0.9], "specificity": [0.5, 0.1, 0.9], **_counts(figures)})
    assert (sens[0], spec[0]) == (1 / 3, 4 / 7)  # tp / (tp + fn), tn / (tn + fp)


def test_the_card_judges_no_better_than_no_test_from_the_counts_as_the_report_does():
    """1 of 16 COVID films found and 61 of 65 Normal films right: stored to 3 decimals, 0.062 + 0.938 = 1, and the
    card called its COVID answer no better than no test, where the report, from the counts, gave it a PPV above
    the prevalence (5.07% at 5%). Under a stored rule with the same counts, the same."""
    import numpy as np

    from convert.card import _counts, _per_class
    from convert.metrics import confusion_matrix, per_class_metrics
    from convert.prevalence import at_prevalences, no_better

    y = np.array([0] * 16 + [1] * 65)
    pred = np.array([0] + [1] * 15 + [0] * 4 + [1] * 61)
    rows = per_class_metrics(confusion_matrix(y, pred, 2), ["COVID", "Normal"])
    report_row = next(r for r in at_prevalences(rows, (0.05,)) if r["class"] == "COVID")
    assert not no_better(report_row, "ppv") and report_row["ppv"] == pytest.approx(0.0507, abs=1e-4)
    per_class = _per_class({"per_class": rows})
    assert per_class["COVID"]["sensitivity"][0] + per_class["COVID"]["specificity"][0] == 1.0  # as rounded
    meta = {"labels": ["COVID", "Normal"], "validation": {"data": "x", "test": {
        "n": 81, "balanced_accuracy": [0.5, 0.4, 0.6], "ece": 0.05, "per_class": per_class}}}
    text = card_text(meta, "m")
    assert "a COVID answer would be right 5% of the time (PPV" in text and "no better" not in text, text
    # the same counts as a stored rule's on the test films: its card line follows the rule's counts, not the
    # most probable class's (here made 16 of 16 and 65 of 65, which would read far better)
    covid = next(r for r in rows if r["class"] == "COVID")
    meta["validation"]["test"]["per_class"] = _per_class({"per_class": per_class_metrics(
        confusion_matrix(y, y, 2), ["COVID", "Normal"])})
    meta["validation"]["rule_on_test"] = {"class": "COVID", "threshold": 0.5, **{k: per_class["COVID"][k] for k in (
        "sensitivity", "specificity")}, **_counts(covid)}
    meta["decision"] = {"class": "COVID", "threshold": 0.5}
    text = card_text(meta, "m")
    assert "a COVID answer would be right 5% of the time (PPV" in text and "no better" not in text, text
    # a rule stored without counts (cxr-edge 0.37.0 and before): its own rounded rates, never the most probable
    # class's counts (which would make its answer right 100% of the time)
    del meta["validation"]["rule_on_test"]["counts"]
    text = card_text(meta, "m")
    assert "a COVID answer would be right 5% of the time (PPV" in text and "(no better than no test)" in text, text


def test_a_macro_auroc_on_one_film_of_a_class_is_carried_and_shown_without_an_interval():
    """A test split of one COVID film gave the card 'macro AUROC 0.944 (0.833 to 1.000)' beside a balanced accuracy at
    chance: the bootstrap kept that film in every resample. cxr-convert stores why there is no interval, and the card
    says it, not a bare value a reader takes for one that needed none."""
    import numpy as np

    from convert.card import validation_card
    from convert.summary import summarize

    covid = np.r_[0.5, np.linspace(0.05, 0.95, 20)]
    m = summarize(np.array([0] + [1] * 20), np.stack([covid, 1 - covid], 1), ["COVID", "Normal"], n_boot=100)
    card = validation_card({"models": {"int8": m}}, "int8", "site", None)
    assert card["test"]["macro_auroc"] == [0.5, None, None] and card["test"]["macro_auroc_no_interval"] == "one COVID film"
    text = card_text({"labels": ["COVID", "Normal"], "validation": card}, "m.tflite")
    assert "macro AUROC 0.500 (no interval: one COVID film among the test films, whose rank alone decides it), ECE" in text
    assert "macro AUROC 0.966 (0.940 to 0.990), ECE" in card_text(_meta(), "m.tflite")  # a file without the field: as before


def test_the_cards_rule_line_says_a_rule_chosen_on_too_few_films_does_not_hold_its_target():
    """cxr-convert warned that a 0.9 rule chosen on 1 validation Viral_Pneumonia film is expected to find 0.500 of the
    next ones, on stderr and in report.md alone: the card, which goes with the file, said only 'chosen for 0.9
    sensitivity on the validation split's 1 Viral_Pneumonia film'. Its arithmetic and margin are cxr-convert's."""
    from convert.rule_notes import stored_shortfall

    def rule(target: float, n: int, sens: float = 1.0) -> dict:
        return {"class": "COVID", "threshold": 0.2, "target_sensitivity": target, "chosen_on": "validation split",
                "chosen_films": {"n_positive": n, "n_negative": 40, "sensitivity": sens, "specificity": 0.8}}

    def said(d: dict) -> str:
        return next(ln for ln in card_text({**_meta(), "decision": d}, "m.tflite").splitlines() if ln.startswith("Labels"))

    assert said(rule(0.9, 1)).endswith("(chosen for 0.9 sensitivity on the validation split's 1 COVID film, too few to "
                                       "hold it: expected to find 0.500 of the next ones)")
    assert "expected to find 0.818 of the next ones" in said(rule(0.95, 10, 0.9))  # 9 of 10 found: 9 / 11
    # 15 of 15 found: 15/16 = 0.9375, within cxr-convert's margin of 0.95 (0.02); 13/14 = 0.929 is not; 1/2 holds 0.5
    for d, short in ((rule(0.95, 15), False), (rule(0.95, 13), True), (rule(0.5, 1), False), (rule(0.9, 10, 0.9), True)):
        assert ("too few to hold it" in said(d)) is short and (stored_shortfall(d) is not None) is short, d
    assert "too few" not in said({**rule(0.9, 1), "chosen_on": "films in eval4 (60, cxr-evaluate)"})  # its own figures


def test_the_cards_rule_line_says_how_many_films_of_its_class_the_rule_was_chosen_on():
    """'Labels: COVID whenever p(COVID) >= 0.0103' gave no hint that the 0.95 rule was chosen on 2 validation COVID
    films; the count the file holds is said, as edge-classify's note says it (a file without it: the split alone)."""
    decision = {"class": "COVID", "threshold": 0.0103, "target_sensitivity": 0.95, "chosen_on": "validation split",
                "chosen_films": {"n_positive": 2, "n_negative": 45, "sensitivity": 1.0, "specificity": 0.0}}
    labels = next(ln for ln in card_text({**_meta(), "decision": decision}, "m.tflite").splitlines() if ln.startswith("Labels"))
    assert labels == ("Labels: COVID whenever p(COVID) >= 0.0103, else the most probable of the other classes (chosen for "
                      "0.95 sensitivity on the validation split's 2 COVID films, too few to hold it: expected to find "
                      "0.667 of the next ones)")
    one = {**decision, "chosen_films": {**decision["chosen_films"], "n_positive": 1}}
    assert "on the validation split's 1 COVID film, too few to hold it" in card_text({**_meta(), "decision": one}, "m.tflite")
    site = {**decision, "chosen_on": "films in eval4 (60, cxr-evaluate)", "chosen_films": {"n_positive": 15}}
    assert "(chosen for 0.95 sensitivity on the 60 films of the folder 'eval4' (cxr-evaluate), 15 of them COVID)" in card_text(
        {**_meta(), "decision": site}, "m.tflite")
    bare = {k: v for k, v in decision.items() if k != "chosen_films"}
    assert "(chosen for 0.95 sensitivity on the validation split)" in card_text({**_meta(), "decision": bare}, "m.tflite")


def test_a_float_and_int8_file_a_hair_apart_are_not_said_to_be_zero_apart():
    """'probabilities at most 0.0000 apart' for 1.8e-7 (and report.md's 0.000 for 0.00027) said the file gave
    the float model's probabilities exactly, which no quantized file does."""
    from edge.figures import rounded  # as convert.card stores it: never rounded to 0

    meta = _meta()
    meta["validation"]["against_float"] = {"same_class": 40, "n": 40, "max_abs_prob_error": rounded(1.8e-7, 4)}
    assert "probabilities at most 0.000001 apart" in card_text(meta, "m.tflite")


def test_the_largest_probability_difference_from_the_float_model_is_stored_rounded_up():
    """The card says the file's probabilities are 'at most' this far from the float model's: 0.00124 stored to
    nearest read 'at most 0.0012 apart', less than the test films showed (hunt 61, edge audit)."""
    from convert.card import validation_card

    def stored(error: float) -> float:
        m = {"n": 40, "balanced_accuracy": 0.9, "balanced_accuracy_ci": [0.8, 0.95], "macro_auroc": None, "ece": 0.05,
             "per_class": [], "agreement": {"class_agreement": 1.0, "max_abs_prob_error": error}}
        return validation_card({"models": {"int8": m}}, "int8", "data", None)["against_float"]["max_abs_prob_error"]

    assert [stored(e) for e in (0.00124, 0.0012, 0.00120001, 1.8e-7)] == [0.0013, 0.0012, 0.0013, 1e-6]
    meta = _meta()
    meta["validation"]["against_float"] = {"same_class": 40, "n": 40, "max_abs_prob_error": stored(0.00124)}
    assert "probabilities at most 0.0013 apart" in card_text(meta, "m.tflite")


def test_the_cards_site_rule_line_says_a_rule_that_calls_most_other_films_its_class_does_so():
    """A copy saved by cxr-evaluate --save-model whose rule called 50 of 60 Normal films COVID: its card gave
    'specificity 0.167 (0.093 to 0.280)' without a word, where edge-classify's note says 'it calls most films of the
    other classes COVID' (hunt 58, H1). One wording, edge.stored_rule_words.calls_most."""
    site = {"films": "films in site (120, cxr-evaluate)", "class": "COVID", "threshold": 0.4017, "estimate": "next films",
            "sensitivity": [0.934, 0.861, 0.982], "specificity": [0.167, 0.093, 0.280]}
    meta = {**_meta(rule_on_site=site), "decision": {"class": "COVID", "threshold": 0.4017}}
    (line,) = [ln for ln in card_text(meta, "site.tflite").splitlines() if ln.startswith("Its rule")]
    assert line.endswith("specificity 0.167 (0.093 to 0.280): it calls most films of the other classes COVID")
    fine = {**site, "specificity": [0.62, 0.54, 0.69]}
    meta = {**_meta(rule_on_site=fine), "decision": {"class": "COVID", "threshold": 0.4017}}
    assert "it calls most" not in card_text(meta, "site.tflite")


def test_a_two_class_cards_stored_rule_line_says_the_device_answers_by_it_and_what_a_low_specificity_means():
    """runH's card led with 'most probable class: balanced accuracy 0.716' and gave, on a lower-case continuation line,
    'with its rule (COVID whenever p >= 0.2947) ... specificity 0.182' without a word, where edge-classify's note says
    it calls most films of the other classes COVID (hunt 58, M2): for two classes no warning was given at all."""
    rule = {"class": "COVID", "threshold": 0.2947, "sensitivity": [0.9, 0.699, 0.972], "specificity": [0.182, 0.073, 0.385]}
    text = card_text({**_meta(rule_on_test=rule), "decision": {"class": "COVID", "threshold": 0.2947}}, "m.tflite")
    (lead,) = [ln for ln in text.splitlines() if ln.startswith("Test split")]
    assert "most probable class (not the device's answers: it answers by its rule, below): balanced accuracy" in lead
    assert ("  The device answers by its rule (COVID whenever p >= 0.2947): COVID sensitivity 0.900 (0.699 to 0.972), "
            "specificity 0.182 (0.073 to 0.385): it calls most films of the other classes COVID") in text.splitlines()
    fine = card_text({**_meta(rule_on_test={**rule, "specificity": [0.8, 0.6, 0.9]}),
                      "decision": {"class": "COVID", "threshold": 0.2947}}, "m.tflite")
    assert "it calls most" not in fine and "by its rule (COVID" in fine
    assert "not the device's answers" not in card_text(_meta(), "m.tflite")  # no rule: it answers by these figures


def test_a_four_class_card_says_where_the_disease_classes_missed_test_films_went():
    """The card of a 4-class file gave each class's sensitivity and nothing of where its misses went: 3 of run4b's 11
    COVID test films called Normal, the harm that matters to a device reader, could not be read off the device
    (hunt 58 reader2, M4). A file stamped before the card kept them says nothing."""
    import numpy as np

    from convert.card import validation_card
    from convert.summary import summarize

    classes = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    cm = np.array([[7, 1, 3, 0], [1, 1, 2, 7], [2, 0, 5, 4], [0, 0, 0, 11]])
    y = np.repeat(np.arange(4), cm.sum(axis=1))
    m = summarize(y, np.eye(4)[np.concatenate([np.repeat(np.arange(4), row) for row in cm])], classes, n_boot=0)
    card = validation_card({"classes": classes, "models": {"int8": {**m, "n": 44, "ece": 0.1}}}, "int8", "d4", None)
    assert card["test"]["misses"]["COVID"] == {"Normal": 3, "Lung_Opacity": 1} and "Viral_Pneumonia" not in card["test"]["misses"]
    text = card_text({"labels": classes, "validation": card}, "m")
    assert ("  Missed test films of the disease classes (most probable class), and what they were called: COVID 4 of 11 "
            "(called Normal 3, Lung_Opacity 1); Lung_Opacity 10 of 11 (called Viral_Pneumonia 7, Normal 2, COVID 1)\n") in text
    del card["test"]["misses"]  # a file stamped before
    assert "Missed test films" not in card_text({"labels": classes, "validation": card}, "m")
    two = summarize(y[:22] // 11, np.eye(2)[np.r_[[0] * 8, [1] * 3, [1] * 11]], ["COVID", "Normal"], n_boot=0)
    assert "misses" not in validation_card({"classes": ["COVID", "Normal"], "models": {"int8": {**two, "n": 22, "ece": 0.1}}},
                                           "int8", "d", None)["test"]


def test_the_missed_films_line_says_only_counts_it_can_stand_behind():
    """misses_line from a file's stored counts: a count of 0, or one no positive whole number (a damaged file's
    "3", 2.5, true) is left out, not shown as 'called Viral 0' or 'called Lung_Opacity True'; a class whose film count
    is not a whole number is left out; a model of two classes says nothing (its sensitivity says it); with two
    normal-like classes neither is left out as the Normal one, and the line does not speak of disease classes."""
    from edge.missed_films import misses_line

    labels = ["COVID", "Lung_Opacity", "Normal", "Viral"]
    per_class = {c: {"n": 11} for c in labels}
    damaged = {"COVID": {"Normal": 3, "Viral": 0, "Lung_Opacity": True}, "Viral": {"Normal": "3", "COVID": 2.5}}
    assert misses_line({"misses": damaged, "per_class": per_class}, labels) == (
        "  Missed test films of the disease classes (most probable class), and what they were called: COVID 3 of 11 "
        "(called Normal 3)")
    for n in (None, True, 11.0):
        assert misses_line({"misses": {"COVID": {"Normal": 3}}, "per_class": {"COVID": {"n": n}}}, labels) == ""
    assert misses_line({"misses": {"COVID": {"Normal": 3}}, "per_class": {"COVID": {"n": 11}}}, ["COVID", "Normal"]) == ""
    two = ["COVID", "Normal", "No_Finding"]
    assert misses_line({"misses": {"Normal": {"COVID": 2}, "No_Finding": {"COVID": 1}},
                        "per_class": {c: {"n": 11} for c in two}}, two) == (
        "  Missed test films (most probable class), and what they were called: Normal 2 of 11 (called COVID 2); "
        "No_Finding 1 of 11 (called COVID 1)")


def test_the_card_names_the_held_out_films_own_sources_where_they_read_otherwise_than_the_name_typed():
    """`--holdout-source hannover` holds out the kaggle-hannover films (matched by file name): report.md named the
    films' own sources, the card the text typed alone, as if a source called 'hannover' had been scored."""
    import numpy as np

    from convert.card import validation_card
    from convert.summary import summarize

    p = np.r_[np.linspace(0.6, 0.95, 9), 0.3]
    m = summarize(np.zeros(10, int), np.stack([p, 1 - p], 1), ["COVID", "Normal"], n_boot=50)
    ext = {"source": "hannover", "n": 10, "sources": {"kaggle-hannover": 7, "hannover-2": 2}, "int8": m}
    card = validation_card({"models": {"int8": m}, "external": ext}, "int8", "cxr-dev", None)
    assert card["held_out_source"]["sources"] == {"kaggle-hannover": 7, "hannover-2": 2}
    line = next(ln for ln in card_text({"labels": ["COVID", "Normal"], "validation": card}, "m.tflite").splitlines()
                if ln.startswith("Held-out source"))
    assert line.startswith("Held-out source hannover (n = 10, kept out of training and validation; its films' sources: "
                           "kaggle-hannover (7), hannover-2 (2), and 1 of none, matched by file name), most probable "
                           "class: COVID sensitivity 0.900"), line

    same = validation_card({"models": {"int8": m}, "external": {**ext, "sources": {"hannover": 10}}}, "int8", "d", None)
    assert "sources" not in same["held_out_source"]  # named as typed: nothing more to say
    assert "(n = 10, kept out of training and validation), most" in card_text(
        {"labels": ["COVID", "Normal"], "validation": same}, "m.tflite")
    odd = {**card, "held_out_source": {**card["held_out_source"], "sources": {"a\x1b[2Jb": 10}}}  # hand-edited
    assert "its films' sources: a\\u001b[2Jb (10))" in card_text({"labels": ["COVID", "Normal"], "validation": odd}, "m")
