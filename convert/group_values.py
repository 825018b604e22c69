"""Which group each film belongs to, for ``--by COLUMN,...``: a MANIFEST.csv column (keyed by its
``file`` column), for DICOM files a header attribute (ViewPosition, Manufacturer, PatientSex,
PatientAge in bands, PhotometricInterpretation, ...), or each film's file format (convert.format_group). Columns are checked before any film is read, and a column of more values
than a grouping has (a patient's or a film's identifier) is refused with what to give instead.
convert.subgroups computes each group's figures.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from convert.ages import NOT_AN_AGE, age_band, column_key, is_age_column
from convert.by_column_hints import identifier_refusal, identifying, instead_hint
from convert.format_group import FILE_FORMAT, film_format, format_note
from edge.comma_list import comma_items
from edge.figures import counted
from edge.memory import short_of_memory
from edge.output import said_name
from edge.preprocess import ImageError, first_line
from train.manifest import NOT_GIVEN, ManifestRows, manifest_key, read_manifest

DICOM_ATTRIBUTES = ("ViewPosition", "Manufacturer", "ManufacturerModelName", "PatientSex", "PatientAge",
                    "BodyPartExamined", "InstitutionName", "StationName", "Modality",
                    # MONOCHROME1 against MONOCHROME2, 12 bits against 16: how a site finds one vendor's films read wrongly
                    "PhotometricInterpretation", "BitsStored")
MAX_GROUPS = 50   # more distinct values than this is an identifier (a patient, a film), not a grouping
# 50, not 12: a consortium's sites, a hospital's wards or its stations often number 20 to 50, each a place a
# model may fail; the tables mark the groups below (and too small to judge), so no one need read every row (the
# per-source table has no cap at all), and 50 groups of 20,000 films took 7 s to bootstrap, against 4 s for 12
# (balanced accuracy and AUROC then; AUROC's interval is a formula since 0.39.0).
MISSING = NOT_GIVEN  # no value: the name a film without a source has in the per-source figures too
# A film that is no DICOM under a header attribute (a PNG export beside DICOM films): it has no header to lack the
# tag, and '(not given)' there read as that many DICOM films missing it. A group of its own, named for what it is.
NOT_DICOM = "(not DICOM)"
NO_PYDICOM = "pydicom is not installed"


def _dicom_header(path: Path, attributes: list[str]) -> dict[str, str] | str:
    """The attributes' values, from the header as edge reads it when it decodes the film (a .dcm without
    the 128-byte preamble included), so no film that is scored goes ungrouped; {} for a file that is not
    DICOM; why not, where its header cannot be read (damaged, or pydicom absent: NO_PYDICOM). A MemoryError
    or an error of ours goes on to the command's one_line_errors: never a header that merely lacks the value."""
    from edge.dicom import dicom_header
    from edge.dicom_text import header_text

    try:
        ds = dicom_header(path, attributes)
        if ds is None:  # not DICOM
            return {}
        return {a: header_text(ds, a) for a in attributes}  # a value is read as it is got, as viewers show it
    except ImportError as e:
        if short_of_memory(e):  # installed, but its libraries could not be mapped
            raise
        return NO_PYDICOM
    except (OSError, EOFError, ValueError, struct.error, NotImplementedError, *_pydicom_errors()) as e:
        if short_of_memory(e):
            raise
        # a damaged or truncated file's (NotImplementedError: a VR unknown); an ImageError of ours says it in words
        return first_line(e) if isinstance(e, ImageError) else f"{type(e).__name__}: {first_line(e)}"


def _pydicom_errors() -> tuple[type[Exception], ...]:
    """pydicom's own errors for a file that is no DICOM or a damaged one (none where pydicom is absent)."""
    try:
        from pydicom.errors import BytesLengthException, InvalidDicomError
    except ImportError:
        return ()
    return InvalidDicomError, BytesLengthException


def _value(column: str, raw: str) -> str:
    """A film's group in ``column``: ages in bands, blanks MISSING (as group_values and check_columns count them)."""
    return age_band(raw) if is_age_column(column) and raw else (raw.strip() or MISSING)


