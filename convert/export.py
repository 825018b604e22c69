"""Keras model -> .tflite in each quantization mode, with cxr-edge metadata appended.

Modes, smallest first:
  int8        integer weights and activations, except the stem (the convolution that reads the
              image) and the logits layer, which run in float; float32 input and logits out
  int8-full   every op integer, int8 input and output, for integer-only accelerators
  int16x8     int16 activations, int8 weights (more precise activations, slower kernels)
  dynamic     int8 weights, float activations
  fp16        float16 weights
  fp32        no quantization
Full-integer modes need a representative set: drawn from the training split only.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import tensorflow as tf

from convert.modes import FULL_INTEGER, MODES
from edge import __version__
from edge import metadata as md
from edge.atomic import write_bytes
from edge.model import EdgeModel
from train.quiet import silenced_fd


def convert(model: Any, mode: str, representative: np.ndarray | None = None) -> bytes:
    """Return the flatbuffer for one mode (no metadata); the converter's chatter is swallowed."""
    with contextlib.redirect_stdout(io.StringIO()), silenced_fd(1), silenced_fd(2), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _convert(model, mode, representative)


def _convert(model: Any, mode: str, representative: np.ndarray | None) -> bytes:
    if mode not in MODES:
        raise ValueError(f"unknown quantization mode {mode!r}; choose from {', '.join(MODES)}")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode == "fp32":
        return converter.convert()
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "fp16":
        converter.target_spec.supported_types = [tf.float16]
    elif mode == "dynamic":
        # tflite-runtime 2.14 rejects per-channel dynamic-range Dense layers (FULLY_CONNECTED v12).
        converter._experimental_disable_per_channel_quantization_for_dense_layers = True
    else:
        if representative is None or len(representative) == 0:
            raise ValueError(f"mode {mode} needs a representative set from the training split")
        converter.representative_dataset = _representative(representative)
        if mode == "int16x8":
            converter.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
        else:
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if mode == "int8":
            return _int8_float_head(converter, representative, int(model.outputs[0].shape[-1]))
        if mode == "int8-full":
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
    return converter.convert()


def _int8_float_head(converter: Any, representative: np.ndarray, n_classes: int) -> bytes:
    """Integer body between a float stem and a float logits layer.

    Two layers stay in float, each for a measured reason:
    - the logits (the final Dense, and an ensemble's averaging). An int8 output has about 0.05
      logits per step, so two close classes can come out exactly equal, and argmax hands every
      such tie to the class listed first. On 25 cxr-dev runs, int8 outputs held 27 exact ties and
      the images classified differently from Keras fell from 27 to 18 with a float head
      (benchmarks/RESULTS.md, "a float logits head").
    - the stem, the convolution(s) that read the image and the pooling after them: an int8
      stem rounds the pixels and its full-resolution output to 256 levels, the largest
      activation error in the network. In float it cut the logits' mean error against Keras by
      14 to 64% (median 31%) on 18 compact cxr-dev models, costs a few hundred bytes, and runs
      faster in both device runtimes (RESULTS.md, "a float stem").
    Input and output are float32. The QuantizationDebugger is TensorFlow's public way to keep
    chosen ops in float.
    """
    debugger = tf.lite.experimental.QuantizationDebugger(
        converter=converter, debug_dataset=_representative(representative[:1]))
    keep = _logits_ops(debugger.calibrated_model, n_classes) + _stem_ops(debugger.calibrated_model)
    debugger.options = tf.lite.experimental.QuantizationDebugOptions(denylisted_nodes=keep)
    return debugger.get_nondebug_quantized_model()


def _op_outputs(flatbuffer: bytes) -> list[tuple[str, list[int], dict]]:
    """(op name, input tensor indices, first output tensor) for every op, in order."""
    interpreter = tf.lite.Interpreter(model_content=flatbuffer)
    return [(op["op_name"], [int(i) for i in op["inputs"]], interpreter._get_tensor_details(op["outputs"][0], 0))
            for op in interpreter._get_ops_details()]  # no public API lists ops with their outputs


def _logits_ops(flatbuffer: bytes, n_classes: int) -> list[str]:
    """Output-tensor names of the ops that compute logits: every (batch, n_classes) result."""
    names = [t["name"] for _, _, t in _op_outputs(flatbuffer) if len(t["shape"]) == 2 and t["shape"][-1] == n_classes]
    if not names:
        raise ValueError(f"found no ({n_classes},)-wide logits op to keep in float")
    return names


