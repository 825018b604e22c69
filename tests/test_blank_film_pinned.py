"""edge.blank_film pinned (hand mutation testing, session 71): a decoded film thin on either side (a DICOM's, whose
size no image header checked first) is refused, its size said width x height."""

from __future__ import annotations

import numpy as np
import pytest

from edge.blank_film import check_size
from edge.image_error import ImageError


@pytest.mark.parametrize("h,w", [(10, 100), (100, 10)])
def test_a_film_thin_on_either_side_is_refused_with_its_size_width_by_height(h, w):
    gray = (np.arange(h * w) % 256).astype(np.uint8).reshape(h, w)
    with pytest.raises(ImageError, match=f"^image is {w}x{h} pixels; at least 32 px per side is needed$"):
        check_size(gray)
