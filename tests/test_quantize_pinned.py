"""convert.quantize pinned where a small change went unseen (hand mutation testing, session 67: each test here failed
with one such change to convert/quantize.py in place, which the other conversion tests let through)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("tensorflow", reason="cxr-convert converts with TensorFlow")


def test_the_calibration_sample_follows_the_runs_seed_and_no_refit_head_leaves_the_head(tiny_run: Path, tmp_path: Path,
                                                                                        monkeypatch):
    """The int8 ranges are set on a sample drawn with the run's own --seed (run.json's settings.seed), so that
    another seed's conversion is another draw and the same seed's the same one: with seed 0 in its place every run
    calibrated on the same films whatever its seed. refit_head=False (--no-refit-head) must leave the int8 file's
    float head as converted: with the option dropped the head was refitted anyway and the file said so. The real
    sampler is called (wrapped only to see the seed it is given), on a real conversion of tiny_run's model."""
    import convert.export as export
    from convert.quantize import ConvertSettings, run_conversion
    from edge.model import EdgeModel

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    info = json.loads((run / "run.json").read_text())
    info["settings"]["seed"] = 7
    (run / "run.json").write_text(json.dumps(info))
    seeds, real = [], export.representative_sample

    def seen_seed(x, y, n, seed=0):
        seeds.append(seed)
        return real(x, y, n, seed)

    monkeypatch.setattr(export, "representative_sample", seen_seed)
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, progress=False,
                                   explain=0, refit_head=False))
    assert seeds == [7]
    assert "head_refit" not in EdgeModel(run / "model_int8.tflite").meta
    assert "head_refit" in EdgeModel(tiny_run / "model_int8.tflite").meta  # converted with the default: refitted
