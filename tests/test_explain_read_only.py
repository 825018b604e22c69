"""--explain into a folder that cannot be written says what to do: give --explain a folder that can be written. It
said only "ro is on a read-only file system" (a USB stick mounted read-only), with no way on."""

from __future__ import annotations

import os
from collections import namedtuple

from edge.map_paths import maps_folder


def test_a_read_only_maps_folder_says_to_give_another(tmp_path, monkeypatch):
    stat = os.statvfs(tmp_path)
    flags = namedtuple("flags", "f_flag")
    monkeypatch.setattr(os, "statvfs", lambda p: flags(stat.f_flag | os.ST_RDONLY))
    assert maps_folder(tmp_path / "maps", [], False) == (
        f"{tmp_path} is on a read-only file system: give --explain a folder that can be written (on another disk, or "
        "your home folder)")
    assert not (tmp_path / "maps").exists()


def test_a_file_in_the_way_says_so_too(tmp_path):
    (tmp_path / "maps").write_text("")
    assert maps_folder(tmp_path / "maps", [], False) == (
        f"{tmp_path / 'maps'} is a file: give --explain a folder that can be written (on another disk, or your home "
        "folder)")
