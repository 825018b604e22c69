"""edge.evidence_paint pinned where a change would hide the film under its strongest evidence or break the outline
round it (found by hand mutation testing: each test here failed with one small change to painted or outline in
place, which tests/test_occlusion.py and the fast tests of tests/test_explain.py let through)."""

from __future__ import annotations

import numpy as np

from edge.evidence_paint import outline, painted


def test_the_film_still_shows_under_its_strongest_evidence():
    """MAX_ALPHA (0.85): a rib's edge under the strongest square is still told from the lung beside it."""
    out = painted(np.array([[0.0, 255.0]]), np.ones((1, 2)))
    assert int(out[0, 1].sum()) - int(out[0, 0].sum()) > 20


def test_the_outline_goes_round_the_sides_of_a_region_too():
    """A band of evidence down the film: its left and right edges are outlined, not only its top and bottom, and
    where it meets the picture's edge it is outlined there too (the picture's edge is outside it)."""
    mask = np.zeros((5, 5), bool)
    mask[:, 1:4] = True
    inner, outer = outline(mask)
    assert inner[2, 1] and inner[2, 3] and not inner[2, 2] and outer[2, 0] and outer[2, 4] and inner[0, 2]


def test_the_outline_is_at_half_the_strongest_as_the_caption_says():
    from edge.evidence_paint import OUTLINE_LEVEL
    from edge.explain import Occlusion, evidence_text

    found = Occlusion(np.ones((4, 4)), (0, 4, 0, 4), 2.0, 1.0, (0, 0), 2, 0.5)
    assert OUTLINE_LEVEL == 0.5 and "outlined at half the strongest" in evidence_text(found, "COVID")
