"""convert/rule_on_test.py's site-films branch scored directly: a rule kept by --report-only as cxr-evaluate
--save-model chose it on 5 films of the folder 'site', two of which are films of this run's test split (found by their
bytes, base64 of the first 8 bytes of each sha256, as convert.operating_point.decision_films_text stores them).
Hand counts: rule Normal whenever p >= 0.3 (class 1); test films COVID p(Normal) 0.4, 0.1 and Normal p(Normal) 0.6,
0.2: Normal tp 1 (0.6), fn 1 (0.2), fp 1 (0.4), tn 1 (0.1); the COVID films: 2, found by the rule 1 (0.1 stays
COVID, 0.4 turns Normal), found at the most probable class 2 (both argmax COVID)."""

from __future__ import annotations

import base64

import numpy as np

from convert.rule_on_test import rule_on_test
from train.data import Item, Split

CLASSES = ["COVID", "Normal"]
NAME = "model_int8.tflite"
Y = np.array([0, 0, 1, 1])
P = np.array([[0.6, 0.4], [0.9, 0.1], [0.4, 0.6], [0.8, 0.2]])
TEST_SHA = ["aa" * 32, "bb" * 32, "cc" * 32, "dd" * 32]
VAL_SHA = ["ee" * 32, "ff" * 32]
DECISION = {"class": "Normal", "threshold": 0.3, "chosen_on": "films in site (5, cxr-evaluate)"}
KEEPS = (f"{NAME} keeps its rule, Normal whenever p >= 0.3, chosen on 5 films of the folder 'site' (cxr-evaluate), "
         "not on the validation split")


def _split() -> Split:
    items = lambda shas: [Item(f"{i}.png", CLASSES[0], sha256=h) for i, h in enumerate(shas)]  # noqa: E731
    return Split("data", CLASSES, {"train": [], "val": items(VAL_SHA), "test": items(TEST_SHA)})


def _films(shas: list[str]) -> str:
    return base64.b64encode(b"".join(bytes.fromhex(h[:16]) for h in shas)).decode("ascii")


def test_a_rule_chosen_on_test_films_is_warned_about_and_counts_them():
    logged: list[str] = []
    meta = {"decision_films": _films([TEST_SHA[1], TEST_SHA[3], "11" * 32])}  # 2 test films, 1 from elsewhere
    entry = rule_on_test(DECISION, None, meta, NAME, Y, P, CLASSES, _split(), logged.append)
    warn = entry["chosen_films_warning"]
    assert warn.startswith("2 of the 4 test films are ones the rule this model file carries, Normal whenever "
                           "p >= 0.3, was chosen on (5 films of the folder 'site' (cxr-evaluate)): on them its "
                           "sensitivity is optimistic")
    assert entry["test_films_chosen_on"] == 2
    assert logged == [KEEPS, f"warning: {NAME}: {warn}"]
    assert {k: entry["test"][k] for k in ("tp", "fn", "tn", "fp")} == {"tp": 1, "fn": 1, "tn": 1, "fp": 1}
    assert entry["others_on_test"] == {"COVID": {"n": 2, "found_by_rule": 1, "found": 2}}
    assert entry["chosen_on"] == DECISION["chosen_on"]


def test_validation_films_among_the_chosen_ones_are_not_counted_as_test_films():
    logged: list[str] = []
    meta = {"decision_films": _films(VAL_SHA)}  # the site's films are this split's validation films, none test
    entry = rule_on_test(DECISION, None, meta, NAME, Y, P, CLASSES, _split(), logged.append)
    assert "chosen_films_warning" not in entry and "test_films_chosen_on" not in entry
    assert logged == [KEEPS]


def test_a_file_that_does_not_say_which_films_still_says_it_keeps_its_site_rule():
    logged: list[str] = []
    entry = rule_on_test(DECISION, None, {}, NAME, Y, P, CLASSES, _split(), logged.append)
    assert "chosen_films_warning" not in entry and logged == [KEEPS]
