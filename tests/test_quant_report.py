"""cxr-convert's report.md (convert.quant_report): class flips in words, a held-out source of one
class, and how ECE is binned. Written from the tiny run's own report.json, altered, without converting."""

from __future__ import annotations

import json
import shutil

import numpy as np

from convert.flips import flip_line
from convert.quant_report import write_quantization_report
from convert.summary import summarize
from tests.conftest import unpadded


def test_a_flip_reads_as_class_and_probability():
    flip = {"file": "COVID/a.png", "true": "COVID", "reference": {"COVID": 0.5441, "Normal": 0.4559},
            "quantized": {"COVID": 0.4912, "Normal": 0.5088}}
    assert flip_line(flip, "int8") == ("- `COVID/a.png` (true COVID; now wrong): keras COVID 0.544, Normal 0.456 → "
                                       "int8 COVID 0.491, Normal 0.509")


def test_a_flip_near_a_tie_shows_the_decimals_that_show_it():
    """0.5004 against 0.4996 read 'COVID 0.500, Normal 0.500' on both sides though the class flipped; 0.9996 read
    1.000 and 0.0004 read 0.000. Lines whose 3 decimals show each side's top class keep 3."""
    near = {"file": "COVID/a.png", "true": "COVID", "reference": {"COVID": 0.5004, "Normal": 0.4996},
            "quantized": {"COVID": 0.4996, "Normal": 0.5004}}
    assert flip_line(near, "int8") == ("- `COVID/a.png` (true COVID; now wrong): keras COVID 0.5004, Normal 0.4996 → "
                                       "int8 COVID 0.4996, Normal 0.5004")
    sure = {**near, "reference": {"COVID": 0.9996, "Normal": 0.0004}, "quantized": {"COVID": 0.4912, "Normal": 0.5088}}
    assert flip_line(sure, "int8").endswith("keras COVID 0.9996, Normal 0.0004 → int8 COVID 0.491, Normal 0.509")


def test_flips_say_what_they_did_made_wrong_first_and_how_many_are_not_shown():
    from convert.flips import FLIPS_SHOWN, flip_order, flip_what

    def flip(true, ref, quant):
        return {"file": f"{true}/x.png", "true": true, "reference": dict(zip("ABC", ref)), "quantized": dict(zip("ABC", quant))}

    right = flip("B", (0.2, 0.5, 0.3), (0.2, 0.3, 0.5))  # B -> C: made wrong
    fixed = flip("C", (0.2, 0.5, 0.3), (0.2, 0.3, 0.5))  # B -> C: made right
    tie = flip("A", (0.2, 0.5, 0.3), (0.4, 0.2, 0.4))    # B -> A by the tie's first class: made right, by a tie
    other = flip("A", (0.2, 0.5, 0.3), (0.2, 0.3, 0.5))  # B -> C, both wrong
    assert [flip_what(f) for f in (right, fixed, tie, other)] == ["now wrong", "now right", "now right, a tie",
                                                                  "still wrong"]
    assert sorted([other, fixed, right], key=flip_order) == [right, fixed, other]
    assert FLIPS_SHOWN == 50


def test_a_flip_is_judged_by_each_sides_own_answer_not_its_rounded_figures():
    """Rounded to 4 decimals, Keras's 0.49996/0.50004 was a tie that went to COVID: a film int8 made
    wrong was listed as 'still wrong'. A tie of the rounded figures that is none is not said either."""
    from convert.gate import compare
    from convert.flips import flip_what

    keras = np.array([[0.49996, 0.50004], [0.9, 0.1]])
    int8 = np.array([[0.6, 0.4], [0.49996, 0.50004]])
    r = compare(keras, int8, np.array([1, 0]), ["a.png", "b.png"], ["COVID", "Normal"])
    near_tie, made_wrong = (f for f in r["flipped"] if f["file"] == "a.png"), r["flipped"][1]
    assert flip_what(next(near_tie)) == "now wrong"
    assert made_wrong["quantized"] == {"COVID": 0.5, "Normal": 0.5} and flip_what(made_wrong) == "now wrong"
    exact = compare(np.array([[0.1, 0.9]]), np.array([[0.5, 0.5]]), np.array([1]), ["c.png"], ["COVID", "Normal"])
    assert flip_what(exact["flipped"][0]) == "now wrong, a tie"  # an exact tie: COVID, the first class, took it


