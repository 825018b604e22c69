"""cxr-train --add-data and an empty class folder: one of a class the run does not know (a Lung_Opacity/ made
and never filled) is passed over with cxr-evaluate's note, as cxr-evaluate passes it over since 0.58.0 (refused
up to 0.57.0); one left out with --class-map FOLDER=- is never read; one of the run's own classes, or one mapped
to a class, is still refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from train.data import DataError
from train.extra_data import added_items

CLASSES = ["COVID", "Normal"]


@pytest.fixture(scope="module")
def films(tmp_path_factory) -> Path:
    """6 synthetic films a class, COVID and Normal, kept aside for each test's site folder."""
    from train.synthetic_set import generate

    root = tmp_path_factory.mktemp("films")
    generate(root, n_per_class=6, size=(64, 64), seed=3)
    return root


def _site(films: Path, tmp_path: Path, *empty: str, classes=("COVID", "Normal")) -> Path:
    site = tmp_path / "my_site"
    for c in classes:
        shutil.copytree(films / c, site / c)
    for e in empty:
        (site / e).mkdir()
    return site


def _added(site: Path, class_map: str | None = None) -> tuple[list, list[str]]:
    said: list[str] = []
    return added_items([str(site)], CLASSES, said.append, class_map), said


def test_an_empty_folder_of_a_class_the_run_does_not_know_is_passed_over_with_a_note(films, tmp_path):
    site = _site(films, tmp_path, "Lung_Opacity")
    items, said = _added(site)
    assert len(items) == 12 and {i.label for i in items} == set(CLASSES)
    assert (f"note: --add-data {site}: not used: class folder Lung_Opacity (it holds no images, and is none of "
            "the run's classes)") in said
    assert f"--add-data {site}: 6 COVID, 6 Normal" in said


def test_two_such_folders_are_said_in_one_note(films, tmp_path):
    site = _site(films, tmp_path, "Lung_Opacity", "Viral Pneumonia")
    items, said = _added(site)
    assert len(items) == 12
    assert (f"note: --add-data {site}: not used: class folders Lung_Opacity, Viral Pneumonia (they hold no images, "
            "and are none of the run's classes)") in said


def test_the_note_is_cxr_evaluates_own_words():
    from train.empty_class_folders import empty_unknown_text

    assert empty_unknown_text(["Lung_Opacity"], "model") == \
        "class folder Lung_Opacity (it holds no images, and is none of the model's classes)"
    assert empty_unknown_text(["A", "B"], "run") == "class folders A, B (they hold no images, and are none of the run's classes)"


def test_an_empty_folder_left_out_with_class_map_is_never_read(films, tmp_path):
    site = _site(films, tmp_path, "Lung_Opacity")
    items, said = _added(site, "Lung_Opacity=-")
    assert len(items) == 12
    assert f"--add-data {site}: class folder Lung_Opacity left out (--class-map Lung_Opacity=-)" in said
    assert not any("no class folder of" in s for s in said)  # the --class-map name was used: no 'ignored' warning


def test_an_empty_folder_of_the_runs_own_class_is_still_refused(films, tmp_path):
    # the site's Normal films never copied: its COVID films alone would teach that the site's look means COVID
    site = _site(films, tmp_path, "Normal", classes=("COVID",))
    with pytest.raises(DataError, match=r"class folder Normal in .*my_site holds no images"):
        _added(site)


def test_an_empty_folder_mapped_to_a_class_is_still_refused(films, tmp_path):
    site = _site(films, tmp_path, "Lung_Opacity")
    with pytest.raises(DataError, match=r"class folder Lung_Opacity in .*my_site holds no images"):
        _added(site, "Lung_Opacity=Normal")


def test_a_folder_of_an_unknown_class_that_holds_films_is_still_refused(films, tmp_path):
    site = _site(films, tmp_path)
    shutil.copytree(films / "Normal", site / "Healthy")
    with pytest.raises(DataError, match=r"--add-data .*my_site: folder classes Healthy are not among the run's classes"):
        _added(site)


def test_a_site_with_only_empty_unknown_folders_adds_no_class(films, tmp_path):
    site = tmp_path / "my_site"
    (site / "Lung_Opacity").mkdir(parents=True)
    with pytest.raises(DataError, match=r"--add-data .*my_site holds no class folder among COVID, Normal"):
        _added(site)


def test_cxr_train_lists_the_site_past_its_empty_folder(films, tmp_path):
    from train.prepare import find_films

    main = tmp_path / "main"
    shutil.copytree(films, main)
    site = tmp_path / "site_b"
    from train.synthetic_set import generate

    generate(site, n_per_class=3, size=(64, 64), seed=11)
    (site / "Lung_Opacity").mkdir()
    said: list[str] = []
    items, _, _, classes = find_films(main, None, [str(site)], said.append)
    assert classes == CLASSES and len(items) == 12 + 6
    assert any(s.startswith(f"note: --add-data {site}: not used: class folder Lung_Opacity") for s in said)
