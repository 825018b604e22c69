"""A film of too few grey levels is refused, not labelled (edge.grey_levels): found by an image fuzz, an LA or RGBA PNG
(or WebP) of alpha 1/255 everywhere was read as grey 0 and 1, passed the blank check (two levels) and was labelled."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from edge.grey_levels import FEW_LEVELS, few_levels_fault, grey_level_count
from edge.preprocess import ImageError, decode_bytes, load_bytes


def film(h: int = 128, w: int = 96) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    noise = np.random.default_rng(0).normal(0, 8, (h, w))
    return np.clip(128 + 60 * np.sin(xx / 7.0) + 40 * np.cos(yy / 11.0) + noise, 0, 255).astype(np.uint8)


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def nearly_clear(mode: str, alpha: int = 1) -> Image.Image:
    """The film in the colour channels, under an alpha of ``alpha``/255 everywhere."""
    f = film()
    a = np.full_like(f, alpha)
    return Image.fromarray(np.dstack([f, a] if mode == "LA" else [f, f, f, a]), mode)


HIDDEN = grey_level_count(film())  # the picture in the colour channels


@pytest.mark.parametrize("mode, fmt, kw", [("LA", "PNG", {}), ("RGBA", "PNG", {}), ("RGBA", "WEBP", {"lossless": True})])
def test_a_film_hidden_by_an_alpha_of_1_is_refused_saying_so(mode, fmt, kw):
    data = encode(nearly_clear(mode), fmt, **kw)
    assert grey_level_count(decode_bytes(data)) == 2  # laid on black: grey 0 and 1, which the blank check let through
    with pytest.raises(ImageError, match=rf"^too few grey levels: the film decodes to 2 grey levels .*its transparency "
                                         rf"\(alpha at most 1/255\) hides a picture of {HIDDEN} grey levels in its "
                                         r"colour channels.*; export it again without transparency \(no alpha channel\)$"):
        load_bytes(data, "x." + fmt.lower())


def test_ignoring_the_alpha_would_give_the_film_and_un_premultiplying_would_not():
    """Why the hint reads the colour channels: a PNG's alpha is straight, so they hold the film exactly; the
    composited grey (0 or 1) keeps nothing of it to un-premultiply."""
    data = encode(nearly_clear("RGBA"))
    behind = np.asarray(Image.open(io.BytesIO(data)).convert("RGB").convert("L"))
    assert (behind == film()).all()
    assert np.unique(decode_bytes(data).astype(int) * 255).size == 2


@pytest.mark.parametrize("alpha", [2, FEW_LEVELS - 2])
def test_a_faint_alpha_is_refused_while_it_leaves_fewer_than_16_levels(alpha):
    data = encode(nearly_clear("LA", alpha))
    levels = grey_level_count(decode_bytes(data))
    assert levels < FEW_LEVELS
    with pytest.raises(ImageError, match=rf"^too few grey levels: the film decodes to {levels} grey levels"):
        load_bytes(data, "x.png")


def test_a_posterised_grey_film_is_refused_with_what_to_do():
    data = encode(Image.fromarray(film() // 32 * 32))  # 8 levels, no transparency
    with pytest.raises(ImageError, match=r"^too few grey levels: the film decodes to \d grey levels \(a radiograph has "
                                         r"hundreds; fewer than 16 is nothing to classify\); export it again as a "
                                         r"grayscale film, and check that it has no transparency \(alpha\)$"):
        load_bytes(data, "x.png")


def test_16_levels_pass_and_15_do_not():
    levels = np.resize(np.arange(16, dtype=np.uint8) * 16, (64, 64))
    assert few_levels_fault(levels) is None
    assert load_bytes(encode(Image.fromarray(levels)), "x.png").shape == (64, 64)
    fifteen = np.where(levels == 240, 224, levels).astype(np.uint8)
    assert "15 grey levels" in few_levels_fault(fifteen)


def test_a_model_files_own_self_test_pictures_are_not_refused():
    """cxr-convert stores 8-level pictures in every model file (convert.export.selftest_images); --selftest decodes
    them with film=False (edge.model.decode_encoded), else every deployed model's self-test would fail."""
    data = encode(Image.fromarray(film() // 32 * 32))
    assert (load_bytes(data, "selftest/0.png", film=False) == film() // 32 * 32).all()


def test_an_opaque_film_and_a_partly_transparent_one_still_decode():
    f = film()
    assert (load_bytes(encode(nearly_clear("LA", 255)), "x.png") == f).all()
    half = np.dstack([f, np.where(np.arange(96) < 48, 255, 0).astype(np.uint8)[None].repeat(128, 0)])
    out = load_bytes(encode(Image.fromarray(half, "LA")), "x.png")
    assert (out[:, :48] == f[:, :48]).all() and out[:, 48:].max() == 0


def test_a_dicom_of_few_stored_levels_is_refused():
    """A DICOM whose stored values hold 8 levels keeps them through its LUTs (edge.dicom_luts): no radiograph either."""
    pytest.importorskip("pydicom")
    from tests.test_dicom import make_dicom

    with pytest.raises(ImageError, match=r"^too few grey levels: the film decodes to 8 grey levels .*; export the film again from its source "):
        load_bytes(make_dicom((film().astype(np.uint16) // 32 * 512), bits=16), "x.dcm")