def test_report_md_of_a_held_out_source_of_one_class(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    classes = report["classes"]
    report["models"]["int8"]["agreement"]["flipped"] = [
        {"file": f"COVID/{name}.png", "true": "COVID", "reference": {c: 0.5 for c in classes},
         "quantized": {c: round(1 / len(classes), 4) for c in classes}} for name in ["a", *map(str, range(52))]]
    y = np.zeros(20, int)  # a held-out hospital that sent COVID films only, 15 of them found
    probs = np.eye(len(classes))[np.r_[np.zeros(15, int), np.ones(5, int)]] * 0.8 + 0.2 / len(classes)
    report["external"] = {"source": "hannover", "n": 20, **{m: summarize(y, probs, classes, n_boot=100)
                                                            for m in ("keras", "int8")}}
    n = report["test_set"]["n"]
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(len(classes)), n)
    write_quantization_report(run, report, {m: p for m in report["models"]}, rng.integers(0, len(classes), n))
    md = unpadded((run / "report.md").read_text())
    assert "keras COVID 0.500, Normal 0.500 → int8 COVID 0.500, Normal 0.500" in md and "{'" not in md
    assert "| int8 | COVID sensitivity 75.0 (" in md  # labelled: not a balanced accuracy
    assert "averaged over 15 equal-width bins of that probability" in md
    assert "- ... and 3 more (report.json lists every flip)" in md  # 53 flips, 50 shown
    assert json.loads((run / "report.json").read_text())["external"]["int8"]["classes_present"] == ["COVID"]


def test_a_temperature_that_worsens_the_test_split_is_said():
    from convert.temperature_section import calibration_worse

    cal = {"test_nll_before": 0.624, "test_nll_after": 0.806, "test_ece_before": 0.180, "test_ece_after": 0.178}
    assert calibration_worse(cal) == "negative log-likelihood 0.624 → 0.806"
    cal.update(test_ece_after=0.201)
    assert calibration_worse(cal) == ("negative log-likelihood 0.624 → 0.806, expected calibration error "
                                      "0.180 → 0.201")
    assert calibration_worse({**cal, "test_nll_after": 0.5, "test_ece_after": 0.1}) == ""


def test_a_temperature_verdict_is_bold_only_where_both_measures_rose_on_enough_films():
    """ECE 0.278 → 0.200 and NLL 0.422 → 0.439 on 18 films read, in bold, 'made calibration worse', under a line
    showing the ECE fall, on a split the report called too small to judge calibration."""
    from convert.temperature_section import calibration_verdict

    mixed = {"test_nll_before": 0.422, "test_nll_after": 0.439, "test_ece_before": 0.278, "test_ece_after": 0.200}
    for n in (18, 200):
        text = " ".join(calibration_verdict(mixed, n))
        assert "**" not in text and "worse" not in text
        assert "raised negative log-likelihood 0.422 → 0.439 and lowered expected calibration error 0.278 → 0.200" in text
    assert "too few to judge calibration" in " ".join(calibration_verdict(mixed, 18))
    both = {**mixed, "test_ece_after": 0.300}
    assert calibration_verdict(both, 200)[0].startswith("**On the test split the temperature made calibration worse**")
    assert "**" not in " ".join(calibration_verdict(both, 18))
    assert calibration_verdict({**mixed, "test_nll_after": 0.4}, 18) == []
    flat = {**mixed, "test_ece_after": 0.278}  # one rose, the other did not move: no bold verdict either
    assert calibration_verdict(flat, 200) == [
        "On the test split the temperature raised negative log-likelihood 0.422 → 0.439: no verdict (the other "
        "measure moved by less than 0.001).", ""]


def test_the_training_data_section_names_label_conflicts():
    from convert.quant_report import training_data_section

    data = {"counts": {"train": {"COVID": 10, "Normal": 10}},
            "hygiene": {"exact_duplicate_pairs": 1, "near_duplicate_pairs": 0, "groups_across_splits": 0,
                        "label_conflicts": [[{"file": "COVID/a.png", "label": "COVID"},
                                             {"file": "Normal/b.png", "label": "Normal"}]]}}
    md = "\n".join(training_data_section(data))
    assert ("**Label conflict** in this run's data: 2 films are one picture filed under different classes (1 group; "
            "e.g. COVID/a.png (COVID) = Normal/b.png (Normal)). In training") in md
    assert "Label conflict" not in "\n".join(training_data_section({**data, "hygiene": {"exact_duplicate_pairs": 0}}))
    # Copies are counted as films and groups, with the kinds the search cannot find said beside them; a run
    # split before crops were looked for says what that may mean, not what the search would have missed.
    assert ("Duplicates: 1 exact, 0 resized or re-encoded pairs (cropped and mirrored copies were not looked for); "
            "0 groups span more than one split. **This run was split before cxr-train looked for cropped, moved, "
            "turned or mirrored copies: its test split may hold such copies of training films") in md
    assert "Copies cut by more than" not in md
    data["hygiene"].update(cropped_copy_pairs=2, mirrored_copy_pairs=1, duplicate_groups=3, images_in_duplicate_groups=7)
    assert ("Duplicates: 7 films are copies of another (3 groups: 1 exact, 0 resized or re-encoded, 2 cropped, moved "
            "or turned and 1 mirrored pairs); 0 groups span more than one split. Copies cut by more than about 6% a "
            "side, moved by more than about 4%") in "\n".join(training_data_section(data))
    # None found: nothing to span splits, so no count of zero groups beside it.
    data["hygiene"].update(exact_duplicate_pairs=0, cropped_copy_pairs=0, mirrored_copy_pairs=0, duplicate_groups=0,
                           images_in_duplicate_groups=0, label_conflicts=[])
    assert ("Duplicates: none found (the same bytes, resized or re-encoded, cut by up to about 6% a side, moved by up "
            "to about 4%, turned by up to about 5 degrees, or mirrored). Copies cut by more than") in \
        "\n".join(training_data_section(data))


