"""Score-based intervals where a bootstrap collapses: hand-computed cases, and the reports that use them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convert.intervals import mean_of_proportions, mover_sum, paired_difference
from convert.metrics import wilson_interval
from convert.summary import summarize

Z2 = 1.959964 ** 2


def test_one_proportion_is_its_wilson_interval():
    assert mean_of_proportions([7], [9]) == pytest.approx(wilson_interval(7, 9))
    assert mean_of_proportions([3, 5], [0, 5]) == pytest.approx(wilson_interval(5, 5))  # a class with no films is left out


def test_mean_of_two_perfect_classes_by_hand():
    # Wilson's lower limit for 22 of 22 is 22 / (22 + z^2); MOVER adds the halves' distances in quadrature
    lower = 22 / (22 + Z2)
    assert mean_of_proportions([22, 22], [22, 22]) == pytest.approx((1 - (1 - lower) / 2 ** 0.5, 1.0))


def test_mover_sum_with_a_negative_weight_uses_the_other_limit():
    lo, hi = mover_sum([0.8, 0.5], [(0.7, 0.9), (0.3, 0.6)], [1, -1])
    assert lo == pytest.approx(0.3 - (0.1 ** 2 + 0.1 ** 2) ** 0.5)   # 0.8's lower side, 0.5's upper side
    assert hi == pytest.approx(0.3 + (0.1 ** 2 + 0.2 ** 2) ** 0.5)
    assert all(math.isnan(v) for v in mover_sum([], [], []))


def test_paired_difference_with_no_discordant_film_by_hand():
    half = 1 - 20 / (20 + Z2)  # both all right on 20 films: each margin 20 of 20, no correlation term
    assert paired_difference(20, 0, 0, 0) == pytest.approx((-half, half))
    assert paired_difference(0, 0, 0, 20) == pytest.approx((-half, half))


def test_paired_difference_is_antisymmetric_and_holds_its_estimate():
    lo, hi = paired_difference(12, 5, 1, 2)
    assert lo < 4 / 20 < hi and 0 < hi <= 1
    assert paired_difference(12, 1, 5, 2) == pytest.approx((-hi, -lo))
    assert paired_difference(0, 10, 0, 0)[1] == 1.0 and all(math.isnan(v) for v in paired_difference(0, 0, 0, 0))


def test_paired_difference_covers_about_95_percent():
    rng = np.random.default_rng(1)
    cells, n = (0.6, 0.2, 0.1, 0.1), 30
    hits = sum(lo <= 0.1 <= hi for lo, hi in (paired_difference(*rng.multinomial(n, cells)) for _ in range(1000)))
    assert 0.93 <= hits / 1000 <= 0.99


def test_summarize_never_gives_a_point_interval_for_perfect_or_zero_classes():
    y = np.array([0] * 22 + [1] * 22)
    right = np.eye(2)[y] * 0.9 + 0.05                  # every film right, classes perfectly separated
    s = summarize(y, right, ["COVID", "Normal"], n_boot=200)
    assert s["balanced_accuracy"] == 1.0 and s["balanced_accuracy_ci"] == pytest.approx(mean_of_proportions([22, 22], [22, 22]))
    lo, hi = s["macro_auroc_ci"]  # 22 + 22 films ranked perfectly: no proof that every film would be
    assert s["macro_auroc"] == 1.0 and 0.85 < lo < 0.95 and hi == 1.0
    covid_missed = np.where(y[:, None] == 0, [0.3, 0.7], right)  # every COVID film called Normal
    s = summarize(y, covid_missed, ["COVID", "Normal"], n_boot=200)
    lo, hi = s["balanced_accuracy_ci"]
    assert s["balanced_accuracy"] == 0.5 and lo < 0.5 < hi and hi - lo > 0.1


def test_summarize_keeps_the_bootstrap_when_every_class_varies():
    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 30)
    p1 = np.clip(0.5 + 0.3 * (2 * y - 1) + rng.normal(0, 0.25, 60), 0.01, 0.99)
    s = summarize(y, np.stack([1 - p1, p1], 1), ["A", "B"], n_boot=300, seed=3)
    from convert.metrics import balanced_accuracy
    from convert.summary import bootstrap_ci
    pred = lambda t, p: balanced_accuracy(t, p.argmax(1), 2)  # noqa: E731
    assert s["balanced_accuracy_ci"] == pytest.approx(list(bootstrap_ci(y, np.stack([1 - p1, p1], 1), pred, 300, 3)))


def test_report_says_why_an_auroc_has_no_interval():
    from convert.figures_md import auc_note, fmt_auc
    assert fmt_auc(0.9) == "0.900" and fmt_auc(0.9, [None, None]) == "0.900"
    assert fmt_auc(0.9, [0.8, 0.95]) == "0.900 (0.800–0.950)" and fmt_auc(None, [None, None]) == "n/a"
    assert fmt_auc(0.9, [0.8, 0.95], "one COVID film") == "0.900 (n/a: one COVID film)"
    assert auc_note(["AUROC 0.9 (n/a: one COVID film)"])[0].startswith("AUROC n/a: one film") and auc_note(["AUROC 0.9"]) == []


def test_auroc_interval_is_newcombes_and_covers_where_films_are_few():
    """The percentile bootstrap's 95% AUROC intervals held the true AUROC in 51% of sets with 2 films of a class,
    79% with 5, and gave the point 1.000 to 45% of sets of 15 + 15 films ranked near perfectly (benchmarks/RESULTS.md).
    Newcombe's method 5: its limits solve its score equation, and cover at least 93% on small, lopsided sets."""
    from convert.intervals import auroc_interval, macro_auroc_interval

    def v(t: float, m: int, n: int) -> float:  # Hanley-McNeil's variance with m - 1 and n - 1 as (m + n)/2 - 1
        return t * (1 - t) * (1 + ((m + n) / 2 - 1) * ((1 - t) / (2 - t) + t / (1 + t))) / (m * n)
    for a, m, n in ((0.8, 10, 10), (0.92, 2, 100), (0.6, 30, 7)):
        lo, hi = auroc_interval(a, m, n)  # each limit solves the score equation |a - t| = z sqrt(v(t))
        assert lo < a < hi and all(abs(abs(a - t) - 1.959964 * math.sqrt(v(t, m, n))) < 1e-6 for t in (lo, hi))
    lo, hi = auroc_interval(1.0, 15, 15)
    assert 0.85 < lo < 0.88 and hi == 1.0 and auroc_interval(0.0, 5, 5)[0] == 0.0
    assert all(math.isnan(v) for v in auroc_interval(0.9, 0, 10))
    rng = np.random.default_rng(5)
    from statistics import NormalDist
    for n_pos, n_neg, d in ((2, 100, 1.68), (5, 60, 1.68), (15, 15, 3.3)):
        truth = NormalDist().cdf(d / math.sqrt(2))  # binormal scores of unit variance, d apart
        hits = 0
        for _ in range(400):
            pos, neg = rng.normal(d, 1, n_pos), rng.normal(0, 1, n_neg)
            a = float(np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :]))
            lo, hi = auroc_interval(a, n_pos, n_neg)
            hits += lo <= truth <= hi
        assert hits / 400 >= 0.93, (n_pos, n_neg, hits / 400)
    assert macro_auroc_interval([0.9, 0.9], [20, 20]) == auroc_interval(0.9, 20, 20)
    three = macro_auroc_interval([0.9, 0.8, 0.95], [20, 20, 5])
    assert three == pytest.approx(tuple(np.mean([auroc_interval(a, n, 45 - n) for a, n in
                                                 ((0.9, 20), (0.8, 20), (0.95, 5))], axis=0)))


