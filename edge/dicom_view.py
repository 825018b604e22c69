"""What a DICOM film's own header says it is, where that is plainly no frontal chest radiograph.

The model was trained on frontal chest films. A PACS or a modality routes whole studies, so a skull CT, an
abdomen film, a lateral view or an unprocessed For-Processing image can reach the device; their pixels may still
pass the input check (edge.typicality), which is statistical. Four acquisition attributes settle it for free:
Modality, BodyPartExamined, ViewPosition and PresentationIntentType (and the For-Processing SOP classes). Such a
film is flagged as the input check flags one (edge.batch.Result.atypical), with this reason instead of the check's.

Conservative on purpose: only a value that plainly says "not a frontal chest radiograph" flags. A missing or
empty attribute, a value not in these tables (a site's own body-part spelling, say) and a header that cannot be
read never flag. Only these attributes are read, never a patient's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from edge.capped_repr import capped_text
from edge.controls import escaped
from edge.dicom import dicom_header

ATTRIBUTES = ["SOPClassUID", "Modality", "BodyPartExamined", "ViewPosition", "PresentationIntentType"]

# Modalities of projection radiographs (CR, DX, the non-standard DR and the retired RG), and those a chest film
# converted or scanned in is given (OT, SC): any other Modality (CT, MR, US, NM, PT, MG, XA, RF, IO, PX...) is no
# chest radiograph
RADIOGRAPH_MODALITIES = {"CR", "DX", "DR", "RG", "OT", "SC"}
# Words of a BodyPartExamined that keep a film a chest film whatever else it names (CHEST_ABDOMEN, PORT CHEST),
# in the languages exports are seen in; matched at the start of a word
CHEST_WORDS = ("CHEST", "THORAX", "LUNG", "CXR", "TORAX", "TÓRAX", "TORACE", "BRUST", "POITRINE", "PECHO", "TORSO")
# Body parts (DICOM's defined terms, PS3.16 CID 4031, and common spellings) that are plainly no chest film
NOT_CHEST = {
    "SKULL", "HEAD", "BRAIN", "FACE", "JAW", "MANDIBLE", "TMJ", "SINUS", "ORBIT", "NOSE", "EAR", "IAC", "ZYGOMA",
    "NECK", "CSPINE", "TSPINE", "LSPINE", "SSPINE", "SPINE", "COCCYX", "SACRUM", "ABDOMEN", "ABDOMENPELVIS",
    "PELVIS", "HIP", "FEMUR", "KNEE", "LEG", "TIBIA", "FIBULA", "ANKLE", "FOOT", "HEEL", "CALCANEUS", "TOE",
    "SHOULDER", "HUMERUS", "ARM", "ELBOW", "FOREARM", "WRIST", "HAND", "FINGER", "THUMB", "EXTREMITY",
    "LOWEREXTREMITY", "UPPEREXTREMITY", "BREAST", "KIDNEY", "BLADDER", "SCHAEDEL", "SCHÄDEL", "CRANE", "CRANEO",
    "CRANIO", "ABDOMINAL", "BAUCH", "BECKEN", "BASSIN", "KNIE", "DENTAL", "TEETH", "TOOTH",
}
LATERAL = {"LL", "RL", "LAT", "LATERAL", "LLAT", "RLAT"}  # ViewPosition; decubitus films (LLD, RLD) are frontal
OBLIQUE = {"LLO", "RLO", "LAO", "RAO", "LPO", "RPO", "OBLIQUE"}
# DX, mammography and intra-oral For Processing: raw detector data, before the vendor's processing that the
# films the model learnt from went through
FOR_PROCESSING_SOP = {"1.2.840.10008.5.1.4.1.1.1.1.1", "1.2.840.10008.5.1.4.1.1.1.2.1", "1.2.840.10008.5.1.4.1.1.1.3.1"}
SAYS = "the DICOM header says"


def in_words(said: tuple[str, str] | None) -> str | None:
    """said_of's (what the header says, what it means) as one sentence: "the DICOM header says ViewPosition LL: a
    lateral film; the model was trained on frontal films"; None for None."""
    return None if said is None else f"{SAYS} {said[0]}: {said[1]}"