def test_operating_points_give_the_films_behind_each_rate():
    """'specificity 89.4' under a Normal rule hid that it missed 7 COVID films, not 4: each cell gives
    the films found, and the films of other classes given the class."""
    from convert.operating_points_section import operating_points_section

    def rates(tp, fn, tn, fp):
        return {"tp": tp, "fn": fn, "tn": tn, "fp": fp, "sensitivity": tp / (tp + fn), "sensitivity_ci": [0.5, 0.99],
                "specificity": tn / (tn + fp), "specificity_ci": [0.5, 0.99]}
    device = {"per_class": [{"class": "COVID", **rates(62, 4, 46, 10)}, {"class": "Normal", **rates(46, 10, 62, 4)}]}
    points = {"model": "int8", "n_validation": 100, "rows": [
        {"class": "Normal", "threshold": 0.3396, "target_sensitivity": 0.95, "test": rates(49, 7, 59, 7)}]}
    lines = operating_points_section(points, device)
    # a Normal row's false calls are missed disease, said so: worded as a disease's, a rule for more Normal sensitivity
    # read as a safer one (hunt 58 reader2, M4)
    assert ("| Normal | most probable class | 82.1 (50.0–99.0), 46 of 56 | 93.9 (50.0–99.0), 4 of 66 films of other "
            "classes called Normal: missed disease |") in lines
    assert any(line.startswith("| Normal | p ≥ 0.3396 (for 95% on validation) | 87.5 (50.0–99.0), 49 of 56 | "
                               "89.4 (50.0–99.0), 7 of 66 films of other classes called Normal: missed disease |")
               for line in lines), lines
    assert "a rule for more Normal sensitivity is one that misses more disease" in " ".join(lines)
    covid = operating_points_section({**points, "rows": [{**points["rows"][0], "class": "COVID"}]}, device)
    assert any(line.endswith("7 of 66 called COVID |") for line in covid) and "missed disease" not in " ".join(covid)


def test_cxr_converts_report_says_what_an_answer_is_worth_at_other_prevalences(tiny_run):
    """Only cxr-evaluate's report had the table: cxr-convert's gave the PPV at the test split's own mix."""
    report = json.loads((tiny_run / "report.json").read_text())
    rows = report["at_prevalence"]["rows"]
    assert report["at_prevalence"]["mode"] == report["operating_points"]["mode"]
    assert {r["prevalence"] for r in rows} == {0.01, 0.05, 0.2, 0.5}
    md = (tiny_run / "report.md").read_text()
    assert "## What an answer is worth at your prevalence" in md
    # named: seven modes' tables stand above the section, each with its own figures
    mode = report["at_prevalence"]["mode"]
    assert f"from the test sensitivity and specificity of model_{mode}.tflite (the section {mode} above)" in md


