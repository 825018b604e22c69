"""train.class_folders through train.discovery.discover: run folders kept in the data folder are never
classes, names differing only in case are refused, and a class folder given for its parent is
told so."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.preprocess import PreprocessConfig
from tests.test_data import write_images
from train.data import DataError
from train.discovery import discover


def two_classes(data: Path) -> Path:
    write_images(data / "COVID", "COVID", 4)
    write_images(data / "Normal", "Normal", 4)
    return data


def an_old_run(folder: Path, marker: str = "run.json") -> Path:
    """What a copied run folder looks like to discovery: its plots are PNGs."""
    write_images(folder, "Normal", 2)  # curves.png, the explanation maps...
    (folder / marker).parent.mkdir(parents=True, exist_ok=True)
    (folder / marker).write_text("{}")
    return folder


@pytest.mark.parametrize("marker", ["run.json", "split.json", "model.keras", "teacher/split.json"])
def test_an_old_run_folder_in_the_data_folder_is_skipped_with_a_note(tmp_path, capsys, marker):
    data = two_classes(tmp_path / "data")
    an_old_run(data / "oldrun", marker)
    items, _, _ = discover(data)
    assert sorted({i.label for i in items}) == ["COVID", "Normal"]
    assert f"note: skipped folder {data / 'oldrun'}: it is a cxr-edge run folder (holds {marker}), not a class" \
        in capsys.readouterr().err


def test_the_out_folder_inside_the_data_folder_is_no_class_even_while_empty(tmp_path):
    data = two_classes(tmp_path / "data")
    (data / "run" / "teacher").mkdir(parents=True)  # made by cxr-train before it looks for classes
    notes: list[str] = []
    items, _, _ = discover(data, out=data / "run", log=notes.append)
    assert sorted({i.label for i in items}) == ["COVID", "Normal"]
    assert notes == [f"note: skipped folder {data / 'run'}: it is this run's --out folder"]
    notes.clear()
    discover(data, out=data / "run" / "teacher", log=notes.append)  # the default recipe's first step
    assert notes == [f"note: skipped folder {data / 'run'}: it holds this run's --out folder"]


def test_a_run_folder_named_in_classes_is_not_found_and_the_note_says_why(tmp_path):
    data = two_classes(tmp_path / "data")
    an_old_run(data / "oldrun")
    notes: list[str] = []
    with pytest.raises(DataError, match="oldrun not found"):
        discover(data, ["COVID", "oldrun"], log=notes.append)
    assert len(notes) == 1 and "oldrun" in notes[0]
    notes.clear()
    discover(data, ["COVID", "Normal"], log=notes.append)
    assert notes == []  # not asked for: nothing to say


def test_training_on_a_data_folder_that_holds_the_run_folder(tmp_path, capsys):
    """The tester's case through cxr-train's data step: --out data/run, then a later run without
    --classes beside it."""
    from train.prepare import prepare_data
    from train.run import TrainSettings

    data = two_classes(tmp_path / "data")
    (data / "run").mkdir()
    split, _, _ = prepare_data(TrainSettings(data=str(data), out=data / "run", image_size=32, progress=False),
                               PreprocessConfig(size=32))
    assert split.classes == ["COVID", "Normal"]
    an_old_run(data / "run")
    split, _, _ = prepare_data(TrainSettings(data=str(data), out=tmp_path / "x", image_size=32, progress=False),
                               PreprocessConfig(size=32))
    assert split.classes == ["COVID", "Normal"]
    assert f"cxr-train: note: skipped folder {data / 'run'}: it is a cxr-edge run folder" in capsys.readouterr().err


def test_class_folders_differing_only_in_case_are_refused(tmp_path):
    data = two_classes(tmp_path / "data")
    write_images(data / "normal", "Normal", 2, start=50)
    with pytest.raises(DataError, match=r"class folders Normal and normal in .*data differ only in case .*merge them "
                                        r"into one folder, or rename one"):
        discover(data)
    items, _, _ = discover(data, ["COVID", "Normal"])  # chosen by name: the other is not used
    assert sorted({i.label for i in items}) == ["COVID", "Normal"]
    items, _, _ = discover(data, min_classes=1)  # --add-data: names are matched ignoring case, twins merge
    assert sorted({i.label for i in items}) == ["COVID", "Normal", "normal"]


@pytest.mark.parametrize("twin, shown", [("COVID-19", "COVID-19"), ("Normal ", "'Normal '"),
                                          ("N\u006f\u0072\u006d\u0061\u0301l",  # NFD: printed alike, so said
                                           "Norma\u0301l (written decomposed, NFD) and Norm\u00e1l in ")])
def test_class_folders_differing_in_punctuation_spaces_or_unicode_form_are_refused(tmp_path, twin, shown):
    """Names cxr-evaluate and --add-data take as one class (COVID-19 is COVID) are one class in training too. Twins
    differing in Unicode form printed alike ('class folders Normál and Normál'): the decomposed one is said."""
    import unicodedata

    data = tmp_path / "data"
    first = "COVID" if twin.startswith("COVID") else "Normal" if twin.startswith("Normal") else "Norm\u00e1l"
    for folder, start in ((first, 0), ("Lung_Opacity", 0), (twin, 50)):
        for k, path in enumerate(write_images(tmp_path / "drawn", "Normal", 2, start=start)):
            (data / folder).mkdir(parents=True, exist_ok=True)
            path.rename(data / folder / f"{k}-{start}.png")
    if unicodedata.normalize("NFC", twin) == first and len(list(data.iterdir())) < 3:
        pytest.skip("this file system stores both spellings of the name as one folder")
    with pytest.raises(DataError, match="differ only in case or punctuation") as e:
        discover(data)
    assert shown in str(e.value)


def test_a_run_folder_inside_a_class_folder_is_not_read_as_films(tmp_path):
    data = two_classes(tmp_path / "data")
    old = data / "Normal" / "old_run"
    write_images(old, "Normal", 1, start=90)  # a run's plot, curves.png, is an image too
    (old / "run.json").write_text("{}")
    notes = []
    items, _, _ = discover(data, log=notes.append)
    assert not any("old_run" in i.path for i in items) and any("old_run" in n and "run folder" in n for n in notes)


def test_twins_across_a_given_split_are_refused(tmp_path):
    write_images(tmp_path / "train" / "Normal", "Normal", 2)
    write_images(tmp_path / "train" / "COVID", "COVID", 2)
    write_images(tmp_path / "test" / "normal", "Normal", 2, start=50)
    write_images(tmp_path / "test" / "COVID", "COVID", 2, start=50)
    with pytest.raises(DataError, match="Normal and normal .* differ only in case"):
        discover(tmp_path)


@pytest.mark.parametrize("inside", ["", "images"])
def test_a_class_folder_given_for_its_parent_is_told_so(tmp_path, inside):
    base = tmp_path / "base"
    write_images(base / "COVID" / inside, "COVID", 3)
    with pytest.raises(DataError, match=rf"^{base / 'COVID'} holds images but no class folders: give its parent "
                                        rf"\({base}\), whose sub-folders are the classes$"):
        discover(base / "COVID")
    with pytest.raises(DataError, match="give its parent"):
        discover(base / "COVID", ["COVID", "Normal"])


@pytest.mark.parametrize("films, given", [("images", "images"), ("Images", "Images"), ("films", "films"),
                                          ("images", ".")])
def test_a_kaggle_images_folder_given_names_the_database_folder(tmp_path, monkeypatch, films, given):
    """--data COVID/images was told 'give its parent (COVID)', which was refused next as one class's folder: the data
    folder is two levels up, whether the folder is named images or only lies beside masks/."""
    base = tmp_path / "base"
    write_images(base / "COVID" / films, "COVID", 3)
    write_images(base / "COVID" / "masks", "COVID", 3)
    write_images(base / "Normal" / films, "Normal", 3)
    monkeypatch.chdir(base / "COVID")
    if given == ".":
        monkeypatch.chdir(base / "COVID" / films)
    with pytest.raises(DataError) as e:
        discover(Path(given))
    assert str(e.value) == (f"{given} holds images but no class folders: give the folder two levels up ({base}), whose "
                            "sub-folders are the classes (the Kaggle layout: CLASS/images/)")
    monkeypatch.chdir(tmp_path)  # as written, where that says something
    with pytest.raises(DataError, match=r"give the folder two levels up \(base\), whose"):
        discover(Path("base", "COVID", films))


def test_a_class_folder_given_by_its_name_alone_names_the_parent_in_full(tmp_path, monkeypatch):
    write_images(tmp_path / "base" / "COVID", "COVID", 3)
    monkeypatch.chdir(tmp_path / "base")
    with pytest.raises(DataError, match=rf"^COVID holds images but no class folders: give its parent \({tmp_path / 'base'}\)"):
        discover(Path("COVID"))


def test_an_empty_folder_still_says_it_found_no_class(tmp_path):
    with pytest.raises(DataError, match="need at least 2 classes"):
        discover(tmp_path)


def test_errors_about_the_data_folders_shape_say_what_to_do(tmp_path):
    """An empty class whose masks/ was full named neither the masks nor --classes; one class printed a Python list;
    --data one level above the classes gave no hint."""
    from tests.test_data import write_images

    kaggle = tmp_path / "K" / "COVID-19_Radiography_Dataset"
    for c in ("COVID", "Normal"):
        write_images(kaggle / c / "images", c, 2)
    write_images(kaggle / "Lung_Opacity" / "masks", "Lung_Opacity", 2)
    (kaggle / "Lung_Opacity" / "images").mkdir()
    with pytest.raises(DataError) as e:
        discover(kaggle)
    assert str(e.value).endswith("; the lung masks in Lung_Opacity/masks/ are no films; to train without it: "
                                 "--classes COVID,Normal")
    with pytest.raises(DataError) as e:
        discover(tmp_path / "K", classes=["COVID", "Normal"])
    assert str(e.value).endswith(f"(they are one level down: give --data {kaggle})")
    write_images(tmp_path / "one" / "COVID", "COVID", 2)
    with pytest.raises(DataError) as e:
        discover(tmp_path / "one")
    assert "found COVID: give a folder that holds a sub-folder of films per class" in str(e.value)


def test_an_empty_class_folder_when_scoring_points_to_class_map_not_classes(tmp_path):
    """cxr-evaluate and cxr-compare have no --classes: its hint there sent users to 'No such option'."""
    from tests.test_data import write_images

    write_images(tmp_path / "COVID", "COVID", 2)
    (tmp_path / "Normal").mkdir()
    with pytest.raises(DataError) as e:
        discover(tmp_path, min_classes=1)
    assert str(e.value).endswith("; to go on without it: --class-map Normal=-") and "--classes" not in str(e.value)


def test_an_empty_class_folder_in_an_add_data_folder_gets_no_hint_that_would_not_work(tmp_path):
    """--add-data's folders were listed before --class-map applied: 'to go on without it: --class-map Normal=-' gave the
    same error again up to 0.57.0; it works since 0.58.0, and the hint given is its own (test_train_small74)."""
    from tests.test_data import write_images
    from train.prepare import find_films

    for c in ("COVID", "Normal"):
        write_images(tmp_path / "data" / c, c, 2)
    write_images(tmp_path / "site" / "COVID", "COVID", 2)
    (tmp_path / "site" / "Normal").mkdir()
    with pytest.raises(DataError) as e:
        find_films(tmp_path / "data", None, [str(tmp_path / "site")])
    assert "class folder Normal in " in str(e.value) and " holds no images" in str(e.value)  # not 'folder(s) ... hold'
    assert "to go on without it" not in str(e.value) and "leave it out with --class-map Normal=-" in str(e.value)


def _kaggle_unzipped(archive: Path) -> Path:
    """Kaggle's download unzipped: archive/COVID-19_Radiography_Dataset/{COVID,Normal}/images/, sheets beside."""
    db = archive / "COVID-19_Radiography_Dataset"
    for c in ("COVID", "Normal"):
        write_images(db / c / "images", c, 2)
        write_images(db / c / "masks", c, 2)
    return db


