"""A linked sub-folder (a mounted share or a PACS export linked into the incoming folder) is not
entered by --recursive, since a link may lead back up; its films are not answered, so a batch and a
watch say which ones were passed over, and "no images found ... or its sub-folders" says why."""

from __future__ import annotations

from pathlib import Path

from edge.no_images import why_no_images
from edge.inputs import gather
from edge.watch import Watcher


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    """share/ (a film in share/local, a linked share/mounted of 2 films) and incoming/ (only a linked today/)."""
    films = tmp_path / "films"
    films.mkdir()
    for name in ("a.png", "b.png"):
        (films / name).write_bytes(b"x" * 10)
    (tmp_path / "share" / "local").mkdir(parents=True)
    (tmp_path / "share" / "local" / "c.png").write_bytes(b"x" * 10)
    (tmp_path / "share" / "mounted").symlink_to(films, target_is_directory=True)
    (tmp_path / "incoming").mkdir()
    (tmp_path / "incoming" / "today").symlink_to(films, target_is_directory=True)
    return tmp_path / "share", tmp_path / "incoming"


def test_a_recursive_batch_names_the_linked_sub_folders_it_passes_over(tmp_path, capsys):
    share, _ = _folders(tmp_path)
    paths, errors, nothing = gather([str(share)], recursive=True)
    assert paths == [str(share / "local" / "c.png")] and not errors and nothing is None
    assert capsys.readouterr().err == (
        f"edge-classify: note: linked sub-folders are not entered, even with --recursive, since a link may lead back up "
        f"and the walk would never end: {share / 'mounted'}; name one as an argument to classify its films\n")
    assert gather([str(share / "mounted")], recursive=True)[0] == [str(share / "mounted" / n) for n in ("a.png", "b.png")]


def test_no_images_found_says_the_films_are_behind_a_link(tmp_path):
    _, incoming = _folders(tmp_path)
    for recursive in (True, False):
        why = why_no_images([str(incoming)], recursive, False)
        where = f"{incoming} or its sub-folders" if recursive else str(incoming)
        assert why == (f"no images found in {where} (its linked sub-folders are not entered, even with --recursive, "
                       f"since a link may lead back up and the walk would never end: {incoming / 'today'}; name one as an argument to "
                       "classify its films)")


def test_a_recursive_watch_says_once_which_linked_sub_folders_it_does_not_enter(tmp_path):
    _, incoming = _folders(tmp_path)
    said: list[str] = []
    w = Watcher([incoming], recursive=True, say=said.append)
    for _ in range(3):
        assert w.poll() == []
    assert said == [f"note: linked sub-folders are not entered, even with --recursive, since a link may lead back up and "
                    f"the walk would never end: {incoming / 'today'}; name one as an argument to classify its films"]


def test_a_recursive_watch_does_not_answer_the_lung_masks_and_says_so_once(tmp_path):
    """--watch --recursive on the Kaggle database answered every mask in CLASS/masks/ as a film, as a batch did."""
    for sub in ("images", "masks", "Lung masks v2"):
        (tmp_path / "COVID" / sub).mkdir(parents=True)
        (tmp_path / "COVID" / sub / "COVID-1.png").write_bytes(b"x" * 10)
    said: list[str] = []
    w = Watcher([tmp_path], recursive=True, say=said.append)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "COVID" / "images" / "COVID-1.png")]
    assert [w.poll() for _ in range(3)] == [[]] * 3
    masks = f"{tmp_path / 'COVID' / 'Lung masks v2'}, {tmp_path / 'COVID' / 'masks'}"
    assert said == [f"note: mask sub-folders are not entered, even with --recursive, since they hold masks (lung masks "
                    f"named as the films are), not films: {masks}; name one as an argument to classify its files"]
