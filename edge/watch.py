"""Watched folders: classify each film as it arrives (edge-classify --watch).

A device beside a modality or a PACS export gets films dropped into a folder (a network share,
scp, a USB import). A file is taken once it has settled: the same size and modification time on
two polls in a row, so a film still being copied is never read half-written. Hidden files and
copy tools' partial names (``.part``, ``.tmp``) are skipped, as in a batch. A file whose name is
no image name (a PACS export's ``1.2.826.0.1.3680043.8.498.131003``) is a film if its bytes
128..132 are b"DICM" (edge.batch.is_image_file): 132 bytes read once it has settled, and the
verdict kept with its inode, size and time, so it is read again only once changed. A file that
is rewritten (another size or time) is classified again. Polling needs nothing beyond the
standard library and works on network shares, where change notifications often do not.

Export folders keep tens of thousands of films, and on a network share each file's stat is a
round trip. So a poll re-reads only the folders whose own modification time moved (a file was
added, removed or renamed there), and stats only the files that are new, still settling, or
stand under a new inode (a copy renamed over an old name); every FULL_EVERY polls it stats
every file, which finds a film rewritten in place under its old name. Files without an image
name that are not DICOM cost what films cost: a stat per poll while they settle and one on each
full check, and one 132-byte read each time they change; documents (``.txt``, ``.csv``, ...) cost
nothing.
"""

from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from edge.batch import is_image_file, is_image_name, may_be_dicom_name

Stamp = tuple[int, int]  # (size, mtime in ns)
# a folder's (mtime, [(file, inode)]: image names and names that may be DICOM's, sub-folders)
Listing = tuple[int, list[tuple[str, int]], list[str]]
FULL_EVERY = 30  # polls between checks of every file (a minute at the default 2 s interval)
# A folder changed this recently is read again: a change within its time stamp's granularity
# (2 s on FAT, 1 s on some network shares) would not move the stamp.
RACY_NS = 3_000_000_000


class Watcher:
    """Which files under some folders are new or changed and have settled since the last poll."""

    def __init__(self, folders: list[Path], recursive: bool = False, full_every: int = FULL_EVERY) -> None:
        self.folders, self.recursive, self.full_every = folders, recursive, max(1, full_every)
        self.done: dict[str, Stamp] = {}     # files handed out, or found not DICOM, as they were then
        self.pending: dict[str, Stamp] = {}  # files seen changing, as they were at the last poll
        self.inodes: dict[str, int] = {}    # each file's inode when it was last looked at
        self.listings: dict[str, Listing] = {}  # each folder as it was last read
        self.polls = 0

    def _scan(self, now_ns: int) -> tuple[dict[str, Listing], set[str]]:
        """The listing of every folder under the watched ones, and which of them were read again."""
        listings: dict[str, Listing] = {}
        fresh: set[str] = set()
        stack = [str(f) for f in reversed(self.folders)]
        while stack:
            folder = stack.pop()
            if folder in listings:
                continue
            try:
                mtime = os.stat(folder).st_mtime_ns
            except OSError:  # removed (or a share gone) since the last poll
                continue
            cached = self.listings.get(folder)
            if cached and cached[0] == mtime and now_ns - mtime > RACY_NS:
                entry = cached
            else:
                entry = _read(folder, mtime)
                if entry is None:
                    continue
                fresh.add(folder)
            listings[folder] = entry
            if self.recursive:
                stack.extend(reversed(entry[2]))
        return listings, fresh

    def poll(self) -> list[str]:
        """The files, in name order, that changed since they were last handed out and have not
        changed since the previous poll."""
        self.polls += 1
        full = self.polls % self.full_every == 0
        before = self.listings
        self.listings, fresh = self._scan(time.time_ns())
        for folder, entry in before.items():  # a film removed (and perhaps brought back later) is forgotten
            if folder in self.listings and folder not in fresh:
                continue
            kept = {p for p, _ in self.listings[folder][1]} if folder in self.listings else set()
            for path in {p for p, _ in entry[1]} - kept:
                self.done.pop(path, None), self.inodes.pop(path, None), self.pending.pop(path, None)
        # the files of folders read again (of all folders on a full check), and those still settling
        candidates = {p: i for f in (self.listings if full else fresh) for p, i in self.listings[f][1]}
        candidates.update((p, self.inodes[p]) for p in self.pending if p not in candidates)
        ready, pending = [], {}
        for path, inode in sorted(candidates.items()):
            if path in self.done and path not in self.pending and self.inodes.get(path) == inode and not full:
                continue
            try:
                st = os.stat(path)
            except OSError:  # gone between the listing and the stat: a copy tool's rename
                continue
            self.inodes[path] = inode
            stamp = (st.st_size, st.st_mtime_ns)
            if self.done.get(path) == stamp:
                continue
            if self.pending.get(path) == stamp and stamp[0] > 0:
                if is_image_file(path):  # an image name, or (the listing kept it as one) DICOM by content
                    ready.append(path)
                self.done[path] = stamp  # a verdict of not DICOM stands until the file changes
            else:
                pending[path] = stamp
        self.pending = pending
        return ready


def _read(folder: str, mtime: int) -> Listing | None:
    """(mtime, image files and files that may be DICOM with their inodes, visible sub-folders) of
    one folder, or None where it cannot be read. A directory entry carries its inode, so this
    needs no stat per file."""
    files, subdirs = [], []
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                if e.name.startswith("."):
                    continue
                if e.is_dir():
                    if not e.is_symlink():  # as os.walk(followlinks=False)
                        subdirs.append(e.path)
                elif is_image_name(e.name) or may_be_dicom_name(e.name):
                    files.append((e.path, e.inode()))
    except OSError:
        return None
    return mtime, sorted(files), sorted(subdirs)


def watch(folders: list[Path], recursive: bool, interval: float,
          sleep: Callable[[float], None] = time.sleep) -> Iterator[list[str]]:
    """Yield each poll's settled files (often none), forever; the files already there come first,
    after one interval."""
    watcher = Watcher(folders, recursive)
    while True:
        yield watcher.poll()
        sleep(interval)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside: SIGTERM (a service manager's stop) raises KeyboardInterrupt, as Ctrl-C does, so
    both end a watch the same way, with its summary."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
