"""Discovery never loses films without a word: links to nothing, folders that cannot be read, mask
folders under other names, two folders for one part of a given split, and copy groups that take
films out of the part they were given in; nor files other classes' films under one (links back up).

Each case was silent before: a class linked to an unmounted share trained a 3-class set as
2 classes, COVID-QU-Ex's ``lung masks/`` were trained on as films, ``val/`` beside
``validation/`` lost one of them, and a copy in ``Train/`` of a film in ``test/`` pulled it into
training. Films are tiny PNGs made here; nothing is decoded.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from train.data import DataError, Item
from train.discovery import discover
from train.split import stratified_split

from tests.unprivileged import as_a_user


def films(folder: Path, n: int = 2, prefix: str = "film") -> list[Path]:
    """n distinct 8x8 grey PNGs in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{prefix}-{i}.png" for i in range(n)]
    for i, p in enumerate(paths):
        Image.fromarray(np.full((8, 8), 40 + 50 * i, np.uint8)).save(p)
    return paths


def classes_in(data: Path, names: tuple[str, ...] = ("COVID", "Normal")) -> Path:
    for name in names:
        films(data / name)
    return data


# 1. links to nothing and folders that cannot be read


def test_a_class_folder_linked_to_an_unmounted_share_stops_the_run(tmp_path):
    """A missing class is an error everywhere else in discovery (--classes naming no folder, an empty
    class folder): a class behind a dead link is one too, not a 2-class model from a 3-class set."""
    data = classes_in(tmp_path / "data")
    os.symlink(tmp_path / "unmounted" / "Viral_Pneumonia", data / "Viral_Pneumonia")
    with pytest.raises(DataError) as e:
        discover(data, log=lambda message: None)
    message = str(e.value)
    assert f"class folder {data / 'Viral_Pneumonia'} is a link to nothing: " in message
    assert "is a share unmounted?" in message and "\n" not in message
    with pytest.raises(DataError, match="link to nothing"):  # named in --classes: the same
        discover(data, ["COVID", "Viral_Pneumonia"], log=lambda message: None)


def test_a_dead_class_link_that_classes_leave_out_is_only_warned_about(tmp_path):
    data = classes_in(tmp_path / "data")
    os.symlink(tmp_path / "unmounted" / "Viral_Pneumonia", data / "Viral_Pneumonia")
    said: list[str] = []
    items, _, _ = discover(data, ["COVID", "Normal"], log=said.append)
    assert len(items) == 4
    assert [m for m in said if "Viral_Pneumonia" in m] == [
        f"warning: class folder {data / 'Viral_Pneumonia'} is a link to nothing: "
        f"{tmp_path / 'unmounted' / 'Viral_Pneumonia'} (is a share unmounted?); it is not among the classes asked "
        "for, so no film is lost"]


def test_a_dead_link_to_a_given_test_folder_stops_the_run(tmp_path):
    """Without its test/ the train/ folder would be taken as a class."""
    data = tmp_path / "data"
    classes_in(data / "train")
    os.symlink(tmp_path / "unmounted" / "test", data / "test")
    with pytest.raises(DataError, match=r"split folder .*test is a link to nothing"):
        discover(data, log=lambda message: None)


def test_a_linked_site_folder_that_leads_nowhere_is_warned_about(tmp_path):
    """README's own example, Normal/siteB -> /mnt/siteB, with the share not mounted."""
    data = classes_in(tmp_path / "data")
    site = tmp_path / "mnt" / "siteB"
    os.symlink(site, data / "Normal" / "siteB")
    said: list[str] = []
    items, _, _ = discover(data, log=said.append)
    assert len(items) == 4  # the other films go on
    assert said == [f"warning: {data / 'Normal' / 'siteB'} is a link to nothing: {site} (is a share unmounted?); "
                    "any films there are left out: mount it, or remove the link"]
    films(site, 3)  # mounted again: its films are found, and nothing is said
    said.clear()
    items, _, _ = discover(data, log=said.append)
    assert len(items) == 7 and said == []


