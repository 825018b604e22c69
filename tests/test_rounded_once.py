"""A figure stored rounded and shown rounded again says other digits than the figure itself (review 72s): a COVID
drop of 3.846 points was kept as -3.85 in report.json and shown "-3.9" in report.md and on the terminal, beside the
gate's reason "fell 3.8"; an interval of +/-2.0024 points was rounded to +/-2.00 before cxr-compare tested it against
a margin of 2, and read "equivalent"; one of +0.0046 to +9.48 was rounded to 0.00 and read "no difference" above a
note that B did better. Judged on the figures themselves, kept with the decimals that show them as they are."""

from __future__ import annotations

import numpy as np

from convert.compare import compare
from convert.compare_classes import class_note
from convert.compare_text import verdict
from convert.equivalence import end_text, equivalence, equivalence_words
from convert.gap_intervals import sensitivity_gap_intervals
from convert.gate import change_text, deltas, gate
from convert.intervals import paired_difference
from convert.mode_lines import mode_lines
from edge.figures import kept_as_shown

SOURCE = "the default per-class limit of cxr-convert's gate"


def test_kept_as_shown_keeps_two_decimals_unless_they_would_be_shown_otherwise():
    one = lambda x: f"{x:+.1f}"  # noqa: E731
    assert kept_as_shown(-3.846, one) == -3.846  # -3.85 would be shown -3.9
    assert kept_as_shown(-3.8123, one) == -3.81
    assert kept_as_shown(2.0, one) == 2.0
    assert kept_as_shown(-43.448246478317486, one) == -43.448  # -43.45: -43.5


def test_a_failing_drop_is_shown_with_the_digits_of_the_gates_reason():
    """26 COVID films: Keras right on all, the int8 file misses one: a drop of 3.846 points, limit 2."""
    reference = {"accuracy": 1.0, "balanced_accuracy": 1.0, "per_class": [
        {"class": "COVID", "sensitivity": 1.0, "specificity": 1.0}, {"class": "Normal", "sensitivity": 1.0, "specificity": 1.0}]}
    candidate = {"accuracy": 51 / 52, "balanced_accuracy": (25 / 26 + 1) / 2, "per_class": [
        {"class": "COVID", "sensitivity": 25 / 26, "specificity": 1.0},
        {"class": "Normal", "sensitivity": 1.0, "specificity": 25 / 26}]}
    limits = {"max_drop": 1.0, "max_class_drop": 2.0}
    g, d = gate(reference, candidate, **limits), deltas(reference, candidate, None, limits)
    assert "COVID sensitivity fell 3.8 points (limit 2)" in g["reasons"]
    assert change_text(d["sensitivity_points"]["COVID"], 2.0) == "-3.8"  # report.md's cell: was -3.9
    assert change_text(d["accuracy_points"], 1.0) == "-1.9"
    lines = mode_lines("int8", candidate, reference, {"gate": g, "delta": d, "agreement": {
        "class_agreement": 51 / 52, "max_abs_prob_error": 0.5}}, limits)
    assert "worst class COVID: sensitivity -3.8 points" in "\n".join(lines)


def test_stored_interval_ends_show_as_the_interval_itself():
    """5 COVID films both right: the file's minus Keras's sensitivity lies in -43.448 to +43.448 points."""
    y = np.array([0] * 5 + [1] * 3)
    probs = np.eye(2)[y]
    ci = sensitivity_gap_intervals(y, probs, probs, ["COVID", "Normal"])["COVID"]
    assert [f"{v:+.1f}" for v in ci] == ["-43.4", "+43.4"]  # kept as -43.45: shown -43.5


def test_an_interval_just_beyond_the_margin_is_not_equivalent():
    lo, hi = paired_difference(188, 0, 0, 0)  # 188 films both models get right: +/-2.0024 points
    e = equivalence([{"class": "COVID", "difference_ci": [lo, hi]}], 2.0, SOURCE, ["COVID"])
    assert e["equivalent"] is False  # was True: rounded to +/-2.00 first
    words = equivalence_words(e)
    assert "cannot show the two equivalent" in words and "(-2.002 to +2.002 points) reaches beyond +/- 2" in words


def test_an_interval_just_off_zero_is_a_difference_said_so():
    def films(cls, both, only_b, only_a, neither):
        other = 1 - cls
        y = [cls] * (both + only_b + only_a + neither)
        a = [cls] * both + [other] * only_b + [cls] * only_a + [other] * neither
        b = [cls] * both + [cls] * only_b + [other] * only_a + [other] * neither
        return y, a, b

    (y0, a0, b0), (y1, a1, b1) = films(0, 5, 7, 1, 125), films(1, 100, 0, 2, 0)
    y, a, b = (np.array(u + v) for u, v in ((y0, y1), (a0, a1), (b0, b1)))
    r = compare(y, a, b, ["COVID", "Normal"], n_boot=200)
    assert 0 < r["per_class"][0]["difference_ci"][0] < 0.0001  # +0.0046 points
    r["equivalence"] = equivalence(r["per_class"], 2.0, SOURCE, r["classes"])
    assert r["equivalence"]["differing"] == ["COVID"]  # was []: "these films show no difference"
    assert "show a difference in COVID sensitivity" in verdict(r)
    assert "95% CI +0.005 to +9.5" in class_note(r)[0]  # was "+0.0 to +9.5" beside "B did better"


def test_end_text_shows_an_end_beyond_the_margin_or_off_zero():
    assert end_text(2.0024, 2.0) == "+2.002" and end_text(-2.04, 2.0) == "-2.04" and end_text(2.0, 2.0) == "+2.0"
    assert end_text(0.0046) == "+0.005" and end_text(0.0) == "+0.0" and end_text(9.478) == "+9.5"
    assert end_text(-0.00001) == "-0.00001" and end_text(-2.64e-05) == "-0.00003"  # was "-0.0000" (review 72x)
    assert end_text(2.000000001, 2.0) == "+2.000000001"  # beyond by a hair: shown beyond (4 decimals at most, up
    # to 0.56.0, wrote "+2.0000", at the margin, beside "reaches beyond"; test_limit_digits)