@pytest.mark.parametrize("sheet", [False, True])
def test_a_data_folder_one_level_too_high_names_the_folder_to_give(tmp_path, sheet):
    """--data archive/ (Kaggle's unzip) said only 'need at least 2 classes ..., found COVID-19_Radiography_Dataset'."""
    db = _kaggle_unzipped(tmp_path / "archive")
    if sheet:  # the older release without images/: its sheets beside the class folders give it away
        for c in ("COVID", "Normal"):
            for f in (db / c / "images").iterdir():
                f.rename(db / c / f.name)
            (db / f"{c}.metadata.xlsx").write_bytes(b"")
    with pytest.raises(DataError) as e:
        discover(tmp_path / "archive")
    assert str(e.value) == (f"the folder COVID-19_Radiography_Dataset in {tmp_path / 'archive'} holds class folders of "
                            f"its own (COVID, Normal): it is the data folder, not a class; give {db}")


def test_a_class_folder_of_patient_folders_is_no_data_folder(tmp_path):
    """A hospital export filed under one label (COVID/patient 4/) is a class's films: never refused as a data folder
    given too high, and where it is the only class, its sub-folders are offered as classes only as an 'if'."""
    write_images(tmp_path / "one" / "COVID" / "patient 4", "COVID", 2)
    write_images(tmp_path / "one" / "COVID" / "patient 5", "COVID", 2, start=10)
    write_images(tmp_path / "two" / "COVID" / "patient 4", "COVID", 2)
    write_images(tmp_path / "two" / "Normal" / "patient 9", "Normal", 2)
    with pytest.raises(DataError) as e:  # whether patient 4/ and patient 5/ are classes only the user knows
        discover(tmp_path / "one")
    assert str(e.value).endswith(f"found COVID: give a folder that holds a sub-folder of films per class (DATA/COVID/, "
                                 f"DATA/Normal/); if the folders in COVID (patient 4, patient 5) are the classes, give "
                                 f"{tmp_path / 'one' / 'COVID'}")
    items, _, _ = discover(tmp_path / "two")  # two classes: never looked into
    assert len(items) == 4
    from convert.site_folders import site_items

    items, _ = site_items(tmp_path / "one", ["COVID", "Normal"], None, "cxr-evaluate", quiet=True)
    assert {i.label for i in items} == {"COVID"} and len(items) == 4