def three_class_report(tiny_run, tmp_path, third: str):
    """A copy of the tiny run with its report.json made a COVID, Normal, ``third`` one: made-up test answers (a fixed
    seed) scored into every model's figures. Returns the run folder, the report, the answers' y and probabilities,
    and the random generator, for more made-up figures."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    classes = report["classes"] = ["COVID", "Normal", third]
    n = report["test_set"]["n"]
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, n)
    probs = 0.5 * np.eye(3)[y] + 0.5 * rng.dirichlet(np.ones(3), n)
    for model in report["models"].values():
        model.update(summarize(y, probs, classes, n_boot=10))
        if "delta" in model:
            model["delta"]["sensitivity_points"][third] = 0.0
    return run, report, y, probs, rng


def test_cxr_converts_report_json_leaves_out_normals_rows_of_three_classes_as_its_report_md_does(tiny_run, tmp_path):
    """report.md left Normal's rows out of a 3+ class model's prevalence table ('Normal at 5%' read as a Normal answer's
    worth at a clinic, where most films are Normal); report.json's at_prevalence kept them, unsaid."""
    assert json.loads((tiny_run / "report.json").read_text())["at_prevalence"]["left_out"] == []  # two classes: both rows
    run, report, y, probs, _ = three_class_report(tiny_run, tmp_path, "Viral_Pneumonia")
    write_quantization_report(run, report, {m: probs for m in report["models"]}, y)
    worth = json.loads((run / "report.json").read_text())["at_prevalence"]
    assert {r["class"] for r in worth["rows"]} == {"COVID", "Viral_Pneumonia"}
    assert [x["class"] for x in worth["left_out"]] == ["Normal"] and "most films are Normal" in worth["left_out"][0]["why"]
    md = unpadded((run / "report.md").read_text())
    assert "| Normal | 5% |" not in md and "| COVID | 5% |" in md and "Normal has no rows" in md


def test_cxr_converts_sensitivity_alt_text_names_a_class_without_films(tiny_run, tmp_path):
    """sensitivity.png's alt text said nothing of a class with no test films (its slot empty, 'no films here: n/a'
    in the picture), while the ROC's alt text named it."""
    run, report, y, probs, _ = three_class_report(tiny_run, tmp_path, "Viral_Pneumonia")
    y = y % 2  # no Viral_Pneumonia film
    for model in report["models"].values():
        model.update(summarize(y, probs, report["classes"], n_boot=10))
    write_quantization_report(run, report, {m: probs for m in report["models"]}, y)
    [alt] = [line for line in (run / "report.md").read_text().splitlines() if line.endswith("(sensitivity.png)")]
    assert alt.endswith("; no bar for Viral_Pneumonia: no films of it here](sensitivity.png)"), alt


def test_copies_in_the_test_split_are_said():
    """cxr-convert scored a film and its exact copy as two test films, unsaid (cxr-evaluate warns)."""
    from convert.set_notes import copies_warning, test_copies
    from train.data import Item

    items = [Item("Normal/a.png", "Normal", "s1", near="ff" * 32), Item("Normal/Kopie von a.png", "Normal", "s1", near="ff" * 32),
             Item("Normal/b.png", "Normal", "s2", near="00" * 32), Item("COVID/c.png", "COVID", "s3", near="0f" * 32)]
    groups = test_copies(items)
    assert groups == [["Normal/Kopie von a.png", "Normal/a.png"]]
    assert copies_warning(groups).startswith("2 films are copies of one another (1 group")
    assert test_copies(items[2:]) == []


def test_with_a_stored_rule_the_prevalence_table_is_the_rules_and_the_tables_say_whose_they_are(tiny_run, tmp_path):
    """A file storing 'COVID whenever p >= 0.19' (test sensitivity 100%, specificity 11%) was worth 17% per COVID
    answer at 5% in report.md, from the most probable class's 89/78, where its card and cxr-evaluate said 6%."""
    from convert.prevalence import predictive_values

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    mode = report["operating_points"]["mode"]
    classes = report["classes"]
    report["models"][mode]["decision"] = {
        "class": classes[0], "threshold": 0.1918, "target_sensitivity": 0.95, "chosen_on": "validation split",
        "chosen_films": {"sensitivity": 1.0, "specificity": 0.33},
        "test": {"tp": 9, "fn": 0, "tn": 1, "fp": 8, "sensitivity": 1.0, "sensitivity_ci": [0.70, 1.0],
                 "specificity": 1 / 9, "specificity_ci": [0.02, 0.43]}}
    _rewrite(run, report)
    saved = json.loads((run / "report.json").read_text())["at_prevalence"]
    assert saved["rule"] == {"class": classes[0], "threshold": 0.1918, "target_sensitivity": 0.95}
    at5 = next(r for r in saved["rows"] if r["class"] == classes[0] and r["prevalence"] == 0.05)
    assert at5["ppv"] == predictive_values(1.0, 1 / 9, 0.05)[0]
    md = unpadded((run / "report.md").read_text())
    assert f"of the rule model_{mode}.tflite stores ({classes[0]} whenever p >= 0.1918), by which the device answers" in md
    assert "**The figures of this table and of each mode's section are the most probable class's, not the device's" in md
    assert f"## {mode} (the most probable class; its stored rule, {classes[0]} whenever p >= 0.1918, is scored below)" in md
    assert "## keras\n" in md  # Keras stores no rule


