"""convert.chance: a model whose figures do not show it telling the classes apart is said to be one."""

from __future__ import annotations

import numpy as np

from convert.chance import chance_line
from convert.summary import summarize
from edge.card import card_text

CLASSES = ["COVID", "Normal"]


def _summary(pred: list[int], y: list[int]) -> dict:
    probs = np.eye(2)[pred] * 0.8 + 0.1
    return summarize(np.array(y), probs, CLASSES, n_boot=200)


def test_a_model_giving_nearly_every_film_one_answer_is_said_to_read_nothing():
    """All 80 films called COVID: 'balanced accuracy 50.0 (45.6-54.4) %' read as a precise result, and nothing said
    the model told nothing apart."""
    y = [0] * 40 + [1] * 40
    line = chance_line(_summary([0] * 80, y))
    assert line.startswith("the model gave 80 of the 80 films the answer COVID: it hardly tells the classes apart")
    assert "chance for balanced accuracy is 50.0%" in line and "AUROC" not in line  # it ranks nothing either


def test_one_answer_that_still_ranks_the_films_says_a_threshold_may_help():
    """AUROC 0.81 beside balanced accuracy 51.7% and 'it hardly tells the classes apart' read as a contradiction: the
    ranking is sound, the most probable class is what fails on these films."""
    y = np.array([0] * 40 + [1] * 40)
    p_covid = np.r_[np.linspace(0.75, 0.95, 40), np.linspace(0.6, 0.8, 40)]  # every film COVID, the COVID ones higher
    line = chance_line(summarize(y, np.stack([p_covid, 1 - p_covid], 1), CLASSES, n_boot=200))
    assert line.startswith("the model gave 80 of the 80 films the answer COVID")
    assert "; yet its AUROC, 0.9" in line and "a threshold chosen on labelled films like these (--operating-point)" in line


def test_an_interval_reaching_down_to_chance_is_said_and_a_clear_result_is_not():
    y = [0] * 10 + [1] * 10
    weak = chance_line(_summary([0] * 6 + [1] * 4 + [1] * 6 + [0] * 4, y))  # 60% of each class right
    assert weak and weak.startswith("balanced accuracy's 95% interval (") and "reaches down to chance (50.0%" in weak
    assert chance_line(_summary([0] * 40 + [1] * 40, [0] * 40 + [1] * 40)) is None
    assert chance_line(_summary([0] * 20, [0] * 20)) is None  # one class: its sensitivity, no chance to speak of


def test_the_card_gives_the_chance_level_and_says_when_the_interval_reaches_it():
    meta = {"labels": CLASSES, "validation": {"data": "cxr-dev", "test": {
        "n": 18, "balanced_accuracy": [0.444, 0.283, 0.601], "macro_auroc": [0.7, 0.43, 0.94], "ece": 0.2,
        "per_class": {}}}}
    text = card_text(meta, "m.tflite")
    assert "balanced accuracy 0.444 (0.283 to 0.601) (chance 0.500)" in text
    assert "reaches down to chance: its test films do not show that it tells the classes apart" in text
    meta["validation"]["test"]["balanced_accuracy"] = [0.9, 0.8, 0.95]
    assert "reaches down to chance" not in card_text(meta, "m.tflite")


def test_chance_on_the_card_is_one_in_the_number_of_classes():
    """Chance for a 4-class model is 25%, not the two-class 50%: a test balanced accuracy of 0.40 (0.33 to 0.47) is
    above it, and was told 'systematically wrong, as if labels were swapped' on the card and at classify time."""
    from edge.card import chance_verdict

    labels = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    meta = {"labels": labels, "validation": {"data": "cxr-dev", "test": {
        "n": 120, "balanced_accuracy": [0.4, 0.33, 0.47], "macro_auroc": [0.7, 0.6, 0.8], "ece": 0.1, "per_class": {}}}}
    text = card_text(meta, "m.tflite")
    assert "balanced accuracy 0.400 (0.330 to 0.470) (chance 0.250)" in text
    assert "below chance" not in text and "reaches down to chance" not in text and chance_verdict(meta) == "above"
    meta["validation"]["test"]["balanced_accuracy"] = [0.2, 0.15, 0.24]
    assert "Its balanced accuracy's interval lies wholly below chance: on its test films it is systematically wrong" in \
        card_text(meta, "m.tflite")


def test_a_file_without_labels_is_said_nothing_of_chance_not_a_division_by_zero():
    """chance_verdict divides chance out of the number of labels: metadata of fewer than two (refused by edge.metadata
    before any card or note today) must get no verdict on chance, not a ZeroDivisionError traceback."""
    from edge.card import chance_verdict

    for labels in ([], ["COVID"], None):
        meta = {"labels": labels, "validation": {"test": {"balanced_accuracy": [0.5, 0.4, 0.6]}}}
        assert chance_verdict(meta) == "above"
    assert chance_verdict({"validation": {"test": {"balanced_accuracy": [0.5, 0.4, 0.6]}}}) == "above"


