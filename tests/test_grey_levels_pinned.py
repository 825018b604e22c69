"""Pinned edges of edge.grey_levels found by mutation testing: the exact 0.5% / 99.5% points, the alpha the message
quotes, transparency given by a palette (tRNS) rather than an alpha channel, and each kind of film's advice."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from edge.grey_levels import central_spread, few_levels_fault
from edge.preprocess import ImageError, load_bytes
from tests.test_grey_levels import encode, film


def test_the_central_99_percent_stops_exactly_at_the_half_percent_points():
    """1,000 pixels: 5 at 0 (exactly 0.5%), 10 at each of 100..198 (990), 5 at 255. The darkest level above the
    lowest 0.5% is 100 (cumulative 5 at level 0 is not past 5); the brightest of the central 99% is 198, where the
    cumulative count reaches 995 = 99.5% (255 lies past it). A 5% / 95% cut would give 104 and 194."""
    pixels = np.array([0] * 5 + [v for v in range(100, 199) for _ in range(10)] + [255] * 5, np.uint8)
    assert pixels.size == 1000
    assert central_spread(pixels.reshape(10, 100)) == (100, 198)


def test_the_alpha_quoted_is_the_files_largest():
    """Alpha 1 on the left half, 3 on the right: laid on black the film spans 0..3 (4 levels), and the message names
    the most opaque part, 3/255."""
    f = film()
    alpha = np.ones_like(f)
    alpha[:, f.shape[1] // 2:] = 3
    data = encode(Image.fromarray(np.dstack([f, alpha]), "LA"))
    with pytest.raises(ImageError, match=r"its transparency \(alpha at most 3/255\) hides a picture"):
        load_bytes(data, "x.png")


def test_a_palette_films_transparency_is_named_too():
    """A palette PNG whose tRNS chunk gives every colour alpha 1 has no alpha band, only info['transparency']: its
    film is hidden all the same, and the message says so."""
    img = Image.fromarray(film(), "L").convert("P")
    buf = io.BytesIO()
    img.save(buf, "PNG", transparency=bytes([1] * 256))
    with pytest.raises(ImageError, match=r"its transparency \(alpha at most 1/255\) hides a picture spanning"):
        load_bytes(buf.getvalue(), "x.png")


def test_a_transparent_film_whose_colours_span_few_levels_too_is_not_said_to_hide_a_picture():
    """A checkerboard of 0 and 10 (spanning 11 levels, under FEW_LEVELS) under alpha 100: laid on black it reads 0
    and 4 (10 * 100 / 255 = 3.9; half each, so no blank image), refused for spanning 5 levels; its colours hide
    nothing worth naming, so the advice is the plain one."""
    board = (np.indices((64, 64)).sum(axis=0) % 2 * 10).astype(np.uint8)
    data = encode(Image.fromarray(np.dstack([board, np.full_like(board, 100)]), "LA"))
    with pytest.raises(ImageError, match=r"^too few grey levels: 99% of the film's pixels lie within 5 grey levels "
                                         r"\(0 to 4\), where a chest film spans 80 or more; export it again as a "
                                         r"grayscale film, and check that it has no transparency \(alpha\)$"):
        load_bytes(data, "x.png")


def test_a_dicom_film_without_a_file_is_sent_back_to_its_source():
    """No file bytes (the DICOM path): no transparency to speak of; 15 levels 50..64 is one short of FEW_LEVELS."""
    levels = np.resize(np.arange(15, dtype=np.uint8) + 50, (64, 64))
    assert few_levels_fault(levels).endswith("; export the film again from its source (a mask or a blank field is "
                                             "no film to classify)")


def test_a_film_opaque_somewhere_is_not_said_to_hide_a_picture_behind_its_alpha():
    """The film under alpha 1, but one pixel opaque (alpha 255, a logo): laid on black it still spans 0..1 and is
    refused, but "alpha at most 255/255 hides a picture" would be false: the plain advice is given."""
    f = film()
    alpha = np.ones_like(f)
    alpha[0, 0] = 255
    data = encode(Image.fromarray(np.dstack([f, alpha]), "LA"))
    with pytest.raises(ImageError, match=r"^too few grey levels: .*; export it again as a grayscale film, and check "
                                         r"that it has no transparency \(alpha\)$"):
        load_bytes(data, "x.png")
