"""A report's JSON with every non-finite number written as null.

The figures a report computes are None where they are undefined (convert.summary), but a report also copies fields
out of the files it read: a model's metadata ("trained", "converted", "synthetic_share", the rule it stores), a run's
record. A NaN there, from an older release's file or a hand edit, ended cxr-evaluate with 'unexpected ValueError: Out
of range float values are not JSON compliant' after every film was scored, and wrote no report. Such a field is not
recorded, which null says. A figure the report computed as NaN is written as null too, as convert.summary writes an
undefined figure; edge.atomic.write_json, which every other JSON output goes through, still refuses NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite_or_null(obj: Any) -> Any:
    """``obj`` (JSON-ready: dicts, lists, tuples, numbers, arrays) with NaN and infinities as None."""
    if isinstance(obj, (float, np.floating)):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, np.ndarray):
        return finite_or_null(obj.tolist())
    if isinstance(obj, dict):
        return {k: finite_or_null(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_or_null(v) for v in obj]
    return obj
