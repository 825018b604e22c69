"""convert/convert_settings.ConvertSettings's defaults are cxr-convert's: a caller of run_conversion that names only
the run (tests/conftest.py's tiny_run, the benchmarks) must get the conversion the command gives. Hand values from
docs/commands.md's synopsis (--max-drop 1.0, --max-class-drop 2.0, --calibration-samples 300, --explain 6, refit
head, fingerprints and other classes on, no rule change) and cxr-evaluate/cxr-compare's --n-boot default (1000,
which cxr-convert, with no --n-boot, uses through this default and records in its provenance); checked against the
command's own option defaults too, so that the two cannot drift."""

from __future__ import annotations

import inspect
from pathlib import Path

from convert.convert_settings import ConvertSettings

DOCUMENTED = {"modes": None, "max_drop": 1.0, "max_class_drop": 2.0, "auto": False, "calibration_samples": 300,
              "refit_head": True, "fingerprints": True, "explain": 6, "report_only": False, "latency_threads": (1, 2),
              "n_boot": 1000, "operating_point": None, "other_classes": True, "progress": True}


def test_the_defaults_are_the_documented_conversion():
    s = ConvertSettings(run_dir=Path("runs/covid"))
    assert {k: getattr(s, k) for k in DOCUMENTED} == DOCUMENTED


def test_the_defaults_are_cxr_converts_option_defaults():
    from convert.cli import convert

    options = {name: p.default.default for name, p in inspect.signature(convert).parameters.items()
               if hasattr(p.default, "default")}
    s = ConvertSettings(run_dir=Path("runs/covid"))
    for name in ("max_drop", "max_class_drop", "auto", "refit_head", "fingerprints", "explain", "report_only",
                 "operating_point", "other_classes"):
        assert getattr(s, name) == options[name], name
    assert options["calibration_samples"] is None and s.calibration_samples == 300  # the command's `or 300`
    assert options["no_latency"] is False and s.latency_threads == (1, 2)
    assert options["quiet"] is False and s.progress is True
    assert options["quant"] is None and s.modes is None
