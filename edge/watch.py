"""Watched folders: classify each film as it arrives (edge-classify --watch).

A device beside a modality or a PACS export gets films dropped into a folder (a network share,
scp, a USB import). A file is taken once it has settled: the same size, modification time and
inode on two polls in a row, QUIET_NS (3 s) apart at least by the device's clock (its monotonic clock: NTP
stepping the date, on a device without a clock chip, neither holds a film settling nor takes it at once). A copy that pauses
for longer than that (a stalled share, a slow link) is read half-written: a compressed film (PNG,
JPEG) then fails, and an uncompressed one whose copier set its full size first (DICOM, TIFF, BMP) may
decode, its missing part black, and be answered again once its copy has finished; a film whose classification failed
is stat'ed on every poll while failed films are FEW_FAILURES at most, else for FULL_EVERY polls after it failed,
then on each full check (a folder may keep thousands that never decode), and once it changes (it grew, or a chmod moved its ctime: a permission fixed) it settles again and is
answered again. A file of zero bytes
is a copy that has not started until it has stayed so for EMPTY_POLLS polls and EMPTY_NS; then it
is handed out once, so a failed transfer gets its error line like any bad film. What a folder's listing
keeps, and skips, is edge.watch_listing's. A file whose name is no image name (a PACS export's ``1.2.826.0.1.3680043.8.498.131003``) is a film if its first bytes
are DICOM's and of a film's SOP class (edge.film_files.is_image_file; a .dcm's class too): 1 kB read once it has settled, and the
verdict kept with its stamp, so it is read again only once changed. A file rewritten (another
size or time) or another file moved in under an old name (another inode and change time, even with
the same size and modification time: ``mv``, ``rsync -t``) is classified again, while a new inode
number alone is not (FAT and exFAT volumes, SMB shares without server inode numbers, hand out new
numbers for the same file as the kernel forgets and re-reads it); one copied over an old one in place with
the same size and time (``cp -p`` onto an existing name) is not seen. A watch keeps no memory of its
own across runs: after a restart every film there is answered again, and so is a film renamed, unless --skip-answered
reads the log an earlier watch appended to (edge.answered: a film answered as it is now is skipped, and counted).
Polling needs nothing beyond the standard library and works on network shares, where change
notifications often do not.

Export folders keep tens of thousands of films, and on a network share each file's stat is a
round trip. So a poll re-reads only the folders whose own stamp moved (edge.watch_scan says when), and stats only
the files that are new, still settling, failed lately, or stand under a new inode (a copy renamed over an
old name); every FULL_EVERY polls it reads every folder and stats every file, which finds a film
rewritten in place under its old name. Files without an image
name that are not DICOM cost what films cost: a stat per poll while they settle and one on each
full check, and one 1 kB read (HEAD_BYTES) each time they change; documents (``.txt``, ``.csv``, ...) cost nothing.

What a person must know of the folders themselves (one that cannot be read, and when it can again; films
in sub-folders a watch without --recursive does not enter) is said once on stderr, never per poll, by the
walk of them each poll begins with (edge.watch_scan).
"""

from __future__ import annotations

import os
from stat import S_ISLNK
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

from edge import film_stamp, watch_listing, watch_scan
from edge.film_files import is_image_file
from edge.dicom_start import HEAD_BYTES
from edge.figures import counted
from edge.film_stamp import Stamp, same_film, written_stamp
from edge.watch_folders import watched_once
from edge.watch_timing import EMPTY_NS, EMPTY_POLLS, FEW_FAILURES, FULL_EVERY, QUIET_NS, RACY_NS

# A stamp (edge.film_stamp) says whether a file is the same film (same_film); a failed film is tried
# again when its ctime moves too (a chmod), but a film answered is not answered again for a chmod.
# Errors that may pass on their own (edge.batch.decode's words): such a film is tried once more.
TRANSIENT = ("out of memory", "cannot read file: Input/output error", "cannot read file: Stale file handle",
             "cannot read file: Resource temporarily unavailable")


def _stderr(message: str) -> None:
    print(f"edge-classify: {message}", file=sys.stderr, flush=True)


