"""A sheet that names films but gives no label: the Kaggle COVID-19 Radiography Database's per-class metadata
(``COVID.metadata.xlsx``, exported as CSV: FILE NAME, FORMAT, SIZE, URL), whose class is the sheet's own name.

train.file_by_label refused it with "has no label column: name them with --file-column and --label-column", while
no column of it holds a label: the advice led nowhere. The database's films lie in their class folders already
(``COVID/images/``), which cxr-train and cxr-evaluate read as they are, taking each film's source from these sheets
(train.kaggle_metadata); that is the way on, said instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from edge.output import said_name
from edge.shell_words import command_text

KAGGLE_COLUMNS = {"filename", "format", "size", "url"}  # the database's metadata sheets, letters and digits only


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def kaggle_sheet_words(path: Path, header: list[str]) -> str | None:
    """What to do with a Kaggle metadata sheet given as a sheet of labels (its header FILE NAME, FORMAT, SIZE, URL),
    in words; None for any other sheet."""
    if not KAGGLE_COLUMNS <= {_key(h) for h in header}:
        return None
    label = re.sub(r"\.m[ae]tadata$", "", Path(path).stem, flags=re.IGNORECASE)  # and the older release's misspelling
    data = Path(path).parent
    if data.name.casefold() == label.casefold():  # the sheet inside its class folder (COVID/COVID.metadata.csv)
        data = data.parent
    return (f"{said_name(str(path))} is the Kaggle COVID-19 Radiography Database's metadata of the class "
            f"{said_name(label)} (FILE NAME, FORMAT, SIZE, URL): it gives no label column, the class being the sheet's "
            f"name, and the database's films are filed by class already ({said_name(label + '/images/')}): give its "
            f"folder as the data folder as it is: {command_text('cxr-train', '--data', str(data), '--out', 'RUN')}")
