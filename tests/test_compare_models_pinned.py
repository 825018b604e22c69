"""convert/compare_models.matched_classes read directly (its other test goes through cxr-compare on tiny_run): the same
names in another order are the same classes, kept in B's own order (each model's answers index its own labels) and
said nothing of; other spellings in another order are relabelled position by position into A's spelling, with a
note on stderr; a model with two classes of one spelling, or a different class, is refused naming A's and B's."""

from __future__ import annotations

import pytest

from convert.compare_models import matched_classes

A = {"labels": ["COVID", "Normal"]}


def test_the_same_names_in_another_order_are_kept_as_b_has_them_without_a_note(capsys):
    b = {"labels": ["Normal", "COVID"], "other": 1}
    assert matched_classes(A, b) is b
    assert capsys.readouterr() == ("", "")


def test_other_spellings_in_another_order_are_relabelled_in_b_s_order_with_a_note(capsys):
    b = {"labels": ["NORMAL", "covid-19"], "other": 1}
    assert matched_classes(A, b) == {"labels": ["Normal", "COVID"], "other": 1}
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("cxr-compare: note: B's classes NORMAL, covid-19 are taken as A's Normal, COVID (names matched "
                   "ignoring case and punctuation; covid-19 as COVID: COVID-19 and COVID, one disease's two "
                   "spellings)\n")


def test_a_different_class_is_refused_naming_both_models_classes():
    with pytest.raises(ValueError, match="^the models have different classes: A COVID, Normal; B COVID, Healthy; "):
        matched_classes(A, {"labels": ["COVID", "Healthy"]})


def test_a_model_with_two_classes_of_one_spelling_is_refused():
    """A's COVID and covid would both be B's Covid: B's answers could not be paired with A's."""
    with pytest.raises(ValueError, match="different classes: A COVID, covid, Normal; B Covid, Normal;"):
        matched_classes({"labels": ["COVID", "covid", "Normal"]}, {"labels": ["Covid", "Normal"]})
