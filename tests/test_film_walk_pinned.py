"""train.film_walk pinned: which films a class folder's walk finds, each once, under its own class.

Written by hand mutation testing (H67 mutants6): each test kills a change to film_walk that the other
tests let through, and each such change would drop a film, count one twice or file it under the wrong
class without failing anything else. Films are tiny PNGs made here; the real walk and discovery run.
"""

from __future__ import annotations

import os
from pathlib import Path

from train.discovery import discover
from train.film_walk import film_folders

from tests.test_discovery_links_masks import films  # n distinct 8x8 grey PNGs in a folder
from tests.test_discovery_pinned import two_classes  # COVID and Normal, two films each


def found(data: Path, said: list[str] | None = None) -> list[tuple[str, str]]:
    """(label, path) of every film discovery finds, sorted."""
    items, _, _ = discover(data, log=(said.append if said is not None else lambda message: None))
    return sorted((i.label, i.path) for i in items)


def test_hidden_and_macosx_sub_folders_are_not_walked(tmp_path):
    """A hidden folder (.thumbs/, a viewer's cache) and __MACOSX/ (a Mac zip's resource forks) hold
    no films of the class: walking either trained on thumbnails or AppleDouble files as films."""
    data = two_classes(tmp_path / "data")
    films(data / "COVID" / ".thumbs", 1, "thumb")
    films(data / "COVID" / "__MACOSX", 1, "fork")
    assert found(data) == [("COVID", "COVID/film-0.png"), ("COVID", "COVID/film-1.png"),
                           ("Normal", "Normal/film-0.png"), ("Normal", "Normal/film-1.png")]


def test_two_links_to_one_site_folder_count_its_films_once(tmp_path):
    """Normal/siteB and Normal/siteB-again both link to /mnt/siteB: each real folder is walked once
    (film_walk's ``seen``), else every siteB film is a duplicate, one copy in train and one in test."""
    data = two_classes(tmp_path / "data")
    films(tmp_path / "mnt" / "siteB", 2, "b")
    os.symlink(tmp_path / "mnt" / "siteB", data / "Normal" / "siteB")
    os.symlink(tmp_path / "mnt" / "siteB", data / "Normal" / "siteB-again")
    normal = [p for label, p in found(data) if label == "Normal"]
    assert normal == ["Normal/film-0.png", "Normal/film-1.png", "Normal/siteB/b-0.png", "Normal/siteB/b-1.png"]


def test_a_link_to_another_class_folder_itself_is_not_entered(tmp_path):
    """Normal/covid -> ../COVID (the class folder exactly, not a folder inside or above it): its
    films are COVID's and read there; walking it filed each COVID film a second time, as Normal."""
    data = two_classes(tmp_path / "data")
    os.symlink(Path("..") / "COVID", data / "Normal" / "covid")
    said: list[str] = []
    assert [label for label, _ in found(data, said)] == ["COVID", "COVID", "Normal", "Normal"]
    assert said == [f"note: skipped link {data / 'Normal' / 'covid'} -> ../COVID: it leads into the class folder "
                    "COVID, whose films would be filed as Normal"]


def test_a_site_folder_whose_path_begins_like_the_data_folders_is_walked(tmp_path):
    """A link to /x/dat from the data folder /x/data: the path /x/data begins with /x/dat, yet /x/dat
    is not above it (the rule compares whole folder names). Refusing it lost the site's films."""
    data = two_classes(tmp_path / "data")
    films(tmp_path / "dat", 1, "site")
    os.symlink(tmp_path / "dat", data / "Normal" / "site")
    said: list[str] = []
    assert ("Normal", "Normal/site/site-0.png") in found(data, said)
    assert said == []