def test_a_flip_the_quantized_file_made_right_is_said_to_be_now_right():
    """A film the int8 file gets right where Keras was wrong is "now right", judged by the file's own answer."""
    from convert.gate import compare
    from convert.flips import flip_what
    r = compare(np.array([[0.9, 0.1]]), np.array([[0.2, 0.8]]), np.array([1]), ["a.png"], ["COVID", "Normal"])
    assert flip_what(r["flipped"][0]) == "now right"


def test_every_class_name_in_cxr_converts_report_md_is_text_not_markdown(tiny_run, tmp_path):
    """cxr-convert's report.md printed class folder names raw outside the per-class and confusion tables: the test
    split's counts, 'Few test films', the warning 'gives every film the same class (...)', the Summary's 'Δ sens.'
    headers, the flips, the split table, the operating points ('called CLASS'), the prevalence table, the stored rule
    and the held-out source's table, so a folder '<img src=x>*x*' showed as a picture with emphasis in report.md."""
    from tests.test_report_text import ODD_CLASSES, raw_names

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    text = (run / "report.json").read_text()
    plain = json.loads(text)["classes"]
    odd = [*ODD_CLASSES, *(f"*c{k}*" for k in range(2, len(plain)))]
    for c, name in zip(plain, odd):  # the same run, its class folders named so (files, keys and sentences alike)
        text = text.replace(c, json.dumps(name)[1:-1])
    report = json.loads(text)
    classes = report["classes"]
    assert classes == odd[:len(plain)]
    report["gate"]["resolution"] = f"one film moves {classes[0]} sensitivity by 25.0 points"
    report["chance_warnings"] = [f"the Keras model gives every one of the 8 test films the same class ({classes[0]})"]
    mode = report["operating_points"]["mode"]
    report["models"][mode]["decision"] = {
        "class": classes[0], "threshold": 0.1918, "target_sensitivity": 0.95, "chosen_on": "validation split",
        "chosen_films": {"sensitivity": 1.0, "specificity": 0.33},
        "test": {"tp": 9, "fn": 0, "tn": 1, "fp": 8, "sensitivity": 1.0, "sensitivity_ci": [0.70, 1.0],
                 "specificity": 1 / 9, "specificity_ci": [0.02, 0.43]}}
    report["models"]["int8"]["gate"] = {"passed": False, "reasons": [f"{classes[1]} sensitivity fell 9.0 points (limit 2)"]}
    report["models"]["int8"]["agreement"]["flipped"] = [
        {"file": f"{classes[0]}/a.png", "true": classes[0], "reference": {c: 0.5 for c in classes},
         "quantized": {c: round(1 / len(classes), 4) for c in classes}}]
    y, rng = np.zeros(20, int), np.random.default_rng(0)
    probs = np.eye(len(classes))[np.r_[np.zeros(15, int), np.ones(5, int)]] * 0.8 + 0.2 / len(classes)
    report["external"] = {"source": "<b>x</b>", "n": 20, **{m: summarize(y, probs, classes, n_boot=20)
                                                            for m in ("keras", "int8")}}
    n = report["test_set"]["n"]
    write_quantization_report(run, report, {m: rng.dirichlet(np.ones(len(classes)), n) for m in report["models"]},
                              rng.integers(0, len(classes), n))
    md = (run / "report.md").read_text(encoding="utf-8")
    for line in ("Δ sens. \\<img src=x\\>\\*x\\*", "**Few test films:** one film moves \\<img src=x\\>\\*x\\*",
                 "| split | \\<img src=x\\>\\*x\\* |", "called \\<img src=x\\>\\*x\\*", "**Gate FAILED:** \\[N\\]"):
        assert line in unpadded(md), line
    assert not raw_names(md, classes), raw_names(md, classes)
    assert "\\\\" not in md  # escaped once: '\\*' shows a backslash
    assert json.loads((run / "report.json").read_text())["classes"] == classes  # report.json keeps names as they are


def test_a_rule_finding_the_same_films_with_fewer_calls_is_not_said_less_sensitive_there():
    """'p ≥ 0.4094 (for 90% on validation; *less sensitive* than the most probable class there)' where on validation
    both found 8 of 8: the rule called fewer films, which costs sensitivity on new films, not on those."""
    from convert.operating_points_section import operating_points_section

    rate = {"sensitivity": 1.0, "sensitivity_ci": [0.676, 1.0], "tp": 8, "fn": 0, "specificity": 0.46,
            "specificity_ci": [0.2, 0.7], "fp": 7, "tn": 6}

    def row(found: int) -> dict:
        return {"class": "COVID", "threshold": 0.4094, "target_sensitivity": 0.9, "test": rate,
                "versus_most_probable": {"less_sensitive": True, "tp": 8, "found_by_rule": found}}
    summary = {"per_class": [{"class": "COVID", **rate}]}
    same = "\n".join(operating_points_section({"model": "int8", "n_validation": 21, "rows": [row(8)]}, summary))
    assert "*no more sensitive* than the most probable class there: the same films found, fewer called" in same
    assert "*less sensitive* than the most probable class there" not in same
    fewer = "\n".join(operating_points_section({"model": "int8", "n_validation": 21, "rows": [row(7)]}, summary))
    assert "; *less sensitive* than the most probable class there" in fewer  # then its test marks (specificity 46%)


