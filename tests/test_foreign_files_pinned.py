"""train.foreign_files.archive_given pinned where mutation testing found it unpinned (session 69): the folder the
command unpacks into is named for the archive, a .7z or .rar is told to 7-Zip, a folder or a file that is no
archive is no archive given, a tar's '././' prefix names no folder; and a 7-Zip'd tar (scans.tar.7z), which
Python's tarfile cannot read, was handed 'python -m tarfile -e' ('.t' in its last 7 characters)."""

from __future__ import annotations

import io
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from train.foreign_files import archive_given


def _tar(path: Path, names: list[str]) -> Path:
    with tarfile.open(path, "w:gz" if path.name.endswith("gz") else "w") as t:
        for n in names:
            info = tarfile.TarInfo(n)
            info.size = 1
            t.addfile(info, io.BytesIO(b"x"))
    return path


@pytest.mark.parametrize("name", ["kaggle.tar.gz", "kaggle.tgz", "Kaggle.TAR"])
def test_a_tar_is_unpacked_by_python_into_the_folder_named_for_it(tmp_path, name):
    archive = _tar(tmp_path / name, ["films/Normal/a.png", "films/COVID/b.png"])
    into = tmp_path / name.split(".")[0]
    said = archive_given(archive)
    assert said is not None and said.endswith(f"; then give {into / 'films'}")
    command = said.split("unpack it: ", 1)[1].split("; then give ", 1)[0]
    assert shlex.split(command) == [sys.executable, "-m", "tarfile", "-e", str(archive), str(into)]
    subprocess.run(shlex.split(command), check=True, capture_output=True)
    assert (into / "films" / "COVID" / "b.png").is_file()


@pytest.mark.parametrize("name", ["scans.7z", "scans.rar", "scans.tar.7z", "chest.t.rar"])
def test_an_archive_python_cannot_unpack_is_told_to_7_zip(tmp_path, name):
    (tmp_path / name).write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(30))
    assert archive_given(tmp_path / name) == (
        f"data folder {tmp_path / name} is an archive, not read: unpack it (7-Zip, unar) and give the folder in it "
        "that holds a sub-folder per class")


def test_a_folder_named_like_an_archive_and_a_file_that_is_none_are_no_archive_given(tmp_path):
    (tmp_path / "films.zip").mkdir()
    (tmp_path / "labels.csv").write_text("filename,label\n")
    assert archive_given(tmp_path / "films.zip") is None and archive_given(tmp_path / "labels.csv") is None
    assert archive_given(tmp_path / "gone.zip") is None


def test_a_tars_repeated_dot_slash_prefix_names_no_folder(tmp_path):
    said = archive_given(_tar(tmp_path / "data.tar", ["././films/Normal/a.png", "././films/COVID/b.png"]))
    assert said is not None and said.endswith(f"; then give {tmp_path / 'data' / 'films'}")
