"""Each DICOM film's patient, from its header's PatientID, for keeping a patient's films together.

A hospital PACS export names each film's patient in its header, not in a MANIFEST.csv; cxr-train read
only the manifest, so 7 of 12 patients of an export (3 studies each) had films on both sides of the
split, without a word (hunt 59). The header is read up to the pixels and only PatientID (the reader
--by uses, edge.dicom.dicom_header). The id never leaves this process: what is kept is a keyed hash
whose key is drawn anew each run, good only for telling two films' patients apart; warnings name a
film, never the id, and run.json says only "DICOM PatientID" and counts (train.patients).

IssuerOfPatientID is not read: one patient written with the issuer on one film and without it on
another would be two patients and leak, while two patients of one id under two issuers joined costs
only a coarser split (train.patients.patient_key's reasoning). Films of a raster format (.png, .jpg)
are not opened. Pure apart from reading the headers.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

SOURCE = "DICOM PatientID"  # how run.json's patients record and the log name where the ids came from
# not opened for a header: a raster image's suffix (a DICOM file is named .dcm, .dicom, a UID or nothing)
RASTER_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".jfif", ".jpe", ".jp2", ".j2k", ".bmp", ".tif", ".tiff", ".gif",
                             ".webp", ".pgm", ".ppm", ".pbm", ".pnm"})


def _header_id(file: Path) -> str:
    """The PatientID in ``file``'s DICOM header, stripped; "" where it is no DICOM file, has none, or its
    header cannot be read (its decode says why, elsewhere)."""
    from edge.dicom import dicom_header
    from edge.preprocess import short_of_memory

    if file.suffix.lower() in RASTER_SUFFIXES:
        return ""
    try:
        ds = dicom_header(file, ["PatientID"])
    except Exception as e:  # noqa: BLE001 - a damaged header, pydicom absent, the file gone: no patient, as for a PNG
        if short_of_memory(e):
            raise
        return ""
    return "" if ds is None else str(getattr(ds, "PatientID", "") or "").strip()


def named_by_header(file: Path) -> bool:
    """Whether ``file`` is a DICOM film whose header names its patient (no placeholder): such a film is kept
    with its patient's others, and a folder of them needs no warning that it may be a patient's."""
    from train.patients import no_placeholder

    return bool(no_placeholder(_header_id(file)))


def header_patients(files: list[Path], namespaces: list[str], key: Callable[[str], str] | None = None) -> list[str]:
    """Each film's patient by its DICOM header: a keyed hash of its namespace (its folder's: another site's
    patient 12 is another patient) and its PatientID's ``key`` (train.patients.patient_key's spellings),
    or "" where the header gives none or ``key`` makes it "" (a placeholder). The hash's key is random per
    call, so the same id hashes otherwise in each run: nothing derived from it may be written."""
    salt = os.urandom(16)
    out = []
    for file, ns in zip(files, namespaces):
        value = _header_id(file)
        k = key(value) if key else value
        out.append(hashlib.blake2b(f"{ns}\0{k}".encode(), key=salt, digest_size=16).hexdigest() if k else "")
    return out