def test_a_link_to_nothing_and_a_loose_image_are_each_said_on_one_line(tmp_path):
    """Discovery's warnings printed names as they are: a newline in a link's name or its target, or a \\r in a loose
    image's, split the warning (or erased it on a terminal)."""
    data = classes_in(tmp_path / "data")
    os.symlink(tmp_path / "mnt" / "site\x1b[2KB", data / "Normal" / "site\nB")
    films(data, 1)  # a film in the data folder itself, outside any class folder
    (data / "film-0.png").rename(data / "loose\r.png")
    said: list[str] = []
    discover(data, log=said.append)
    assert len(said) == 2 and not any(c in line for line in said for c in "\n\r\x1b"), said
    assert said[0].startswith(f'warning: "{data / "Normal" / "site"}\\nB" is a link to nothing: '
                              f'"{tmp_path / "mnt" / "site"}\\u001b[2KB" (is a share unmounted?)')
    assert '(e.g. "loose\\r.png")' in said[1]


def test_a_dead_link_named_like_a_film_without_suffix_is_warned_about_and_a_documents_is_not(tmp_path):
    """A PACS export names films IM000001; a link named notes.txt was a document's, never films."""
    data = classes_in(tmp_path / "data")
    os.symlink(tmp_path / "gone" / "IM000001", data / "Normal" / "IM000001")
    os.symlink(tmp_path / "gone" / "notes.txt", data / "Normal" / "notes.txt")
    said: list[str] = []
    discover(data, log=said.append)
    assert len(said) == 1 and said[0].startswith(f"warning: {data / 'Normal' / 'IM000001'} is a link to nothing")


def refuse(monkeypatch, locked: Path) -> None:
    """Make os.scandir (what os.walk lists with) refuse ``locked`` as it refuses a chmod 000 folder
    of another user: permissions do not stop root, whom the suite may run as."""
    real = os.scandir

    def scandir(path="."):
        if Path(os.fsdecode(path)) == locked:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


@pytest.fixture
def locked_site(tmp_path, monkeypatch):
    """data/Normal/siteB holding a film, that cannot be listed: os.walk passed it over without a word."""
    data = classes_in(tmp_path / "data")
    films(data / "Normal" / "siteB", 1)
    refuse(monkeypatch, data / "Normal" / "siteB")
    return data


def test_a_sub_folder_that_cannot_be_read_is_warned_about(locked_site):
    said: list[str] = []
    items, _, _ = discover(locked_site, log=said.append)
    assert len(items) == 4
    assert said == [f"warning: folder {locked_site / 'Normal' / 'siteB'} cannot be read (Permission denied); any "
                    "films there are left out: give this user read access to it"]


CHMOD_000_DISCOVERY = """
import json, sys
from train.discovery import discover
said = []
items, _, _ = discover(sys.argv[1], log=said.append)
print(json.dumps({"films": len(items), "said": said}))
"""


def test_a_chmod_000_sub_folder_is_warned_about(tmp_path):
    data = classes_in(tmp_path / "data")
    films(data / "Normal" / "siteB", 1)
    (data / "Normal" / "siteB").chmod(0)
    try:  # as root, in a child without the capabilities that let root read anything (tests/unprivileged.py)
        got = as_a_user(CHMOD_000_DISCOVERY, data)
    finally:
        (data / "Normal" / "siteB").chmod(0o755)
    assert got["films"] == 4
    assert got["said"] == [f"warning: folder {data / 'Normal' / 'siteB'} cannot be read (Permission denied); any films "
                    "there are left out: give this user read access to it"]


def test_a_class_folder_that_cannot_be_read_stops_the_run_or_is_said_once(tmp_path, monkeypatch):
    data = classes_in(tmp_path / "data", ("COVID", "Normal", "Viral"))
    refuse(monkeypatch, data / "Viral")
    with pytest.raises(DataError, match=r"class folder .*Viral cannot be read \(Permission denied\)"):
        discover(data, log=lambda message: None)
    said: list[str] = []
    discover(data, ["COVID", "Normal"], log=said.append)
    assert said == [f"warning: folder {data / 'Viral'} cannot be read (Permission denied); any films there are left "
                    "out: give this user read access to it"]


# 2. mask folders by any name


def covid_qu_ex(data: Path) -> Path:
    """COVID-QU-Ex's layout: Train|Val|Test/CLASS/images beside lung masks/ and infection masks/."""
    for part in ("Train", "Val", "Test"):
        for name in ("COVID-19", "Normal"):
            for folder in ("images", "lung masks", "Infection_Masks"):
                films(data / part / name / folder, 2, prefix=folder.replace(" ", "_"))
    return data


