"""Which cxr-edge version made a model file, and which stamped its figures.

Read from the file's own metadata: the converter's 'created_by' made its contents (an input check needs 0.4.0),
the card's 'scored_by' stamped its figures (cxr-convert --report-only stamps them again); the card says where
an older version's figures differ in more than wording (RESTAMP_BELOW).
"""

from __future__ import annotations

import re
from typing import Any


# Files whose figures an older cxr-convert stamped differ in more than wording: before 0.19 a small test
# set's bootstrap interval collapsed to one value (MOVER since), and the copy-search caveat was missing.
RESTAMP_BELOW = (0, 19, 0)


def converter_version(meta: dict[str, Any], stamped: bool = True) -> tuple[int, ...] | None:
    """The cxr-edge version that stamped the file's figures: its card's 'scored_by' (written again by
    cxr-convert --report-only), else (and with ``stamped`` False, always) the converter's 'created_by'
    ('cxr-edge 0.15.0, tensorflow ...'), which made the file's contents."""
    v = meta.get("validation") if stamped and isinstance(meta.get("validation"), dict) else {}
    m = re.match(r"cxr-edge (\d+)\.(\d+)\.(\d+)", str(v.get("scored_by") or meta.get("created_by") or ""))
    return tuple(int(g) for g in m.groups()) if m else None
