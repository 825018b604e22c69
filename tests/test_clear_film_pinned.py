"""edge.clear_film pinned where a small change went unseen (hand mutation testing, session 68: each test here failed
with one such change in place, which tests/test_clear_film.py, test_clear_fill.py and test_wiped_clear_film.py let
through)."""

from __future__ import annotations

import numpy as np

from edge.clear_film import hidden_in


def _greys(**levels: int) -> np.ndarray:
    g = np.zeros(256, np.int64)
    for k, n in levels.items():
        g[int(k[1:])] = n
    return g


def test_a_fill_with_two_fifths_off_it_is_still_a_fill_only_what_lies_off_it_hides():
    """A canvas filled white that an encoder dithered, or with a picture on it: 60% at one level (FLAT_FILL,
    inclusive) is a fill, and only the 40% off it count as hidden; a stricter share refused such canvases whole
    (90%: a film hiding 8% of the canvas beside a fill of 51%); no real picture holds 41% at one level (cxr-dev)."""
    assert hidden_in(_greys(l200=60, l100=40)) == 40
    assert hidden_in(_greys(l200=89, l100=11)) == 11
    assert hidden_in(_greys(l200=59, l100=41)) == 100  # under 60%: no fill, every coloured clear pixel hides


def test_a_picture_ten_levels_off_the_fill_is_not_part_of_the_fill():
    """The fill takes its level and FILL_SPREAD (2) either side, an encoder's dither: a picture at 190 under a clear
    canvas filled at 200 is hidden, not fill."""
    assert hidden_in(_greys(l200=95, l198=2, l202=1, l190=5)) == 5


def test_hidden_count_counts_the_hidden_pixels_not_every_clear_one():
    """A strip clear over black (a letterbox's margin) hides nothing though every pixel is clear."""
    from PIL import Image

    from edge.clear_film import clear_greys

    strip = Image.new("RGBA", (8, 4), (0, 0, 0, 0))
    assert clear_greys(strip).sum() == 32 and hidden_in(clear_greys(strip)) == 0
    strip.paste((120, 120, 120, 0), (0, 0, 8, 1))
    strip.paste((200, 200, 200, 0), (0, 1, 8, 2))  # a picture (two levels far apart), no flat fill
    assert hidden_in(clear_greys(strip)) == 16


def test_alpha_16_is_not_nearly_clear_and_grey_15_is_black():
    """Nearly clear is alpha under FEW_LEVELS (16)/255; black is under grey 16: the bounds of what is counted hidden."""
    from PIL import Image

    from edge.clear_film import clear_greys

    strip = Image.new("RGBA", (4, 1), (150, 150, 150, 16))
    assert clear_greys(strip).sum() == 0
    strip.putpixel((0, 0), (15, 15, 15, 0))
    strip.putpixel((1, 0), (150, 150, 150, 0))
    strip.putpixel((2, 0), (230, 230, 230, 0))
    assert clear_greys(strip).sum() == 3 and hidden_in(clear_greys(strip)) == 2


def test_the_bounds_are_inclusive_80_percent_clear_passes_and_half_hidden_is_said_as_over_black():
    """MOSTLY_CLEAR and MOST_HIDDEN are the most allowed: 80.0% clear is read; 50.0% hidden (with 90% clear) is
    refused for its clear share, said as clear partly over black and partly over a picture."""
    from edge.clear_film import mostly_hidden_fault

    gray = np.tile(np.arange(200, dtype=np.uint8), 5).reshape(20, 50)  # 1,000 pixels over 200 grey levels
    assert mostly_hidden_fault(gray, hidden=0, clear=800) is None
    assert "80.1% of the film's pixels are nearly clear" in mostly_hidden_fault(gray, hidden=0, clear=801)
    said = mostly_hidden_fault(gray, hidden=500, clear=900)  # refused for its clear share: part black, part picture
    assert "90.0% of the film's pixels are nearly clear" in said and "50.0% over a picture" in said
    assert "the rest over black" in said
    hidden = mostly_hidden_fault(gray, hidden=501, clear=900)  # refused for the picture it hides
    assert "50.1% of the film's pixels are nearly clear" in hidden and "the rest over black" not in hidden
    assert mostly_hidden_fault(gray, hidden=50, clear=900).count("over black") == 1  # SOME_HIDDEN: 5% is not some
    assert "over a picture" in mostly_hidden_fault(gray, hidden=51, clear=900)


def test_the_fill_takes_two_levels_either_side_and_no_third():
    """FILL_SPREAD is 2 on both sides of the fill's level: 198 and 202 are the fill at 200 (an encoder's dither), 197
    and 203 lie off it and are hidden (session 69: a spread of 3, or one more level above, went unseen)."""
    assert hidden_in(_greys(l200=80, l198=10, l202=10)) == 0
    assert hidden_in(_greys(l200=80, l197=4, l203=6)) == 10
    assert hidden_in(_greys(l200=80, l197=4, l202=6)) == 4
    assert hidden_in(_greys(l200=80, l198=4, l203=6)) == 6


def test_a_fill_just_above_black_takes_its_neighbours_down_to_grey_16():
    """A canvas filled dark grey (17, or 16: the darkest level that is not counted black) is a fill like any other:
    its window stops at grey 16, never wraps to the top of the histogram (a start of -1) nor skips grey 16."""
    assert hidden_in(_greys(l16=100)) == 0
    assert hidden_in(_greys(l17=70, l16=30)) == 0
    assert hidden_in(_greys(l18=70, l16=20, l100=10)) == 10
    assert hidden_in(_greys(l16=70, l255=30)) == 30


def test_a_clear_film_over_as_much_fill_as_black_is_said_as_over_black():
    """``filled`` (said "over one flat colour") needs more clear pixels over the fill than over black: as many of
    each is said as over black, one more over the fill as over one flat colour."""
    from edge.clear_film import clear_film_fault

    gray = np.tile(np.arange(200, dtype=np.uint8), 5).reshape(20, 50)  # 1,000 pixels over 200 grey levels
    said = clear_film_fault(gray, _greys(l0=450, l200=450))
    assert "90.0% of the film's pixels are nearly clear (alpha under 16/255) over black," in said
    said = clear_film_fault(gray, _greys(l0=449, l200=451))
    assert "90.0% of the film's pixels are nearly clear (alpha under 16/255) over one flat colour," in said


def test_five_percent_hidden_is_not_some_said_only_as_clear_over_black():
    """SOME_HIDDEN (5%) is the most a mostly clear film may hide and still be said as clear over black alone: at
    5.0% no picture is named, at 5.1% it is (the "over black" count alone could not tell the two messages)."""
    from edge.clear_film import mostly_hidden_fault

    gray = np.tile(np.arange(200, dtype=np.uint8), 5).reshape(20, 50)
    assert "over a picture" not in mostly_hidden_fault(gray, hidden=50, clear=900)
    assert "5.1% over a picture" in mostly_hidden_fault(gray, hidden=51, clear=900)
