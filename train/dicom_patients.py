"""Each DICOM film's patient, from its header's PatientID, for keeping a patient's films together.

A hospital PACS export names each film's patient in its header, not in a MANIFEST.csv; cxr-train read
only the manifest, so 7 of 12 patients of an export (3 studies each) had films on both sides of the
split, without a word (hunt 59). The header is read up to the pixels and only PatientID (the reader
--by uses, edge.dicom.dicom_header), with the attributes of cxr-train's header warning in the same read
(edge.dicom_view; once per film and run, film_header). The id never leaves this process: what is kept is a keyed hash
whose key is drawn anew each run, good only for telling two films' patients apart; warnings name a
film, never the id, and run.json says only "DICOM PatientID" and counts (train.patients).

IssuerOfPatientID is not read: one patient written with the issuer on one film and without it on
another would be two patients and leak, while two patients of one id under two issuers joined costs
only a coarser split (train.patients.patient_key's reasoning). A film that is no DICOM file (a PNG) is
opened for its first bytes only. Pure apart from reading the headers.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Callable, Iterator

SOURCE = "DICOM PatientID"  # how run.json's patients record and the log name where the ids came from

# film -> what its header gave, while headers_read_once holds (None: each call reads anew); a context variable, so
# that two runs in one process (threads) never share or outlive each other's cache
_read: ContextVar[dict[Path, tuple[str, tuple[str, str] | None]] | None] = ContextVar("headers_read", default=None)


@contextmanager
def headers_read_once() -> Iterator[None]:
    """Within it, each film's header is read once, however many checks ask (film_header): cxr-train's
    sub-folder warning, its split by patient and its header warning read every DICOM header up to three
    times, one read thrown away on each resume check (hunt 59). Held for one prepare_data: a film changed
    on disk after it is read anew by the next run."""
    token = _read.set({} if _read.get() is None else _read.get())
    try:
        yield
    finally:
        _read.reset(token)


def film_header(file: Path) -> tuple[str, tuple[str, str] | None]:
    """(the PatientID in ``file``'s DICOM header, stripped, "" where it has none; what the header says
    where it plainly is no frontal chest film, edge.dicom_view.said_of, else None), from one read of
    the header. ("", None) where it is no DICOM file (a PNG is opened for its first bytes only) or its
    header cannot be read (its decode says why, elsewhere)."""
    cache = _read.get()
    if cache is not None and file in cache:
        return cache[file]
    from edge.dicom import dicom_header
    from edge.dicom_view import ATTRIBUTES, said_of
    from edge.preprocess import short_of_memory

    try:
        ds = dicom_header(file, ["PatientID", *ATTRIBUTES])
    except Exception as e:  # noqa: BLE001 - a damaged header, pydicom absent, the file gone: no patient, as for a PNG
        if short_of_memory(e):
            raise
        ds = None
    got = ("", None) if ds is None else (str(getattr(ds, "PatientID", "") or "").strip(), said_of(ds))
    if cache is not None:
        cache[file] = got
    return got


def header_patients(files: list[Path], namespaces: list[str], key: Callable[[str], str] | None = None,
                    named: dict[str, str] | None = None) -> list[str]:
    """Each film's patient by its DICOM header: a keyed hash of its namespace (its folder's: another site's
    patient 12 is another patient) and its PatientID's ``key`` (train.patients.patient_key's spellings),
    or "" where the header gives none or ``key`` makes it "" (a placeholder). The hash's key is random per
    call, so the same id hashes otherwise in each run: nothing derived from it may be written. ``named``: the
    patients a MANIFEST.csv names, by namespace and key (train.patients.patients_of's): a film with no row whose
    header names one of them is that patient, as the manifest spells it (a follow-up film of PID000 added since
    the manifest was written was another patient, and the two could fall on both sides of the split)."""
    salt = os.urandom(16)
    out = []
    for file, ns in zip(files, namespaces):
        value = film_header(file)[0]
        k = key(value) if key else value
        if k and named and ns + k in named:
            out.append(named[ns + k])
            continue
        out.append(hashlib.blake2b(f"{ns}\0{k}".encode(), key=salt, digest_size=16).hexdigest() if k else "")
    return out

