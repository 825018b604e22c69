"""A data disk's own folders beside the films: ext4's lost+found, Windows' Recycle Bin and System
Volume Information are never classes nor walked into, and a folder that cannot be read stops
discovery only where its films are needed, with the message that says so.

lost+found is root's with mode 700 on every ext4 disk, so another user cannot read it; it stopped
cxr-train, cxr-evaluate and cxr-compare with "lost+found/run.json: Permission denied", even where
--classes left it out. The suite may run as root, whom mode 000 does not stop: there the check
runs in a child process without the capabilities that let root read anything (setpriv), as user pi
would on a Pi.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge.batch import expand_inputs
from edge.watch import Watcher
from train.discovery import discover

from tests.unprivileged import as_a_user


def films(folder: Path, n: int = 2) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.fromarray(np.full((8, 8), 40 + 50 * i, np.uint8)).save(folder / f"film-{i}.png")


@pytest.fixture
def disk(tmp_path):
    """tmp_path/disk: COVID/, Normal/, and lost+found/ and private/ that nobody but root may read."""
    data = tmp_path / "disk"
    films(data / "COVID")
    films(data / "Normal")
    for name in ("lost+found", "private"):
        (data / name).mkdir()
        (data / name / "x").write_text("lost")
        (data / name).chmod(0)
    yield data
    for name in ("lost+found", "private"):
        (data / name).chmod(0o755)


DISCOVER = """
import json, sys
from train.data import DataError
from train.discovery import discover
from train.class_folders import class_folder_names
said = []
out = {"folders": class_folder_names(sys.argv[1] if len(sys.argv) > 1 else %r)}
items, _, _ = discover(%r, ["COVID", "Normal"], log=said.append)
out["labels"] = sorted({i.label for i in items})
out["said"] = said
try:
    discover(%r, log=lambda m: None)
    out["all"] = "no error"
except DataError as e:
    out["all"] = str(e)
print(json.dumps(out))
"""


def test_an_unreadable_folder_beside_the_classes_stops_nothing_it_is_not_needed_for(disk):
    got = as_a_user(DISCOVER % (str(disk), str(disk), str(disk)))
    assert got["folders"] == ["COVID", "Normal", "private"]  # lost+found is never a class
    assert got["labels"] == ["COVID", "Normal"]
    assert all("lost+found" not in line for line in got["said"]), got["said"]
    # private is a class when no --classes leaves it out: its films are needed, and the message says why they are not read
    assert got["all"] == (f"class folder {disk / 'private'} cannot be read (Permission denied); its films cannot be "
                          "read, and going on would leave out its class: give this user read access to it")


@pytest.mark.parametrize("name", ["lost+found", "$RECYCLE.BIN", "System Volume Information"])
def test_a_disks_system_folder_is_no_class_even_when_readable(tmp_path, name):
    data = tmp_path / "disk"
    films(data / "COVID")
    films(data / "Normal")
    (data / name).mkdir()
    films(data / name / "S-1-5-21-1001", 1)  # the Recycle Bin keeps a deleted film as $R....png
    items, _, _ = discover(data, log=lambda m: None)
    assert sorted({i.label for i in items}) == ["COVID", "Normal"]
    items, _, _ = discover(data, min_classes=1, log=lambda m: None)  # as cxr-evaluate reads a site's folder
    assert sorted({i.label for i in items}) == ["COVID", "Normal"]


@pytest.fixture
def usb(tmp_path):
    """A USB stick's root as Windows leaves it: incoming films, a film in the Recycle Bin with its $I
    record (named .png too), System Volume Information and lost+found (the stick reformatted as ext4)."""
    root = tmp_path / "usb"
    films(root / "incoming")
    bin_ = root / "$RECYCLE.BIN" / "S-1-5-21-1004336348-1177238915-682003330-1001"
    films(bin_, 1)
    (bin_ / "film-0.png").rename(bin_ / "$RZ8K2QF.png")
    (bin_ / "$IZ8K2QF.png").write_bytes(b"deleted")
    films(root / "System Volume Information", 1)
    films(root / "lost+found", 1)
    return root


def test_a_recursive_batch_passes_over_a_disks_system_folders(usb):
    files, errors = expand_inputs([str(usb)], recursive=True)
    assert files == [str(usb / "incoming" / "film-0.png"), str(usb / "incoming" / "film-1.png")]
    assert errors == []


def test_a_recursive_watch_passes_over_a_disks_system_folders(usb):
    said: list[str] = []
    w = Watcher([usb], recursive=True, say=said.append)
    assert w.poll() == []
    assert w.poll() == [str(usb / "incoming" / "film-0.png"), str(usb / "incoming" / "film-1.png")]
    assert said == []
