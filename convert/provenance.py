"""What ties a report to the model file it scored, once the report is copied out of its folder.

A site keeps its cxr-evaluate report as the record of what it checked; a run folder's report
outlives a retrain. A path as typed ('x/m.tflite') names whatever file lies there now, so each
report records the model's digests, when and with which versions it was scored, and the resamples
behind its intervals. A .tflite has two: its flatbuffer's (its weights, as --info's tflite_sha256
gives it) and the whole file's (as sha256sum, --info's file_sha256 and a watch's answers give it).
Two files of the same weights answer differently where one stores a rule, so the weights' digest
alone cannot say which file a report scored.
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from edge import __version__
from edge.capped_repr import capped_text
from edge.digest import file_sha256

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
    """cxr-convert's: run.json's stamps and digests ("model_sha256": model.keras's), and who scored the
    files, when, how. cxr-convert adds each .tflite's whole-file digest once it is written (written_files)."""
    return {"scored": _now(), "trained": run.get("created"), "trained_with": run.get("cxr_edge_version"),
            "model_sha256": run.get("model_sha256"), "split_digest": run.get("split_digest"), "n_boot": n_boot,
            "versions": _versions()}


def written_files(folder: Path) -> dict[str, str]:
    """{name: whole-file SHA-256} of the .tflite files in ``folder``, taken once they are final (their cards
    stamped, model.tflite copied): the digest a device's answer log names its model file by."""
    return {p.name: file_sha256(p) for p in sorted(Path(folder).glob("*.tflite"))}


def model_digest(path: Path) -> dict:
    """{file, sha256, of, file_sha256}: "sha256" is a .tflite's flatbuffer digest (its weights; the metadata
    around them is re-stamped by cxr-convert and --save-model), else the whole file's; "file_sha256" is
    always the whole file's. A .tflite's "decision" is the rule it stores (None: the most probable class),
    which changes its answers and not its weights."""
    from edge import metadata as md

    path = Path(path)
    whole = file_sha256(path)
    if path.suffix == ".tflite":
        try:
            _, meta, _ = md.read(path)
        except (md.ModelFileError, OSError):
            meta = None
        if meta:
            rule = meta.get("decision")
            return {"file": str(path), "sha256": meta["tflite_sha256"], "of": "flatbuffer (edge-classify --info)",
                    "file_sha256": whole, "trained": meta.get("trained"), "converted": meta.get("converted"),
                    "decision": {k: rule.get(k) for k in ("class", "threshold", "chosen_on", "stored")}
                    if isinstance(rule, dict) else None}
    return {"file": str(path), "sha256": whole, "of": "file", "file_sha256": whole}


def scoring_provenance(models: list[Path], n_boot: int) -> dict:
    """cxr-evaluate's and cxr-compare's: each model's digest, and when and how it was scored."""
    return {"scored": _now(), "models": [model_digest(m) for m in models], "n_boot": n_boot,
            "versions": _versions(any(Path(m).suffix.lower() == ".tflite" for m in models))}


def provenance_line(p: dict) -> str:
    """report.md's line: 'Scored 2026-12-04 by cxr-edge 0.26.0 (litert 2.3.0): model_int8.tflite (file
    SHA-256 9f8e7d6c5b4a..., weights SHA-256 1a2b3c4d5e6f...); 2,000 bootstrap resamples.'"""
    v = p["versions"]
    scored = p.get("models", [])
    # two models (cxr-compare), often both model_int8.tflite: named as compare.md names them, A and B with their paths
    names = [f"{'AB'[k]} ({m['file']})" for k, m in enumerate(scored)] if len(scored) == 2 else \
        [Path(m["file"]).name for m in scored]
    models = "; ".join([*(f"{name} ({_digests(m)})" for name, m in zip(names, scored)),
                        *(f"{name} (file SHA-256 {d[:12]}...)" for name, d in p.get("files_sha256", {}).items())])
    trained = (f"; model.keras SHA-256 {p['model_sha256'][:12]}..., trained {capped_text(p['trained'])} with cxr-edge "
               f"{capped_text(p.get('trained_with') or '?')}" if p.get("model_sha256") else "")  # run.json's: anyone's edit
    by = f" ({v['runtime']})" if v.get("runtime") else " (Keras)" if v.get("tensorflow") else ""
    return (f"Scored {p['scored'][:10]} by cxr-edge {v['cxr_edge']}{by}"
            + (f": {models}" if models else "") + trained + _resamples(p))


def _digests(m: dict) -> str:
    """One scored model's digests in words: the whole file's, and a .tflite's weights' and stored rule."""
    from edge.decision import labelling

    whole = m.get("file_sha256") or (m["sha256"] if m["of"] == "file" else None)  # a report before file_sha256
    said = [f"file SHA-256 {whole[:12]}..."] if whole else []
    if m["of"] != "file":
        said.append(f"weights SHA-256 {m['sha256'][:12]}...")
    if m.get("decision"):
        said.append(f"stored rule {labelling(m['decision'])}")
    return ", ".join(said)


def _resamples(p: dict) -> str:
    """The provenance line's end: the resamples behind the intervals. cxr-compare's record says which
    intervals were resampled (``resampled``): most of its intervals are score intervals, and "1,000 bootstrap
    resamples for the intervals" was read of a report that held no bootstrap interval."""
    if "resampled" not in p:
        return (f"; {p['n_boot']:,} bootstrap resamples for the balanced-accuracy interval; every other interval is a "
                "score interval (Wilson's, Newcombe's for AUROC, or MOVER's over them), not resampled.")
    if not (names := p["resampled"]):
        return ("; no interval needed resampling: each is Newcombe's score interval, or for balanced accuracy MOVER's "
                "over them.")
    shown = ", ".join(names[:SHOWN_GROUPS]) + (f" and {len(names) - SHOWN_GROUPS} more" if len(names) > SHOWN_GROUPS else "")
    return (f"; {p['n_boot']:,} bootstrap resamples for the balanced-accuracy interval of {shown} (compare.json's "
            "balanced_accuracy_difference_ci_method); every other interval is a score interval (Newcombe's, or MOVER's "
            "over them), not resampled.")
