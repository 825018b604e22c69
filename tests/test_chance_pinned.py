"""convert.chance pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which test_chance.py let through). These are the lines that say a model's figures do not show
it telling the classes apart."""

from __future__ import annotations

from convert.chance import chance_line, one_answer_line


def test_one_answer_is_said_from_95_percent_of_at_least_10_films():
    """19 of 20 films given one answer is 'one answer'; 18 of 20 is not; 10 films all one answer are said, 9 are too
    few to say anything of."""
    assert one_answer_line([19, 1], ["COVID", "Normal"], 2).startswith("the model gave 19 of the 20 films the answer COVID")
    assert one_answer_line([18, 2], ["COVID", "Normal"], 2) is None
    assert one_answer_line([10, 0], ["COVID", "Normal"], 2) is not None
    assert one_answer_line([9, 0], ["COVID", "Normal"], 2) is None


def test_films_of_one_class_are_no_one_answer_and_chance_is_one_in_the_classes_present():
    classes = ["COVID", "Lung_Opacity", "Normal", "Viral"]
    assert one_answer_line([20, 0, 0, 0], classes, 1) is None
    line = one_answer_line([20, 0, 0, 0], classes, 2, who="model B")
    assert line.startswith("model B gave") and line.endswith("(chance for balanced accuracy is 50.0%)")


def _summary(auc_lo: float | None = None, ci: list | None = None) -> dict:
    return {"classes_present": ["COVID", "Normal"], "per_class": [{"class": "COVID"}, {"class": "Normal"}],
            "confusion_matrix": [[20, 0], [20, 0]] if auc_lo is not None else [[15, 5], [5, 15]],
            "macro_auroc": 0.6, "macro_auroc_ci": [auc_lo, 0.7], "balanced_accuracy_ci": ci}


def test_an_auroc_interval_starting_at_chance_does_not_show_the_films_ranked():
    assert "yet its AUROC" not in chance_line(_summary(0.5))
    assert "yet its AUROC" in chance_line(_summary(0.51))


def test_a_summary_without_a_balanced_accuracy_interval_says_nothing_of_chance():
    assert chance_line(_summary(ci=None)) is None
