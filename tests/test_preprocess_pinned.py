"""edge.preprocess's steps pinned where a change would give the device other pixels than training gave
(found by hand mutation testing: each test here failed with one small change to preprocess_gray,
equalize or trim_uniform_borders in place, which every earlier test let through)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from PIL import Image

from edge.borders_contrast import equalize, trim_uniform_borders
from edge.preprocess import DECODE_RULES, ImageError, PreprocessConfig, load_bytes, preprocess_gray
from tests.test_preprocess import chest_like, encode


def integer_film(h: int, w: int) -> np.ndarray:
    """A film-like image made with integer arithmetic only, so its bytes are the same on every machine."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.int64)
    return ((xx * 3 + yy * 2 + (xx * yy) // 7 + ((xx // 5 + yy // 3) % 4) * 11) % 220 + 20).astype(np.uint8)


# sha256 of the model inputs of integer_film(301, 517) framed in black, at DECODE_RULES 4 (as at 2: 3 changed
# only GIFs whose first image lies outside their screen, 4 only DICOM films with Pixel Padding)
PINNED = {
    ("pad", "equalize", True): "0a6880d66bcfee47384c6b7b00c32cb7cfcdd7f30ac103741a74b4909eaa0513",
    ("pad", "none", False): "95f1bf46d31ca5fd22f93d2a129787ffe7ccb3f2d1326f71f53c034c834d03b2",
    ("squash", "equalize", True): "0d6009d47fe2c4f96a0cf260946ef94e399571fc427b7b25eaf06a9213e47236",
}


def framed_film() -> np.ndarray:
    framed = np.zeros((301 + 40, 517 + 30), np.uint8)
    framed[25:326, 10:527] = integer_film(301, 517)
    return framed


@pytest.mark.parametrize("resize,normalize,trim", sorted(PINNED))
def test_the_pixels_of_a_film_are_those_of_its_decode_rules(resize, normalize, trim):
    """A run's cache of model inputs is reused while its DECODE_RULES match: a change that gives a film other
    pixels (another resampling or reducing gap, rounding of the equaliser, centring by a pixel) without a bump
    would train on the old pixels and convert and classify with the new. Change the digests with DECODE_RULES."""
    assert DECODE_RULES == 4, "DECODE_RULES changed: update the digests below to the new rules' pixels"
    x = preprocess_gray(framed_film(), PreprocessConfig(size=64, resize=resize, normalize=normalize, trim_borders=trim))
    assert hashlib.sha256(x.tobytes()).hexdigest() == PINNED[(resize, normalize, trim)]


def test_trim_borders_in_the_config_trims_a_framed_film_as_the_bare_one():
    """A letterboxed film and the same film bare give the same input (the frame differs by site), and
    trim_borders=False (a model converted so) keeps the frame."""
    bare = integer_film(301, 517)
    on, off = PreprocessConfig(size=64), PreprocessConfig(size=64, trim_borders=False)
    assert (preprocess_gray(framed_film(), on) == preprocess_gray(bare, on)).all()
    assert (preprocess_gray(framed_film(), off) != preprocess_gray(bare, off)).any()


def test_a_config_without_trimming_survives_the_round_trip_through_a_model_files_metadata():
    """A model converted with trim_borders=False must be fed untrimmed films on the device too."""
    for cfg in (PreprocessConfig(trim_borders=False), PreprocessConfig(size=8, normalize="none")):
        assert PreprocessConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="at least 8"):
        PreprocessConfig(size=7)


def test_the_odd_row_of_padding_goes_below_the_content():
    """37 content rows in 64: 13 rows of padding above, 14 below (floor division, as every model was trained)."""
    out = preprocess_gray(integer_film(37, 64), PreprocessConfig(size=64, trim_borders=False))[:, :, 0]
    rows = np.flatnonzero(out.max(axis=1) > 0)
    assert (rows[0], rows[-1]) == (13, 49)


def test_the_content_is_equalised_without_its_padding():
    """Equalising the padded square would count the padding as the darkest level: a landscape film whose
    darkest level covers a third of it would start at grey 85, not black, unlike the same film squashed."""
    film = integer_film(40, 120)
    film[:, :40] = 5  # the darkest level, a third of the film (not a border: the rows go on)
    out = preprocess_gray(film, PreprocessConfig(size=60, trim_borders=False))[:, :, 0]
    content = out[20:40]
    assert content.min() == 0 and content.max() == 255


def test_equalize_rounds_its_levels():
    """Levels 0,1,2,3 with 1, 1, 5 and 1 pixels: the cumulative shares 0, 1/7, 6/7, 1 of 255, rounded."""
    assert equalize(np.array([[0, 1, 2, 2, 2, 2, 2, 3]], np.uint8)).tolist() == [[0, 36, 219, 219, 219, 219, 219, 255]]


def test_trim_takes_borders_spanning_up_to_six_levels_by_default():
    """What preprocess_gray, train.scan and convert.seen call: the default tolerance is 6 grey levels."""
    framed = np.zeros((120, 100), np.uint8)
    framed[10:110] = chest_like(100, 100)
    framed[:10, ::2] = 6  # spans 0..6: flat, trimmed
    framed[110:, ::2] = 7  # spans 0..7: content, kept
    assert trim_uniform_borders(framed).shape == (110, 100)


def test_trim_limits_each_side_by_its_own_dimension():
    """A quarter of the width from the left and right, a quarter of the height from top and bottom; a band wider
    than that is cut to the quarter, not left whole."""
    wide = np.zeros((100, 400), np.uint8)
    wide[:, 60:] = integer_film(100, 340)
    assert trim_uniform_borders(wide).shape == (100, 340)  # 60 columns: under 100 (a quarter of 400), over 25
    deep = np.zeros((100, 100), np.uint8)
    deep[40:] = integer_film(60, 100)
    assert trim_uniform_borders(deep).shape == (75, 100)  # 40 flat rows: 25 go


def test_a_film_with_exactly_the_blank_share_on_one_level_is_refused_and_32_pixels_a_side_is_enough():
    """BLANK_SHARE (99%) on one grey level is blank; MIN_SIDE (32) pixels a side is a film."""
    blank = np.zeros((100, 100), np.uint8)
    blank[0, :100] = 200  # exactly 99% black
    with pytest.raises(ImageError, match="blank image"):
        load_bytes(encode(Image.fromarray(blank)))
    assert load_bytes(encode(Image.fromarray(integer_film(32, 40)))).shape == (32, 40)
