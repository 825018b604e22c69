"""Two small gaps in cxr-train (session 74, trainsmall).

An --add-data folder's empty class folder of one of the run's own classes was refused ('holds no images') without a
word on what to do: the refusal now says both ways on, filling it or leaving it out with --class-map FOLDER=- (taken
for an empty folder since 0.58.0), and what leaving it out costs. A student of --teacher reads no folder and says its
teacher's data warnings again, a misspelt Kaggle folder's among them, whose way on ('rename it, or give --classes')
does nothing for a student: a note after it says the teacher's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from train.data import DataError
from train.extra_data import added_items


def _site(root: Path, films: dict[str, int]) -> Path:
    """A site folder with ``films`` PNGs per class folder (0: an empty folder)."""
    for label, n in films.items():
        (root / label).mkdir(parents=True)
        for k in range(n):
            Image.fromarray(np.full((8, 8), 40 * k, np.uint8)).save(root / label / f"{label}-{k}.png")
    return root


def test_an_added_folders_empty_class_folder_says_what_to_do(tmp_path):
    site = _site(tmp_path / "siteB", {"COVID": 2, "Normal": 0})
    with pytest.raises(DataError) as e:
        added_items([str(site)], ["COVID", "Normal"])
    said = str(e.value)
    assert "class folder Normal in " in said and "holds no images" in said  # the refusal as before
    assert "put the site's Normal films in it, or leave it out with --class-map Normal=-" in said, said
    assert "the site's films are then COVID only, so its look alone says COVID" in said, said
    # the way on it names is taken: the site's COVID films join, with the one-class warning
    notes: list[str] = []
    kept = added_items([str(site)], ["COVID", "Normal"], notes.append, class_map="Normal=-")
    assert [i.label for i in kept] == ["COVID", "COVID"]
    assert any("holds COVID films only" in n for n in notes), notes


def test_an_empty_folder_mapped_to_a_class_is_said_by_its_class(tmp_path):
    site = _site(tmp_path / "siteC", {"COVID": 1, "Healthy": 0})
    with pytest.raises(DataError, match="put the site's Normal films in it, or leave it out with --class-map Healthy=-"):
        added_items([str(site)], ["COVID", "Normal"], class_map="Healthy=Normal")


def test_a_site_of_one_empty_folder_is_told_to_leave_the_site_out(tmp_path):
    site = _site(tmp_path / "siteD", {"Normal": 0})
    with pytest.raises(DataError, match=r"put the site's Normal films in it, or leave \S*siteD out of --add-data"):
        added_items([str(site)], ["COVID", "Normal"])


def test_the_student_note_follows_a_misspelt_folders_warning_only():
    from train.misspelt_folders import misspelt_warning, student_note

    typo = misspelt_warning([("Nromal", "Normal")], Path("/data/kaggle"))
    note = student_note(["warning: few films", typo], "/runs/teacher")
    assert note and note.startswith("note: ") and "/runs/teacher" in note and "train the teacher again" in note
    assert student_note([misspelt_warning([("Nromal", "Normal"), ("COVD", "COVID")], Path("/d"))], "t")  # plural
    assert student_note(["warning: few films"], "t") is None and student_note([], "t") is None


def test_a_student_of_a_teacher_with_a_misspelt_folder_is_told_the_teachers_way_on(tmp_path, capsys):
    from tests.test_kaggle_metadata import BIMCV, HANNOVER, KIDS, kaggle_layout
    from train.run import TrainSettings, run_training

    data = tmp_path / "data"
    kaggle_layout(data, {"COVID": [BIMCV, HANNOVER] * 6, "Normal": [KIDS] * 12})
    (data / "Normal").rename(data / "Nromal")
    tiny = dict(epochs=1, image_size=32, batch_size=8, progress=False)
    run_training(TrainSettings(data=str(data), out=tmp_path / "teacher", teacher_members=0, **tiny))
    assert "misspelt folder" in capsys.readouterr().err  # the teacher's own warning (test_kaggle_folder_typo74)
    run_training(TrainSettings(data="synthetic", out=tmp_path / "student", teacher=str(tmp_path / "teacher"), **tiny))
    err = capsys.readouterr().err
    assert "misspelt folder" in err  # said again, in the teacher's words, as every data warning of its is
    assert "changes nothing; rename it, train the teacher again, then this student" in err, err
