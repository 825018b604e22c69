"""Mask folders: a segmentation data set keeps its lung masks beside its films (the Kaggle COVID-19 Radiography
Database's CLASS/masks/, COVID-QU-Ex's lung masks/), named like films, never films. One rule for every command:
edge-classify's --recursive walk (and --watch --recursive) does not enter them, and cxr-train, cxr-evaluate and
cxr-compare do not count them (train.film_walk and train.folder_level import it from here: edge never imports train)."""

from __future__ import annotations

import re

# masks/, lung masks/, Infection_Masks/ (COVID-QU-Ex), mask-v2/: "mask" or "masks" as a word of the name
_MASK_NAME = re.compile(r"(?:^|[^a-z])masks?(?:$|[^a-z])")


def is_mask_folder(name: str) -> bool:
    """Whether a sub-folder holds masks rather than films: masks/, lung masks/, Infection_Masks/, mask-v2/:
    "mask" or "masks" as a word of its name. Not unmasked_exports/ or deid_masked/ (de-identified films), and
    never a folder given as an input or a class folder itself (a class named Unmasked): only sub-folders."""
    return bool(_MASK_NAME.search(name.lower()))