def test_with_a_stored_rule_the_top_of_report_md_gives_the_devices_answers_under_it(tiny_run, tmp_path):
    """runH's report.md led with the most probable class's 71.4% accuracy, 'pass'; what the device answers, by the rule
    its files store (52.4%, COVID sensitivity 90.0, specificity 18.2: most Normal films called COVID), was 270 lines
    further down (hunt 58, M2)."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    mode, classes = report["operating_points"]["mode"], report["classes"]
    test = {"tp": 18, "fn": 2, "tn": 4, "fp": 18, "sensitivity": 0.9, "sensitivity_ci": [0.699, 0.972],
            "specificity": 4 / 22, "specificity_ci": [0.073, 0.385]}
    report["models"][mode]["n"] = 42
    report["models"][mode]["decision"] = {
        "class": classes[0], "threshold": 0.2947, "target_sensitivity": 0.95, "chosen_on": "validation split",
        "chosen_films": {"sensitivity": 1.0, "specificity": 0.33}, "test": test,
        "per_class_on_test": {classes[0]: test, classes[1]: {"tp": 4, "fn": 18, "fp": 2, "tn": 18}}}
    _rewrite(run, report)
    md = (run / "report.md").read_text()
    top = md.split("## Summary")[0]
    assert (f"**The device answers by the rule its file stores, not by the most probable class:** on the test split, "
            f"`model_{mode}.tflite` ({classes[0]} whenever p >= 0.2947): accuracy 52.4 (") in top
    assert (f"{classes[0]} sensitivity 90.0 (69.9–97.2)%, specificity 18.2 (7.3–38.5)%: it calls most films of the other "
            f"classes {classes[0]}.") in top


def test_operating_points_mark_a_rule_calling_most_other_films_its_class_or_no_better_than_the_most_probable_class():
    """runA's Operating points offered 'p ≥ 0.3539: 100.0, 22 of 22 | 9.1, 20 of 22 called COVID' unmarked, for
    edge-classify --threshold, and a row finding the same 20 of 22 as the most probable class with 15 false calls
    against 10 (hunt 58, M4, L10): stored rules get the specificity-floor check, these rows got none."""
    from convert.operating_points_section import operating_points_section

    def rates(tp, fn, tn, fp):
        return {"tp": tp, "fn": fn, "tn": tn, "fp": fp, "sensitivity": tp / (tp + fn), "sensitivity_ci": [0.5, 0.99],
                "specificity": tn / (tn + fp), "specificity_ci": [0.05, 0.99]}
    device = {"per_class": [{"class": "COVID", **rates(20, 2, 17, 5)}, {"class": "Normal", **rates(17, 5, 20, 2)}]}
    rows = [{"class": "COVID", "threshold": 0.3539, "target_sensitivity": 0.95, "test": rates(22, 0, 2, 20)},
            {"class": "COVID", "threshold": 0.4288, "target_sensitivity": 0.9, "test": rates(20, 2, 14, 8)},
            {"class": "COVID", "threshold": 0.45, "target_sensitivity": 0.85, "test": rates(21, 1, 17, 5)}]
    lines = operating_points_section({"model": "int8", "n_validation": 44, "rows": rows}, device)
    (swamped,) = [ln for ln in lines if "p ≥ 0.3539" in ln]
    assert "(for 95% on validation; *calls most Normal films COVID*) |" in swamped
    (worse,) = [ln for ln in lines if "p ≥ 0.4288" in ln]
    assert "(for 90% on validation; *no better on test* than the most probable class) |" in worse  # 63.6%: not swamped
    (better,) = [ln for ln in lines if "p ≥ 0.45" in ln]
    assert "(for 85% on validation) |" in better  # one more found, no more false calls: unmarked
    intro = "\n".join(lines)
    assert "*calls most ... films ...*, a specificity under 50%; *no better on test*, no more films" in intro


def test_a_held_out_source_gives_each_rule_carrying_file_beside_its_most_probable_class_and_the_rules_cost(tiny_run,
                                                                                                         tmp_path):
    """runH's 'External source held out' table gave keras 41.2 (most probable class) beside int8 82.4 (its rule): read as
    quantization doubling sensitivity at the unseen hospital, the 82.4 bought by a rule that called 82% of Normal test
    films COVID, which a source of COVID films alone cannot show (hunt 58, M3)."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    classes = report["classes"]
    report["models"]["int8"]["decision"] = {
        "class": classes[0], "threshold": 0.2947, "target_sensitivity": 0.95, "chosen_on": "validation split",
        "chosen_films": {"sensitivity": 1.0, "specificity": 0.33},
        "test": {"tp": 18, "fn": 2, "tn": 4, "fp": 18, "sensitivity": 0.9, "sensitivity_ci": [0.699, 0.972],
                 "specificity": 4 / 22, "specificity_ci": [0.073, 0.385]}}
    y = np.zeros(17, int)
    p0 = np.r_[np.linspace(0.9, 0.55, 7), np.linspace(0.45, 0.3, 7), [0.2, 0.1, 0.05]]  # 7 found, 14 under the rule
    probs = np.stack([p0, 1 - p0], 1)
    report["external"] = {"source": "hannover", "n": 17, "keras": summarize(y, probs, classes, n_boot=100),
                          "int8": summarize(y, probs, classes, n_boot=100, rule=(0, 0.2947)),
                          "most_probable": {"int8": summarize(y, probs, classes, n_boot=100)}}
    _rewrite(run, report)
    md = unpadded((run / "report.md").read_text())
    ext = md.split("## External source held out")[1].split("\n## ")[0]
    assert f"| keras, most probable class | {classes[0]} sensitivity 41.2 (" in ext
    assert f"| int8, its rule {classes[0]} when p ≥ 0.2947 | {classes[0]} sensitivity 82.4 (" in ext
    assert f"| int8, most probable class | {classes[0]} sensitivity 41.2 (" in ext  # like beside like: no quantization gap
    assert (f"on the test split `model_int8.tflite`'s rule had specificity 18.2 (7.3–38.5)%: it calls most {classes[1]} "
            f"films {classes[0]}; this source holds {classes[0]} films alone, so what the rule costs the other classes "
            "cannot show here.") in ext


