"""Run a Keras model or a .tflite (through edge, exactly as on the device) over a set of inputs."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from edge.atomic import DamagedFile
from edge.figures import counted
from edge.model import EdgeModel, softmax
from edge.output import said_name


def keras_probabilities(model, x: np.ndarray, temperature: float) -> np.ndarray:
    from train.fit import logits_of

    return softmax(logits_of(model, x), temperature)


def tflite_probabilities(path: Path, x: np.ndarray, threads: int | None = None) -> np.ndarray:
    """Probabilities from the edge runtime, with the temperature stored in the file."""
    return EdgeModel(path, threads=threads).classify(x)


def invoke_latency_ms(path: Path, sample: np.ndarray, threads: int, warmup: int = 5, runs: int = 30) -> dict:
    """Median and p95 invoke time for one image (after warm-up), through edge."""
    m = EdgeModel(path, threads=threads)
    batch = sample[None]
    for _ in range(warmup):
        m.logits(batch)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        m.logits(batch)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median": statistics.median(times), "p95": times[min(len(times) - 1, int(0.95 * len(times)))]}


SCORE_CHUNK = 512  # films scored between two progress updates (a multiple of Keras's batch of 64)


def scored(predict, x: np.ndarray, check=None, progress: bool = True,
           desc: str = "scoring") -> tuple[np.ndarray, np.ndarray | None]:
    """(probabilities, the input check's edge.typicality unlikeness, above 1 where flagged, or None)
    over a set, a chunk at a time: a log gets a progress line on a long set (33 s for the tutorial's
    model on 20,000 films), and the input check never holds more than a chunk's thumbnails work.
    The answers are those of one call."""
    from train.progress import progress_bar

    bar = progress_bar(len(x), desc, progress)
    probs, unlike = [], []
    for i in range(0, len(x), SCORE_CHUNK):
        chunk = x[i:i + SCORE_CHUNK]
        probs.append(predict(chunk))
        if check is not None:
            unlike.append(check.unlikeness(chunk))
        bar.update(len(chunk))
    bar.close()
    if not probs:
        return predict(x), (None if check is None else check.unlikeness(x))
    return np.concatenate(probs), (None if check is None else np.concatenate(unlike))


def model_for(path: Path, prog: str = "cxr-evaluate", labels: list[str] | None = None, input_scale: str | None = None):
    """Load a .keras (TensorFlow) or a .tflite (edge) model: returns (predict(x) -> probs, description);
    the description's ``log_scores(x)`` gives the per-class log-scores behind the probabilities. A .tflite
    runs its self-test first, as edge-classify does: a file the device refuses (its labels edited, say)
    would be reported with every answer named wrong. ``labels``: a foreign .tflite's class names (edge-classify
    --labels); the description then says ``foreign`` (convert.foreign_model). ``input_scale``: --input-scale, for
    such a file only (edge.input_scale)."""
    path = Path(path)
    if path.suffix == ".keras":
        from convert.keras_model import recorded_model_problem, run_model
        from edge.atomic import read_json

        if _head(path)[4:8] == b"TFL3":  # not "run.json is missing beside it", which sends the user the wrong way
            raise ValueError(f"{said_name(str(path))} is a TensorFlow Lite model named .keras: give it its .tflite name (cxr-evaluate "
                             "scores a .keras only as a cxr-train run's model)")
        run_json = path.parent / "run.json"
        if not run_json.is_file():
            raise FileNotFoundError(f"{said_name(str(run_json))} (labels, preprocessing, temperature) is missing beside {said_name(path.name)}")
        in_its_run = (path.parent / "split.json").is_file() and path.name == "model.keras"
        if in_its_run:
            from train.run_record import run_record_said

            if why := run_record_said(path.parent, "its cxr-train command"):  # a retrain stopped half-way: seen films
                from train.run_lock import being_written  # would go unseen

                raise ValueError(being_written(path.parent) or why)
        run = read_json(run_json)
        from train.run_fields import run_fields_problem

        if why := run_fields_problem(run, temperature=False):  # "trained nan" in report.md, or "0 classes" blamed on
            raise ValueError(f"{said_name(str(run_json))} is damaged or not cxr-train's: {why}; restore it from a copy of the run, "
                             "or train the run again (cxr-train --replace)")  # the model
        # whatever its name, with or without split.json (run_record_problem compared the checksum already)
        if not in_its_run and (why := recorded_model_problem(path, run, run_json)):
            raise ValueError(why)
        model = run_model(path, run, run_json)
        from train.fit import logits_of

        from convert.temperature_check import check_beside_model

        check_beside_model(path, run, model, prog)  # one edited inside the fit's range, refused as cxr-convert does
        run = _synthetic_from_films(run, path.parent)
        t = run.get("temperature", 1.0)
        return _finite(lambda x: keras_probabilities(model, x, t), path), {
            "labels": run["classes"], "preprocess": run["preprocess"], "kind": "keras", "synthetic_data": run.get("synthetic_data"),
            "about": (f"the Keras model of the cxr-train run {path.parent.name}: {' / '.join(run['classes'])} "
                      f"({run.get('arch') or 'model'}, float; {_trained(run.get('created'))})"),
            "synthetic_share": run.get("synthetic_share"),
            "log_scores": lambda x: logits_of(model, x).astype(np.float64) / t}
    m = EdgeModel(path, labels=labels, input_scale=input_scale)
    if labels is not None:
        from convert.foreign_model import foreign_model

        return foreign_model(m, path, _finite(m.classify, path), prog)
    from edge.about import selftest_problem
    from edge.model_notes import rule_record

    if problem := selftest_problem(m, path, anyway=""):  # a few ms, once per model
        if problem[0] == "error":
            raise ValueError(problem[1])
        print(f"{prog}: warning: {problem[1]}", file=sys.stderr)
    synthetic = {"synthetic_data": m.meta.get("synthetic_data"), "synthetic_share": m.meta.get("synthetic_share")}
    if not synthetic["synthetic_data"]:  # where its own run shows it, as a model.keras's does
        synthetic = _synthetic_beside(path) or synthetic
    from edge.card import card_head

    tested = (m.meta.get("validation") or {}).get("data") if isinstance(m.meta.get("validation"), dict) else None
    about = card_head(m.meta, None) + (f"; its test split drawn from the data folder {tested}" if tested else "")
    return _finite(m.classify, path), {"labels": m.labels, "preprocess": m.preprocess.to_dict(), "kind": f"tflite ({m.runtime})",
                        "about": about,
                        "log_scores": m.log_scores,  # what occlusion maps compare (edge.explain.occlusion)
                        **synthetic,
                        "typicality": m.typicality,
                        "decision": m.decision, "decision_chosen_on": (m.meta.get("decision") or {}).get("chosen_on"),
                        "decision_films": m.meta.get("decision_films"),
                        # what the stored rule reached where the file measured it, as edge-classify's note says it
                        "decision_record": rule_record(m.meta) if m.meta.get("decision") else None,
                        # the weights and calibration, whatever else the file holds: two copies of one model differ in dates
                        "answers_from": (m.meta.get("tflite_sha256"), m.temperature),
                        # the share of its own validation images its input check flagged, as cxr-convert stored it
                        "flagged_validation": (m.meta.get("typicality") or {}).get("flagged_validation"),
                        # its card: the gate's limits cxr-compare reads its equivalence margin from (convert.equivalence)
                        "validation": m.meta.get("validation")}


def _head(path: Path) -> bytes:
    """The first 8 bytes of ``path`` (where a .tflite has its TFL3 identifier); none where it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read(8)
    except OSError:
        return b""


