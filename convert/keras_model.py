"""Load a cxr-train run's model.keras and check that its run.json describes it: the labels,
preprocessing and temperature that cxr-evaluate, cxr-compare and cxr-convert take from run.json
are only right for the model it was written with. One place, so the three refuse alike."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from edge.capped_repr import capped_repr, capped_text
from edge.metadata import finite_number
from edge.output import said_name


def recorded_model_problem(path: Path, run: dict, run_json: Path) -> str | None:
    """Why ``path`` is not the model ``run_json`` records, or None: another run's model of the same
    shape (kept beside a run, or copied into another folder) was scored under this run's class order,
    temperature and split, every answer named the other class. Runs before 0.20.0 record no checksum:
    they vouch only for the model.keras beside them."""
    from edge.digest import file_sha256

    recorded = run.get("model_sha256")
    if recorded is None:
        if path.name == "model.keras":
            return None
        return (f"{said_name(str(run_json))} records no checksum of its model (a run of cxr-edge 0.19 or older), so it vouches only "
                f"for the model.keras beside it, not {said_name(path.name)}: score a model in its own run folder, as model.keras")
    if file_sha256(path) != recorded:
        return (f"{said_name(str(path))} is not the model {said_name(str(run_json))} describes (its SHA-256 is not the one run.json records): a model "
                "from another run, or changed since, would be scored under this run's labels, calibration and split; "
                "score it in its own run folder")
    return None


def load_keras(path: Path, advice: str = "") -> Any:
    """The Keras model in ``path``, loaded without compiling; a file Keras cannot read is a ValueError
    of one line: Keras's own first line, since the rest of it printed a whole weight matrix."""
    import keras

    try:
        with warnings.catch_warnings():  # "Skipping variable loading for ...": the error below says it in one line
            warnings.simplefilter("ignore", UserWarning)
            return keras.models.load_model(path, compile=False)
    except MemoryError:  # not the file's fault
        raise
    except Exception as e:  # Keras says "File not found" of a file that is there but cut short
        first = str(e).strip().splitlines()[0].rstrip(":") if str(e).strip() else ""
        raise ValueError(f"{said_name(str(path))} cannot be loaded by this Keras (damaged or cut short, another kind of file named "
                         f".keras, or a config that does not fit its weights): {type(e).__name__}"
                         f"{': ' + first if first else ''}{advice}") from e  # the whole of it under --debug


def run_model(path: Path, run: dict, run_json: Path, advice: str = "") -> Any:
    """``load_keras(path)``, refused in one line where it is not the model ``run`` describes by its shapes
    (keras_model_problem): a final softmax would get a second one, on the device too."""
    model = load_keras(path, advice)
    if problem := keras_model_problem(model, run):
        raise ValueError(f"{said_name(str(path))}: {problem}: {said_name(str(run_json))} does not describe this model (a model.keras from "
                         "another run, or not made by cxr-train)")
    return model


def keras_model_problem(model: Any, run: dict) -> str | None:
    """Why ``model`` is not the model its run.json describes, or None: the outputs must be one logit
    per class (a fifth output was dropped without a word, one output stopped on an IndexError, and a
    final softmax was given a second one, 0.913 scored as 0.812), the input the size and channels of
    its preprocessing, and the temperature a number above 0."""
    classes, pre = run.get("classes") or [], run.get("preprocess") or {}
    out, inp = tuple(model.output_shape), tuple(model.input_shape)
    if len(out) != 2 or out[-1] != len(classes):
        return (f"its output shape {out} is not one score for each of the {len(classes)} classes "
                f"{capped_text(', '.join(map(str, classes)))}")
    if inp[1:] != (pre.get("size"), pre.get("size"), pre.get("channels")):
        return f"its input shape {inp} is not the {pre.get('size')}x{pre.get('size')}x{pre.get('channels')} of its preprocessing"
    t = run.get("temperature", 1.0)
    if not finite_number(t) or not 0 < t:  # JSON's 10**400 is below inf, and failed float(t) as 'unexpected OverflowError'
        return f"its calibration temperature {capped_repr(t)} is not a number above 0"
    last = getattr(model.layers[-1], "activation", None) if model.layers else None
    if getattr(last, "__name__", "") == "softmax" or type(model.layers[-1]).__name__ == "Softmax":
        return "it ends in a softmax, where cxr-train's models give logits (a second softmax would squash its answers)"
    return None