def test_the_card_keeps_the_reports_caveat_on_calibration_from_few_films():
    """report.md said 'ECE 0.211 (under 20 films: too few to judge calibration)'; the card, what the device's user
    reads, said 'ECE 0.211' alone."""
    from convert.report_text import ECE_MIN_FILMS
    from edge.card import CARD_ECE_MIN_FILMS

    assert CARD_ECE_MIN_FILMS == ECE_MIN_FILMS
    meta = {"labels": CLASSES, "validation": {"data": "cxr-dev", "test": {
        "n": 18, "balanced_accuracy": [0.9, 0.8, 0.95], "macro_auroc": [0.9, 0.8, 0.95], "ece": 0.211, "per_class": {}}}}
    assert "ECE 0.211 (under 20 films: too few to judge calibration)" in card_text(meta, "m.tflite")
    meta["validation"]["test"]["n"] = 200
    assert "too few to judge calibration" not in card_text(meta, "m.tflite")


def test_validation_answers_no_better_than_chance_are_found():
    """cxr-train ended 'validation accuracy 0.500' without a word: its probabilities held 0.02 nats of information
    (above its no-signal mark), while every answer was COVID."""
    from train.validation_notes import at_chance

    y = np.array([0] * 9 + [1] * 9)
    assert at_chance(np.tile([2.0, 1.0], (18, 1)), y, 2) == 0.5
    good = np.where(y[:, None] == np.arange(2), 2.0, 1.0)
    assert at_chance(good, y, 2) is None


def test_an_interval_wholly_below_chance_is_said_to_be_systematically_wrong():
    """'(2.3 to 26.9%) reaches down to chance (50.0%)' played down a model that is wrong the other way round:
    swapped labels or a wrong --class-map."""
    from edge.figures import against_chance

    assert [against_chance(*a) for a in [(0.6, 0.9, 0.5), (0.4, 0.7, 0.5), (0.05, 0.3, 0.5), (0.1, 0.5, 0.5)]] == \
        ["above", "reaches", "below", "reaches"]
    y = [0] * 20 + [1] * 20
    wrong = chance_line(_summary([1] * 18 + [0] * 2 + [0] * 18 + [1] * 2, y))  # 10% of each class right
    assert "lies wholly below chance (50.0%" in wrong and "systematically wrong on these films" in wrong
    assert "--class-map" in wrong and "reaches down" not in wrong
    meta = {"labels": CLASSES, "validation": {"data": "cxr-dev", "test": {
        "n": 18, "balanced_accuracy": [0.1, 0.02, 0.3], "macro_auroc": [0.1, 0.02, 0.3], "ece": 0.2, "per_class": {}}}}
    text = card_text(meta, "m.tflite")
    assert "interval lies wholly below chance: on its test films it is systematically wrong" in text
    assert "reaches down to chance" not in text


def test_a_four_class_model_on_films_of_two_classes_is_held_to_their_chance_not_a_quarter():
    """A four-class model scored on a site's COVID and Normal folders only, each 35% right (the rest called
    Lung_Opacity): held to a four-class 25% it got no warning, though 35% lies wholly below the 50% of the two
    classes present (swapped labels, a wrong --class-map)."""
    four = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    y = np.array([0] * 100 + [2] * 100)
    pred = np.array([0] * 35 + [1] * 65 + [2] * 35 + [1] * 65)
    probs = np.full((200, 4), 0.1)
    probs[np.arange(200), pred] = 0.7
    s = summarize(y, probs, four, n_boot=200)
    assert s["classes_present"] == ["COVID", "Normal"]
    assert "lies wholly below chance (50.0%" in (chance_line(s) or "")


def test_one_answer_is_said_to_rank_the_films_only_where_the_auroc_interval_clears_chance():
    """Every film called COVID, AUROC 0.62 but its interval 0.45-0.79: 'yet its AUROC ... ranks these films
    better than chance' sent the user to --operating-point on a ranking the films do not show."""
    s = {"classes_present": CLASSES, "per_class": [{"class": "COVID"}, {"class": "Normal"}],
         "confusion_matrix": [[40, 0], [40, 0]], "macro_auroc": 0.62, "macro_auroc_ci": [0.45, 0.79],
         "balanced_accuracy_ci": [0.45, 0.55]}
    line = chance_line(s)
    assert line.startswith("the model gave 80 of the 80 films the answer COVID")
    assert "AUROC" not in line and "--operating-point" not in line
    s["macro_auroc_ci"] = [0.52, 0.79]  # wholly above chance: now it is said
    assert "better than chance" in chance_line(s)


def test_an_auroc_just_short_of_one_is_not_written_as_one():
    """AUROC 0.9991 read '1.00 (95% CI 0.99 to 1.00)' in the warning while the headline of the same report said
    0.999: a perfect ranking it is not."""
    s = {"classes_present": CLASSES, "per_class": [{"class": "COVID"}, {"class": "Normal"}],
         "confusion_matrix": [[0, 300], [0, 300]], "macro_auroc": 0.99912, "macro_auroc_ci": [0.99189, 0.99990],
         "balanced_accuracy_ci": [0.45, 0.55]}
    assert "; yet its AUROC, 0.999 (95% CI 0.99 to 0.9999), shows" in chance_line(s)
