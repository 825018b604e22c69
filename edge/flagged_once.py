"""The input check's warning in edge-classify's text output: its words once, then a mark on each flagged answer line.

A model whose input check flags every film of a site (the synthetic demo model on real films, a model taken to a
hospital unlike its training sites) printed the same 330-character warning once per film: 50 lines on stderr for
50 films, burying the notes that mattered. The first film it flags is warned of in full (a single film, as before);
each flagged answer line ends in MARK, and the summary counts them. A watch runs for weeks and its stderr is read
from its tail (a journal), so it says the words again at the first flagged film after each --tally-every line:
at most once per N films, beside the line that counts them. --json and --csv are unchanged: their "atypical"
field says it on every answer, for machines.
"""

from __future__ import annotations

from edge.typicality import FLAGGED

MARK = "flagged"  # the text output's last column for a film the input check, or its DICOM header, flagged


def flagged_words(file: str, ordinary: str, more: bool) -> str:
    """The warning for a film the input check flags (``file`` as the text output shows it; ``ordinary``: how often
    the file flags an ordinary film, edge.model_notes.flagged_too); ``more``: other films may follow, whose flags
    are then marked on their answer lines alone, and the words say so."""
    words = (f"warning: {file}: {FLAGGED}: upside down, inverted, rotated, not a chest X-ray, another population? "
             f"({ordinary}); look at it before trusting its label")
    if more:
        words += (f"; the films it flags after this one are not warned of again: their answer lines end in "
                  f"'{MARK}', and the summary counts them")
    return words


class FlaggedOnce:
    """Whether a flagged film's warning is said: at the first, and again after :meth:`again` (a watch's tally line)."""

    def __init__(self, ordinary: str, more: bool) -> None:
        self.ordinary, self.more, self.said = ordinary, more, False

    def words(self, file: str) -> str | None:
        """The warning for this flagged film, or None where it was said already."""
        if self.said:
            return None
        self.said = True
        return flagged_words(file, self.ordinary, self.more)

    def again(self) -> None:
        """Say the words again at the next flagged film (a watch's --tally-every line was just printed)."""
        self.said = False