ONE_CLASS_ONLY = ("found COVID: give a folder that holds a sub-folder of films per class (DATA/COVID/, DATA/Normal/)")


def test_a_lone_class_folder_with_one_patient_folder_is_not_offered_as_classes(tmp_path):
    """One patient's folder under the only class (one/COVID/patient 4/) was offered 'if the folders in COVID
    (patient 4) are the classes, give .../COVID': followed, it only leads to a one-class refusal."""
    write_images(tmp_path / "one" / "COVID" / "patient 4", "COVID", 2)
    with pytest.raises(DataError) as e:
        discover(tmp_path / "one")
    assert str(e.value).endswith(ONE_CLASS_ONLY)


def test_a_lone_class_folders_mask_folders_are_not_offered_as_classes(tmp_path):
    """COVID-QU-Ex's COVID/ with its 'lung masks/' and 'infection masks/' given alone was told 'if the folders in
    COVID (infection masks, lung masks) are the classes, give .../COVID': masks are no class of films."""
    write_images(tmp_path / "one" / "COVID" / "lung masks", "COVID", 2)
    write_images(tmp_path / "one" / "COVID" / "infection masks", "COVID", 2, start=10)
    write_images(tmp_path / "one" / "COVID", "COVID", 2, start=20)
    with pytest.raises(DataError) as e:
        discover(tmp_path / "one")
    assert str(e.value).endswith(ONE_CLASS_ONLY)


def test_a_class_folder_with_one_sub_folder_named_as_a_class_is_scored_not_refused(tmp_path):
    """A site's Viral_Pneumonia/ holding its films and one sub-folder that happens to be named COVID was refused by
    cxr-evaluate as 'holds class folders of its own (COVID): it is the data folder': it takes two such sub-folders
    to make a data folder, and the films under it are Viral_Pneumonia's, as the folder says."""
    from convert.site_folders import site_items

    write_images(tmp_path / "site" / "Normal", "Normal", 2)
    write_images(tmp_path / "site" / "Viral_Pneumonia", "Normal", 2, start=10)
    write_images(tmp_path / "site" / "Viral_Pneumonia" / "COVID", "COVID", 2, start=20)
    items, _ = site_items(tmp_path / "site", ["COVID", "Normal", "Viral_Pneumonia"], None, "cxr-evaluate", quiet=True)
    assert sorted(i.label for i in items) == ["Normal"] * 2 + ["Viral_Pneumonia"] * 4