def test_bootstrap_ci_of_balanced_accuracy_follows_the_rule():
    """Under a rule (a stored or typed threshold) the interval of balanced accuracy is resampled from the rule's answers, so it holds its own estimate (it came from the most probable class's answers in a mutation no test caught)."""
    from convert.summary import summarize
    rng = np.random.default_rng(0)
    y = np.array([0] * 40 + [1] * 40)
    p0 = np.clip(0.45 + 0.25 * (y == 0) + rng.normal(0, 0.2, 80), 0.01, 0.99)
    probs = np.stack([p0, 1 - p0], 1)
    s = summarize(y, probs, ["COVID", "Normal"], n_boot=300, rule=(0, 0.3))
    assert s["balanced_accuracy_ci"][0] < s["balanced_accuracy"] < s["balanced_accuracy_ci"][1]
    from convert.metrics import balanced_accuracy
    from convert.summary import bootstrap_ci
    from edge.decision import labels_for
    ruled = lambda t, p: balanced_accuracy(t, labels_for(p, (0, 0.3)), 2)  # noqa: E731
    assert s["balanced_accuracy"] == ruled(y, probs) != balanced_accuracy(y, probs.argmax(1), 2)
    assert s["balanced_accuracy_ci"] == pytest.approx(list(bootstrap_ci(y, probs, ruled, 300, 0)))


def test_bootstrap_interval_is_95_percent_wide():
    """A "95%" bootstrap interval is 95% wide: half of 400 films right gives about 2 x 1.96 x sqrt(0.25/400) = 0.098 (a 90% one is 0.082)."""
    from convert.summary import bootstrap_ci
    y = np.zeros(400, int)
    right = np.arange(400) % 2 == 0
    probs = np.where(right[:, None], [0.9, 0.1], [0.1, 0.9])
    lo, hi = bootstrap_ci(y, probs, lambda t, p: float((p.argmax(1) == t).mean()), n_boot=2000, seed=1)
    assert hi - lo == pytest.approx(2 * 1.96 * np.sqrt(0.25 / 400), rel=0.1)  # 0.098; a 90% interval is 0.082


