"""What ties a report to the model file it scored, once the report is copied out of its folder.

A site keeps its cxr-evaluate report as the record of what it checked; a run folder's report
outlives a retrain. A path as typed ('x/m.tflite') names whatever file lies there now, so each
report records the model's digest (a .tflite's flatbuffer SHA-256, as --info gives it; a
.keras file's SHA-256), when and with which versions it was scored, and the resamples behind
its intervals.
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from edge import __version__

SHOWN_GROUPS = 5  # groups named in the provenance line; compare.json says each one's method


def _versions(tflite: bool = True) -> dict[str, str | None]:
    """The versions that made the figures; "runtime": the TFLite runtime that ran the .tflite files
    (None where only a .keras was scored, which Keras runs, or none could be named: a record never
    stops a finished report)."""
    from edge.runtime import RuntimeMissing, interpreter_class, runtime_version

    runtime = None
    if tflite:
        try:
            name = interpreter_class()[1]
            runtime = f"{name} {runtime_version(name)}"
        except RuntimeMissing:
            pass
    versions = {"cxr_edge": __version__, "numpy": np.__version__, "runtime": runtime, "python": platform.python_version()}
    for package in ("pillow", "pydicom", "tensorflow"):  # Pillow and pydicom decode the films
        try:  # read from the installed package, not imported: scoring a .tflite never loads TensorFlow (seconds)
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:  # a device install scores .tflite files without TensorFlow
            pass
    return versions


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def conversion_provenance(run: dict, n_boot: int) -> dict:
    """cxr-convert's: run.json's stamps and digests, and who scored the files, when, how."""
    return {"scored": _now(), "trained": run.get("created"), "trained_with": run.get("cxr_edge_version"),
            "model_sha256": run.get("model_sha256"), "split_digest": run.get("split_digest"), "n_boot": n_boot,
            "versions": _versions()}


def model_digest(path: Path) -> dict:
    """{file, sha256, of}: a .tflite's flatbuffer digest (its weights; the metadata around them is
    re-stamped by cxr-convert and --save-model), else the whole file's."""
    from edge import metadata as md
    from train.resume import file_sha256

    path = Path(path)
    if path.suffix == ".tflite":
        try:
            _, meta, _ = md.read(path)
        except (md.ModelFileError, OSError):
            meta = None
        if meta:
            return {"file": str(path), "sha256": meta["tflite_sha256"], "of": "flatbuffer (edge-classify --info)",
                    "trained": meta.get("trained"), "converted": meta.get("converted")}
    return {"file": str(path), "sha256": file_sha256(path), "of": "file"}


def scoring_provenance(models: list[Path], n_boot: int) -> dict:
    """cxr-evaluate's and cxr-compare's: each model's digest, and when and how it was scored."""
    return {"scored": _now(), "models": [model_digest(m) for m in models], "n_boot": n_boot,
            "versions": _versions(any(Path(m).suffix.lower() == ".tflite" for m in models))}


def provenance_line(p: dict) -> str:
    """report.md's line: 'Scored 2026-12-04 by cxr-edge 0.26.0 (litert 2.3.0): model_int8.tflite (weights
    SHA-256 1a2b3c4d5e6f...); 2,000 bootstrap resamples.'"""
    v = p["versions"]
    scored = p.get("models", [])
    # two models (cxr-compare), often both model_int8.tflite: named as compare.md names them, A and B with their paths
    names = [f"{'AB'[k]} ({m['file']})" for k, m in enumerate(scored)] if len(scored) == 2 else \
        [Path(m["file"]).name for m in scored]
    models = "; ".join(f"{name} ({'weights ' if m['of'] != 'file' else ''}SHA-256 {m['sha256'][:12]}...)"
                       for name, m in zip(names, scored))
    trained = (f"; model.keras SHA-256 {p['model_sha256'][:12]}..., trained {p['trained']} with cxr-edge "
               f"{p.get('trained_with') or '?'}" if p.get("model_sha256") else "")
    by = f" ({v['runtime']})" if v.get("runtime") else " (Keras)" if v.get("tensorflow") else ""
    return (f"Scored {p['scored'][:10]} by cxr-edge {v['cxr_edge']}{by}"
            + (f": {models}" if models else "") + trained + _resamples(p))


def _resamples(p: dict) -> str:
    """The provenance line's end: the resamples behind the intervals. cxr-compare's record says which
    intervals were resampled (``resampled``): most of its intervals are score intervals, and "1,000 bootstrap
    resamples for the intervals" was read of a report that held no bootstrap interval."""
    if "resampled" not in p:
        return f"; {p['n_boot']:,} bootstrap resamples for the intervals."
    if not (names := p["resampled"]):
        return ("; no interval needed resampling: each is Newcombe's score interval, or for balanced accuracy MOVER's "
                "over them.")
    shown = ", ".join(names[:SHOWN_GROUPS]) + (f" and {len(names) - SHOWN_GROUPS} more" if len(names) > SHOWN_GROUPS else "")
    return (f"; {p['n_boot']:,} bootstrap resamples for the balanced-accuracy interval of {shown} (compare.json's "
            "balanced_accuracy_difference_ci_method); every other interval is a score interval (Newcombe's, or MOVER's "
            "over them), not resampled.")