def test_mask_folders_under_other_names_are_no_films_and_are_named(tmp_path):
    from train.prepare import find_films

    data = covid_qu_ex(tmp_path / "data")
    items, given, _ = discover(data, log=lambda message: None)
    assert len(items) == 12 and all("/images/" in i.path for i in items)  # 2 films x 2 classes x 3 parts
    assert sorted(set(given.values())) == ["test", "train", "val"]
    said: list[str] = []
    find_films(data, None, [], said.append)
    assert said[-1].endswith("; not used: mask folders Infection_Masks/, lung masks/")


def test_a_class_named_like_a_mask_stays_a_class(tmp_path):
    """Only sub-folders of a class folder are taken for masks: a class folder is never dropped for its name."""
    data = classes_in(tmp_path / "data", ("Masked", "Unmasked"))
    items, _, _ = discover(data, log=lambda message: None)
    assert sorted({i.label for i in items}) == ["Masked", "Unmasked"]


def test_film_folders_with_mask_inside_a_word_are_films(tmp_path):
    """unmasked_exports/ and deid_masked/ (de-identified films) are films; only "mask" or "masks" as a
    word of the name marks a mask folder."""
    from edge.mask_folders import is_mask_folder  # train's rule and edge-classify's: one

    data = classes_in(tmp_path / "data")
    films(data / "COVID" / "unmasked_exports", 3, "u")
    films(data / "Normal" / "deid_masked", 3, "d")
    items, _, _ = discover(data, log=lambda message: None)
    assert len(items) == 10
    assert [n for n in ("masks", "lung masks", "Infection_Masks", "mask-v2", "unmasked_exports", "deid_masked")
            if is_mask_folder(n)] == ["masks", "lung masks", "Infection_Masks", "mask-v2"]


def test_a_data_set_split_in_folders_given_one_level_up_is_refused(tmp_path):
    """COVID-QU-Ex given at its root: its two data sets would be the classes, Train/Val/Test their films."""
    root = tmp_path / "qu"
    for ds in ("Lung Segmentation Data", "Infection Segmentation Data"):
        for part in ("Train", "Test"):
            films(root / ds / part / "COVID-19" / "images", 2, part)
    with pytest.raises(DataError, match=r"Infection Segmentation Data holds train/ and test/ folders of its own: it is a "
                                        r"data set split in folders, not a class; give that folder as the data folder"):
        discover(root, log=lambda message: None)


# 3. two folders for one part of a given split


@pytest.mark.parametrize("twins", [("val", "validation"), ("train", "training"), ("test", "testing")])
def test_two_folders_naming_one_part_of_a_given_split_are_refused(tmp_path, twins):
    data = tmp_path / "data"
    for part in {"train", "test", *twins}:
        classes_in(data / part)
    with pytest.raises(DataError) as e:
        discover(data, log=lambda message: None)
    assert f"folders {twins[0]}/ and {twins[1]}/ both name the" in str(e.value) and "\n" not in str(e.value)


# 4. copy groups across given parts


def test_a_copy_group_across_given_parts_goes_to_test_and_says_how_many_moved():
    """Train/ sorts before test/: the group followed its first path into training, taking the
    film given as test with it, and nobody was told."""
    items = [Item("Train/COVID/a.png", "COVID"), Item("Train/COVID/a-copy.png", "COVID"),
             Item("test/COVID/a.png", "COVID"), Item("Train/COVID/b.png", "COVID"), Item("test/COVID/c.png", "COVID")]
    given = {"Train/COVID/a.png": "train", "Train/COVID/a-copy.png": "train", "test/COVID/a.png": "test",
             "Train/COVID/b.png": "train", "test/COVID/c.png": "test"}
    said: list[str] = []
    parts = stratified_split(items, [0, 0, 0, 1, 2], 0, 0.0, 0.0, given, log=said.append)
    assert [i.path for i in parts["test"]] == ["Train/COVID/a-copy.png", "Train/COVID/a.png", "test/COVID/a.png",
                                               "test/COVID/c.png"]
    assert said == ["warning: 2 films of the given Train/ folder went to the test split: each is a copy of a film in "
                    "test/, and copies are kept on one side of the split; delete one copy of each to keep the split "
                    "as given"]


