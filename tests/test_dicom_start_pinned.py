"""edge.dicom_start pinned where a change would take a file for DICOM or not by its first bytes and name wrongly
(found by hand mutation testing: each test here failed with one small change, which tests/test_dicom*.py let
through)."""

from __future__ import annotations

from pathlib import Path

from edge.dicom_start import is_dicom, sop_class, starts_as_data_set

DX = b"1.2.840.10008.5.1.4.1.1.1.1\x00"  # Digital X-Ray Image Storage - For Presentation, padded to even


def implicit(group: int, element: int, value: bytes) -> bytes:
    return group.to_bytes(2, "little") + element.to_bytes(2, "little") + len(value).to_bytes(4, "little") + value


def test_a_few_bytes_shorter_than_a_tag_and_its_length_are_no_data_set():
    assert not starts_as_data_set(b"\x08\x00\x05\x00CS\x00")  # 7 bytes: an explicit VR, but no length after it


def test_implicit_elements_must_agree_up_to_the_third():
    """Two elements of group 0008 then a third of group 0000 (a TGA image's origin and size read as tags): no data set."""
    two = implicit(0x0008, 0x0005, b"AB") + implicit(0x0008, 0x0008, b"CD")
    assert starts_as_data_set(two + implicit(0x0008, 0x0016, DX))
    assert not starts_as_data_set(two + implicit(0x0000, 0x0002, b"EF"))
    assert not starts_as_data_set(implicit(0x0008, 0x0005, b"AB") * 2)  # a tag again: each comes after the one before


def test_a_first_implicit_element_of_undefined_or_odd_length_is_no_data_set():
    """A sequence or a long value after agreeing tags is a data set's; as the first element alone, no proof."""
    assert not starts_as_data_set(b"\x08\x00\x05\x00\xff\xff\xff\xff" + bytes(8))
    assert not starts_as_data_set(implicit(0x0008, 0x0005, b"ABC"))


def test_a_webp_named_dcm_is_not_dicom_and_any_case_of_either_suffix_is():
    assert not is_dicom(b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(8), Path("a.dcm"))
    assert is_dicom(b"no magic at all", Path("A.DCM")) and is_dicom(b"no magic at all", Path("a.dicom"))


def test_a_sop_class_cut_short_by_the_bytes_read_is_none():
    """A UID cut by the end of the bytes read is no UID ('1.2.840.10008.5.1.4.1.1.1' is another class)."""
    head = implicit(0x0008, 0x0016, DX)
    assert sop_class(head) == DX.rstrip(b"\x00").decode()
    assert sop_class(head[:-3]) is None


def test_a_dicomdir_is_said_as_a_media_directory():
    from edge.dicom_start import not_a_film

    assert not_a_film(implicit(0x0008, 0x0016, b"1.2.840.10008.1.3.10")) == "a media directory (DICOMDIR)"
