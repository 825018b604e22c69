"""run.json's temperature checked against the validation NLL cxr-train recorded with it, before cxr-convert copies it.

cxr-train fits the temperature on the validation split and records the negative log-likelihood it gives there
(run.json's validation.nll_after). A temperature outside the fit's range is refused as edited by hand
(edge.temperature_range), but one edited inside it (1.0 -> 0.2: every answer far surer than the model is) went into
every model file unnoticed. The model's checksum is checked already (convert.keras_model), and its validation films
are cached beside the run, so the NLL at run.json's temperature can be computed again: one Keras pass over the
validation split (the cache cxr-convert reads for the input check anyway; well under a second on cxr-dev's runs).
A fit that wrote it gives the same number to the last bit on the same machine; the tolerance leaves room for other
kernels (another CPU, a GPU's TF32 arithmetic) and stays far below what a hand-made edit moves.

cxr-evaluate and cxr-compare apply run.json's temperature to a run's model.keras as well, and its calibration figures
and ECE are the temperature's: they make the same check from the run's cached validation films
(check_beside_model), and say in one warning line where it cannot be made, rather than refuse a model scored
away from its run's split or cache."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from edge.atomic import read_json
from edge.metadata import finite_number
from edge.output import said_name
from edge.preprocess import PreprocessConfig
from train.cache import load_part, stamp_path
from train.data import Split

TOLERANCE_NATS = 0.005  # and as much again per nat recorded: the same model and films, other arithmetic


def recorded_nll_problem(run: dict, val_logits: np.ndarray, y_val: np.ndarray, run_json: Path) -> str | None:
    """Why run.json's temperature (or its model) is not the one its validation.nll_after was measured with, said in
    one line naming ``run_json`` and what to do, or None; None too where the run records no NLL (runs before it
    did) or the validation split is empty (nothing was measured)."""
    from train.calibration import nll

    recorded = (run.get("validation") or {}).get("nll_after") if isinstance(run.get("validation"), dict) else None
    temperature = run.get("temperature", 1.0)
    if not finite_number(recorded) or not finite_number(temperature) or temperature <= 0 or not len(y_val):
        return None
    now = nll(val_logits, y_val, float(temperature))
    if not math.isfinite(now) or abs(now - recorded) <= TOLERANCE_NATS * (1 + abs(recorded)):
        return None
    return (f"{said_name(str(run_json))}'s temperature {temperature:g} is not the one cxr-train fitted: at it the validation films' "
            f"negative log-likelihood is {now:.4f}, not the {recorded:.4f} run.json records with it (edited by hand, "
            "or copied from another run?); restore run.json from a copy of the run, or train the run again "
            "(cxr-train --replace)")


def check_recorded_temperature(run_dir: Path, run: dict, split: Split, config: PreprocessConfig, model: Any,
                               progress: bool, rewrite: bool = True) -> None:
    """Raises ValueError (recorded_nll_problem's line) where run.json's temperature is not the fitted one. Skipped
    where run.json records no NLL, or where the validation films decode otherwise now than when the model learnt
    (an older cxr-edge's cache: load_part warns of it, and the NLL would differ without any edit). ``rewrite``:
    the caller holds the run folder, and films decoded again are cached again (load_part)."""
    validation = run.get("validation")
    if not isinstance(validation, dict) or not finite_number(validation.get("nll_after")) or not split.parts.get("val"):
        return
    from train.fit import logits_of

    x_val, y_val = load_part(run_dir, split, "val", config, progress, rewrite=rewrite)
    if _learnt_otherwise(run_dir):
        return
    if (why := recorded_nll_problem(run, logits_of(model, x_val), y_val, run_dir / "run.json")) is not None:
        raise ValueError(why)


def _learnt_otherwise(run_dir: Path) -> bool:
    """Whether the validation cache's stamp keeps train.cache.decoded_otherwise's warning (films the model learnt
    otherwise than they decode now); a stamp that cannot be read is load_part's to say, not this check's."""
    try:
        stamp = read_json(stamp_path(run_dir, "val"))
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and bool(stamp.get("learnt_otherwise"))


def check_beside_model(path: Path, run: dict, model: Any, prog: str) -> None:
    """cxr-evaluate's and cxr-compare's check_recorded_temperature of the model.keras ``path`` whose ``run`` is
    run.json beside it: raises its ValueError where the temperature is not the fitted one. Where it cannot be
    made (no split.json or cached validation films beside the model, the run's data folder moved), one warning line
    on stderr says the temperature was not checked, and the model is scored: the figures are still the model's,
    and a model.keras copied out of its run was scored before without its split. The cache is read, never written
    (cxr-evaluate does not hold the run folder), and films are not decoded afresh where it is gone or of older
    rules: those would be read otherwise than the model learnt them, and the NLL differ without any edit."""
    from edge.atomic import DamagedFile
    from edge.decoder_words import first_line
    from train.cache import _older_rules, cache_path
    from train.data import DataError

    validation = run.get("validation")
    if not isinstance(validation, dict) or not finite_number(validation.get("nll_after")):
        return  # a run before cxr-train recorded the NLL: as cxr-convert, not judged
    run_dir, cache = path.parent, cache_path(path.parent, "val")
    why = (f"{said_name(path.name)} is not its run folder's model.keras" if path.name != "model.keras"
           else "there is no split.json beside it" if not (run_dir / "split.json").is_file()
           else f"the run's cached validation films, {said_name(str(cache))}, are gone" if not cache.is_file()
           else f"the run's cached validation films, {said_name(str(cache))}, {older}"
           if (older := _older_rules(run_dir, "val")) else None)
    if why is None:
        try:
            split = Split.load(run_dir / "split.json")
            check_recorded_temperature(run_dir, run, split, PreprocessConfig.from_dict(run["preprocess"]), model,
                                       progress=False, rewrite=False)
            return
        except (DataError, DamagedFile, OSError) as e:  # the refusal is a plain ValueError: it goes on up
            why = first_line(e)
    print(f"{prog}: warning: {said_name(str(run_dir / 'run.json'))}'s calibration temperature was not checked against "
          f"the validation films cxr-train fitted it on ({why}): were it edited by hand, every probability, "
          "calibration figure and ECE here would follow the edit; score the model in its run folder, with its "
          "cache, to have it checked", file=sys.stderr)
