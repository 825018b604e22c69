"""A film's bytes are let go once its pixels are decoded (edge.film_bytes.FilmBytes): a 6000x6000 16-bit PNG's 65 MB
and a DICOM's 72 MB were held through the decode beside its copies. The same pixels, the same refusals word for
word; a film with transparency keeps its bytes for the grey-level refusal's words about its alpha."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from edge.film_bytes import FilmBytes, held
from edge.image_decode import decode_bytes, decode_counted
from edge.preprocess import ImageError, load_bytes, preprocess_file


def png(a: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a, mode).save(buf, format="PNG")
    return buf.getvalue()


def film(h: int = 96, w: int = 80, top: int = 255, dtype=np.uint8) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return ((xx + yy) * top // (h + w)).astype(dtype)


@pytest.mark.parametrize("pixels", [film(), film(top=60000, dtype=np.uint16)], ids=["8-bit", "16-bit"])
def test_png_bytes_dropped_once_decoded_and_pixels_the_same(pixels):
    data = png(pixels)
    bytes_held = FilmBytes(data)
    gray, _ = decode_counted(bytes_held)
    assert bytes_held.data == b"" and bytes_held.size == len(data)
    assert np.array_equal(gray, decode_bytes(data))


def test_bytes_with_transparency_kept_for_the_refusal_words():
    g = film()
    bytes_held = FilmBytes(png(np.dstack([g, g, g, np.full_like(g, 200)]), "RGBA"))
    decode_counted(bytes_held)
    assert bytes_held.data != b""


def test_plain_bytes_still_decode():
    data = png(film())
    assert held(data).data is data
    assert np.array_equal(decode_counted(data)[0], load_bytes(data))


def few_levels_words(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImageError) as e:
        preprocess_file(path)
    with pytest.raises(ImageError) as again:
        load_bytes(data, path)  # the caller holds its bytes: nothing dropped
    assert str(e.value) == str(again.value)
    return str(e.value)


def test_few_levels_of_an_image_file_said_as_of_one_after_its_bytes_dropped(tmp_path):
    words = few_levels_words(tmp_path, "few.png", png(film() // 64))
    assert words.startswith("too few grey levels")
    assert words.endswith("export it again as a grayscale film, and check that it has no transparency (alpha)")


def test_few_levels_behind_alpha_still_speak_of_the_transparency(tmp_path):
    g = film()
    words = few_levels_words(tmp_path, "alpha.png", png(np.dstack([g, g, g, np.full_like(g, 3)]), "RGBA"))
    assert "its transparency (alpha at most 3/255) hides a picture" in words


def test_low_16_bit_colour_png_refused_from_its_header_after_the_drop(tmp_path):
    from tests.test_preprocess import _png16

    rgb = np.stack([film(dtype=np.uint16) * 16] * 3, -1)  # 12-bit values: their top bytes 16 levels
    words = few_levels_words(tmp_path, "rgb48.png", _png16(rgb, 2))
    assert words.startswith("a 16-bit colour PNG whose values are all low")


def test_dicom_bytes_dropped_once_parsed_and_pixels_the_same():
    pytest.importorskip("pydicom")
    from edge.dicom import dicom_to_gray
    from tests.test_dicom import make_dicom, ramp

    data = make_dicom(ramp(), window=(2000, 4000))
    bytes_held = FilmBytes(data)
    gray = dicom_to_gray(bytes_held)
    assert bytes_held.data == b""
    assert np.array_equal(gray, dicom_to_gray(data))


def test_few_levels_of_a_dicom_keep_their_dicom_words(tmp_path):
    pytest.importorskip("pydicom")
    from tests.test_dicom import make_dicom

    flat = np.full((64, 80), 1000, np.uint16)  # two levels near one another, and a few pixels far off
    flat[:, :40], flat[:2, :5], flat[2:4, :5] = 1040, 0, 4095
    words = few_levels_words(tmp_path, "few.dcm", make_dicom(flat))
    assert words.endswith("export the film again from its source (a mask or a blank field is no film to classify)")