# A sex is written M, male, Male, männlich, W (weiblich) ...: one group each, as DICOM's PatientSex has it
_SEXES = {"M": ("m", "male", "man", "men", "männlich", "maennlich", "masculino", "masculin", "maschio"),
          "F": ("f", "female", "woman", "women", "w", "weiblich", "femenino", "feminin", "féminin", "femmina")}
_SEX_OF = {v: k for k, vs in _SEXES.items() for v in vs}


def _is_sex(column: str) -> bool:
    return column_key(column) in ("sex", "gender", "patientsex")


def _spellings(column: str, values: list[str]) -> dict[str, list[str]]:
    """Each group's name (its most common spelling; a sex by its DICOM letter) -> the spellings it merges:
    'M' and 'm', 'PA' and 'pa', 'Süd' composed and decomposed; in a sex column, 'M', 'male' and 'männlich' too."""
    import unicodedata
    from collections import Counter

    sex = _is_sex(column)

    def key(v: str) -> str:
        k = unicodedata.normalize("NFC", v).strip().casefold()
        return _SEX_OF.get(k, k) if sex else k
    counts = Counter(values)
    spellings: dict[str, list[str]] = {}
    for v in counts:
        spellings.setdefault(key(v), []).append(v)
    # a sex by its DICOM letter; else the most common spelling, the first seen where they tie
    return {k if sex and k in _SEXES and len(vs) > 1 else max(vs, key=lambda v: counts[v]): vs
            for k, vs in spellings.items()}


def _one_spelling(column: str, values: list[str], prog: str) -> list[str]:
    """The values with one spelling per group (_spellings), each merge said. Each spelling was its own
    group: 22 films of one sex in three rows too small to mark, where one row of 22 was below."""
    named = {}
    for name, vs in _spellings(column, values).items():
        named.update({v: name for v in vs})
        if len(vs) > 1:
            why = ("they name one sex" if _is_sex(column) and name in _SEXES else
                   "they differ in case or in how their letters are encoded only")
            print(f"{prog}: note: --by {column}: {', '.join(repr(v) for v in vs)} counted as one group ({name!r}): "
                  f"{why}", file=sys.stderr)
    return [named[v] for v in values]


def _too_many(column: str, n: int, where: str, prog: str) -> ValueError:
    """Why a column of more than MAX_GROUPS values is refused, and what to give instead."""
    is_source = column.lower() in ("source", "source_repo")
    instead = ("; each source's own figures are in report.md's \"Per source\" table, which cxr-evaluate writes "
               "whenever MANIFEST.csv has a source column, however many sources" if is_source and prog == "cxr-evaluate"
               else "; each source's own figures are in the \"Per source\" table of each model's cxr-evaluate report, "
               "however many sources" if is_source else "")
    return ValueError(f"--by {column}: {n} different values{where}, and at most {MAX_GROUPS} can be groups: each gets "
                      "its own table row and bootstrap, and more make a table no one reads, of groups too small for "
                      "their intervals to say anything (a value per patient or per film is an identifier, not a "
                      f"grouping). Put the values in at most {MAX_GROUPS} bands in a new MANIFEST.csv column (ages in "
                      f"decades, wards by department, devices by manufacturer) and give that{instead}")


def by_columns(by: str | None) -> list[str]:
    """--by's columns, in order; [] where --by is not given. A blank among them ('sex,', 'source,$COL' with $COL
    unset) is refused: dropped, it gave a report without the subgroup the script asked for, and exit 0."""
    if by is None:
        return []
    if not by.replace(",", "").strip():  # '--by " , "': a report without its --by section
        raise ValueError(f"--by {by!r} names no column; give MANIFEST.csv columns or DICOM attributes, e.g. --by sex,view")
    return comma_items(by, "--by", "MANIFEST.csv columns or DICOM attributes", "sex,view")


