"""Run a Keras model or a .tflite (through edge, exactly as on the device) over a set of inputs."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from edge.model import EdgeModel, softmax


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


def model_for(path: Path):
    """Load a .keras (TensorFlow) or a .tflite (edge) model: returns (predict(x) -> probs, description);
    the description's ``log_scores(x)`` gives the per-class log-scores behind the probabilities."""
    path = Path(path)
    if path.suffix == ".keras":
        import keras

        from edge.atomic import read_json

        run_json = path.parent / "run.json"
        if not run_json.is_file():
            raise FileNotFoundError(f"{run_json} (labels, preprocessing, temperature) is missing beside {path.name}")
        if (path.parent / "split.json").is_file() and path.name == "model.keras":
            from train.resume import run_record_problem

            if why := run_record_problem(path.parent):  # a retrain stopped half-way: seen films would go unseen
                raise ValueError(f"{why}; run its cxr-train command again to finish it")
        try:
            model = keras.models.load_model(path, compile=False)
        except (ValueError, KeyError, OSError) as e:  # a zip of something else named .keras
            raise ValueError(f"{path} is not a Keras model file that this Keras can read (damaged, or another kind of "
                             f"file named .keras): {type(e).__name__}: {e}") from None
        run = read_json(run_json)
        if problem := keras_model_problem(model, run):
            raise ValueError(f"{path}: {problem}: {run_json} does not describe this model (a model.keras from "
                             "another run, or not made by cxr-train)")
        from train.fit import logits_of

        run = _synthetic_from_films(run, path.parent)
        t = run.get("temperature", 1.0)
        return _finite(lambda x: keras_probabilities(model, x, t), path), {
            "labels": run["classes"], "preprocess": run["preprocess"], "kind": "keras", "synthetic_data": run.get("synthetic_data"),
            "synthetic_share": run.get("synthetic_share"),
            "log_scores": lambda x: logits_of(model, x).astype(np.float64) / t}
    m = EdgeModel(path)
    return _finite(m.classify, path), {"labels": m.labels, "preprocess": m.preprocess.to_dict(), "kind": f"tflite ({m.runtime})",
                        "log_scores": m.log_scores,  # what occlusion maps compare (edge.explain.occlusion)
                        "synthetic_data": m.meta.get("synthetic_data"), "synthetic_share": m.meta.get("synthetic_share"),
                        "typicality": m.typicality,
                        "decision": m.decision, "decision_chosen_on": (m.meta.get("decision") or {}).get("chosen_on"),
                        "decision_films": m.meta.get("decision_films"),
                        # the share of its own validation images its input check flagged, as cxr-convert stored it
                        "flagged_validation": (m.meta.get("typicality") or {}).get("flagged_validation")}


def _finite(predict, path: Path):
    """``predict``, refusing probabilities that are not finite numbers: argmax read a film whose
    answers were all NaN as the first class, and cxr-compare reported such a model as 100% sensitive."""
    def checked(x: np.ndarray) -> np.ndarray:
        p = predict(x)
        if not np.isfinite(p).all():
            bad = int((~np.isfinite(p)).any(axis=1).sum())
            raise ValueError(f"{path}: the model gave {bad} of {len(p)} film(s) no finite probabilities (NaN or infinity): "
                             "its weights, its conversion or its calibration temperature are broken; train or convert it again")
        return p
    return checked


def keras_model_problem(model, run: dict) -> str | None:
    """Why ``model`` is not the model its run.json describes, or None: the outputs must be one logit
    per class (a fifth output was dropped without a word, one output stopped on an IndexError, and a
    final softmax was given a second one, 0.913 scored as 0.812), the input the size and channels of
    its preprocessing, and the temperature a number above 0."""
    classes, pre = run.get("classes") or [], run.get("preprocess") or {}
    out, inp = tuple(model.output_shape), tuple(model.input_shape)
    if len(out) != 2 or out[-1] != len(classes):
        return f"its output shape {out} is not one score for each of the {len(classes)} classes {', '.join(map(str, classes))}"
    if inp[1:] != (pre.get("size"), pre.get("size"), pre.get("channels")):
        return f"its input shape {inp} is not the {pre.get('size')}x{pre.get('size')}x{pre.get('channels')} of its preprocessing"
    t = run.get("temperature", 1.0)
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 < t < float("inf"):
        return f"its calibration temperature {t!r} is not a number above 0"
    last = getattr(model.layers[-1], "activation", None) if model.layers else None
    if getattr(last, "__name__", "") == "softmax" or type(model.layers[-1]).__name__ == "Softmax":
        return "it ends in a softmax, where cxr-train's models give logits (a second softmax would squash its answers)"
    return None


def _synthetic_from_films(run: dict, run_dir: Path) -> dict:
    """run.json with its synthetic marks read again from its split's films where a release before
    the films' own marks left them unmarked (train.split_synthetic), as cxr-convert marks its files."""
    from train.data import Split
    from train.split_synthetic import synthetic_unrecorded

    try:
        split = Split.load(run_dir / "split.json")
    except (OSError, ValueError, KeyError, TypeError):
        return run
    if found := synthetic_unrecorded(run, split, str(run_dir / "run.json"), "the model is"):  # its caller says it
        return {**run, "synthetic_data": True, "synthetic_share": found[0]["synthetic_share"]}
    return run
