"""cxr-compare where neither model did better: equivalent within the gate's per-class margin only where every class's
95% interval lies inside it; "cannot tell the two models apart" read as "the int8 file is as good" on 9 films a class."""

from __future__ import annotations

import numpy as np

from convert.compare import compare, verdict
from convert.equivalence import equivalence, margin_of


def _same_answers(n: int) -> dict:
    y = np.array([0] * n + [1] * n)
    return compare(y, y.copy(), y.copy(), ["COVID", "Normal"], n_boot=100)


def test_few_films_cannot_show_equivalence():
    r = _same_answers(9)
    text = verdict(r)
    assert "cannot tell the two models apart" not in text
    assert "these films show no difference, but they cannot show the two equivalent either: COVID sensitivity's " \
           "interval (-29.9 to +29.9 points) reaches beyond +/- 2 points (the default per-class limit of cxr-convert's " \
           "gate); more films narrow the intervals." in text


def test_many_films_within_the_margin_are_called_equivalent():
    r = _same_answers(400)
    r["equivalence"] = equivalence(r["per_class"], 2.0, "the per-class limit of the gate cxr-convert judged B's file by")
    assert r["equivalence"]["equivalent"] is True
    assert verdict(r).endswith("every class's sensitivity interval lies within +/- 2 points (the per-class limit of the "
                               "gate cxr-convert judged B's file by), so on these films the two are equivalent within "
                               "that margin.")


def test_the_margin_is_the_files_gate_limit_else_the_default():
    b = {"validation": {"gate": {"passed": True, "max_class_drop": 1.0}}}
    assert margin_of({}, b) == (1.0, "the per-class limit of the gate cxr-convert judged B's file by")
    assert margin_of(b, {"labels": []})[0] == 1.0
    assert margin_of({}, {"validation": {"gate": {"max_class_drop": float("nan")}}})[0] == 2.0


def test_the_widest_class_and_no_interval():
    e = equivalence([{"class": "COVID", "difference_ci": [-0.1, 0.05]},
                     {"class": "Normal", "difference_ci": [-0.01, 0.3]}], 2.0, "m")
    assert e == {"margin_points": 2.0, "margin_from": "m", "equivalent": False,
                 "widest": {"class": "Normal", "difference_ci": [-1.0, 30.0]}, "unmeasured": [], "differing": []}
    assert equivalence([], 2.0, "m")["equivalent"] is False