def check_columns(data_dir: Path, columns: list[str], files: list[str] | None = None,
                  prog: str = "cxr-evaluate") -> None:
    """Refuse, before any film is read, a name that says it identifies a patient or a study (a MANIFEST.csv
    patient_id column too), a name that is neither a MANIFEST.csv column nor a DICOM
    attribute, and a MANIFEST.csv column of more than MAX_GROUPS values: counted here, from the
    manifest that is read anyway, rather than after minutes of reading, scoring and bootstrapping
    every film (70 s for 20,000). ``files``: count only these films' rows (the films to be scored);
    None: every row. A DICOM attribute's values are in the films' headers, so group_values counts
    those once the films are read."""
    fields, rows = read_manifest(data_dir)
    if named := identifying(columns):  # by its name, a column or not: its values would be printed in the report
        raise ValueError(identifier_refusal(named, fields))
    unknown = [c for c in columns if c not in fields and c not in DICOM_ATTRIBUTES and c != FILE_FORMAT]
    if unknown:
        have = f"MANIFEST.csv's columns are {', '.join(fields)}" if fields else f"{said_name(str(data_dir))} has no MANIFEST.csv"
        raise ValueError(f"--by {', '.join(unknown)}: not found ({have}; DICOM attributes: {', '.join(DICOM_ATTRIBUTES)}; "
                         f"{FILE_FORMAT}: each film's file format, DICOM, PNG, JPEG, ...)"
                         + instead_hint(data_dir, unknown, fields, files, prog, DICOM_ATTRIBUTES))
    listed = rows.values() if files is None else [rows.get(manifest_key(f), {}) for f in files]
    for c in (c for c in columns if c in fields):
        # counted as group_values groups them: 'Ward 3' and 'WARD 3' are one group, not two
        n = len(set(_spellings(c, [_value(c, row.get(c, "")) for row in listed])) - {MISSING})
        if n > MAX_GROUPS:
            raise _too_many(c, n, " in MANIFEST.csv" + ("" if files is None else " among the films to score"), prog)


def unlisted_line(columns: list[str], files: list[str], rows: ManifestRows) -> str | None:
    """What to say of the films to score that MANIFEST.csv has no row for, where ``columns`` (MANIFEST.csv
    columns given to --by, DICOM attributes' names aside: a film without a row keeps its header's value there)
    would group them: each such film is '(not given)' there. Where none has a row
    (a manifest of bare file names, 'a.png' for 'COVID/a.png'), a row's path beside a film's shows why."""
    unlisted = [f for f in files if rows.get(manifest_key(f)) is None]
    if not columns or not unlisted:
        return None
    by = f"--by {', '.join(columns)}: "
    names = {}
    for name in rows:  # a row naming the film's file without its folder is the likeliest slip
        names.setdefault(name.rsplit("/", 1)[-1].casefold(), name)
    paired = next(((f, names[k]) for f in unlisted if (k := f.rsplit("/", 1)[-1].casefold()) in names), None)
    film, row = paired or (unlisted[0], next(iter(rows), None))
    if len(unlisted) < len(files):
        one = len(unlisted) == 1  # '1 of the 2 films to score has no row', as edge.figures.counted says one
        return (by + f"{len(unlisted)} of the {len(files)} films to score {'has' if one else 'have'} no row in MANIFEST.csv "
                f"(e.g. {film}" + (f", whose file name a row gives as {row}" if paired else "")
                + f"), so {'it is' if one else 'they are'} grouped as {MISSING}")
    one = len(files) == 1
    lead = ("the one film to score has no row in MANIFEST.csv, so it is" if one else
            f"none of the {len(files)} films to score has a row in MANIFEST.csv, so every one is")
    paths = f"the film's path is {film}" if one else f"the films are paths such as {film}"
    return by + f"{lead} {MISSING}: " + (f"its rows name files such as {row}, {paths}; each row's file must be its "
                                         "film's path relative to the folder" if row is not None else "it has no rows")


