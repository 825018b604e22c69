"""edge.explain pinned where a change would paint evidence on the padding, weigh the padding's grey, frame the
wrong outer eighth, or round a covered answer to the same words as the uncovered one (found by hand mutation
testing: each test here failed with one small change to occlusion, border_share, frame or evidence_text in place,
which tests/test_occlusion.py and the fast tests of tests/test_explain.py let through)."""

from __future__ import annotations

import math

import numpy as np

from edge.explain import Occlusion, border_share, evidence_text, frame, occlusion


def test_a_square_is_covered_with_the_films_mean_grey_not_the_paddings():
    """A landscape film padded with black above and below: its squares are covered with its own grey (200), the
    black padding left out of the mean (100 with it: a dark patch the model reads as evidence)."""
    img = np.zeros((16, 16), np.float32)
    img[4:12] = 200.0
    seen = []

    def log_scores(batch):
        seen.append(np.unique(batch))
        return np.zeros((len(batch), 2))
    occlusion(log_scores, img, 0)
    assert set(np.concatenate(seen).tolist()) == {0.0, 200.0}


def test_a_film_thinner_than_a_square_has_no_evidence_painted_on_its_padding():
    img = np.zeros((16, 16), np.float32)
    img[7, :8] = 200.0                                 # one row of film: its square reaches into the padding

    def log_scores(batch):
        lit = batch.reshape(len(batch), -1).sum(axis=1) / 3200.0
        return np.stack([lit * 4, np.zeros(len(batch))], axis=1)
    found = occlusion(log_scores, img, 0)
    assert found.box == (7, 8, 0, 16) and np.abs(found.heat[7]).max() > 0.1
    assert found.heat[:7].sum() == 0 and found.heat[8:].sum() == 0


def test_evidence_outside_the_film_counts_for_no_share():
    heat = np.zeros((10, 10))
    heat[0, 0], heat[5, 5] = 5.0, 1.0                  # the padding's, and the film's centre
    assert border_share(heat, (2, 8, 0, 10)) == 0.0


def test_a_portrait_films_outer_eighth_is_an_eighth_of_each_side():
    assert frame((0, 80, 0, 40)) == (10, 70, 5, 35)


def test_a_covered_answer_is_given_with_the_decimals_that_tell_it_from_the_uncovered():
    base, covered = math.log(0.9712 / 0.0288), math.log(0.969 / 0.031)
    text = evidence_text(Occlusion(np.zeros((4, 4)), (0, 4, 0, 4), base, base - covered), "COVID")
    assert "takes COVID from 0.971 to 0.969" in text


def test_the_log_odds_of_one_class_of_three_weigh_both_others():
    """Three classes at one score each: 1/3 against 2/3, log-odds -log 2 (the largest other alone gave 0)."""
    from edge.explain import log_odds

    assert np.allclose(log_odds(np.zeros((1, 3)), 0), [-math.log(2)])


def test_a_film_not_flagged_adds_no_line_to_its_maps_caption():
    from edge.explain import flagged_caption

    assert flagged_caption(False) == "" and flagged_caption(None) == "" and flagged_caption("") == ""
