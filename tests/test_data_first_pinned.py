"""train.data_first pinned where mutation testing found it unpinned (session 69): the check lists the films without
the sub-folder warning (which may read every DICOM header, and which the run says itself), so a PACS tree of
PATIENT/STUDY/ folders is refused with discovery's own line alone before it."""

from __future__ import annotations

import pytest

from tests.test_data import write_images
from train.data import DataError
from train.data_first import check_films_found
from train.run import TrainSettings


def test_patient_study_folders_are_refused_with_only_discoverys_line_said_first(tmp_path):
    for p in range(8):
        write_images(tmp_path / "pacs" / f"PAT{p:04d}" / "study1", "Normal", 2, start=2 * p)
    said: list[str] = []
    with pytest.raises(DataError, match="hold fewer than 3 films each"):
        check_films_found(TrainSettings(data=str(tmp_path / "pacs"), out=tmp_path / "run"), said.append)
    assert said == ["found 16 images in 8 classes (folder per class)"], said