def test_a_link_to_the_same_class_in_the_other_part_of_a_split_is_said_as_read_there(tmp_path):
    """train/COVID/more -> ../../test/COVID: the films are COVID's all the same, but read as test
    films; the note says so rather than warning of films filed under the wrong class."""
    data = tmp_path / "data"
    for part in ("train", "test"):
        two_classes(data / part)
    os.symlink(Path("..") / ".." / "test" / "COVID", data / "train" / "COVID" / "more")
    said: list[str] = []
    list(film_folders(data / "train" / "COVID", None, said.append, data_dir=data))
    assert said == [f"note: skipped link {data / 'train' / 'COVID' / 'more'} -> ../../test/COVID: it leads into the "
                    "class folder test/COVID, whose films are read there already"]


def test_a_link_to_a_folder_above_another_class_folder_is_not_entered(tmp_path):
    """train/COVID/all -> ../../test, the folder that holds test/COVID and test/Normal: a film lying
    in test/ itself would be filed as COVID, and the note must name what the link leads to (the first
    class folder below it, test/COVID, the same class: hence "read there already")."""
    data = tmp_path / "data"
    for part in ("train", "test"):
        two_classes(data / part)
    films(data / "test", 1, "stray")
    os.symlink(Path("..") / ".." / "test", data / "train" / "COVID" / "all")
    said: list[str] = []
    walked = {d: names for d, names in film_folders(data / "train" / "COVID", None, said.append, data_dir=data)}
    assert list(walked) == [str(data / "train" / "COVID")]
    assert said == [f"note: skipped link {data / 'train' / 'COVID' / 'all'} -> ../../test: it leads to "
                    f"{os.path.realpath(data / 'test')}, which holds the class folder test/COVID, whose films are "
                    "read there already"]


def test_a_dead_link_with_an_image_name_stays_for_the_scan_to_name(tmp_path):
    """COVID/film-9.png -> a file gone: kept among the names, so that the scan lists it among the
    films it could not read (with its path), rather than a folder warning that names no film.
    'film-8.png ' (a space at its end: a film all the same, edge.film_files.is_image_name) has no
    file-like suffix (named_like_a_file), so only its image name keeps it: without that check it went."""
    data = two_classes(tmp_path / "data")
    os.symlink(tmp_path / "gone.png", data / "COVID" / "film-9.png")
    os.symlink(tmp_path / "gone too.png", data / "COVID" / "film-8.png ")
    said: list[str] = []
    walked = list(film_folders(data / "COVID", None, said.append, data_dir=data))
    assert walked == [(str(data / "COVID"), ["film-0.png", "film-1.png", "film-8.png ", "film-9.png"])]
    assert said == []


def test_names_and_folders_come_in_sorted_order(tmp_path):
    """The walk is in sorted order whatever the file system lists first (ext4 lists by hash): the
    order of films feeds the split and the cache, so a run must read the same list on every disk."""
    data = tmp_path / "data"
    names = [f"f{k:02d}.png" for k in (7, 3, 11, 0, 9, 1, 5, 12, 2, 8, 4, 10, 6)]
    for name in names:
        films(data / "COVID", 1, name[:-4])
    for sub in ("siteC", "siteA", "siteB"):
        films(data / "COVID" / sub, 1)
    walked = list(film_folders(data / "COVID", None, lambda message: None, data_dir=data))
    assert [Path(d).name for d, _ in walked] == ["COVID", "siteA", "siteB", "siteC"]
    assert walked[0][1] == sorted(f"{n[:-4]}-0.png" for n in names)


def test_a_link_up_to_the_split_folder_is_said_as_that(tmp_path):
    """train/COVID/up -> .. is train/, the folder of the other training classes: the note names it as
    the data folder's train/ folder (its films would be filed as COVID), not only as above the class."""
    data = tmp_path / "data"
    for part in ("train", "test"):
        two_classes(data / part)
    os.symlink("..", data / "train" / "COVID" / "up")
    said: list[str] = []
    list(film_folders(data / "train" / "COVID", None, said.append, data_dir=data))
    assert said == [f"note: skipped link {data / 'train' / 'COVID' / 'up'} -> ..: it leads back up to the data "
                    "folder's train/ folder, whose other classes' films would be filed as COVID"]
