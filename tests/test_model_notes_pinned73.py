"""edge.model_notes.fewer_of_the_other pinned case by case (mutation survivors MN of session 73), called directly
(test_threshold_on_the_normal_class runs edge-classify on a tiny model, two minutes a run): said only of a rule below
0.5 on the normal class of a two-class model, the other class named, its rule's complement and the rule as typed."""

from __future__ import annotations

import pytest

from edge.model_notes import fewer_of_the_other

WORDS = ("edge-classify: note: Normal>=0.3 is below 0.5 on the normal class: it gives COVID only where COVID's "
         "probability is above 0.7, so it finds fewer COVID films, not more; a rule that finds more COVID films is "
         "--threshold COVID=P\n")


@pytest.mark.parametrize("labels, rule", [(["COVID", "Normal"], (1, 0.3)), (["Normal", "COVID"], (0, 0.3))])
def test_a_rule_below_one_half_on_normal_names_the_other_class(labels, rule, capsys):
    fewer_of_the_other(labels, rule)
    assert capsys.readouterr().err == WORDS


@pytest.mark.parametrize("labels, rule", [(["COVID", "Normal"], (1, 0.5)), (["COVID", "Normal"], (0, 0.3)),
                                          (["COVID", "Normal", "Pneumonia"], (1, 0.3)),
                                          (["COVID", "Normal"], (1, 0.7))])
def test_nothing_said_at_one_half_on_the_other_class_or_of_three_classes(labels, rule, capsys):
    fewer_of_the_other(labels, rule)
    assert capsys.readouterr().err == ""


def test_the_rule_and_its_complement_as_typed(capsys):
    fewer_of_the_other(["COVID", "Normal"], (1, 0.125))
    err = capsys.readouterr().err
    assert "Normal>=0.125 is below" in err and "probability is above 0.875, so" in err
