"""edge.csv_layout pinned (hand mutation testing, session 71): the note on a log of older columns says, for 0.44.0's
(no header_says), that a DICOM header's flag is said on stderr alone and that a new file gets the columns (plural);
for 0.54.0's, neither."""

from __future__ import annotations

from edge.csv_layout import csv_layout
from edge.output import csv_header_text

LABELS = ["COVID", "Normal"]


def _older(without: str) -> bytes:
    header = csv_header_text(LABELS, False, True).rstrip("\n")
    for column in without.split(","):
        header = header.removesuffix("," + column)
    return (header + "\n").encode()


def test_a_044_log_note_says_the_dicom_flag_goes_to_stderr_and_a_new_file_gets_the_columns():
    layout = csv_layout(_older("synthetic,model_sha256,header_says"), LABELS, False, True, "m.tflite (SHA-256 ab)")
    assert (layout.header, layout.header_says, layout.model, layout.synthetic) == (False, False, False, False)
    assert layout.note is not None
    assert "a DICOM header's flag is said on stderr alone" in layout.note
    assert layout.note.endswith("; a new file gets the columns")


def test_a_054_log_note_says_nothing_of_the_dicom_flag_and_a_new_file_gets_the_column():
    layout = csv_layout(_older("synthetic,model_sha256"), LABELS, False, True, None)
    assert (layout.header, layout.header_says, layout.model, layout.synthetic) == (False, True, False, False)
    assert layout.note is not None and "DICOM" not in layout.note
    assert layout.note.endswith("they name no model; a new file gets the columns")  # model_sha256 and synthetic
