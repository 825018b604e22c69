"""cxr-evaluate's report.md opening: the AUROC with its interval, and the warning when too few films were scored."""

from __future__ import annotations

import json

import numpy as np

from convert.report import evaluation_report

from convert.figures_md import fmt_auc, headline, per_class_table
from convert.set_notes import too_few_films, too_few_line
from convert.summary import auroc_per_class_ci, summarize
from tests.conftest import unpadded

CLASSES = ["COVID", "Normal"]


def _films(per_class: dict[int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels and a model's probabilities that mostly, not always, rank each film's own class first."""
    y = np.concatenate([np.full(n, k) for k, n in per_class.items()]).astype(int)
    rng = np.random.default_rng(seed)
    p_covid = np.clip(np.where(y == 0, 0.7, 0.3) + rng.normal(0, 0.25, y.size), 0.01, 0.99)
    return y, np.stack([p_covid, 1 - p_covid], 1)


def test_the_headline_gives_the_auroc_with_its_bootstrap_interval():
    y, probs = _films({0: 40, 1: 40})
    s = summarize(y, probs, CLASSES, n_boot=200)
    lo, hi = s["macro_auroc_ci"]
    assert lo < s["macro_auroc"] < hi
    # The same form as balanced accuracy's interval beside it: value (low–high).
    assert f"AUROC {s['macro_auroc']:.3f} ({lo:.3f}–{hi:.3f}), ECE" in headline(s)
    assert f"balanced accuracy {100 * s['balanced_accuracy']:.1f} (" in headline(s)
    # No interval (no resample could be scored): the old form, not 'None'.
    assert f"AUROC {s['macro_auroc']:.3f}, ECE" in headline({**s, "macro_auroc_ci": [None, None]})
    assert "AUROC n/a, ECE" in headline({**s, "macro_auroc": None, "macro_auroc_ci": [None, None]})
    assert fmt_auc(0.9166, [0.8711, 0.9549]) == "0.917 (0.871–0.955)" and fmt_auc(0.9166) == "0.917"


def test_the_terminal_headline_says_to_not_an_en_dash(capsys):
    """cxr-evaluate's stdout headline wrote intervals as '13.8\u201360.9' on an ASCII console (garbage bytes on a
    serial one), where every other terminal line says '13.8 to 60.9'; report.md keeps its dash."""
    from convert.evaluate_lines import closing_lines

    y, probs = _films({0: 40, 1: 40})
    s = summarize(y, probs, CLASSES, n_boot=200)
    closing_lines({"metrics": s, "missed_classes": []}, {}, CLASSES, None)
    line = capsys.readouterr().out.splitlines()[0]
    lo, hi = s["accuracy_ci"]
    assert line.startswith(f"accuracy {100 * s['accuracy']:.1f} ({100 * lo:.1f} to {100 * hi:.1f}) %, "), line
    a_lo, a_hi = s["macro_auroc_ci"]
    assert f"AUROC {s['macro_auroc']:.3f} ({a_lo:.3f} to {a_hi:.3f}), ECE" in line and line.isascii(), line
    assert f"({100 * lo:.1f}\u2013{100 * hi:.1f}) %" in headline(s)  # report.md's headline as it was


def test_the_per_class_table_gives_each_auroc_its_interval_where_it_has_one():
    y, probs = _films({0: 30, 1: 25, 2: 0}, seed=1)
    probs = np.column_stack([probs * 0.9, np.full(len(y), 0.1)])  # a third class with no films here
    classes = [*CLASSES, "Other"]
    s = summarize(y, probs, classes, n_boot=100)
    ci = s["auroc_per_class_ci"]  # every summary's (cxr-convert's tables had none): a formula, no resampling
    assert ci == auroc_per_class_ci(y, probs, classes)
    older = {k: v for k, v in s.items() if k != "auroc_per_class_ci"}  # a summary of 0.38.0 or before: as it was
    plain = per_class_table(older)
    assert plain[0].endswith("| F1 | AUROC |") and f"| {s['auroc_per_class']['COVID']:.3f} |" in plain[2]
    table = per_class_table(s)
    assert table[0].endswith("| F1 | AUROC (95% CI) |")
    auc, (lo, hi) = s["auroc_per_class"]["COVID"], ci["COVID"]
    assert lo <= auc <= hi and table[2].endswith(f"| {auc:.3f} ({lo:.3f}–{hi:.3f}) |")
    assert ci["Other"] == [None, None] and table[4].endswith("| n/a |")  # no films of it: no AUROC, no interval
    # Two classes: the positive class's interval is the headline's (one ranking).
    y2, p2 = _films({0: 20, 1: 20}, seed=2)
    assert auroc_per_class_ci(y2, p2, CLASSES)["Normal"] == summarize(y2, p2, CLASSES, n_boot=100)[
        "macro_auroc_ci"]
    # Perfectly separated films: 1.000, and how far below it 20 + 20 films leave room for (the bootstrap gave 1-1).
    lo, hi = auroc_per_class_ci(y2, np.eye(2)[y2] * 0.8 + 0.1, CLASSES)["COVID"]
    assert 0.8 < lo < 0.95 and hi == 1.0


def test_too_few_films_is_said_for_a_class_under_20_films_and_not_for_a_class_with_none():
    y, probs = _films({0: 2, 1: 1})  # 3 of 815 films left after leaving out those the model trained on
    s = summarize(y, probs, CLASSES, n_boot=50)
    assert too_few_films(s) == ["COVID", "Normal"]
    assert too_few_line(s) == ("Too few films to judge: 3 films scored (2 COVID, 1 Normal); with fewer than 20 films "
                               "of a class its figures say little (see the widths of the intervals).")
    one = summarize(np.array([1]), np.array([[0.2, 0.8]]), CLASSES, n_boot=10)
    assert too_few_line(one).startswith("Too few films to judge: 1 film scored (1 Normal); ")
    assert too_few_films(summarize(*_films({0: 20, 1: 20}), CLASSES, n_boot=10)) == []
    assert too_few_line(summarize(*_films({0: 20, 1: 20}), CLASSES, n_boot=10)) is None
    # 19 of one class is too few even beside 500 of the other.
    assert too_few_films(summarize(*_films({0: 19, 1: 500}), CLASSES, n_boot=10)) == ["COVID"]
    # A class with no films is the per-class table's note ("PPV and F1 are n/a ..."), not this warning.
    none_of_one = summarize(*_films({0: 0, 1: 30}), CLASSES, n_boot=10)
    assert too_few_films(none_of_one) == [] and too_few_line(none_of_one) is None
    few_and_none = summarize(*_films({0: 0, 1: 5}), CLASSES, n_boot=10)
    assert too_few_line(few_and_none).startswith("Too few films to judge: 5 films scored (5 Normal); ")


def test_the_report_warns_in_bold_under_the_headline_and_says_so_in_its_json(tmp_path):
    y, probs = _films({0: 2, 1: 1})
    report = evaluation_report(tmp_path / "few", "m on site", y, probs, CLASSES, [f"f{k}.png" for k in range(3)],
                               n_boot=50)
    md = (tmp_path / "few" / "report.md").read_text().splitlines()
    at = next(k for k, line in enumerate(md) if line.startswith("accuracy "))
    assert md[at + 2] == ("**Too few films to judge: 3 films scored (2 COVID, 1 Normal); with fewer than 20 films "
                          "of a class its figures say little (see the widths of the intervals).**")
    saved = json.loads((tmp_path / "few" / "report.json").read_text())
    assert saved["too_few_films"] == report["too_few_films"] == ["COVID", "Normal"]

    y, probs = _films({0: 30, 1: 25})
    report = evaluation_report(tmp_path / "enough", "m on site", y, probs, CLASSES,
                               [f"f{k}.png" for k in range(len(y))], n_boot=100)
    text = unpadded((tmp_path / "enough" / "report.md").read_text())
    saved = json.loads((tmp_path / "enough" / "report.json").read_text())
    assert saved["too_few_films"] == [] and "Too few films" not in text
    # The AUROC's interval, in report.json and in both places report.md gives the AUROC.
    m = saved["metrics"]
    lo, hi = m["macro_auroc_ci"]
    assert f"AUROC {m['macro_auroc']:.3f} ({lo:.3f}–{hi:.3f}), ECE" in text
    c_lo, c_hi = m["auroc_per_class_ci"]["COVID"]
    assert f"| {m['auroc_per_class']['COVID']:.3f} ({c_lo:.3f}–{c_hi:.3f}) |" in text


def test_an_ece_on_a_handful_of_films_is_said_to_be_one():
    """ECE 0.278 on 3 films was headlined as any other figure."""
    y, probs = _films({0: 2, 1: 3})
    few = headline(summarize(y, probs, CLASSES, n_boot=50))
    assert "(under 20 films: too few to judge calibration), n = 5" in few
    y, probs = _films({0: 20, 1: 20})
    assert "too few to judge calibration" not in headline(summarize(y, probs, CLASSES, n_boot=50))


def test_the_report_says_in_words_which_labelling_its_figures_are_under():
    """'Most probable class' was said only in the confusion picture's alt text: a clinician asked '90.9% sensitivity
    at what threshold?' (hunt 58, L1). With a rule, the rule's sentence says it instead."""
    import tempfile
    from pathlib import Path

    y, probs = _films({0: 30, 1: 25})
    with tempfile.TemporaryDirectory() as tmp:
        evaluation_report(Path(tmp) / "plain", "m on site", y, probs, CLASSES, [f"f{k}.png" for k in range(len(y))],
                          n_boot=20)
        evaluation_report(Path(tmp) / "rule", "m on site", y, probs, CLASSES, [f"f{k}.png" for k in range(len(y))],
                          n_boot=20, threshold=(0, 0.3))
        plain, ruled = ((Path(tmp) / d / "report.md").read_text() for d in ("plain", "rule"))
    line = "Labels: the most probable class (with two classes: a class whenever its probability is at least 0.5); no threshold rule."
    assert line in plain.split("## Per class")[0] and line not in ruled and "Labels follow the rule" in ruled


def test_the_headline_names_the_classes_it_is_taken_over_where_one_has_no_films(tmp_path):
    """A 4-class model scored on films of 3 of its classes gave 'balanced accuracy 71.1 %' over those 3, unsaid: read
    beside its test split's 4-class 59.4%, its weakest class, absent here, simply left out (hunt 59, finding 2)."""
    classes = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    y = np.repeat([0, 2, 3], 10)
    probs = np.full((len(y), 4), 0.1)
    probs[np.arange(len(y)), y] = 0.7
    probs[::4] = [0.25, 0.25, 0.25, 0.25]  # a few answers wrong, so the figures are no perfect ones
    s = summarize(y, probs, classes, n_boot=50)
    over = "; balanced accuracy and AUROC over COVID, Normal and Viral_Pneumonia alone: no Lung_Opacity films here"
    assert headline(s).endswith(f"n = 30{over}") and headline(s, sep=" to ", name=str).endswith(over)
    report = evaluation_report(tmp_path / "r", "m on site", y, probs, classes, [f"f{k}.png" for k in range(len(y))],
                               n_boot=50)
    assert over in (tmp_path / "r" / "report.md").read_text()
    assert report["metrics"]["classes_present"] == ["COVID", "Normal", "Viral_Pneumonia"]  # report.json's, the same fact
    every = summarize(np.arange(40) % 4, np.eye(4)[np.arange(40) % 4] * 0.6 + 0.1, classes, n_boot=50)
    assert headline(every).endswith("n = 40")  # all classes present: nothing added
    one = summarize(np.zeros(5, int), probs[:5], classes, n_boot=50)
    assert headline(one).startswith("COVID films only: ") and "alone" not in headline(one)  # its own wording


def test_the_per_class_table_counts_each_specificity_and_says_why_a_ppv_of_a_class_never_answered_is_na():
    """12 COVID films and 1 Normal, every film called COVID: COVID's specificity read '0.0 (0.0–79.3)' with no word that
    it rests on one film (the n column counts COVID's own 12), and Normal's PPV a bare 'n/a'."""
    y = np.array([0] * 12 + [1])
    s = summarize(y, np.eye(2)[np.zeros(13, int)], CLASSES, n_boot=20)
    table = per_class_table(s)
    assert "specificity % (95% CI), of the other films |" in table[0]
    assert table[2].startswith("| COVID | 12 | 100.0 (75.8–100.0), 12 of 12 | 0.0 (0.0–79.3), 0 of 1 | 92.3 (66.7–98.6), 12 of 13 |")
    assert table[3].startswith("| Normal | 1 | 0.0 (0.0–79.3), 0 of 1 | 100.0 (75.8–100.0), 12 of 12 | n/a |")
    assert ("PPV is n/a for Normal: the model never answered Normal here, so there is no Normal answer to judge "
            "(and none of its films were found).") in table
    # a model that answers both classes has no such note; films of one class keep their own note and no count
    y2 = np.array([0] * 6 + [1] * 6)
    assert not any(line.startswith("PPV is n/a") for line in per_class_table(summarize(y2, np.eye(2)[y2], CLASSES, n_boot=20)))
    one = per_class_table(summarize(np.zeros(5, int), np.eye(2)[np.zeros(5, int)], CLASSES, n_boot=20))
    assert one[2].startswith("| COVID | 5 | 100.0 (56.6–100.0), 5 of 5 | n/a | n/a |")


def test_the_definitions_say_balanced_accuracy_needs_films_of_two_classes():
    """A set of one class has balanced_accuracy null (balanced_accuracy_no_value); the definitions said only 'the mean
    of the classes' sensitivities'."""
    from convert.report_text import TERMS

    assert "balanced accuracy: the mean of the classes' sensitivities, so it needs films of two classes or more" in TERMS
