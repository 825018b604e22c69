"""The input check's share of flagged validation films (metadata typicality.flagged_validation, report.md's "this
file's check flagged x%") is counted by the check as the file stores it, 6 significant digits, which is the check
the device reads back and flags by: counted with the unrounded threshold, a film that scores just at it was left
out of the count, and the device flags it."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

import numpy as np
from PIL import Image

from edge.preprocess import PreprocessConfig
from edge.typicality import Typicality
from train.cache import load_part
from train.data import Item, Split

CONFIG = PreprocessConfig(size=32)


def val_split(tmp_path) -> Split:
    """Eight 40x40 films of random pixels, all in the validation part."""
    data, items = tmp_path / "data", []
    (data / "Normal").mkdir(parents=True)
    for k in range(8):
        path = data / "Normal" / f"v{k}.png"
        Image.fromarray(np.random.default_rng(k).integers(0, 256, (40, 40), dtype=np.uint8)).save(path)
        items.append(Item(f"Normal/v{k}.png", "Normal", hashlib.sha256(path.read_bytes()).hexdigest()))
    return Split(str(data), ["Normal"], {"train": [], "val": items, "test": []})


def test_flagged_validation_is_what_the_stored_check_flags(tmp_path, monkeypatch):
    """A check whose figures survive rounding (a zero mean, unit variances, axis components) and whose threshold is
    one validation film's own score, a number that 6 significant digits round down: unrounded, that film scores
    exactly 1.0 of the threshold and is not flagged; stored, it scores above 1 and is."""
    import edge.typicality
    from convert.split_scores import fit_input_check

    split, run = val_split(tmp_path), tmp_path / "run"
    run.mkdir()
    x_val, _ = load_part(run, split, "val", CONFIG, progress=False, rewrite=True)
    plain = Typicality(np.zeros(64), np.eye(64)[:6], np.ones(6), 1.0, threshold=1.0)
    scores = plain.score(x_val)
    at = next(s for s in scores if float(f"{s:.6g}") < s)  # the film whose score the stored threshold falls below
    check = Typicality(plain.mean, plain.components, plain.variances, 1.0, threshold=float(at))
    monkeypatch.setattr(edge.typicality, "fit_typicality", lambda train, val: check)

    fitted = fit_input_check(run, split, CONFIG, x_val, SimpleNamespace(progress=False))
    device = Typicality.from_dict(json.loads(json.dumps(fitted)))  # as edge.model reads it from the file's metadata
    assert device.threshold < at and device.atypical(x_val).sum() == check.atypical(x_val).sum() + 1  # the case
    assert fitted["flagged_validation"] == float(device.atypical(x_val).mean())
