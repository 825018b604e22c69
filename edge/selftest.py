"""Run a model file's self-test: decode, preprocess and classify the reference images cxr-convert embedded, and
compare the probabilities with those the converting machine got from the same files (edge-classify --selftest, and
before the first film of every run).

The check, beside the file it checks: whether the reference images decode as they did (a device whose Pillow or NumPy
reads them otherwise is told so, not sent to copy the file again), the tolerance the file states, near-ties between
the top two classes (judged by the deviation, not the class), and the labels the outputs had when it was converted.
A file of cxr-edge 0.1.0 holds preprocessed inputs instead (edge.selftest_arrays). EdgeModel.selftest runs it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from edge.members import SELFTEST, damaged_members
from edge.metadata import ModelFileError
from edge.preprocess import OUT_OF_MEMORY, ImageError, first_line
from edge.runtime import runtime_version
from edge.selftest_arrays import CHECKS, NPZ, has_selftest, npz_reference
from edge.temperature_edit import converted_temperature

if TYPE_CHECKING:
    from edge.model import EdgeModel


class SelftestOutOfMemory(ModelFileError):
    """The self-test ran out of memory: the device's problem, which copying the file again would not cure."""


class SelftestDecodesOtherwise(ModelFileError):
    """A reference image failed with an error that no damaged file gives (edge.preprocess.DECODER_ERRORS): this
    device's Pillow or NumPy, which copying the file again would not cure."""


def run_selftest(model: EdgeModel) -> dict[str, Any]:
    """Decode, preprocess and classify the reference images embedded by cxr-convert: small synthetic
    PNGs (never patient images), so the check covers this device's image decoder and preprocessing as well
    as its interpreter, against the probabilities the converting machine got from the same files (a file of
    cxr-edge 0.1.0 holds preprocessed inputs: its interpreter alone, edge.selftest_arrays)."""
    if not model.meta.get("foreign") and (damaged := damaged_members(model.path, model.meta, model.files)):
        raise ModelFileError(damaged)  # not "made by an older cxr-convert?": its maker writes one in every file
    if not has_selftest(model.files):
        raise ModelFileError(f"{model.path} carries no self-test " + ("(it has no cxr-edge metadata: cxr-convert did "
                             "not make it)" if model.meta.get("foreign") else "(made by an older cxr-convert?)"))
    try:
        if SELFTEST not in model.files:
            spec, (batch, want) = {}, npz_reference(model.files[NPZ])
        else:
            spec = json.loads(model.files[SELFTEST])
            want = np.asarray(spec["probabilities"], dtype=np.float64).reshape(len(spec["images"]), -1)  # a row an image
            encoded = {n: model.files[n] for n in spec["images"]}  # a name it lacks, or no list of names: damaged
            try:
                batch = model.decode_encoded(encoded)
            except (ImageError, MemoryError):  # a decoder's verdict on the images' bytes, or short of memory
                raise
            except Exception as e:  # no damaged file gives it (edge.preprocess.DECODER_ERRORS): this device's libraries
                raise SelftestDecodesOtherwise(
                    f"{model.path}: this device decodes or preprocesses the self-test's reference images otherwise "
                    f"({type(e).__name__}: {first_line(e)}); the file is not at fault: install the Pillow and NumPy "
                    "versions README names") from e
        got = model.classify(batch)
    except SelftestDecodesOtherwise:
        raise
    except (KeyError, TypeError, ValueError, MemoryError) as e:  # ImageError and JSON errors are ValueErrors
        if isinstance(e, MemoryError) or str(e) == OUT_OF_MEMORY:  # the device's memory, not the file
            raise SelftestOutOfMemory(f"{model.path}: out of memory while running its self-test (decoding its "
                                      "reference images); the file is not at fault: free memory (other programs, "
                                      "a memory limit such as ulimit -v) and start again") from None
        raise ModelFileError(f"{model.path}: its self-test data are damaged ({type(e).__name__}: {e})") from None
    if got.shape != want.shape:
        raise ModelFileError(f"{model.path}: its self-test expects {want.shape[-1]} classes, the model has {got.shape[-1]}")
    deviation = float(np.max(np.abs(got - want)))
    tolerance = float(model.meta.get("selftest_tolerance", 0.02))
    # Top two classes within twice the tolerance (each may move by it) are a near tie: a device that rounds
    # a step otherwise may flip it by a thousandth, which the deviation, not the class, should judge.
    top2 = np.sort(want, axis=1)[:, -2:] if want.shape[1] > 1 else np.c_[np.zeros(len(want)), want[:, -1]]
    decided = (top2[:, 1] - top2[:, 0]) > 2 * tolerance
    same_class = bool(np.all((got.argmax(1) == want.argmax(1)) | ~decided))
    # the labels the outputs had when it was converted (files from 0.26 on): swapped in the metadata, every
    # answer is the other class with the same probabilities, which the positions alone do not show
    stored = spec.get("labels") if isinstance(spec, dict) else None
    same_labels = stored is None or list(stored) == (model.renamed_from or model.labels)
    passed = bool(deviation <= tolerance and same_class and same_labels)
    return {
        "passed": passed,
        # the temperature its reference probabilities were computed with, where it is not the metadata's: edited
        "converted_temperature": None if passed or not same_labels else converted_temperature(
            got, want, float(model.meta.get("temperature", 1.0)), tolerance),
        "same_labels": same_labels,
        "cases": int(len(want)), "checks": "decode, preprocess, classify" if SELFTEST in model.files else CHECKS,
        "max_deviation": deviation,
        "tolerance": tolerance,
        "same_classes": same_class,
        "runtime": f"{model.runtime} {runtime_version(model.runtime)}",
    }
