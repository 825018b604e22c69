"""Report plots: what they leave on the terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_names_in_a_script_the_font_lacks_leave_no_warnings(tmp_path):
    """A site's class or file names in CJK are drawn as boxes; matplotlib warned twice per glyph."""
    pytest.importorskip("matplotlib")
    code = ("import numpy as np, pathlib, sys\n"
            "from convert.plots import confusion_grid\n"
            "confusion_grid({'病人': np.eye(2, dtype=int)}, ['新冠', '正常'], pathlib.Path(sys.argv[1]))\n")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.png")], capture_output=True, text=True,
                       timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c.png").stat().st_size > 0
    assert "Glyph" not in r.stderr, r.stderr