class Watcher:
    """Which files under some folders are new or changed and have settled since the last poll."""

    def __init__(self, folders: list[Path], recursive: bool = False, full_every: int = FULL_EVERY,
                 say: Callable[[str], None] = _stderr, skip: Callable[[str, Stamp], bool] | None = None) -> None:
        self.recursive, self.full_every, self.say = recursive, max(1, full_every), say
        self.skip = skip  # (path, its stamp) -> answered by an earlier run as it is (edge.answered): not handed out
        self.skipped = self.skipped_all = 0  # this poll's, and the watch's (its closing summary line says them)
        self.done: dict[str, Stamp] = {}     # files handed out, or found not DICOM, as they were then
        self.pending: dict[str, Stamp] = {}  # files seen changing, as they were at the last poll
        self.quiet_since: dict[str, int] = {}  # each pending file's stamp: when it was first seen (monotonic)
        self.failures: dict[str, tuple[Stamp, int]] = {}  # films whose classification failed: as they were, and the poll
        self.retried: dict[str, Stamp] = {}  # films handed out once more after an error that may pass (TRANSIENT)
        self.empty: dict[str, tuple[int, int]] = {}  # zero-byte files: the poll and time (monotonic) since which unchanged
        self.inodes: dict[str, int] = {}    # each file's inode when it was last looked at
        self.listings: dict[str, watch_listing.Listing] = {}  # each folder as it was last read
        # each folder's (mtime, ctime), and when it was first seen (monotonic)
        self.stamp_seen: dict[str, tuple[tuple[int, int], int]] = {}
        self.unreadable: set[str] = set()   # watched folders that could not be read at the last poll
        self.devices: dict[str, int] = {}   # each folder's file system, as last read
        self.mounts: dict[str, bool] = {}   # whether each folder was a mount point (a share's) then
        self.hinted: set[str] = set()       # watched folders said to have films in sub-folders
        self.linked: set[str] = set()       # linked sub-folders said not to be entered
        self.masks: set[str] = set()        # mask sub-folders (Kaggle's CLASS/masks/) said not to be entered
        self.polls, self.folders = 0, watched_once(folders, recursive, say)  # each once: no film answered twice
        self.removed: list[str] = []  # files the last poll found removed, now forgotten: one of the name later is another

    def failed(self, path: str, error: str = "") -> None:
        """Note that a film handed out could not be classified: it may have been read half-written
        or been unreadable, so it is looked at on every poll and handed out again once it changes.
        One whose error may pass (out of memory while other films were decoded, a share's I/O error)
        is handed out once more, QUIET_NS later, unchanged: it waited, unanswered, for months."""
        if path not in self.done:
            return
        stamp = self.done[path]
        if error.startswith(TRANSIENT) and not (path in self.retried and same_film(self.retried[path], stamp)):
            self.retried[path] = stamp  # once per film as it is: another film under the name gets its own retry
            self.pending[path] = self.done.pop(path)
            self.quiet_since[path] = time.monotonic_ns()
            return
        self.failures[path] = self.done[path], self.polls

    def written(self, path: str) -> dict[str, int] | None:
        """The stamp of ``path`` as it was handed out, for its answer's "written" field (edge.answered)."""
        stamp = self.done.get(path)
        return None if stamp is None else written_stamp(stamp)

    def noting_failures(self, results: Iterable) -> Iterator:
        """The results (edge.batch.Result) as they are, telling :meth:`failed` which films failed."""
        for r in results:
            yield r  # written first, with the stamp it was read under: a retry takes the film back from done
            if r.error is not None:
                self.failed(r.file, r.error)

    def _scan(self, now_ns: int, full: bool = False) -> tuple[dict[str, watch_listing.Listing], set[str], bool]:
        """The walk of the watched folders (edge.watch_scan.scan), with this module's RACY_NS and _is_mount."""
        return watch_scan.scan(self, now_ns, full, RACY_NS, _is_mount)

    def _changed_failures(self, every: bool) -> list[str]:
        """The failed films that changed since they were handed out (ctime included: a chmod), now
        forgotten as handed out so that they settle and go out again. Where they are more than FEW_FAILURES,
        those that failed over FULL_EVERY polls ago are looked at only on a full check (``every``): a folder that
        keeps 5,000 films that never decode cost 2,500 stats a second, idle; a few are looked at on every poll,
        as a full check is 30 hours away at --interval 3600."""
        changed = []
        many = len(self.failures) > FEW_FAILURES
        for path, (seen, when) in list(self.failures.items()):
            if many and not every and self.polls - when > self.full_every:
                continue
            try:
                st = os.stat(path)
            except OSError:  # gone (its folder's listing will say) or its share away
                continue
            now = film_stamp.stamp(st)
            if now[:2] != seen[:2] or now[3] != seen[3]:  # its inode number alone may change on FAT
                del self.failures[path]
                self.done.pop(path, None)
                changed.append(path)
        return changed

    def _empty_long_enough(self, path: str, now_ns: int) -> bool:
        polls, since = self.empty.setdefault(path, (self.polls, now_ns))
        return self.polls - polls >= EMPTY_POLLS and now_ns - since >= EMPTY_NS

    def poll(self) -> list[str]:
        """The files, in name order, that changed since they were last handed out and have not
        changed since the previous poll."""
        self.polls += 1
        now_ns = time.monotonic_ns()  # spans, never dates: a clock that steps neither holds nor hurries a film
        before = self.listings
        periodic = self.polls % self.full_every == 0
        self.listings, fresh, returned = self._scan(now_ns, periodic)
        full = periodic or returned  # back: what settled meanwhile is found
        for per_folder in (self.stamp_seen, self.devices, self.mounts):  # a study's folder taken away is forgotten
            for gone in [f for f in per_folder if f not in self.listings]:
                del per_folder[gone]
        self.removed = []
        for folder, entry in before.items():  # a film removed (and perhaps brought back later) is forgotten
            if folder in self.listings and folder not in fresh:
                continue
            kept = {p for p, _ in self.listings[folder][1]} if folder in self.listings else set()
            for path in {p for p, _ in entry[1]} - kept:
                self.removed.append(path)
                for known in (self.done, self.inodes, self.pending, self.failures, self.empty):
                    known.pop(path, None)
                self.retried.pop(path, None)
        # the files of folders read again (of all folders on a full check), those still settling,
        # and failed films that changed
        candidates = {p: i for f in (self.listings if full else fresh) for p, i in self.listings[f][1]}
        candidates.update((p, self.inodes[p]) for p in self.pending if p not in candidates)
        candidates.update((p, self.inodes[p]) for p in self._changed_failures(full) if p not in candidates)
        ready, pending, quiet = [], {}, {}
        for path, inode in sorted(candidates.items()):
            if path in self.done and path not in self.pending and self.inodes.get(path) == inode and not full:
                continue
            try:
                st = os.stat(path)
            except OSError:  # gone between the listing and the stat (a copy tool's rename), or a link to nothing
                try:  # a film's name on a link that cannot be followed: handed out, for its error line as in a batch
                    st = os.lstat(path)
                except OSError:
                    continue
                if not S_ISLNK(st.st_mode):
                    continue
            self.inodes[path] = inode
            stamp = film_stamp.stamp(st)
            if path in self.done and same_film(self.done[path], stamp):
                continue
            settled = path in self.pending and same_film(self.pending[path], stamp)
            since = self.quiet_since.get(path, now_ns) if settled else now_ns
            if settled and now_ns - since >= QUIET_NS and (stamp[0] > 0 or self._empty_long_enough(path, now_ns)):
                self.empty.pop(path, None)
                self.done[path] = stamp  # a verdict of not DICOM stands until the file changes
                if is_image_file(path):  # an image name, or (the listing kept it as one) DICOM by content
                    if self.skip is not None and self.skip(path, stamp):
                        self.skipped += 1
                    else:
                        ready.append(path)
                elif stamp[0] < HEAD_BYTES:  # too short to tell: a DICOM copy stalled in its header is looked
                    self.failures[path] = stamp, self.polls  # at as a failed film is
            else:
                if not settled:
                    self.empty.pop(path, None)
                pending[path] = stamp
                quiet[path] = since
        self.pending, self.quiet_since = pending, quiet
        if self.skipped:  # the films already there, or a share's films on its return: said once a poll
            self.say(f"{counted(self.skipped, 'film')} skipped: answered as {'it is' if self.skipped == 1 else 'they are'} "
                     "now, by an earlier run (--skip-answered)")
            self.skipped_all, self.skipped = self.skipped_all + self.skipped, 0
        return ready


def _is_mount(folder: str) -> bool:
    return os.path.ismount(folder)


def watch(watcher: Watcher, interval: float, sleep: Callable[[float], None] = time.sleep) -> Iterator[list[str]]:
    """Yield each poll's settled files (often none), forever; the files already there come first,
    after one interval. Tell ``watcher.failed`` which of them failed, to have them tried again
    once they change."""
    while True:
        yield watcher.poll()
        sleep(interval)
