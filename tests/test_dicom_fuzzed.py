"""DICOM headers that lie, found by fuzzing edge-classify with one header field changed at a time: a film without
Bits Stored, a LUT or rescale pydicom cannot apply (named), a Number of Frames that is no number and header values of 10 kB,
each decoded or refused with a line that says what is wrong with the file."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError  # noqa: E402
from tests.test_dicom import grey, make_dicom, ramp, resave  # noqa: E402

PLAIN = make_dicom(ramp(), bits=12)


def added(data: bytes, *elements: tuple[int, str, object]) -> bytes:
    """``data`` with elements (tag, VR, value) added as written, whatever pydicom thinks of their values."""
    ds = pydicom.dcmread(io.BytesIO(data))
    for tag, vr, value in elements:
        ds.add_new(tag, vr, value)
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def lut(descriptor: list[int], entries: int):
    """A LUT Sequence item whose descriptor says ``descriptor`` and which holds ``entries`` 16-bit entries."""
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    item = Dataset()
    item.add_new(0x00283002, "US", descriptor)
    item.add_new(0x00283006, "OW", np.linspace(0, 65535, entries).astype("<u2").tobytes())
    return Sequence([item])


def test_a_film_without_bits_stored_is_refused_naming_it_not_called_blank():
    """No Bits Stored under a High Bit of 11 read as 12 bits above bit 0 of nothing: every pixel 0, and the film
    was refused as 'blank image: 100% of its pixels are one grey level', which it is not."""
    with pytest.raises(ImageError, match=r"'Bits Stored'"):
        grey(resave(PLAIN, BitsStored=None))


@pytest.mark.parametrize("broken, says", [
    ({"VOILUTSequence": lut([4096, 0, 16], 10)}, "VOI LUT Sequence"),  # 10 entries where 4096 are said
    ({"VOILUTSequence": lut([4096, 0], 4096)}, "VOI LUT Sequence"),  # a descriptor of two values
    ({"ModalityLUTSequence": lut([4096, 0, 16], 10), "RescaleSlope": None, "RescaleIntercept": None},
     "Modality LUT Sequence"),
    ({"RescaleSlope": [1, 2]}, "Rescale Slope and Intercept"),  # two slopes: "operands could not be broadcast"
])
def test_a_lut_or_rescale_pydicom_cannot_apply_is_named(broken, says):
    """They failed the film with pydicom's inner error alone ('cannot decode DICOM (index 160 is out of bounds for
    axis 0 with size 10)'), which named nothing in the file; still refused (edge.dicom: whatever else goes wrong
    is an ImageError naming the cause), now saying which of its header's stages could not be applied."""
    with pytest.raises(ImageError, match=rf"^cannot decode DICOM \(its {says} cannot be applied: \S"):
        grey(resave(PLAIN, **broken))


@pytest.mark.parametrize("value", ["abc", "1e9"])
def test_a_number_of_frames_that_is_no_number_is_named(value):
    """It was "cannot decode DICOM pixel data (invalid literal for int() with base 10: 'abc')": no attribute named."""
    with pytest.raises(ImageError, match=rf"its Number of Frames, '{value}', is no whole number"):
        grey(added(PLAIN, (0x00280008, "LO", value)))


def test_a_header_value_of_10_kb_is_cut_in_the_error_line():
    """pydicom quotes an unknown Photometric Interpretation whole: 10 kB of it was one error line of 10 kB."""
    with pytest.raises(ImageError) as caught:
        grey(added(PLAIN, (0x00280004, "UT", "M" * 10240)))
    assert len(str(caught.value)) < 300 and "(10,240 characters)" in str(caught.value), str(caught.value)[:300]


@pytest.mark.parametrize("name", ["Modality", "BodyPartExamined"])
def test_what_a_header_says_quotes_10_kb_of_it_cut(name, tmp_path):
    """header_says (--json) and the warning on stderr quoted a 10 kB Body Part Examined whole."""
    from edge.dicom_view import film_header_says

    tag = {"Modality": 0x00080060, "BodyPartExamined": 0x00180015}[name]
    path = tmp_path / "IM000001"
    path.write_bytes(added(make_dicom(ramp()), (tag, "UT", "SKULL " * 1700)))
    said = film_header_says(path) or ""
    assert said.startswith(f"the DICOM header says {name} SKULL SKULL") and len(said) < 250, said[:300]


def test_an_error_line_quoting_short_values_far_apart_is_kept_whole():
    """Only a long quoted value is cut: the text between two short ones ("'12' is invalid, ... the (0028,0100)
    'Bits Allocated'") is no value."""
    with pytest.raises(ImageError) as caught:
        grey(resave(make_dicom(ramp()), BitsAllocated=8, BitsStored=12, HighBit=11))
    assert "characters)" not in str(caught.value) and "'Bits Allocated' value of '8'" in str(caught.value)
