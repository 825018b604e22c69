"""A watch's walk of its folders on each poll (edge.watch.Watcher.poll's first step): which folders are read
again, and what a person is told of them.

A folder is read again (edge.watch_listing, whole) only where its own modification or change time moved (a file
added, removed or renamed there; the change time even where ``rsync -a``, ``tar x`` or ``cp -a`` put the folder's
date back), or has not yet stood RACY_NS on the device's clock, or it is on another file system than at the last
poll (a share mounted or unmounted below a watched folder), or on a full check; else its last listing stands.

What a person must know is said once on stderr, never per poll: a watched folder that cannot be
read (removed, its permissions, its share unmounted; its films are kept in mind, so an outage
does not answer them again) and when it can be read again; and, without --recursive, a watched
folder whose sub-folders hold films (a PACS export's folder per study), which a batch would name
as the reason it found nothing. With --recursive, the linked and mask sub-folders it does not enter are
said once each (edge.links).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable

from edge import watch_listing
from edge.links import films_below, linked_text, masks_text, sub_folder_films_text
from edge.output import said_name
from edge.watch_folders import unreadable_text

if TYPE_CHECKING:
    from edge.watch import Watcher


def scan(watcher: Watcher, now_ns: int, full: bool, racy_ns: int,
         is_mount: Callable[[str], bool]) -> tuple[dict[str, watch_listing.Listing], set[str], bool]:
    """The listing of every folder under the watched ones, which of them were read again, and
    whether a watched folder that could not be read can be again. ``full``: every folder read
    again (a full check's backstop for a change its folder's stamp did not show). ``racy_ns`` and
    ``is_mount`` are edge.watch's (RACY_NS, _is_mount), passed in so that a test or benchmark that
    sets them there still sets them. What the walk learns (each folder's stamp, file system, mount,
    whether it could be read, what was said) is kept on ``watcher``, for the next poll."""
    listings: dict[str, watch_listing.Listing] = {}
    fresh: set[str] = set()
    returned = False
    tops = [str(f) for f in watcher.folders]
    stack = list(reversed(tops))
    while stack:
        folder = stack.pop()
        if folder in listings:
            continue
        try:
            st = os.stat(folder)
            dates, cached = (st.st_mtime_ns, st.st_ctime_ns), watcher.listings.get(folder)
            # each folder's file system, a share mounted below a watched one too (it went without a word)
            moved = watcher.devices.setdefault(folder, st.st_dev) != st.st_dev
            if folder not in watcher.mounts:
                watcher.mounts[folder] = is_mount(folder)
            seen = watcher.stamp_seen.get(folder)
            if seen is None or seen[0] != dates:
                seen = watcher.stamp_seen[folder] = (dates, now_ns)
            # one that could not be read is read again until it can be: its kept listing said it could every 30 polls
            if (cached and cached[0] == dates and now_ns - seen[1] > racy_ns and not moved and not full
                    and folder not in watcher.unreadable):
                entry = cached
            else:
                entry = watch_listing.read(folder, dates, linked := [], masks := [])
                fresh.add(folder)
                if watcher.recursive and (linked := [d for d in sorted(linked) if d not in watcher.linked]):
                    watcher.linked.update(linked)  # their films are never answered: said once, not a silent skip
                    watcher.say(f"note: {linked_text(linked)}")
                if watcher.recursive and (masks := [d for d in sorted(masks) if d not in watcher.masks]):
                    watcher.masks.update(masks)  # lung masks, each answered as a film: passed over, said once
                    watcher.say(f"note: {masks_text(masks)}")
            if moved:  # on another file system now: a share's mount point left bare (films copied into it
                # meanwhile are not the share's), or another share or disk mounted there (a USB stick swapped)
                if watcher.mounts[folder] and not is_mount(folder):
                    raise OSError(0, "it is now the bare mount point of a share that was mounted there: its share "
                                     "unmounted?")
                watcher.devices[folder], watcher.mounts[folder] = st.st_dev, is_mount(folder)
        except OSError as e:  # removed (or a share gone) since the last poll, or not readable
            # A sub-folder removed is a study taken away; one that cannot be read (its permissions)
            # hides films, and is said like a watched folder that cannot be read.
            if folder in tops or not isinstance(e, FileNotFoundError):
                # kept as last read, so that its films are not answered again on its return
                listings.update((f, x) for f, x in watcher.listings.items()
                                if f == folder or f.startswith(os.path.join(folder, "")))
                if folder not in watcher.unreadable:
                    watcher.unreadable.add(folder)
                    watcher.say(unreadable_text(folder, folder in tops, e))
            continue
        if folder in watcher.unreadable:
            watcher.unreadable.discard(folder)
            watcher.say(f"can read the {'watched ' if folder in tops else ''}folder {said_name(folder)} again")
            returned = True
        if (folder in tops and not watcher.recursive and folder not in watcher.hinted
                and (cached is None or cached[2] != entry[2]) and films_below(entry[2])):
            watcher.hinted.add(folder)
            watcher.say(f"warning: {sub_folder_films_text(folder, '--watch')}")
        listings[folder] = entry
        if watcher.recursive:
            stack.extend(reversed(entry[2]))
    return listings, fresh, returned