def group_values(data_dir: Path, files: list[str], columns: list[str], prog: str = "cxr-evaluate",
                 as_given: dict[str, list[str]] | None = None, said: list[str] | None = None) -> dict[str, list[str]]:
    """Each column's value per file (relative paths, as cxr-evaluate lists them). A MANIFEST.csv
    column's value wins over a DICOM attribute of the same name, and a film it leaves blank or does not
    list takes its header's; ages are put in bands. Raises ValueError
    for a name that is neither, or for a column with too many values to be a grouping; a column
    no film has a value for is left out, with a warning. ``as_given`` (where passed) gets each
    column's values as the files wrote them, where grouping changed any (an age band, a spelling
    merged): a reviewer of predictions.csv sees which films said 'unknown' or '045Y'. ``said`` (where
    passed) gets each warning, for the report: a grouping asked for and dropped must leave a trace there."""
    check_columns(data_dir, columns, files, prog)

    def warn(line: str) -> None:
        print(f"{prog}: warning: {line}", file=sys.stderr)
        if said is not None:
            said.append(line)

    fields, rows = read_manifest(data_dir)
    if note := format_note(columns, fields):
        print(f"{prog}: note: {note}", file=sys.stderr)
    if line := unlisted_line([c for c in columns if c in fields and c not in DICOM_ATTRIBUTES], files, rows):
        warn(line)
    # A manifest column named as a DICOM attribute fills in for the headers, not over them: a film it
    # leaves blank or does not list keeps its own header's value (a site's PNG exports listed with their
    # ViewPosition beside DICOM films carrying theirs put 48 of 60 DICOM films in '(not given)').
    listed = {c: [(rows.get(manifest_key(f), {}).get(c, "") if c in fields else "").strip() for f in files]
              for c in columns}
    from_dicom = [c for c in columns if c in DICOM_ATTRIBUTES]  # check_columns: any other is a column or the format
    # a header is read only where it may give a value the manifest does not (2,000 films: 0.02 s, not 2 s)
    headers = [_dicom_header(Path(data_dir) / f, from_dicom) if any(not listed[c][k] for c in from_dicom) else {}
               for k, f in enumerate(files)]
    # {} from a header read: no DICOM (a DICOM's header gives every attribute asked, '' where it lacks one)
    not_dicom = [h == {} and any(not listed[c][k] for c in from_dicom) for k, h in enumerate(headers)]
    if no_header := [(f, h) for f, h in zip(files, headers) if isinstance(h, str)]:  # not "no film has a value"
        by, one = f"--by {', '.join(from_dicom)}: ", len(no_header) == 1
        if any(h == NO_PYDICOM for _, h in no_header):
            from edge.install_hint import install_hint

            warn(by + f"{NO_PYDICOM}, so the {'DICOM header' if one else 'DICOM headers'} of "
                 f"{counted(len(no_header), 'film')} cannot be read (install DICOM support with {install_hint('dicom')}); "
                 f"{'that film is' if one else 'those films are'} grouped as {MISSING}")
        else:
            warn(by + f"the DICOM header of {counted(len(no_header), 'film')} could not be read (e.g. {no_header[0][0]}: "
                 f"{no_header[0][1]}); {'that film is' if one else 'those films are'} grouped as {MISSING}")
        headers = [{} if isinstance(h, str) else h for h in headers]
    out = {}
    for c in columns:
        raw = ([film_format(Path(data_dir) / f) for f in files] if c == FILE_FORMAT and c not in fields else
               [given or h.get(c, "") for given, h in zip(listed[c], headers)])
        values = _one_spelling(c, [_value(c, v) for v in raw], prog)
        if c in DICOM_ATTRIBUTES and c not in fields:  # a MANIFEST.csv column's blank cell is (not given), any film's
            values = [NOT_DICOM if no else g for g, no in zip(values, not_dicom)]
        if unread := sorted({v.strip() for v, g in zip(raw, values) if g == NOT_AN_AGE}):
            ageless = values.count(NOT_AN_AGE)
            warn(f"--by {c}: {counted(ageless, 'film')} {'has' if ageless == 1 else 'have'} a value that reads as no age "
                 f"({', '.join(repr(v) for v in unread[:5])}{', ...' if len(unread) > 5 else ''}): grouped as "
                 f"{NOT_AN_AGE}, apart from the films without one")
        n = len(set(values) - {MISSING, NOT_DICOM})
        if n == 0:
            where = (f"in MANIFEST.csv's {c} column" + (" nor in its DICOM header" if c in DICOM_ATTRIBUTES else "")
                     if c in fields else "(no DICOM header here that could be read carries this attribute)" if no_header
                     else "(no DICOM file here carries this header attribute)")
            warn(f"--by {c}: no film has a value {where}; left out of the report")
            continue
        if n > MAX_GROUPS:  # a DICOM attribute: its values could not be counted before the films were read
            raise _too_many(c, n, " in the films' DICOM headers", prog)
        out[c] = values
        given = [v.strip() for v in raw]
        if as_given is not None and any(r and r != v for r, v in zip(given, values)):  # a blank is '(not given)'
            as_given[c] = given
    return out
