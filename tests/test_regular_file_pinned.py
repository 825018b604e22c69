"""edge.regular_file pinned where a change would refuse a film at its limit, read past a head, or wait on or
misname what is no file (found by hand mutation testing: each test here failed with one small change to
read_regular or _kind in place, which the tests that need no trained model let through)."""

from __future__ import annotations

import os

import pytest

from edge.regular_file import NotAFile, TooLarge, read_regular


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10)
    assert read_regular(tmp_path / "a", 10) == b"x" * 10
    with pytest.raises(TooLarge):
        read_regular(tmp_path / "a", 9)


def test_a_head_is_read_whatever_the_files_size(tmp_path):
    (tmp_path / "a").write_bytes(b"0123456789")
    assert read_regular(tmp_path / "a", 4, head=3) == b"012"


def test_a_fifo_and_a_device_are_named_not_read(tmp_path):
    os.mkfifo(tmp_path / "p")
    with pytest.raises(NotAFile) as fifo:
        read_regular(tmp_path / "p", 10)
    with pytest.raises(NotAFile) as device:
        read_regular("/dev/null", 10)
    assert (fifo.value.kind, device.value.kind) == ("a FIFO (a named pipe)", "a device")


def test_a_socket_is_named_not_read(tmp_path):
    import socket

    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(tmp_path / "s"))
        with pytest.raises(NotAFile) as sock:
            read_regular(tmp_path / "s", 10)
    assert sock.value.kind == "a socket"
