"""cxr-evaluate's and cxr-compare's films of several frames that are not all the same, scored on frame 1 alone.

A hospital validating a model on its own multi-frame DICOMs (dual-energy sets: standard, soft-tissue and bone images)
needs to know that each was scored on its frame 1, as edge-classify reads it, which may be the bone image: the figures
are of those frames. Named as header-flagged films are (edge.dicom_view.headers_warning): one warning on stderr and
among the report's warnings beside the figures, a count and a capped list in report.json (compare.json), and each
film's count in its prediction (predictions.csv's ``frames`` column). Each film's frames are told from its header
(edge.frames.differing_frames), read once here for every one of these uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

from edge.frames import differing_frames, frames_warning


def _scored_on(counted_in: str) -> str:
    """What was done with such films, as the warning says it, ``counted_in`` the figures that hold them."""
    return (f"each is scored on its frame 1 alone, as edge-classify reads it, and counted in {counted_in}: check that "
            "frame 1 is the film meant (not a bone or soft-tissue image)")


# What was done with such films (edge.frames.TRAINED_ON is cxr-train's)
SCORED_ON = _scored_on("every figure below")
BOTH_SCORED_ON = SCORED_ON.replace("each is scored", "each is scored by both models")
# The films of class folders left out of the figures (convert.left_out): in their folder's shares alone
LEFT_OUT_SCORED_ON = _scored_on('its folder\'s shares under "Classes left out" (in no other figure)')
# The films of the source held out of training (cxr-train --holdout-source), scored by cxr-convert
EXTERNAL_SCORED_ON = _scored_on("the held-out source's figures")

# The films report.json and compare.json list by name, as report.md lists the input check's (every prediction carries
# its own count)
LISTED = 20


def frame_counts(folder: str | Path, films: list[str]) -> dict[str, int]:
    """Each film (a path under ``folder``) of several frames not all the same: its frame count, in the films' order."""
    return {film: n for film in films if (n := differing_frames(Path(folder) / film))}


def frames_record(counts: dict[str, int], listed: int = LISTED) -> dict:
    """report.json's (compare.json's) ``multi_frame_films``: how many, and the first ``listed`` with their counts."""
    return {"films": len(counts), "listed": [{"file": f, "frames": n} for f, n in list(counts.items())[:listed]]}


def note_frames(tool: str, folder: str | Path, films: list[str], warnings: list[str],
                done: str = SCORED_ON) -> dict[str, int]:
    """Count the films' frames, say the warning on stderr and add it to ``warnings`` (the report's, beside the
    figures) where any film is of several frames not all the same; returns frame_counts."""
    counts = frame_counts(folder, films)
    say_frames(tool, folder, counts, warnings, done)
    return counts


def frames_line(folder: str | Path, counts: dict[str, int], done: str = SCORED_ON) -> str | None:
    """The warning on films already counted (frame_counts), their headers not read again; None where there are none."""
    by_path = {Path(folder) / f: n for f, n in counts.items()}
    return frames_warning(folder, list(counts), done, count=by_path.get)


def say_frames(tool: str, folder: str | Path, counts: dict[str, int], warnings: list[str],
               done: str = SCORED_ON) -> None:
    """note_frames' warning for films already counted: the left-out folders' films are counted where they are
    scored (convert.left_out), and said by each command."""
    if line := frames_line(folder, counts, done):
        print(f"{tool}: warning: {line}", file=sys.stderr)
        warnings.append(line)
