"""edge.film_files pinned where a change would take a file for a film that is none, or pass a film over (found by
hand mutation testing: each test here failed with one small change to is_image_name, may_be_dicom_name,
is_image_file, lacks_image_suffix, read_head, image_files or walk_folder in place, which the tests that need no
trained model let through)."""

from __future__ import annotations

import os

from edge.film_files import is_image_name


def test_a_film_name_with_a_space_at_its_end_is_a_film():
    """'y.png ' (typed or exported with a trailing space) was skipped without a word."""
    assert is_image_name("y.png ") and is_image_name("Y.PNG ") and not is_image_name(".y.png ")


def test_an_editors_backup_copy_is_never_opened_for_dicom():
    """IM000001~ (an editor's or rsync --backup's copy) is no film of its own: a DICOM's backup would be answered
    twice."""
    from edge.film_files import may_be_dicom_name

    assert not may_be_dicom_name("IM000001~") and may_be_dicom_name("IM000001")


def test_a_document_named_in_capitals_is_never_opened_for_dicom():
    """NOTES.TXT, REPORT.PDF (as Windows tools write them) cost nothing, as notes.txt does."""
    from edge.film_files import may_be_dicom_name

    assert not may_be_dicom_name("NOTES.TXT") and not may_be_dicom_name("Report.Pdf")


def test_a_dcm_that_cannot_be_read_is_listed_so_that_its_error_is_said(tmp_path):
    """A .dcm link to nothing, or a FIFO so named: no SOP class to read, listed (its error line), not dropped."""
    from edge.film_files import is_image_file

    (tmp_path / "gone.dcm").symlink_to(tmp_path / "nothing")
    os.mkfifo(tmp_path / "pipe.dcm")
    assert is_image_file(str(tmp_path / "gone.dcm")) and is_image_file(str(tmp_path / "pipe.dcm"))


def test_a_link_loop_without_an_image_name_is_no_film(tmp_path):
    """IM000001 linked to itself has no bytes to look at, and never will: not a film that cannot be read."""
    from edge.film_files import is_image_file

    (tmp_path / "IM000001").symlink_to(tmp_path / "IM000001")
    assert not is_image_file(str(tmp_path / "IM000001"))


def test_a_hidden_mask_folder_is_passed_over_as_hidden_not_named_as_masks(tmp_path):
    """.masks/ is hidden: passed over without a word, as .Trashes is; masks/ is named, to be said."""
    from edge.film_files import image_files

    for name in (".masks", "masks"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.png").write_bytes(b"x" * 10)
    masks: list[str] = []
    assert image_files(tmp_path, True, masks=masks) == [] and masks == [str(tmp_path / "masks")]


def test_without_recursive_a_folders_sub_folders_are_not_listed(tmp_path):
    from edge.film_files import image_files

    (tmp_path / "sub").mkdir()
    (tmp_path / "a.png").write_bytes(b"x" * 10)
    (tmp_path / "sub" / "b.png").write_bytes(b"x" * 10)
    assert image_files(tmp_path, False) == [str(tmp_path / "a.png")]
    masks: list[str] = []
    (tmp_path / "masks").mkdir()
    assert image_files(tmp_path, False, masks=masks) == [str(tmp_path / "a.png")] and masks == []


def test_a_copy_tools_temporary_names_are_never_opened_for_dicom():
    from edge.film_files import may_be_dicom_name

    assert not any(may_be_dicom_name(f"IM000001{s}") for s in (".tmp", ".temp", ".swp", ".bak"))
