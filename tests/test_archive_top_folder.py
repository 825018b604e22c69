"""--data ARCHIVE: the folder to give once it is unpacked, as its members name it. A top folder whose name starts
with a dot ('.cxr') was said without it ('cxr': lstrip('./') strips characters, not the './' prefix), and the
command the refusal handed the user named a folder that does not exist (session 69's review). A tar's './' prefix
and its '.' member still name no folder of their own."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from train.foreign_files import archive_given


def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for n in names:
            z.writestr(n, b"x")
    return path


def _tar(path: Path, names: list[str]) -> Path:
    with tarfile.open(path, "w") as t:
        for n in names:
            info = tarfile.TarInfo(n)
            info.size = 1
            t.addfile(info, io.BytesIO(b"x"))
    return path


def test_a_top_folder_starting_with_a_dot_is_given_with_its_dot(tmp_path):
    said = archive_given(_zip(tmp_path / "data.zip", [".cxr/Normal/a.png", ".cxr/COVID/b.png"]))
    assert said.endswith(f"; then give {tmp_path / 'data' / '.cxr'}")


@pytest.mark.parametrize("names", [["./films/Normal/a.png", "./films/COVID/b.png"],
                                   [".", "./films/Normal/a.png", "./films/COVID/b.png"]], ids=["./ prefix", ". member"])
def test_a_tars_dot_slash_prefix_is_no_folder_of_its_own(tmp_path, names):
    said = archive_given(_tar(tmp_path / "data.tar", names))
    assert said.endswith(f"; then give {tmp_path / 'data' / 'films'}")


def test_films_at_the_archives_top_name_the_unpacked_folder_itself(tmp_path):
    said = archive_given(_zip(tmp_path / "data.zip", ["Normal/a.png", "COVID/b.png"]))
    assert said.endswith(f"; then give {tmp_path / 'data'} (or the folder in it that holds a sub-folder per class)")
