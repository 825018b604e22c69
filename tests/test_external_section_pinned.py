"""convert.external_section pinned where a small change went unseen (hand mutation testing, session 68)."""

from __future__ import annotations

from convert.external_section import classes_present


def test_the_classes_present_come_from_a_models_figures_not_the_sources_or_most_probable_entries():
    """ext holds 'sources' and 'most_probable' dicts beside the models' figures; read first, they said no classes."""
    ext = {"source": "siteB", "n": 10, "sources": {"siteB": 10}, "most_probable": {"int8": {"per_class": []}},
           "int8": {"per_class": [], "classes_present": ["Normal", "COVID"]}}
    assert classes_present(ext) == ["Normal", "COVID"]
    assert classes_present({"source": "siteB", "sources": {"siteB": 3}}) is None


def _three(ext_y, n_boot=10):
    """A 3-class int8 file's figures on the test split and on a held-out source of films ``ext_y``."""
    import numpy as np

    from convert.summary import summarize

    classes = ["COVID", "Lung_Opacity", "Normal"]
    y = np.repeat([0, 1, 2], 6)
    probs = np.eye(3)[y] * 0.6 + 0.4 / 3
    ext_y = np.asarray(ext_y)
    ext = {"source": "hannover", "n": len(ext_y), "int8": summarize(ext_y, np.eye(3)[ext_y] * 0.6 + 0.4 / 3, classes, n_boot=n_boot)}
    return ext, {"int8": summarize(y, probs, classes, n_boot=n_boot)}, classes


def test_the_intro_names_the_classes_a_source_of_two_holds_and_not_for_one_or_all():
    from convert.external_section import external_intro

    ext, _, classes = _three([1, 1, 2, 2])
    assert "balanced accuracy is over Lung_Opacity and Normal alone" in external_intro(ext, classes)
    assert "the source has no COVID films" in external_intro(ext, classes)
    for ys in ([2, 2, 2], [0, 1, 2]):
        ext, _, classes = _three(ys)
        assert "alone, the mean" not in external_intro(ext, classes)


def test_the_intro_lists_the_sources_matched_only_where_they_are_not_just_the_one_typed():
    from convert.external_section import external_intro

    ext, _, classes = _three([1, 2, 2])
    assert "Its films' sources" not in external_intro({**ext, "sources": {"hannover": 3}}, classes)
    said = external_intro({**ext, "sources": {"hannover-a": 2}}, classes)
    assert "`hannover-a` (2), and 1 of none, matched by file name." in said
    assert "of none" not in external_intro({**ext, "sources": {"hannover-a": 3}}, classes)


def test_the_gap_of_a_source_of_one_class_says_that_is_its_one_figure_and_of_two_does_not():
    from convert.external_section import external_gap

    ext, models, classes = _three([2, 2, 2])
    line = external_gap(ext, models, "int8", classes)
    assert "(3 films, Normal alone: its sensitivity is the one figure there" in line
    assert line.count("sensitivity (%, 95% CI)") == 1 and line.startswith("held-out source 'hannover'")
    ext, models, classes = _three([1, 2, 2])
    line = external_gap(ext, models, "int8", classes)
    assert "alone" not in line and line.count("sensitivity (%, 95% CI)") == 2 and "COVID" not in line
    assert external_gap(ext, {}, "int8", classes) is None and external_gap(ext, models, "keras", classes) is None


def test_a_source_not_scored_under_a_rule_is_set_beside_the_test_splits_most_probable_class():
    """Only a source scored under the rule gets the test split's figures under it; without per_class_on_test the
    source's most probable class's figures go beside the test split's (both alike)."""
    from convert.external_section import external_gap
    from tests.test_external_gap_rule import CLASSES, _figures

    ext, models = _figures()
    plain = {"source": "hannover", "n": 6, "int8": ext["most_probable"]["int8"]}
    assert "under its rule" not in external_gap(plain, models, "int8", CLASSES)
    models["int8"]["decision"].pop("per_class_on_test")
    line = external_gap(ext, models, "int8", CLASSES)
    from convert.figures_md import fmt_ci

    mp = ext["most_probable"]["int8"]["per_class"][0]
    assert "under its rule" not in line and f"{fmt_ci(0.0, mp['sensitivity_ci'], '–')} there against" in line, line
    assert external_gap(ext, {"int8": {"per_class": [{"class": "Other"}]}}, "int8", CLASSES) is None


def _ruled():
    figs = {"per_class": [{"class": c, "sensitivity": s, "sensitivity_ci": [s, s]} for c, s in (("COVID", 1.0), ("Normal", 0.0))],
            "balanced_accuracy": 0.5, "balanced_accuracy_ci": [0.5, 0.5]}
    ext = {"source": "hannover", "n": 6, "int8": {**figs, "rule": {"class": "COVID", "threshold": 0.2}, "classes_present": ["COVID"]},
           "most_probable": {"int8": figs}}
    models = {"int8": {"decision": {"class": "COVID", "test": {"specificity": 0.5, "specificity_ci": [0.4, 0.6]}}}}
    return ext, models


def test_the_rules_cost_names_the_other_classes_says_most_only_under_half_and_a_source_of_one_class():
    from convert.external_section import external_rule_cost

    ext, models = _ruled()
    line = external_rule_cost(ext, models, ["COVID", "Normal"])[0]
    assert "calls most" not in line and "holds COVID films alone" in line  # 50% is not under the floor
    models["int8"]["decision"]["test"]["specificity"] = 0.4
    assert ": it calls most Normal films COVID" in external_rule_cost(ext, models, ["COVID", "Normal"])[0]
    ext["int8"]["classes_present"] = ["COVID", "Normal"]
    assert "alone" not in external_rule_cost(ext, models, ["COVID", "Normal"])[0]


def test_a_ruled_files_rows_are_under_its_rule_and_at_its_most_probable_class():
    from convert.external_section import external_rows

    ext, _ = _ruled()
    rows = external_rows(ext)
    assert len(rows) == 2 and rows[0].startswith("| int8, its rule COVID when p ≥ ")
    assert rows[1].startswith("| int8, most probable class |")
    ext["keras"] = ext["most_probable"]["int8"]
    assert external_rows(ext)[2].startswith("| keras, most probable class |")
