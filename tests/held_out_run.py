"""The suite's one tiny --holdout-source run (tests/conftest.py's held_out_run fixture builds it once per session):
tests/test_json_fields_holdout.py holds its JSON to docs/json-fields.md, tests/test_source_training.py scores it
with cxr-evaluate. Each trained its own before (about 20-35 s apiece) on data that differed only in size and names.

Two classes of 16 synthetic films (64x64) whose MANIFEST.csv names a source for each: every third film 'siteb'
(both classes), then 'sitec' and 'sitea'; a third class folder, Viral_Pneumonia, of 4 films the run is not trained
on. Trained at 32x32 for one epoch without a teacher, --holdout-source siteb, and converted to int8 with a stored
rule (COVID=0.9): its card then carries the held-out source's figures, the other class's and the rule's."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

CLASSES = ("COVID", "Normal")
OTHER = "Viral_Pneumonia"  # a class folder the run is not trained on (--info's validation.other_classes)


def source_of(k: int) -> str:
    """The k-th film's source (films in sorted order): siteb held out; sitec and sitea trained on."""
    return "siteb" if k % 3 == 0 else "sitec" if k % 6 == 1 else "sitea"


def write_manifest(data: Path, source: Callable[[int], str] = source_of) -> list[str]:
    """MANIFEST.csv naming each film of ``data``'s classes by ``source``; the films, sorted, as it lists them."""
    films = sorted(p.relative_to(data).as_posix() for c in CLASSES for p in (data / c).glob("*.png"))
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "source"])
        w.writerows([name, source(k)] for k, name in enumerate(films))
    return films


def build(folder: Path) -> None:
    """folder/data (the films and MANIFEST.csv) and folder/run (cxr-train's run, model_int8.tflite and report.json).
    Tests copy data before changing it."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    data = folder / "data"
    generate(data, n_per_class=16, classes=CLASSES, size=(64, 64))
    generate(folder / "other", n_per_class=4, classes=(OTHER,), size=(64, 64), seed=7)
    (folder / "other" / OTHER).rename(data / OTHER)
    write_manifest(data)
    run = folder / "run"
    run_training(TrainSettings(data=str(data), out=run, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               classes=list(CLASSES), holdout_source="siteb", progress=False))
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, explain=0,
                                   operating_point="COVID=0.9", progress=False))
