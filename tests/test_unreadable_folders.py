"""A folder that cannot be listed hides its films: a batch and a watch say so, never skip it silently.

Permissions do not stop root (the suite may run as root), so the folder is made unreadable where
the walk asks for it: os.scandir raises PermissionError for that one path, as it does for a
chmod 000 folder of another user.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edge.batch import expand_inputs
from edge.inputs import read_names, with_stdin
from edge.watch import Watcher


@pytest.fixture
def locked(tmp_path, monkeypatch):
    """tmp_path/study/locked, holding a film, that os.scandir refuses; tmp_path/study/ok.png readable."""
    study = tmp_path / "study"
    (study / "locked").mkdir(parents=True)
    (study / "locked" / "a.png").write_bytes(b"x" * 10)
    (study / "ok.png").write_bytes(b"x" * 10)
    real = os.scandir

    def scandir(path="."):
        if Path(os.fsdecode(path)) == study / "locked":
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return study


def test_a_recursive_batch_names_the_folder_it_cannot_read(locked):
    files, errors = expand_inputs([str(locked)], recursive=True)
    assert files == [str(locked / "ok.png")]
    assert [(e.file, e.error) for e in errors] == [(str(locked / "locked"), "cannot read this folder (Permission denied)")]


def test_a_sub_folder_that_cannot_be_read_is_said_where_its_films_would_sort_among_the_folders(locked):
    """study/locked's error came after study/ok.png's answer (after all of study's films), where a program reading
    --csv beside its own sorted list of films expects it before: the answers are in input order (edge.input_order)."""
    from edge.inputs import gather

    (locked / "a.png").write_bytes(b"x" * 10)
    (locked / "locked.png").write_bytes(b"x" * 10)  # sorts before locked/...: '.' before '/'
    paths, placed, why = gather([str(locked)], recursive=True)
    assert why is None and paths == [str(locked / n) for n in ("a.png", "locked.png", "ok.png")]
    assert [(at, r.file) for at, r in placed] == [(2, str(locked / "locked"))]
    paths, placed, _ = gather([str(locked / "a.png"), str(locked)], recursive=True)  # after the films given before it
    assert [at for at, _ in placed] == [2]  # after a.png and locked.png: a.png named again is answered once


def test_a_folder_named_that_cannot_be_read_is_not_called_empty(locked):
    files, errors = expand_inputs([str(locked / "locked")])
    assert files == [] and errors[0].error == "cannot read this folder (Permission denied)"


def test_a_watch_says_once_which_sub_folder_it_cannot_read(locked):
    said: list[str] = []
    w = Watcher([locked], recursive=True, say=said.append)
    assert w.poll() == [] and w.poll() == [str(locked / "ok.png")]
    assert [w.poll() for _ in range(2)] == [[]] * 2
    assert said == [f"warning: cannot read the folder {locked / 'locked'} (Permission denied); its films are not "
                    "answered until it can be; still watching"]


def test_a_removed_sub_folder_is_no_warning(tmp_path):
    (tmp_path / "study").mkdir()
    said: list[str] = []
    w = Watcher([tmp_path], recursive=True, say=said.append)
    w.poll()
    (tmp_path / "study").rmdir()
    w.poll()
    assert said == []


class _Bytes:
    def __init__(self, data: bytes) -> None:
        import io
        self.buffer = io.BytesIO(data)


def test_names_on_stdin_that_are_not_utf8_reach_the_file_system_as_their_bytes(tmp_path):
    name = os.fsdecode(b"caf\xe9.png")  # Latin-1, as an old camera or a Windows share wrote it
    (tmp_path / name).write_bytes(b"x")
    stdin = _Bytes(os.fsencode(str(tmp_path / name)) + b"\0" + os.fsencode(str(tmp_path / "b.png")) + b"\0")
    paths = with_stdin(["-"], stdin)
    assert paths == [str(tmp_path / name), str(tmp_path / "b.png")] and Path(paths[0]).exists()
    assert read_names(_Bytes(b"a.png\n")) == "a.png\n"


def test_a_watched_folder_that_stops_being_readable_is_not_said_readable_again_until_it_is(tmp_path, monkeypatch):
    """After a chmod 000, the watch said 'cannot read' at a full check and, at the next poll, took the folder's
    kept listing (its time stamp unchanged) for a read: 'can read ... again', every 30 polls, never true."""
    import edge.watch as watch_module

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.png").write_bytes(b"x" * 10)
    old = 10**18
    os.utime(tmp_path / "in", ns=(old, old))
    locked, real = [False], os.scandir

    def scandir(path="."):
        if locked[0] and Path(os.fsdecode(path)) == tmp_path / "in":
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(watch_module, "RACY_NS", 0)
    said: list[str] = []
    w = Watcher([tmp_path / "in"], full_every=3, say=said.append)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "in" / "a.png")]
    locked[0] = True
    for _ in range(7):
        w.poll()
    assert len(said) == 1 and said[0].startswith("warning: cannot read the watched folder")
    locked[0] = False
    w.poll()
    assert said[1:] == [f"can read the watched folder {tmp_path / 'in'} again"]
