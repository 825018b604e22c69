"""edge.watch_scan.scan's choices that its mutation test found unpinned: when a folder's racy window starts and
ends, a mount point's state kept up to date after a file system change, and a sub-folder's return counted.

Time, file systems and mount points are given through scan's own seams: ``now_ns`` and ``racy_ns`` are its
arguments, ``is_mount`` too, and the file system a folder was on at the last poll is ``watcher.devices``
(set here to another number, as a share mounted or unmounted there leaves it). No sleeps: the monotonic clock
is a number passed in.
"""

import os
from pathlib import Path

from edge.watch import Watcher
from edge.watch_scan import scan

SECOND = 1_000_000_000
RACY = 3 * SECOND


def _watcher(folder: Path, said: list[str], recursive: bool = False) -> Watcher:
    return Watcher([folder], recursive=recursive, say=said.append)


def _never_mount(folder: str) -> bool:
    return False


def test_the_racy_window_is_timed_from_the_latest_stamp_not_the_first(tmp_path):
    """A folder whose stamp moved is read again until its new stamp has stood RACY_NS: a second film landing
    within the stamp's granularity (2 s on FAT) would not move it again. Timed from when the first stamp was
    seen, a folder changed an hour after the watch began would be kept at the very next poll."""
    folder = tmp_path / "in"
    folder.mkdir()
    os.utime(folder, ns=(10**18, 10**18))
    w = _watcher(folder, [])
    w.listings, _, _ = scan(w, 0, False, RACY, _never_mount)
    w.listings, fresh, _ = scan(w, 3600 * SECOND, False, RACY, _never_mount)
    assert str(folder) not in fresh  # stood an hour: its listing is kept
    os.utime(folder, ns=(2 * 10**18, 2 * 10**18))  # a film added: the folder's stamp moved
    w.listings, fresh, _ = scan(w, 3601 * SECOND, False, RACY, _never_mount)
    assert str(folder) in fresh
    w.listings, fresh, _ = scan(w, 3601 * SECOND + 1, False, RACY, _never_mount)
    assert str(folder) in fresh  # the new stamp has stood 1 ns, not RACY_NS: read again
    w.listings, fresh, _ = scan(w, 3601 * SECOND + RACY + 1, False, RACY, _never_mount)
    assert str(folder) not in fresh


def test_a_stamp_that_has_stood_exactly_racy_ns_is_read_once_more(tmp_path):
    """The boundary is on the safe side: a read too many costs one listing, a read too few leaves a film
    unanswered until the next full check (30 hours away at --interval 3600). Kept only once the stamp has
    stood more than RACY_NS."""
    folder = tmp_path / "in"
    folder.mkdir()
    os.utime(folder, ns=(10**18, 10**18))
    w = _watcher(folder, [])
    w.listings, _, _ = scan(w, 0, False, RACY, _never_mount)
    w.listings, fresh, _ = scan(w, RACY, False, RACY, _never_mount)
    assert str(folder) in fresh
    w.listings, fresh, _ = scan(w, RACY + 1, False, RACY, _never_mount)
    assert str(folder) not in fresh


def test_a_share_mounted_on_a_watched_folder_then_unmounted_is_said(tmp_path):
    """The folder's mount state is learnt again with its file system: a share mounted on a plain folder after
    the watch began, then unmounted, leaves the bare mount point, whose films (copied in meanwhile) are not the
    share's; said once as a folder that cannot be read, not read as if nothing happened."""
    folder = tmp_path / "in"
    folder.mkdir()
    said: list[str] = []
    w = _watcher(folder, said)
    real = os.stat(folder).st_dev
    w.listings, _, _ = scan(w, 0, False, RACY, _never_mount)
    assert w.mounts[str(folder)] is False
    w.devices[str(folder)] = real + 1  # a share mounted there: the folder is on another file system
    w.listings, fresh, _ = scan(w, SECOND, False, RACY, lambda f: True)
    assert str(folder) in fresh and said == []
    w.devices[str(folder)] = real + 1  # unmounted: the bare mount point, on another file system again
    w.listings, _, _ = scan(w, 2 * SECOND, False, RACY, _never_mount)
    assert str(folder) in w.unreadable
    assert len(said) == 1 and said[0].startswith("warning: cannot read the watched folder")
    assert "bare mount point" in said[0]


def test_a_sub_folder_readable_again_counts_as_a_return(tmp_path):
    """A sub-folder that could not be read (its permissions) and now can be makes the poll a full check, as a
    watched folder's return does (edge.watch.Watcher.poll): while it could not be read the folders below it were
    not walked, and their stamps, unchanged, keep their listings on its return; what settled there meanwhile
    is found by the full check, not 30 polls later."""
    folder, sub = tmp_path / "in", tmp_path / "in" / "study1"
    sub.mkdir(parents=True)
    said: list[str] = []
    w = _watcher(folder, said, recursive=True)
    w.listings, _, returned = scan(w, 0, False, RACY, _never_mount)
    assert returned is False and str(sub) in w.listings
    w.unreadable.add(str(sub))  # the last poll could not read it
    w.listings, fresh, returned = scan(w, RACY + SECOND, False, RACY, _never_mount)
    assert str(sub) in fresh and str(sub) not in w.unreadable
    assert said[-1] == f"can read the folder {sub} again"
    assert returned is True
