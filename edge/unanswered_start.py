"""A watch's start notes of the films already in its folders that its --skip-answered logs do not answer (edge.answered
words them): moved out of edge.answering, which had reached the house's 300 lines. ``answered`` and ``answered_in``:
the logs' answers by film, and the logs read."""

from __future__ import annotations

import os
from pathlib import Path

from edge.model_notes import say


def say_unanswered(watcher, answered: dict, answered_in, images: list[str], said: dict[str, int]) -> None:
    """The start's notes of the films already in the watched folders that the logs do not answer, for each watched
    folder at the first poll that could read it, and again once it is on another file system (``said``: each folder
    told of, and its file system then). Said at the first poll alone, a folder that could not be read then (its
    permissions fixed later, a share that came back) or a share's bare mount point (the share mounted after the
    service started, as a Pi's network mounts often are) had its films answered again without it: the one line that
    tells of a log rotated away. Films this watch already took (kept through an outage) are not counted."""
    from edge.answered import timeless, timeless_note, unanswered_note  # a watch's alone: a batch starts without
    from edge.film_files import is_image_file

    now = []
    for a in dict.fromkeys(images):
        top = str(Path(a))
        if top not in watcher.listings or top in watcher.unreadable:  # not read yet: told of once it is
            continue
        device = watcher.devices.get(top)
        if a not in said or said[a] != device:
            said[a] = device
            now.append(a)
    if not now:
        return
    tops = [os.path.join(str(Path(a)), "") for a in now]
    films = [p for folder, (_, files, _) in watcher.listings.items()
             if any(os.path.join(folder, "").startswith(top) for top in tops) for p, _ in files
             if (p not in answered or timeless(answered[p])) and p not in watcher.done and is_image_file(p)]
    for note in (unanswered_note(films, answered, list(answered_in), now),
                 timeless_note(films, answered, list(answered_in), now)):
        if note:
            say(note)