def test_a_shortcut_audit_warning_is_in_the_top_block_in_the_cards_words(tiny_run, tmp_path):
    """The files alone told runA's classes apart (balanced accuracy 0.64): report.md said so only at line ~200, under
    the training data, after every figure it casts doubt on, while the card led with it (hunt 58, M1)."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    classes = report["classes"]
    report["training_data"]["shortcut_audit"] = {
        "n": 300, "chance": 0.5, "combined": 0.6431, "combined_p": 0.005, "lift": 0.29, "warn": True, "folds": 5,
        "traits": {"source": {"balanced_accuracy": 0.64, "values": 7}},
        "give_aways": [{"trait": "source", "value": "lecuong1502/BTL_Machine_Learning", "class": classes[-1],
                        "count": 44, "share": 1.0}]}
    _rewrite(run, report)
    top = unpadded((run / "report.md").read_text()).split("## Summary")[0]
    assert ("**Warning:** in its data folder, the files alone (source, format, size, borders) predicted the class with "
            "balanced accuracy 0.643 (chance 0.500), e.g. source lecuong1502/BTL_Machine_Learning: 100% "
            f"{classes[-1]} (n = 44). Expect lower figures at a new site") in top
    assert "See *What the files alone say about the label* under *Training data* below." in top


def test_the_top_says_which_labelling_which_calibration_and_whose_ece(tiny_run, tmp_path):
    """runA's report.md said 'most probable class' first after every figure (L1); 'Full-integer modes were
    calibrated on 212 training images ... the calibration temperature 0.27' gave 'calibrated' two meanings and never
    said what a temperature does (L2); the calibration section's ECE, 0.188 -> 0.148, was the Keras model's, unnamed,
    beside the device file's 0.173 (L4) (hunt 58)."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    _rewrite(run, report)
    md = unpadded((run / "report.md").read_text())
    top = md.split("## Summary")[1].split("| model |")[0]
    assert "Labels: the most probable class (with two classes: a class whenever its probability is at least 0.5)" in top
    assert "were calibrated on" not in md
    assert f"quantization ranges were set on {report['calibration_samples']} training images" in md
    assert "the model's logits are divided by T before the softmax; a T below 1 makes the probabilities more confident" in md
    assert "on the test split, the Keras model's figures (each .tflite's own ECE is in its section above): expected " in md


