"""convert.occlusion pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change to border_shares, overall_border_share, explain_mistakes or their limits in place, which
tests/test_occlusion.py and the other tests of the module that need no trained run let through)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from convert.occlusion import EVIDENCE_SAMPLE, MAX_MAPS, border_shares, explain_mistakes, overall_border_share
from tests.test_occlusion import image, top_left_detector


def test_every_map_moves_the_progress_bar_by_one():
    """A bar over the maps that never moved looked like a hang for the minutes 200 maps take."""
    x = np.stack([image(250), image(20), image(250)])
    ticks: list[int] = []
    border_shares(top_left_detector, x, np.array([1, 0, 1]), ticks.append)
    assert ticks == [1, 1, 1]
    ticks.clear()
    overall_border_share(top_left_detector, x, np.exp(top_left_detector(x)), done=ticks.append)
    assert ticks == [1, 1, 1]


def test_the_most_confident_mistakes_come_first_ties_in_the_sets_order_and_no_more_than_asked():
    """Ties keep the set's order (an unstable sort of 17 or more mistakes shuffled them: other maps on each run
    of the same files); no more maps than asked."""
    x = np.stack([image(250)] * 20)
    probs = np.tile([0.2, 0.8], (20, 1))
    probs[::3] = [0.1, 0.9]
    got = explain_mistakes(top_left_detector, x, np.zeros(20, int), probs, limit=9)
    assert [m["index"] for m in got] == [0, 3, 6, 9, 12, 15, 18, 1, 2]


def test_a_mistake_under_a_rule_is_given_with_the_probability_of_the_class_it_was_given():
    """Under a threshold rule the answer need not be the most probable class: its probability is the answer's."""
    x = np.stack([image(250)])
    got = explain_mistakes(top_left_detector, x, np.array([0]), np.array([[0.7, 0.3]]), limit=1, pred=np.array([1]))
    assert got[0]["predicted"] == 1 and got[0]["probability"] == 0.3


def test_the_evidence_check_maps_at_most_200_images_and_the_limits_are_the_documented_ones():
    """docs/commands.md promises 'at most 60' maps and 'up to 200 images' for the border share."""
    x = np.zeros((250, 32, 32, 1), np.uint8)
    flat = overall_border_share(lambda b: np.zeros((len(b), 2)), x, np.full((250, 2), 0.5))
    assert flat["without_evidence"] == 200 == EVIDENCE_SAMPLE
    docs = (Path(__file__).parents[1] / "docs" / "commands.md").read_text()
    assert f"(at most {MAX_MAPS}, one picture)" in docs
    assert f"over up to\n  {EVIDENCE_SAMPLE} images" in docs
