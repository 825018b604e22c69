"""What the tests of python -m train.file_by_label share: a tiny distinct film at a path, and the command run in
process with what it printed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from train.file_by_label import main


def film_at(path: Path, seed: int) -> Path:
    """A 16x16 PNG of noise drawn from ``seed`` (distinct bytes per seed) at ``path``, its folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (16, 16), dtype=np.uint8)).save(path, format="PNG")
    return path


def run_filing(argv: list[str], capsys) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``python -m train.file_by_label ARGV``, run in this process."""
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def export_sheet(folder: Path, sheet: str, names: tuple[str, ...] = ("p0.png", "p1.png", "p2.png"),
                 seed: int = 0) -> Path:
    """An export: a distinct film for each of ``names`` (seeds from ``seed``) and ``sheet`` as its labels.csv."""
    for i, name in enumerate(names):
        film_at(folder / name, seed + i)
    (folder / "labels.csv").write_text(sheet)
    return folder / "labels.csv"


def file_into(sheet: Path, out: Path, capsys) -> tuple[int, str, str]:
    """run_filing of ``sheet`` into ``out``."""
    return run_filing([str(sheet), "--out", str(out)], capsys)
