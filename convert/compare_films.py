"""What cxr-compare says of the films both models scored, before any figure: those whose DICOM header says they are no
frontal chest film (edge.dicom_view) and those of several frames not all the same, scored on frame 1 alone
(convert.frame_films). Each is said on stderr and among compare.md's and compare.json's warnings, as cxr-evaluate
says them in its report (convert.evaluate_films)."""

from __future__ import annotations

import sys
from pathlib import Path

from convert.frame_films import BOTH_SCORED_ON, LEFT_OUT_SCORED_ON, frames_record, note_frames, say_frames

# What was done with header-flagged films, as the warning says it
HEADERS_SCORED = "scored all the same by both models, and counted in every figure below; edge-classify flags such films"


def film_warnings(data_dir: str | Path, films: list[str], warnings: list[str]) -> dict:
    """Say the films' warnings on stderr and add them to ``warnings`` (compare.json's data_warnings); returns
    compare.json's ``multi_frame_films`` (convert.frame_films.frames_record)."""
    from edge.dicom_view import headers_warning

    if line := headers_warning(data_dir, films, HEADERS_SCORED):
        print(f"cxr-compare: warning: {line}", file=sys.stderr)
        warnings.append(line)  # beside the figures in compare.md, as cxr-evaluate's
    return frames_record(note_frames("cxr-compare", data_dir, films, warnings, BOTH_SCORED_ON))


def left_out_frames_record(data_dir: str | Path, counts: dict[str, int]) -> dict:
    """The films of the folders left out (convert.left_out) of several frames not all the same, counted where they
    were scored: said on stderr (in their folders' shares alone, not among the figures' warnings); returns
    compare.json's ``left_out_multi_frame_films``."""
    say_frames("cxr-compare", data_dir, counts, [], LEFT_OUT_SCORED_ON.replace("each is scored", "each is scored by both models"))
    return frames_record(counts)
