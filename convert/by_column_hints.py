"""What to type instead, where ``--by`` names no MANIFEST.csv column, DICOM attribute or the files' format:
the column spelt otherwise, the per-source table where the films' sources come from elsewhere, or how to
write a MANIFEST.csv that gives --by its column. Split from convert.group_values, which checks the columns."""

from __future__ import annotations

from pathlib import Path

from convert.format_group import FILE_FORMAT
from edge.output import said_name


def instead_hint(data_dir: Path, unknown: list[str], fields: list[str], files: list[str] | None, prog: str,
                 attributes: tuple[str, ...]) -> str:
    """'; ' and what to give instead of the unknown --by names (``attributes``: the DICOM attributes --by takes),
    or '' where there is nothing to say."""
    # an identifier's refusal beside, not instead of, the MANIFEST.csv advice for the other names (--by PatientID,Ward)
    others = [c for c in unknown if not _is_identifier(c)]
    return (_spelt_otherwise(unknown, fields, prog, attributes) or _sources_from_sheets(data_dir, unknown, fields, prog)
            or _identifier(unknown) + (_manifest_to_write(data_dir, others, fields, files) if others else ""))


# A DICOM header's identifiers: no output of cxr-edge holds them (README, "Patient data"). `--by PatientID` was refused
# as a name not found, with the advice to write a MANIFEST.csv with a 'PatientID' column: the ids in report.md.
IDENTIFIERS = ("PatientID", "PatientName", "PatientBirthDate", "OtherPatientIDs", "AccessionNumber", "StudyID",
               "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")


def _identifier(unknown: list[str]) -> str:
    """Where a name given is one of the header's identifiers: why --by never takes it, and no MANIFEST.csv to write."""
    named = [c for c in unknown if _is_identifier(c)]
    if not named:
        return ""
    return (f"; {', '.join(named)}: an identifier in the DICOM header, which cxr-edge never writes into a report or any "
            "other output (a value per patient or per film is no grouping either); --by takes what groups films: a "
            "DICOM attribute above, or a MANIFEST.csv column of a ward, a site or a device")


def _is_identifier(name: str) -> bool:
    """Whether --by's ``name`` is one of IDENTIFIERS, in any case (patientid): never a column to advise writing."""
    return name.lower() in {i.lower() for i in IDENTIFIERS}


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
