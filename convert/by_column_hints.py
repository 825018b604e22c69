"""What to type instead, where ``--by`` names no MANIFEST.csv column, DICOM attribute or the files' format:
the column spelt otherwise, the per-source table where the films' sources come from elsewhere, or how to
write a MANIFEST.csv that gives --by its column; and why a name that identifies a patient or a study (PatientID,
a patient_id column) is refused. Split from convert.group_values, which checks the columns."""

from __future__ import annotations

from pathlib import Path

from convert.ages import column_key
from convert.format_group import FILE_FORMAT
from edge.output import said_name
from train.patients import PATIENT_COLUMNS, patient_column


def instead_hint(data_dir: Path, unknown: list[str], fields: list[str], files: list[str] | None, prog: str,
                 attributes: tuple[str, ...]) -> str:
    """'; ' and what to give instead of the unknown --by names (``attributes``: the DICOM attributes --by takes),
    or '' where there is nothing to say."""
    return (_spelt_otherwise(unknown, fields, prog, attributes) or _sources_from_sheets(data_dir, unknown, fields, prog)
            or _manifest_to_write(data_dir, unknown, fields, files))


# A DICOM header's identifiers: no output of cxr-edge holds them (README, "Patient data"). `--by PatientID` was refused
# as a name not found, with the advice to write a MANIFEST.csv with a 'PatientID' column: the ids in report.md.
IDENTIFIERS = ("PatientID", "PatientName", "PatientBirthDate", "OtherPatientIDs", "AccessionNumber", "StudyID",
               "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
# ... and what a MANIFEST.csv names its columns of them: cxr-train's patient columns (file_by_label writes patient_id),
# a hospital's record number and accession, a UID shortened. Up to 0.57.0 `--by patient_id` was taken wherever the
# column held 50 values or fewer, and the patients' ids went into report.md and report.json, which people share.
COLUMN_IDENTIFIERS = (*PATIENT_COLUMNS, "patient_name", "mrn", "medical_record_number", "accession",
                      "accession_number", "accession_no", "study_uid", "series_uid", "sop_uid", "instance_uid",
                      "birth_date", "date_of_birth", "dob")
_KEYS = frozenset(column_key(n) for n in (*IDENTIFIERS, *COLUMN_IDENTIFIERS))


def identifying(columns: list[str]) -> list[str]:
    """The names among ``columns`` that say they identify a patient or a study, whatever their case, spaces and
    punctuation ('Patient ID', 'patient-id', 'ACCESSION_NUMBER'): --by never takes one, column or header attribute."""
    return [c for c in columns if column_key(c) in _KEYS]


def identifier_refusal(named: list[str], fields: list[str]) -> str:
    """Why --by refuses ``named`` (from :func:`identifying`) and what it takes instead: the other MANIFEST.csv columns
    (``fields``) where there are any. The name decides, not the values: a column of 50 patients' ids or fewer was
    taken, and a column named for the patient holds nothing --by should print whatever it holds."""
    def what(c: str) -> str:
        if c in fields:
            return f"MANIFEST.csv's {c} column names each film's patient or study"
        return ("an identifier in the DICOM header" if c.lower() in {i.lower() for i in IDENTIFIERS} else
                "names a patient or a study")  # patient_id is no header attribute: PatientID is
    keys = {column_key(c) for c in named}
    others = [f for f in fields if f.lower() != "file" and column_key(f) not in keys and not identifying([f])]
    # the one column cxr-train reads, as it finds it: not every name refused here (SubjectID, a second one), and the
    # refusal said so of each
    train = ("; cxr-train reads it to keep each patient's films on one side of the split, --by does not take it"
             if patient_column(fields) in named else "")
    return (f"--by {'; '.join(f'{c}: {what(c)}' for c in named)}, and cxr-edge never writes a patient's or a study's "
            "identifier into a report or any other output (a value per patient or per film is no grouping either)"
            f"{train}. --by takes what groups films: a MANIFEST.csv column of a site, a ward or a device"
            + (f" (this MANIFEST.csv's: {', '.join(others)})" if others else "")
            + ", or a DICOM attribute such as ViewPosition or Manufacturer (a column so named that holds no "
            "identifier: rename it in MANIFEST.csv for what it holds)")


def _spelt_otherwise(unknown: list[str], fields: list[str], prog: str, attributes: tuple[str, ...]) -> str:
    """Where a name given is a column spelt otherwise: cxr-dev's MANIFEST.csv names sources in
    source_repo, and `--by source` (as the docs write it) was refused there with only the columns listed, though the
    per-source table reads that very column. A DICOM attribute spelt otherwise (patientsex) is named too."""
    by_lower = {f.lower(): f for f in [FILE_FORMAT, *attributes, *fields]}  # a column wins over the others
    hints = []
    for c in unknown:
        if c.lower() in by_lower:
            meant = by_lower[c.lower()]
            what = "column" if meant in fields else "DICOM attribute" if meant in attributes else "files' format"
            hints.append(f"{c}: the {what} is spelt {meant} (--by {meant})")
        elif c.lower() == "source" and "source_repo" in by_lower:
            hints.append(f"{c}: MANIFEST.csv names the films' sources in its {by_lower['source_repo']} column "
                         f"(--by {by_lower['source_repo']})" + ("; report.md's \"Per source\" table gives each source's "
                                                                 "figures without --by" if prog == "cxr-evaluate" else ""))
    return f"; {'; '.join(hints)}" if hints else ""


def _sources_from_sheets(data_dir: Path, unknown: list[str], fields: list[str], prog: str) -> str:
    """Where `--by source` is asked of the Kaggle database as downloaded: its films' sources come from its own
    *.metadata.xlsx, which the per-source table reads, not from a column. The refusal said to write a MANIFEST.csv
    with a 'source' column, a chore that would only stand in for the sources the command had just read."""
    if not any(c.lower() == "source" for c in unknown) or any(f.lower() in ("source", "source_repo") for f in fields):
        return ""
    from train.kaggle_metadata import metadata_files

    sheets = sorted(p.name for p in metadata_files(data_dir).values())
    if not sheets:
        return ""
    where = ("report.md's \"Per source\" table gives each source's figures without --by" if prog == "cxr-evaluate"
             else "each model's cxr-evaluate report gives each source's figures in its \"Per source\" table")
    return (f"; source: the films' sources here come from the database's metadata spreadsheets "
            f"({', '.join(map(said_name, sheets[:2]))}{', ...' if len(sheets) > 2 else ''}), not from a column: "
            f"{where}; leave source out of --by")


def _manifest_to_write(data_dir: Path, unknown: list[str], fields: list[str], files: list[str] | None) -> str:
    """Where the folder has no MANIFEST.csv, how to write one that gives --by its column: a folder filed from a
    sheet of labels (python -m train.file_by_label) has none, and the sheet's scanner or ward column stays behind."""
    if fields:
        return ""
    example = f" (e.g. {files[0]})" if files else ""
    return (f"; to group the films by a column of your own, write {said_name(str(Path(data_dir) / 'MANIFEST.csv'))} "
            f"with a 'file' column, each film's path relative to the folder{example}, and a '{unknown[0]}' column")
