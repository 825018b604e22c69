"""Where cxr-dev's real chest X-rays lie, for the benchmarks and the tests that read them: $CXR_DEV_DATA, else
../shared/data/cxr-dev beside the checkout (the workplace's read-only copy). One place, so that a checkout made
elsewhere (a CI clone in /tmp) reaches the data by one setting instead of skipping every real-data check."""

from __future__ import annotations

import os
from pathlib import Path

CXR_DEV = (Path(os.environ["CXR_DEV_DATA"]).expanduser().resolve() if os.environ.get("CXR_DEV_DATA")
           else Path(__file__).resolve().parents[2] / "shared" / "data" / "cxr-dev")