def said_of(ds) -> tuple[str, str] | None:
    """(what the header says, "ViewPosition LL"; what that means for the answer), or None."""
    modality = _value(ds, "Modality")
    if modality and modality not in RADIOGRAPH_MODALITIES:
        return f"Modality {escaped(capped_text(modality))}", "not a radiograph; the model was trained on frontal chest X-rays"
    part = _value(ds, "BodyPartExamined")
    words = re.findall(r"[^\W\d_]+", part)
    if words and not any(w.startswith(CHEST_WORDS) for w in words) and any(w in NOT_CHEST for w in words):
        return f"BodyPartExamined {escaped(capped_text(part))}", "not a chest film; the model was trained on chest X-rays"
    view = _value(ds, "ViewPosition")
    if view in LATERAL or view in OBLIQUE:
        return f"ViewPosition {view}", f"{'a lateral' if view in LATERAL else 'an oblique'} film; the model was trained on frontal films"
    unprocessed = ("PresentationIntentType FOR PROCESSING" if _value(ds, "PresentationIntentType") == "FOR PROCESSING"
                   else "a For Processing SOP class" if _sop_class(ds) in FOR_PROCESSING_SOP else None)
    if unprocessed:
        return unprocessed, "raw detector data, not the processed film a reader sees; the model was trained on processed films"
    return None


def _sop_class(ds) -> str:
    """The data set's SOP Class UID, else its file meta's; "" where neither is there."""
    try:
        uid = ds.get("SOPClassUID") or getattr(getattr(ds, "file_meta", None) or {}, "MediaStorageSOPClassUID", "")
        return str(uid or "").strip().rstrip("\0")
    except Exception:  # noqa: BLE001
        return ""


def _value(ds, name: str) -> str:
    """An attribute's first value, stripped and in upper case; "" where it is missing, empty or unreadable."""
    try:
        value = ds.get(name)
    except Exception:  # noqa: BLE001 - a value pydicom cannot read says nothing
        return ""
    if value is None:
        return ""
    if not isinstance(value, (str, bytes)) and hasattr(value, "__len__"):  # a multi-valued attribute: its first
        value = value[0] if len(value) else ""
    return (value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)).strip().upper()


def film_said(path: str | Path) -> tuple[str, str] | None:
    """:func:`said_of` for a file: None for a file that is no DICOM (a PNG is opened for its first bytes only)
    and for one whose header cannot be read (its decode says why, if anything is wrong)."""
    try:
        ds = dicom_header(Path(path), ATTRIBUTES)
    except Exception:  # noqa: BLE001 - unknown never flags
        return None
    return None if ds is None else said_of(ds)


def film_header_says(path: str | Path) -> str | None:
    """Why a file's DICOM header says it is no frontal chest radiograph, in words (in_words of film_said)."""
    return in_words(film_said(path))


def headers_warning(folder: str | Path, films: list[str], scored: str, shown: int = 5,
                    said: Callable[[Path], tuple[str, str] | None] = film_said) -> str | None:
    """One warning naming the films (paths under ``folder``) whose DICOM header says they are no frontal chest
    radiograph, and what was done with them (``scored``: "scored all the same"); None where none does. ``said``
    reads a film's header (cxr-train's reads each header once for all its checks: train.dicom_patients)."""
    from edge.output import said_name

    found = []
    for film in films:
        if what := said(Path(folder) / film):
            found.append(f"{said_name(str(film))} ({what[0]})")
    if not found:
        return None
    more = f", and {len(found) - shown} more" if len(found) > shown else ""
    n = len(found)
    return (f"{n} film{'' if n == 1 else 's'} whose DICOM header says {'it is' if n == 1 else 'they are'} no frontal "
            f"chest radiograph (another modality or body part, a lateral view, For Processing): "
            f"{', '.join(found[:shown])}{more}; {'it is' if n == 1 else 'they are'} {scored}")
