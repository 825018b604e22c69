"""A site's rule for a model of 3+ classes chosen on films that lack some of its classes: what it costs
those is not measured, so --save-model refuses it and the report says so (convert.site_rule_notes)."""

from __future__ import annotations

import numpy as np
import pytest

from convert.operating_point import site_operating_point
from convert.site_rule_notes import check_site_films, site_rule_warnings
from convert.rule_sections import site_point_section

LABELS = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]


def test_save_model_refuses_a_rule_chosen_on_films_lacking_some_of_the_models_classes():
    """ev2b (Normal and Viral_Pneumonia films only) gave a 4-class model a stored Viral_Pneumonia rule whose
    specificity counted 12 Normal films alone; its card said nothing of COVID and Lung_Opacity."""
    films = ["Normal"] * 12 + ["Viral_Pneumonia"] * 12
    with pytest.raises(ValueError) as e:
        check_site_films(films, 3, LABELS, "ev2b", saving=True)
    assert str(e.value) == ("--save-model: the 24 films in ev2b hold no COVID or Lung_Opacity film, so what the threshold "
                            "for Viral_Pneumonia costs them cannot be measured: its specificity counts Normal films "
                            "alone; add films of every class")
    check_site_films(films, 3, LABELS, "ev2b", saving=False)  # only reported, below
    check_site_films(films + ["COVID", "Lung_Opacity"], 3, LABELS, "ev2b", saving=True)
    check_site_films(["COVID", "Normal"], 0, ["COVID", "Normal"], "site", saving=True)  # two classes: all there


def test_a_rule_chosen_without_saving_on_such_films_is_reported_with_a_note():
    rng = np.random.default_rng(0)
    y = np.array([2] * 12 + [3] * 12)
    p = rng.dirichlet(np.ones(4), size=len(y))
    p[y == 3, 3] += 1.0
    p /= p.sum(axis=1, keepdims=True)
    site = site_operating_point(y, p, LABELS, 3, 0.9, films="films in ev2b (24, cxr-evaluate)")
    assert site["missing_classes"] == ["COVID", "Lung_Opacity"]
    (warn,) = [w for w in site_rule_warnings(site, LABELS) if "hold no" in w]
    assert warn.startswith("the rule Viral_Pneumonia whenever p >= ")
    assert warn.endswith("was chosen on films that hold no COVID or Lung_Opacity film, so what the threshold for "
                         "Viral_Pneumonia costs them cannot be measured: its specificity counts Normal films alone; add "
                         "films of every class before storing it (--save-model)")
    text = "\n".join(site_point_section(site))
    assert ("These films hold no COVID or Lung_Opacity film: the specificity counts Normal films alone, and what the "
            "rule costs the missing classes is not measured (--save-model refuses to store it).") in text
    # it said "Add `--save-model PATH` to write a copy of the model that carries this rule" below that (session 69)
    assert "Add `--save-model PATH`" not in text, text
    assert ("To write a copy of the model that carries a rule, add films of every class and run again with "
            "`--save-model PATH`: --save-model refuses one chosen on these films.") in text, text
    full = site_operating_point(np.arange(24) % 4, p, LABELS, 3, 0.9, films="films")
    assert full["missing_classes"] == [] and not any("hold no" in w for w in site_rule_warnings(full, LABELS))