def test_the_top_of_report_md_says_where_each_classs_missed_test_films_went_for_the_devices_file():
    """A 4-class reader of cxr-convert's report.md found 'COVID: 3 of 11 called Normal' only in a confusion matrix
    further down (hunt 58 reader2, M4): the top block names where each class's misses went, for the file the card
    describes; with two classes a class's misses all go to the other, which its sensitivity says."""
    from convert.missed import device_misses

    classes = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    models = {"keras": {"confusion_matrix": [[11, 0, 0, 0], [0, 11, 0, 0], [0, 0, 11, 0], [0, 0, 0, 11]]},
              "int8": {"confusion_matrix": [[7, 1, 3, 0], [1, 1, 2, 7], [2, 0, 5, 4], [0, 0, 0, 11]]}}
    (line, blank) = device_misses(models, "int8", classes)
    assert line.startswith("Where each class's missed test films went (`model_int8.tflite`, most probable class): "
                           "COVID films missed: 4 of 11 (called Normal 3, Lung_Opacity 1); Lung_Opacity films missed: "
                           "10 of 11 (called Viral_Pneumonia 7, Normal 2, COVID 1); Normal films called another class: "
                           "6 of 11 (called Viral_Pneumonia 4, COVID 2).") and blank == ""
    assert "Viral_Pneumonia films" not in line  # none missed
    models["int8"]["decision"] = {"class": "COVID", "threshold": 0.2}
    assert "its stored rule changes them" in device_misses(models, "int8", classes)[0]
    assert device_misses(models, None, classes) == []  # no device file made
    assert device_misses({"int8": {"confusion_matrix": [[5, 1], [2, 4]]}}, "int8", ["COVID", "Normal"]) == []


def test_a_synthetic_runs_plots_and_summary_heading_say_so(tiny_run, tmp_path, monkeypatch):
    """The demo run's sensitivity.png showed 1.0 bars for both classes and its Summary table '100.0 (86.2–100.0)' in
    every row, with only the banner at the top of report.md saying the films were drawings: a pasted plot or table
    said nothing of it (hunt 58, H1)."""
    from convert import plots

    marks = {}
    real = plots._save
    monkeypatch.setattr(plots, "_save", lambda fig, path, mark="": (marks.__setitem__(path.name, mark),
                                                                    real(fig, path, mark)))
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    assert report["synthetic_data"] is True and "operating_points" in report
    n, classes = report["test_set"]["n"], report["classes"]
    rng = np.random.default_rng(0)
    probs = {m: rng.dirichlet(np.ones(len(classes)), n) for m in report["models"]}
    write_quantization_report(run, report, probs, rng.integers(0, len(classes), n))
    assert {"confusion_matrices.png", "sensitivity.png", "roc.png", "reliability.png", "operating_points.png"} <= set(marks)
    assert set(marks.values()) == {"TRAINED ON SYNTHETIC IMAGES: says nothing about real X-rays"}
    assert "\n## Summary: trained on SYNTHETIC images\n" in (run / "report.md").read_text()
    marks.clear()
    write_quantization_report(run, {**report, "synthetic_data": False}, probs, rng.integers(0, len(classes), n))
    assert marks and set(marks.values()) == {""} and "\n## Summary\n" in (run / "report.md").read_text()


def _rewrite(run, report: dict) -> None:
    """report.md and report.json written again from ``report`` (altered by a test), with random answers (seed 0) to
    the test split: the sections under test read report's figures, not these."""
    n, classes = report["test_set"]["n"], report["classes"]
    rng = np.random.default_rng(0)
    write_quantization_report(run, report, {m: rng.dirichlet(np.ones(len(classes)), n) for m in report["models"]},
                              rng.integers(0, len(classes), n))


def test_the_run_folder_and_other_files_are_named_as_one_code_span_whatever_their_names(tiny_run, tmp_path):
    """The run's folder, a held-out source and the files cxr-convert left unscored stood in one pair of backticks
    each: a folder named with a backtick ended the span mid-path and made code of the rest of the line."""
    from convert.report_text import md_code

    run = tmp_path / "run `2`"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    report["run_dir"] = str(run)
    report["other_files"] = [{"file": "model_`old`.tflite", "foreign": True},
                             {"file": "model_a`b.tflite", "mode": "fp16", "converted": "2026-01-01", "rule": False,
                              "fingerprints": True}]
    _rewrite(run, report)
    md = (run / "report.md").read_text(encoding="utf-8")
    assert f"Run: {md_code(run)} —" in md
    assert f"{md_code('model_a`b.tflite')} (fp16, converted 2026-01-01" in md
    assert f"not scored): {md_code('model_`old`.tflite')}." in md
