"""--skip-answered's answers under the path this watch gives each film, where an earlier watch named the same folder
otherwise.

A watch's log names each film by the path it printed: the watched folder as given, then the film's name. A restart
that gives the folder otherwise (``/srv/incoming`` by the service, ``incoming`` typed by hand in /srv, ``./incoming/``,
a link such as /mnt/share for /media/pi/share) found no answer for any film, and answered the whole folder again
(minutes of repeated work on a Pi, and a second answer to every film in the log), its note blaming films that
arrived while no watch ran or a log rotated away. So each answer whose folder is a watched folder, or a folder under
one, reached by another path, is also kept under the path this watch gives the film. A relative path in the log is
read from the folder this watch runs in: from another, it names another folder or none, and is left as it is. Each
distinct folder of the log is resolved once (os.path.realpath): a few stats per folder at the start, not per film.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, TypeVar

A = TypeVar("A")


def _newer(a, b) -> bool:
    """Whether answer ``a`` (edge.answered.Answer) was given after ``b``: the later time wins; one without wins nothing."""
    return a.at is not None and (b.at is None or a.at > b.at)


def as_watched(answers: dict[str, A], folders: Iterable[str]) -> dict[str, A]:
    """``answers`` (a name as a log wrote it -> its answer) with each answer to a film under a watched folder spelled
    otherwise also under the path this watch gives it (the newer answer where both are there). ``answers`` itself
    where nothing is spelled otherwise."""
    given = {}
    for folder in folders:
        shown = str(Path(folder))  # as the watch joins its films' names to it (edge.watch.Watcher)
        given.setdefault(os.path.realpath(shown), shown)
    if not given:
        return answers
    renamed: dict[str, str] = {}  # a log's folder -> the same folder as this watch spells it
    for logged in {os.path.dirname(name) for name in answers}:
        real = os.path.realpath(logged) if logged else ""
        # the deepest watched folder holding it: without --recursive, in and a link to in/study are both watched, and
        # the study's films are named by the link (the first folder given named them in/study: never skipped)
        top_real = max((r for r in given if real == r or real.startswith(os.path.join(r, ""))), key=len, default=None)
        if top_real is not None:
            top = given[top_real]
            spelled = top if real == top_real else os.path.join(top, os.path.relpath(real, top_real))
            if spelled != logged:
                renamed[logged] = spelled
    if not renamed:
        return answers
    out = dict(answers)
    for name, answer in answers.items():
        folder = os.path.dirname(name)
        if folder in renamed:
            here = os.path.join(renamed[folder], os.path.basename(name))
            if here not in out or _newer(answer, out[here]):
                out[here] = answer
    return out
