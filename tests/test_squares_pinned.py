"""edge.squares pinned where a change would map evidence on the padding, leave pixels of a small film uncovered, or
move more squares than the call budget allows (found by hand mutation testing: each test here failed with one small
change to film_box, _centred, starts or falls in place, which tests/test_occlusion.py and test_explain.py let
through)."""

from __future__ import annotations

import numpy as np

from edge.squares import falls, film_box, starts


def test_an_input_all_black_is_all_film():
    assert film_box(np.zeros((8, 10), np.uint8)) == (0, 8, 0, 10)


def test_black_beyond_the_padding_plus_one_is_the_films_own():
    """Rows 2-4 lit in 10: 2 black before, 5 after. Centred padding is 2 before and at most 3 after: the last two
    black rows are the film's own (an edge equalised to 0), and mapped."""
    img = np.zeros((10, 10), np.uint8)
    img[2:5] = 200
    assert film_box(img) == (2, 7, 0, 10)


def test_black_on_all_four_sides_alike_is_taken_as_padding_above_and_below():
    """Preprocessing pads one side pair only: where both look padded by the same width, top and bottom are."""
    img = np.zeros((10, 10), np.uint8)
    img[1:9, 1:9] = 200
    assert film_box(img) == (1, 9, 0, 10)


def test_a_film_narrower_than_a_square_is_covered_by_one_square_ending_at_its_edge():
    """A square that starts at the film's own start would hang over its far edge into the padding."""
    assert starts(5, 8, 4, 2) == [4] and starts(1, 3, 4, 2) == [0] and starts(0, 8, 4, 2) == [0, 2, 4]


def test_only_the_seeds_strongest_squares_are_moved():
    """Two strong places far apart and ``seeds=1``: one square moved in finer steps, one more in the map, not two
    (each seed costs up to 24 more model calls)."""
    grid = [(y, x) for y in range(0, 33, 4) for x in range(0, 33, 4)]

    def drop(offsets):
        return np.array([np.exp(-((y - 2) ** 2 + (x - 2) ** 2) / 8) + 0.9 * np.exp(-((y - 30) ** 2 + (x - 30) ** 2) / 8)
                         for y, x in offsets])

    one = falls(drop, grid, 4, seeds=1)
    assert len(set(one) - set(grid)) == 1 and len(set(falls(drop, grid, 4, seeds=2)) - set(grid)) == 2


def _peaks(*peaks):
    def drop(offsets):
        return np.array([sum(v * np.exp(-((y - py) ** 2 + (x - px) ** 2) / 2) for py, px, v in peaks)
                         for y, x in offsets])
    return drop


GRID = [(y, x) for y in range(0, 33, 4) for x in range(0, 33, 4)]


def test_two_places_in_one_row_two_squares_apart_are_two_places():
    """Strong evidence at (1, 1) and at (1, 9), two squares apart in one row (or column): each is a place of its
    own and its square is moved onto it; a weaker third far away is not the second seed."""
    for second in ((1, 9), (9, 1), (1, 25)):
        out = falls(_peaks((1, 1, 1.0), (*second, 0.9), (28, 28, 0.2)), GRID, 4, seeds=2)
        assert second in out and (1, 1) in out


def test_a_square_is_moved_to_the_pixel_in_steps_down_to_an_eighth_of_the_grids():
    """Stride 8: moved by 4, 2 and then 1 pixel, onto evidence 3 pixels off the grid."""
    grid = [(y, x) for y in range(0, 33, 8) for x in range(0, 33, 8)]
    assert (3, 3) in falls(_peaks((3, 3, 1.0)), grid, 8, seeds=1)


def test_moved_squares_stay_within_the_grids_extent():
    """Evidence past the grid's last square (the film's edge): a square moved towards it stops at the grid's edge,
    never hanging over the film's edge into the padding or past the input."""
    for peak in ((40, 40, 1.0), (-8, -8, 1.0), (40, -8, 1.0)):
        out = falls(_peaks(peak), GRID, 4, seeds=1)
        assert all(0 <= y <= 32 and 0 <= x <= 32 for y, x in out), peak


def test_three_strongest_places_are_moved_by_default():
    """SEEDS (3): three places of evidence, each 1 pixel off the grid, are each found to the pixel; a fourth,
    weaker, is not moved (its 24 calls saved)."""
    peaks = ((1, 1, 1.0), (1, 29, 0.9), (29, 1, 0.8), (29, 29, 0.7))
    out = falls(_peaks(*peaks), GRID, 4)
    assert {(1, 1), (1, 29), (29, 1)} <= set(out) and (29, 29) not in out
