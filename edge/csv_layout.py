"""The columns a --csv run writes to standard output's file: this release's, or those of the log an older release
began (without synthetic, model_sha256 too, or header_says too), which a restarted watch goes on appending to in its
own columns, said once on stderr with what its rows leave unsaid (the model file that answers them, a model of
drawings); any other header is refused (edge.log_file)."""

from __future__ import annotations

from dataclasses import dataclass

from edge.log_file import csv_header_needed, older_columns
from edge.output import csv_header_text


@dataclass(frozen=True)
class CsvLayout:
    """Whether the header row is written first, and which of the newer last columns the rows carry."""

    header: bool = True
    header_says: bool = True
    model: bool = True
    note: str | None = None  # what the run says on stderr about a log of older columns
    synthetic: bool = True


def csv_layout(start: bytes | None, labels: list[str], explained: bool, stamped: bool,
               model_named: str | None, drawn: bool = False) -> CsvLayout:
    """The layout for a file that holds ``start`` already (``>> answers.csv``; None: not readable, trusted).
    ``model_named``: the model file and its SHA-256 in words, for the note on a log whose rows name no model;
    ``drawn``: the model was trained on SYNTHETIC images, which the note says where the log's rows cannot.
    Raises ValueError where the file holds answers under other columns (edge.log_file.csv_header_needed)."""
    mine = csv_header_text(labels, explained, stamped)
    try:
        return CsvLayout(header=csv_header_needed(start, mine))
    except ValueError:
        if (layout := older_columns(start, mine)) is None:
            raise
    header_says, model, synthetic = layout
    missing = [c for c, kept in (("header_says", header_says), ("model_sha256", model), ("synthetic", synthetic))
               if not kept]
    # releases as their --version says: 0.54.0 (the code session 70 left, version commit early) wrote model_sha256,
    # 0.45.0 header_says; a log without one was begun by the release before
    release = "0.44.0" if not header_says else "0.53.0" if not model else "0.56.0"
    named = " and ".join(missing) if len(missing) < 3 else f"{missing[0]}, {missing[1]} and {missing[2]}"
    words = [f"note: standard output's file has the CSV columns of {release} and earlier, without {named}: its rows "
             "keep them, never two layouts under one header"]
    if not header_says:
        words.append("a DICOM header's flag is said on stderr alone")
    if not model:
        words.append(f"they name no model: {model_named} answers them" if model_named else "they name no model")
    if drawn:  # a row of the demo model's 'COVID 1.0' read as a real model's, in a spreadsheet that travels alone
        words.append("they do not say that this model was trained on SYNTHETIC images")
    return CsvLayout(False, header_says, model, "; ".join(words) + f"; a new file gets the column{'s' * (len(missing) > 1)}",
                     synthetic)
