"""A sheet's view column, where it says a film is no frontal one: ieee8023's ``view`` L, CheXpert's
``Frontal/Lateral`` Lateral, MIMIC-CXR's ``ViewPosition`` LATERAL or LL, PadChest's ``Projection`` L.

The model is trained on frontal chest films (PA, AP, AP Supine). A lateral film filed in its class folder was trained
on as a frontal film of that class: a PNG carries no header, so cxr-train could not warn of it as it warns of a DICOM
film whose ViewPosition says LL (edge.dicom_view), and edge-classify flags such a DICOM film on the device. So
train.file_by_label leaves these rows out, counted and said, unless it is given ``--all-views``.
"""

from __future__ import annotations

import re

from edge.dicom_view import LATERAL, OBLIQUE
from train.label_sheet import column

# header names of a view column (matched as train.label_sheet.column matches: any case, no spaces or punctuation)
VIEW_COLUMNS = ("view", "viewposition", "frontallateral", "projection")
# DICOM's lateral and oblique ViewPositions, and ieee8023's and PadChest's 'L'
NOT_FRONTAL = frozenset(LATERAL | OBLIQUE | {"L"})


def view_column(header: list[str]) -> str | None:
    """The column of ``header`` that names each film's view, or None."""
    return column(header, VIEW_COLUMNS)


def not_frontal(value: str) -> bool:
    """Whether a view cell plainly says a lateral or oblique film ('L', 'Lateral', 'LL', 'RAO'); a blank cell, a
    frontal view ('PA', 'AP Supine') and a value not known ('COSTAL', 'UNK') do not."""
    return re.sub(r"[^A-Z]", "", value.upper()) in NOT_FRONTAL