def test_a_given_split_without_copies_across_parts_says_nothing():
    items = [Item("train/A/a.png", "A"), Item("test/A/b.png", "A")]
    said: list[str] = []
    stratified_split(items, [0, 1], 0, 0.0, 0.0, {"train/A/a.png": "train", "test/A/b.png": "test"}, log=said.append)
    assert said == []


def test_cxr_evaluate_says_which_mask_folders_it_did_not_score(tmp_path, capsys):
    from convert.site_folders import site_items

    data = classes_in(tmp_path / "data")
    films(data / "COVID" / "lung masks", 2, "m")
    warnings: list[str] = []
    items, _ = site_items(data, ["COVID", "Normal"], None, "cxr-evaluate", quiet=True, warnings=warnings)
    assert len(items) == 4
    assert warnings == ["sub-folders lung masks/ were not scored: taken for mask images, as their names say mask; a "
                        "folder of films so named needs another name"]
    assert "cxr-evaluate: warning: sub-folders lung masks/ were not scored" in capsys.readouterr().err


# 5. links that lead back up, or into another class


def test_a_link_back_up_to_the_data_folder_is_not_walked_and_is_said(tmp_path):
    """COVID/loop -> .. was entered once (each real folder once stops only an endless walk): every
    Normal film was found again under COVID/loop/Normal and trained or scored as COVID."""
    from convert.site_folders import site_items

    data = classes_in(tmp_path / "data")
    (data / "COVID" / "loop").symlink_to("..", target_is_directory=True)
    said: list[str] = []
    items, _, _ = discover(data, log=said.append)
    assert sorted((i.label, i.path) for i in items) == [
        ("COVID", "COVID/film-0.png"), ("COVID", "COVID/film-1.png"),
        ("Normal", "Normal/film-0.png"), ("Normal", "Normal/film-1.png")]
    assert said == [f"note: skipped link {data / 'COVID' / 'loop'} -> ..: it leads back up to the data folder, whose "
                    "other classes' films would be filed as COVID"]
    # cxr-evaluate and cxr-compare score what discovery finds: 2 COVID films, not 4
    scored, _ = site_items(data, ["COVID", "Normal"], None, "cxr-evaluate", quiet=True, warnings=[])
    assert sorted(i.label for i in scored) == ["COVID", "COVID", "Normal", "Normal"]


def test_a_link_into_another_class_folder_is_not_entered(tmp_path):
    """COVID/more -> ../Normal/siteA filed siteA's Normal films as COVID as well; a site folder
    linked in from outside the data folder is still walked."""
    data = classes_in(tmp_path / "data")
    films(data / "Normal" / "siteA", 2, "a")
    films(tmp_path / "elsewhere" / "siteB", 3, "b")
    (data / "COVID" / "more").symlink_to("../Normal/siteA", target_is_directory=True)
    (data / "COVID" / "siteB").symlink_to(tmp_path / "elsewhere" / "siteB", target_is_directory=True)
    said: list[str] = []
    items, _, _ = discover(data, log=said.append)
    assert sorted(i.path for i in items if i.label == "COVID") == [
        "COVID/film-0.png", "COVID/film-1.png", "COVID/siteB/b-0.png", "COVID/siteB/b-1.png", "COVID/siteB/b-2.png"]
    assert sum(i.label == "Normal" for i in items) == 4
    assert said == [f"note: skipped link {data / 'COVID' / 'more'} -> ../Normal/siteA: it leads into the class folder "
                    "Normal, whose films would be filed as COVID"]


def test_a_link_to_the_root_of_the_disk_is_not_walked(tmp_path):
    """COVID/root -> / walked the whole disk (and /proc) and filed every image found as COVID. The walk
    is read lazily here, so that the old code fails at once rather than walk the disk."""
    import itertools

    from train.film_walk import film_folders

    data = classes_in(tmp_path / "data")
    (data / "COVID" / "root").symlink_to("/", target_is_directory=True)
    said: list[str] = []
    walked = [d for d, _ in itertools.islice(film_folders(data / "COVID", None, said.append, data_dir=data), 20)]
    assert walked == [str(data / "COVID")]
    assert said == [f"note: skipped link {data / 'COVID' / 'root'} -> /: it leads up to /, above the data folder: "
                    "every film below it, other classes' too, would be filed as COVID"]
