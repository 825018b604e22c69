"""edge.film_bytes pinned (hand mutation testing, session 71): each reason a film's bytes cannot be read is said in
its own words, a read of its head reads only the head, and the size limit is the one the message names."""

from __future__ import annotations

import errno
import os

import pytest

import edge.film_bytes
from edge.film_bytes import MAX_FILE_BYTES, read_image_file, read_regular_file
from edge.image_error import ImageError
from edge.regular_file import TooLarge


def _said(path) -> str:
    with pytest.raises(ImageError) as e:
        read_image_file(path)
    return str(e.value)


def test_a_folder_a_missing_file_and_a_link_loop_are_each_said_in_their_own_words(tmp_path):
    (tmp_path / "film.png").mkdir()
    os.symlink(tmp_path / "b.png", tmp_path / "a.png")
    os.symlink(tmp_path / "a.png", tmp_path / "b.png")
    assert _said(tmp_path / "film.png") == "is a directory, not an image file"
    assert _said(tmp_path / "gone.png") == "no such file"
    assert _said(tmp_path / "a.png") == "symbolic link loop (too many levels of symbolic links)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_not_a_regular_file_and_is_not_waited_for(tmp_path):
    os.mkfifo(tmp_path / "film.png")
    assert _said(tmp_path / "film.png") == "not a regular file (a FIFO, socket or device)"


@pytest.mark.parametrize("error,words", [
    (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
    (OSError(errno.EIO, "Input/output error"), "cannot read file: Input/output error"),
    (TooLarge(300 * 2**20, MAX_FILE_BYTES), "refused: file is 300 MiB, more than the 256 MiB limit"),
])
def test_an_unreadable_or_too_large_file_is_said_in_words(tmp_path, monkeypatch, error, words):
    def refuse(path, limit, head=None):
        assert limit == 256 * 2**20  # the limit the words name
        raise error
    monkeypatch.setattr(edge.film_bytes, "read_regular", refuse)
    assert _said(tmp_path / "film.png") == words


def test_a_head_read_reads_only_the_head(tmp_path):
    (tmp_path / "film.png").write_bytes(bytes(range(100)))
    assert read_regular_file(tmp_path / "film.png", head=4) == bytes(range(4))
    assert read_regular_file(tmp_path / "film.png") == bytes(range(100))
