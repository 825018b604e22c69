"""ConvertSettings: cxr-convert's options as its flow (convert.quantize) takes them, in a module of their own that
imports nothing heavy, so that the modules the flow calls (convert.convert_checks before TensorFlow loads,
convert.split_scores, convert.device_sections) can name them without importing the flow."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class ConvertSettings:
    run_dir: Path
    # None: every mode (convert.export.MODES), or with report_only those whose files the run has
    modes: list[str] | None = None
    max_drop: float = 1.0
    max_class_drop: float = 2.0
    auto: bool = False
    calibration_samples: int = 300
    refit_head: bool = True
    fingerprints: bool = True  # SHA-256 prefixes of the training and validation films in each file (convert.seen)
    explain: int = 6  # occlusion maps of the device model's most confident test mistakes (convert.occlusion)
    report_only: bool = False
    latency_threads: tuple[int, ...] = (1, 2)
    n_boot: int = 1000
    # "CLASS=SENSITIVITY": store that class's validation threshold in each file (convert.operating_point);
    # "none" removes a stored rule; None leaves the files' rules as they are.
    operating_point: str | None = None
    other_classes: bool = True  # score the data folder's classes the run was not trained on (convert.left_out)
    progress: bool = True