def _stem_ops(flatbuffer: bytes) -> list[str]:
    """Output-tensor names of the stem: the convolutions that read the model's input (one per
    member), and a max-pooling right after one. Pooling in float first means the int8 body starts
    at the pooled map, 4x smaller to quantize, and changes no value (rounding commutes with max).
    tflite-runtime 2.14 quantizes slowly: with the unpooled map to quantize, the int8 file invoked
    30% slower than with an int8 stem; with the pooled one, 20% faster (RESULTS.md, "a float stem")."""
    ops = _op_outputs(flatbuffer)
    inputs = {int(d["index"]) for d in tf.lite.Interpreter(model_content=flatbuffer).get_input_details()}
    stem = {int(t["index"]): t["name"] for name, ins, t in ops if name == "CONV_2D" and ins and ins[0] in inputs}
    pools = [t["name"] for name, ins, t in ops if name == "MAX_POOL_2D" and ins and ins[0] in stem]
    return [*stem.values(), *pools]


def _representative(x: np.ndarray) -> Callable[[], Iterator[list[np.ndarray]]]:
    def gen() -> Iterator[list[np.ndarray]]:
        for sample in x:
            yield [sample[None].astype(np.float32)]

    return gen


def representative_sample(x: np.ndarray, y: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A class-stratified sample of n training images, or all where there are fewer (deterministic). A share
    n // classes each gave fewer than asked (5 gave 3 of 3 classes) and, under one a class, more (1 gave 3): the
    first n % classes classes take one more, so report.md's count is the one asked for. A class with fewer films
    than its share gives them all and the others make up the rest: 300 of 1,010 films, one class of 10, gave 210."""
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    members = [rng.permutation(np.flatnonzero(y == c)) for c in classes]
    take, left = [0] * len(classes), min(n, len(y))
    while left > 0:  # each round shares what is left among the classes that still have films
        open_ = [k for k, m in enumerate(members) if take[k] < len(m)]
        share, extra = divmod(left, len(open_))
        for j, k in enumerate(open_):
            got = min(len(members[k]) - take[k], share + (j < extra))
            take[k], left = take[k] + got, left - got
    idx = np.concatenate([m[:t] for m, t in zip(members, take)]) if len(classes) else np.zeros(0, int)
    idx.sort()
    return x[idx], y[idx]


def model_metadata(run: dict, mode: str, labels: list[str]) -> dict[str, Any]:
    """What the device needs, from run.json: labels, preprocessing, temperature, provenance."""
    return {
        "labels": labels,
        "preprocess": run["preprocess"],
        "temperature": run.get("temperature", 1.0),
        "output": "logits",
        "quantization": mode,
        "arch": run.get("arch"),
        "members": run.get("members", 1),
        "model_version": f"{run.get('arch', 'model')}-{run.get('created', '')}",
        "trained": run.get("created"),
        "converted": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "created_by": f"cxr-edge {__version__}, tensorflow {tf.__version__}",
        "synthetic_data": bool(run.get("synthetic_data", False)),
        "synthetic_share": run.get("synthetic_share"),
        "training": training_record(run),
        "selftest_tolerance": 0.02,
        "disclaimer": "Research software, not a medical device.",
    }


# Settings that made the weights or labels, kept in the file; folder paths are left in run.json (a device
# file travels, and a folder may be named for a ward or a patient list). --class-map's folder names go in: they
# made the labels.
TRAINING_SETTINGS = ("seed", "arch", "image_size", "epochs", "batch_size", "learning_rate", "patience", "augment",
                     "members", "teacher_members", "teacher_view", "consistency", "mixstyle", "val_fraction",
                     "test_fraction", "holdout_source", "classes", "class_map")
TEACHER_RECORD = ("members", "parameters", "model_sha256", "split_digest")  # not its folder


def training_record(run: dict) -> dict[str, Any]:
    """How the model was made, as far as a file alone can say it: the cxr-edge and library versions
    it was trained with (the file's "created_by" is the converter's), its settings and seed as given,
    the fit they came to (a setting left to the recipe, such as --epochs, is None in "settings"), the
    epochs each model ran and the one kept, its teacher, and the digests of its split and Keras model,
    to match it to its run.json."""
    settings = run.get("settings") or {}
    teacher = run.get("teacher")
    return {"cxr_edge_version": run.get("cxr_edge_version"), "versions": run.get("versions"),
            "threads": run.get("threads"),  # the same weights need the same threads too (train.environment)
            "settings": {k: settings[k] for k in TRAINING_SETTINGS if k in settings},
            "fit": {k: v for k, v in (run.get("fit") or {}).items() if k != "verbose"} or None,
            "epochs_run": run.get("epochs_run"), "best_epoch": run.get("best_epoch"),
            "distilled": bool(teacher), "split_digest": run.get("split_digest"),
            "teacher": {k: teacher.get(k) for k in TEACHER_RECORD} if isinstance(teacher, dict) else None,
            "model_sha256": run.get("model_sha256")}


def selftest_images(n: int = 3) -> dict[str, bytes]:
    """Reference images for the on-device self-test: small synthetic PNGs, never patient data.

    Square, landscape and portrait, so the device's padding path is exercised too; about 64 px
    and 8 grey levels keep all three under 3 KB inside the model file.
    """
    from PIL import Image

    from train.synthetic import SYNTHETIC_CLASSES, render

    rng = np.random.default_rng(1234)
    shapes = [(64, 64), (56, 72), (72, 56)]
    images = {}
    for k in range(n):
        gray = render(SYNTHETIC_CLASSES[k % len(SYNTHETIC_CLASSES)], rng, size=shapes[k % len(shapes)]) // 32 * 32
        buf = io.BytesIO()
        Image.fromarray(gray.astype(np.uint8)).save(buf, format="PNG", optimize=True)
        images[f"selftest/{k}.png"] = buf.getvalue()
    return images


def selftest_files(images: dict[str, bytes], probabilities: np.ndarray, labels: list[str]) -> dict[str, bytes]:
    """Reference images and the probabilities this machine got from them, for --selftest; with the
    labels in the order of the outputs, so that labels swapped in the metadata fail it (the
    probabilities alone, by position, passed)."""
    spec = {"images": list(images), "probabilities": np.round(probabilities.astype(float), 6).tolist(),
            "labels": list(labels)}
    return {"selftest.json": json.dumps(spec).encode(), **images}


def package(flatbuffer: bytes, meta: dict[str, Any], files: dict[str, bytes] | None = None) -> bytes:
    return md.attach(flatbuffer, meta, files)


def export_mode(model, mode: str, path: Path, run: dict, representative: np.ndarray,
                head_fit: np.ndarray | None = None, typicality: dict | None = None,
                seen: tuple[dict, dict[str, bytes]] | None = None, sources: dict | None = None) -> None:
    """Write model_<mode>.tflite with metadata, the input check, a self-test measured on this
    machine and, given ``seen`` (convert.seen_lists.fingerprints), the films the model learnt from; ``sources``
    (convert.study_design.training_sources) where they came from, so a report can say whether the
    films it scores come from the same hospitals.

    For int8, the float logits head is refitted on ``head_fit`` (training images); the file's
    metadata records what that refit did."""
    flatbuffer = convert(model, mode, representative)
    refit = None
    if mode == "int8" and head_fit is not None and len(head_fit):
        from convert.head_refit import refit_int8_head

        flatbuffer, refit = refit_int8_head(model, flatbuffer, head_fit, lambda m: convert(m, mode, representative))
    meta = model_metadata(run, mode, run["classes"])
    if mode in FULL_INTEGER:  # what set its ranges, for a later --report-only's report.md to say
        meta["calibration_samples"] = int(len(representative))
    if refit is not None:
        meta["head_refit"] = refit
    if typicality is not None:
        meta["typicality"] = typicality
    if sources is not None:
        meta["trained_sources"] = sources
    extra = {}
    if seen is not None:
        meta["seen"], extra = seen
    write_bytes(path, package(flatbuffer, meta))
    images = selftest_images()
    expected = EdgeModel(path).classify_encoded(images)
    write_bytes(path, package(flatbuffer, meta, {**selftest_files(images, expected, meta["labels"]), **extra}))


def replacing_note(run_dir: Path, modes: list[str], trained: str | None = None) -> list[str]:
    """Said before a conversion replaces .tflite files an earlier one wrote. Those of this model: the new files
    differ even with the same settings (each carries its conversion's date and timings), so a copy on a device
    will no longer match the run's by hash. Those made from an earlier model of the run (their "trained" is not
    ``trained``, run.json's "created": retrained in place), whatever their mode, and model.tflite: they are that
    model's, perhaps the one deployed, which cxr-compare can set against the new one only if a copy is kept. They
    are replaced or removed when the conversion ends (convert.run_files.retire_stale_models)."""
    import datetime

    from convert.run_files import stale_models

    earlier = stale_models(run_dir, trained)
    same = [p for m in modes if (p := run_dir / f"model_{m}.tflite").is_file() and p not in earlier]
    notes = []
    if same:
        when = datetime.datetime.fromtimestamp(max(p.stat().st_mtime for p in same)).strftime("%Y-%m-%d %H:%M")
        notes.append(f"note: replacing {', '.join(p.name for p in same)} of an earlier conversion ({when}): the new files "
                     "differ even with the same settings (each carries its own date and timings); copy the old ones "
                     "elsewhere first to keep them")
    if earlier:
        notes.append(f"note: replacing or removing {', '.join(p.name for p in earlier)}: made from an earlier model of this "
                     "run, not the one converted now; to keep the earlier model (cxr-compare OLD NEW sets it against the new "
                     f"one), copy {'them' if len(earlier) > 1 else 'it'} elsewhere before this conversion ends")
    return notes