def test_one_film_of_a_class_gets_no_auroc_interval_and_says_why():
    """One COVID film ranked in the middle of 20 Normal films is in every stratified resample, so the bootstrap gave
    0.500 (0.300–0.700), as if the ranking were known to within 0.2; a site's one-COVID test split read 0.944
    (0.833–1.000) beside a balanced accuracy at chance. No interval then, with the reason in report.json, the
    headline and the per-class table; two films of it keep their (wide) interval."""
    import json

    from convert.figures_md import auc_note, headline, per_class_table
    from convert.summary import auroc_per_class_ci

    classes = ["COVID", "Normal"]
    covid = np.r_[0.5, np.linspace(0.05, 0.95, 20)]  # p(COVID): the one COVID film outranks half the Normal films
    y = np.array([0] + [1] * 20)
    s = summarize(y, np.stack([covid, 1 - covid], 1), classes, n_boot=200)
    assert s["macro_auroc"] == 0.5 and s["macro_auroc_ci"] == [None, None]
    assert s["macro_auroc_no_interval"] == "one COVID film"  # report.json says why, not a bare null
    assert s["auroc_per_class_no_interval"] == {"COVID": "one COVID film", "Normal": "one COVID film"}
    json.dumps(s, allow_nan=False)
    assert "AUROC 0.500 (n/a: one COVID film), ECE" in headline(s)  # cxr-evaluate's line and report.md's
    s["auroc_per_class_ci"] = auroc_per_class_ci(y, np.stack([covid, 1 - covid], 1), classes)
    assert s["auroc_per_class_ci"] == {"COVID": [None, None], "Normal": [None, None]}
    table = per_class_table(s)
    assert table[2].endswith("| 0.500 (n/a: one COVID film) |") and table[3].endswith("| 0.500 (n/a: one COVID film) |")
    assert auc_note([headline(s)])[0].startswith("AUROC n/a: one film of a class")
    two = np.r_[0.5, 0.6, np.linspace(0.05, 0.95, 20)]
    s2 = summarize(np.array([0, 0] + [1] * 20), np.stack([two, 1 - two], 1), classes, n_boot=200)
    lo, hi = s2["macro_auroc_ci"]
    assert lo < s2["macro_auroc"] < hi and "macro_auroc_no_interval" not in s2
    # three classes, one of a single film: the macro AUROC averages its AUROC in; a class of many films keeps its own
    y3 = np.array([0] + [1] * 10 + [2] * 10)
    p3 = np.random.default_rng(0).dirichlet([1, 1, 1], len(y3))
    s3 = summarize(y3, p3, ["COVID", "Normal", "Viral"], n_boot=100)
    assert s3["macro_auroc_ci"] == [None, None] and s3["auroc_per_class_no_interval"] == {"COVID": "one COVID film"}
    ci3 = auroc_per_class_ci(y3, p3, ["COVID", "Normal", "Viral"])
    assert ci3["COVID"] == [None, None] and ci3["Normal"][0] is not None


# Newcombe (1998) Stat Med 17:2635, Table III, method 10: (both, only_b, only_a, neither) -> published limits (4 dp)
NEWCOMBE_TABLE_III = [((36, 12, 2, 0), 0.0569, 0.3404), ((20, 12, 2, 16), 0.0562, 0.3292), ((36, 14, 0, 0), 0.1528, 0.4167),
                      ((35, 14, 0, 1), 0.1461, 0.4175), ((2, 97, 1, 0), 0.8721, 0.9854), ((0, 29, 1, 0), 0.6666, 0.9882),
                      ((0, 30, 0, 0), 0.8395, 1.0), ((54, 0, 0, 0), -0.0664, 0.0664), ((53, 0, 0, 1), -0.0729, 0.0729),
                      ((30, 0, 0, 24), -0.0358, 0.0358), ((27, 0, 0, 27), -0.0351, 0.0351)]


@pytest.mark.parametrize("counts,lo,hi", NEWCOMBE_TABLE_III)
def test_the_paired_difference_gives_newcombes_published_method_10_limits(counts, lo, hi):
    """The paper's own figures, not ones worked out by the same formula: they hold the continuity-corrected phi
    (30, 0, 0, 24), the zero-phi cases (54, 0, 0, 0) and the limit at 1 (0, 30, 0, 0)."""
    assert paired_difference(*counts) == pytest.approx((lo, hi), abs=5.1e-5)
