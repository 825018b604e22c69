"""A DICOM film cut short anywhere (a USB stick pulled during a PACS export) is said to be cut short.

Cut inside the file meta information, inside an element's tag or length, or right after the Pixel Data
element's header, it was 'holds no image (no PixelData)' (as a structured report is), 'unreadable DICOM (error)'
or 'no pixel data (its PixelData element is empty)'; cut inside the pixels, pydicom's 'less than expected ... the
dataset may be corrupted, have an invalid group 0028 element value, or the transfer syntax may be incorrect'.
None said to copy it again."""

from __future__ import annotations

import io

import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom import make_dicom, ramp  # noqa: E402

CUT = "cut short (an interrupted copy?); copy it again"


def reason(data: bytes) -> str:
    with pytest.raises(ImageError) as e:
        load_bytes(data, "IM000001")
    return str(e.value)


def structured_report() -> bytes:
    """A whole DICOM file that holds no film: an enhanced structured report."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.22"  # an enhanced structured report
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "SR"
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def element_ends(data: bytes) -> set[int]:
    """The byte offsets at which the file meta information, or an element of the data set after it, ends."""
    ds = pydicom.dcmread(io.BytesIO(data))
    meta_end = 144 + ds.file_meta.FileMetaInformationGroupLength
    return {meta_end} | {ds.get_item(tag).value_tell + ds.get_item(tag).length for tag in ds.keys()}


def test_a_film_cut_inside_any_element_says_cut_short_and_copy_it_again():
    data = make_dicom(ramp(8, 10))
    between = element_ends(data)
    for size in range(132, len(data)):
        if size in between:
            continue  # no byte tells such a file from one sent without what follows: below
        said = reason(data[:size])
        assert said.endswith(CUT), (size, said)


def test_a_film_cut_between_two_elements_names_its_header_and_both_causes():
    data = make_dicom(ramp(8, 10))
    ds = pydicom.dcmread(io.BytesIO(data))
    after_size = ds.get_item("Columns").value_tell + ds.get_item("Columns").length  # Rows comes before Columns
    assert after_size in element_ends(data)
    assert reason(data[:after_size]) == ("DICOM file holds no image: it ends before its pixel data, though its header "
                                         "is a film's (10x8): cut short (an interrupted copy?), or sent without its "
                                         "pixels")
    after_class = ds.get_item("SOPClassUID").value_tell + ds.get_item("SOPClassUID").length
    assert reason(data[:after_class]).startswith("DICOM file holds no image: it ends before its pixel data, though its "
                                                 "header is a film's (Digital X-Ray Image Storage - For Presentation)")


def test_a_film_cut_inside_its_pixels_says_how_much_arrived():
    data = make_dicom(ramp(8, 10))
    assert reason(data[:-60]) == f"DICOM file ends inside its pixel data (100 of its 160 bytes): {CUT}"
    assert reason(data[:-160]) == f"DICOM file ends inside its pixel data (0 of its 160 bytes): {CUT}"


def test_whole_files_without_a_film_are_not_said_to_be_cut_short():
    assert reason(structured_report()) == "DICOM file holds no image: a structured report, not a film"
    assert reason(make_dicom(ramp(8, 10))[:132]).endswith(CUT)  # the preamble and DICM alone


def test_a_compressed_film_cut_inside_its_pixels_says_so_not_its_header():
    """Encapsulated pixels (JPEG, JPEG 2000, RLE: most PACS exports) cut short leave pydicom an empty data set;
    0.48.0 then said 'ends inside its header, before any pixel data' of every such film."""
    from pydicom.uid import RLELossless

    from tests.test_dicom import compressed

    data = compressed(RLELossless, [bytes(range(256)) * 4])
    start = pydicom.dcmread(io.BytesIO(data)).get_item("PixelData").value_tell
    for size in range(start, len(data) - 8, 61):  # the last 8 bytes: the sequence delimiter, after the pixels
        assert reason(data[:size]) == f"DICOM file ends inside its pixel data: {CUT}", size
    assert reason(data[:start - 14]) == f"DICOM file ends inside its header, before any pixel data: {CUT}"


def test_a_film_cut_inside_an_element_after_its_whole_pixels_is_read_as_before():
    """Trailing padding (FFFC,FFFC) cut short: 0.48.0 measured the padding against the Pixel Data's length ('176
    of its 160 bytes') and refused a film whose pixels had all arrived, which 0.47.0 classified."""
    whole = make_dicom(ramp())
    ds = pydicom.dcmread(io.BytesIO(whole))
    ds.add_new(0xFFFCFFFC, "OB", b"\0" * 8)
    buf = io.BytesIO()
    ds.save_as(buf)
    assert (load_bytes(buf.getvalue()[:-4], "IM000001") == load_bytes(whole, "IM000001")).all()


def test_a_whole_report_with_bytes_after_its_last_element_is_said_as_a_report_not_a_cut_film():
    """A structured report with two bytes of padding after it was 'ends inside its header ...; copy it again' (0.48.0
    took any bytes left over after the last element for a film cut inside an element's tag): copying it again gives
    the same report."""
    for padding in (b"\0\0", b"\n", b"\0" * 6):
        assert reason(structured_report() + padding) == "DICOM file holds no image: a structured report, not a film"
