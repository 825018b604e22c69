"""convert.format_group pinned where a small change went unseen (hand mutation testing, session 68: each test here
failed with one such change in place, which tests/test_by_fields.py's fast tests let through)."""

from __future__ import annotations

from PIL import Image

from convert.format_group import film_format


def test_a_dicom_without_a_dicom_suffix_is_told_by_its_magic_at_byte_128(tmp_path):
    """An export named by accession number, no suffix: DICOM by b'DICM' after the 128-byte preamble, as edge reads it."""
    path = tmp_path / "1234567"
    path.write_bytes(bytes(128) + b"DICM" + bytes(64))
    assert film_format(path) == "DICOM"


def test_a_file_that_cannot_be_read_has_no_format(tmp_path):
    """'' groups it as not given; a folder in place of a file cannot be opened."""
    (tmp_path / "a.png").mkdir()
    assert film_format(tmp_path / "a.png") == ""
    assert film_format(tmp_path / "missing.png") == ""


def test_a_webp_is_named_as_edge_names_it(tmp_path):
    """edge.image_magic's 'WebP', as the film's errors and notes name it, not Pillow's 'WEBP'."""
    path = tmp_path / "film.dcm"
    Image.new("L", (8, 8), 100).save(path, format="WEBP")
    assert film_format(path) == "WebP"


def test_a_format_edge_image_magic_does_not_know_is_named_as_pillow_names_it_and_no_image_has_none(tmp_path):
    Image.new("RGB", (16, 16), (90, 90, 90)).save(tmp_path / "a.ico", format="ICO")
    assert film_format(tmp_path / "a.ico") == "ICO"
    (tmp_path / "notes.dcm.txt").write_text("no image here\n")
    assert film_format(tmp_path / "notes.dcm.txt") == ""
