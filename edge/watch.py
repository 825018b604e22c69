"""Watched folders: classify each film as it arrives (edge-classify --watch).

A device beside a modality or a PACS export gets films dropped into a folder (a network share,
scp, a USB import). A file is taken once it has settled: the same size and modification time on
two polls in a row, so a film still being copied is never read half-written. Hidden files and
names without an image suffix are skipped (the usual temporary names of copy tools), as in a
batch. A file that is rewritten (another size or time) is classified again. Polling needs
nothing beyond the standard library and works on network shares, where change notifications
often do not.
"""

from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from edge.batch import image_files

Stamp = tuple[int, int]  # (size, mtime in ns)


class Watcher:
    """Which files under some folders are new or changed and have settled since the last poll."""

    def __init__(self, folders: list[Path], recursive: bool = False) -> None:
        self.folders, self.recursive = folders, recursive
        self.done: dict[str, Stamp] = {}     # files handed out, as they were then
        self.pending: dict[str, Stamp] = {}  # files seen changing, as they were at the last poll

    def _stamps(self) -> dict[str, Stamp]:
        found = {}
        for folder in self.folders:
            for path in image_files(folder, self.recursive):
                try:
                    st = os.stat(path)
                except OSError:  # gone between the listing and the stat: a copy tool's rename
                    continue
                found[path] = (st.st_size, st.st_mtime_ns)
        return found

    def poll(self) -> list[str]:
        """The files, in name order, that changed since they were last handed out and have not
        changed since the previous poll."""
        ready, pending = [], {}
        stamps = self._stamps()
        for path, stamp in sorted(stamps.items()):
            if self.done.get(path) == stamp:
                continue
            if self.pending.get(path) == stamp and stamp[0] > 0:
                ready.append(path)
                self.done[path] = stamp
            else:
                pending[path] = stamp
        self.pending = pending
        self.done = {p: s for p, s in self.done.items() if p in stamps}  # a film removed and brought back is new
        return ready


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
