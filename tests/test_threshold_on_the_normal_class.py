"""A threshold below 0.5 on a two-class model's normal class finds fewer films of the other class, and says so.

`--threshold Normal=0.3`, typed for the README's high-sensitivity `COVID=0.3`, gave COVID only where COVID's
probability was above 0.7, and edge-classify said nothing (it warned only of a rule above 0.5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edge.model_notes import fewer_of_the_other
from tests.test_edge_cli_messages import edge_classify

WORDS = ("note: Normal>=0.3 is below 0.5 on the normal class: it gives COVID only where COVID's probability is "
         "above 0.7, so it finds fewer COVID films, not more; a rule that finds more COVID films is --threshold COVID=P")


@pytest.fixture(scope="module")
def film(tiny_run) -> Path:
    return sorted((Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]) / "COVID").glob("*.png"))[0]


def test_a_rule_below_one_half_on_normal_is_said_to_find_fewer_covid_films(model, film):
    p = edge_classify(film, "--model", model, "--threshold", "Normal=0.3")
    assert p.returncode == 0, p.stderr
    assert f"edge-classify: {WORDS}" in p.stderr.splitlines()


def test_the_high_sensitivity_rule_on_covid_gets_no_such_warning(model, film):
    p = edge_classify(film, "--model", model, "--threshold", "COVID=0.3")
    assert p.returncode == 0, p.stderr
    assert "below 0.5" not in p.stderr


@pytest.mark.parametrize("labels, rule", [
    (["COVID", "Normal"], (0, 0.3)),  # the rule on the disease: finds more of it
    (["COVID", "Normal", "Viral_Pneumonia"], (1, 0.3)),  # three classes: not simply "the other above 0.7"
    (["COVID", "Pneumonia"], (1, 0.3)),  # no normal class
    (["COVID", "Normal"], (1, 0.6)),  # above 0.5: the other note says it
])
def test_no_warning_where_the_rule_does_not_trade_the_other_class_away(capsys, labels, rule):
    fewer_of_the_other(labels, rule)
    assert capsys.readouterr().err == ""


def test_the_normal_class_is_found_by_its_name_whatever_its_spelling(capsys):
    fewer_of_the_other(["no_finding", "TB"], (0, 0.25))
    assert capsys.readouterr().err == ("edge-classify: note: no_finding>=0.25 is below 0.5 on the normal class: it "
                                       "gives TB only where TB's probability is above 0.75, so it finds fewer TB films, "
                                       "not more; a rule that finds more TB films is --threshold TB=P\n")


def test_a_stored_float32_rules_other_side_is_written_in_its_digits(capsys):
    """1 - t of a float32 threshold is no float32: it was written with 16 digits ("above 0.7812426388263702"); now
    from the threshold's own printed digits (review 73c)."""
    import numpy as np

    from edge.model_notes import fewer_of_the_other

    fewer_of_the_other(["COVID", "Normal"], (1, float(np.float32(0.21875736))))
    assert "Normal>=0.218757361 is below 0.5" in (err := capsys.readouterr().err)
    assert "COVID's probability is above 0.781242639, so" in err