def _finite(predict, path: Path):
    """``predict``, refusing probabilities that are not finite numbers: argmax read a film whose
    answers were all NaN as the first class, and cxr-compare reported such a model as 100% sensitive."""
    def checked(x: np.ndarray) -> np.ndarray:
        p = predict(x)
        if not np.isfinite(p).all():
            bad = int((~np.isfinite(p)).any(axis=1).sum())
            raise ValueError(f"{said_name(str(path))}: the model gave {bad} of {counted(len(p), 'film')} no finite probabilities (NaN or infinity): "
                             "its weights, its conversion or its calibration temperature are broken; train or convert it again")
        return p
    return checked


def _synthetic_beside(path: Path) -> dict | None:
    """{"synthetic_data": True, "synthetic_share": ...} where the run a .tflite sits in, whose split.json is that file's
    model's (convert.seen_lists.split_beside), shows it was trained on synthetic images (its run.json, or its films read
    again as a model.keras's are); else None. A file converted before train.split_synthetic.MARKS_SINCE carries its
    run.json's mark alone, which those releases left off a folder of cxr-synth's drawings: cxr-evaluate said so for
    the run's model.keras and not for its .tflite."""
    from convert.seen_lists import split_beside
    from edge.atomic import read_json

    if split_beside(path) is None:
        return None
    try:
        run = read_json(path.parent / "run.json")
    except (OSError, DamagedFile):
        return None
    marked = _synthetic_from_films(run, path.parent) if isinstance(run, dict) else {}
    return {"synthetic_data": True, "synthetic_share": marked.get("synthetic_share")} if marked.get("synthetic_data") else None


def _trained(created: object) -> str:
    """report.md's model line's training time: 'trained nan' was printed for a NaN "created" (refused now), and an
    edited one of 100 kB was quoted whole; none recorded is said so, not 'trained ?'."""
    from edge.capped_repr import capped_text

    return f"trained {capped_text(created)}" if created else "its training time not recorded"


def _synthetic_from_films(run: dict, run_dir: Path) -> dict:
    """run.json with its synthetic marks read again from its split's films where a release before
    the films' own marks left them unmarked (train.split_synthetic), as cxr-convert marks its files."""
    from train.data import Split
    from train.split_synthetic import synthetic_unrecorded

    try:
        split = Split.load(run_dir / "split.json")
    except (OSError, DamagedFile):
        return run
    if found := synthetic_unrecorded(run, split, str(run_dir / "run.json"), "the model is"):  # its caller says it
        return {**run, "synthetic_data": True, "synthetic_share": found[0]["synthetic_share"]}
    return run
