"""--json gives a probability as the float it is: keeping a shown value off 0 is for people, not programs."""

from __future__ import annotations

import json

import numpy as np

from edge.batch import Result
from edge.decision import for_json
from edge.output import writer_for


def test_a_tiny_probability_is_not_inflated_in_json_and_text_keeps_it_off_zero(capsys):
    probs = np.array([1.0, 2.65e-10])  # a saturated float32 output, as a run with a temperature far below 1 gives
    writer_for(["COVID", "Normal"], 2, "json")(Result("x.png", probs))
    rec = json.loads(capsys.readouterr().out)
    assert rec["probabilities"] == {"COVID": 1.0, "Normal": 2.65e-10}  # was 1e-06, about 3,800 times it
    assert rec["top_k"][1] == {"label": "Normal", "probability": 2.65e-10}
    writer_for(["COVID", "Normal"], 2, "text")(Result("x.png", probs))
    assert "0.000001" in capsys.readouterr().out  # for people: never a plain 0 for a value that is not


def test_json_keeps_six_decimals_above_a_thousandth_and_every_value_on_its_side_of_the_rule():
    assert for_json(0.123456789, 0, None) == 0.123457
    assert for_json(0.0001234567, 0, None) == 0.000123457
    assert for_json(0.0, 0, None) == 0.0 and for_json(1.0, 0, None) == 1.0
    assert for_json(0.29999996, 0, (0, 0.3)) < 0.3  # never shown across the threshold
    assert for_json(0.00012345649, 0, (0, 0.0001234565)) < 0.0001234565  # 6 digits would cross it: the float itself
