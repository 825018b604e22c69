"""Open a cxr-edge .tflite, check it against its metadata, and classify preprocessed images.

The model outputs logits; probabilities are ``softmax(logits / temperature)`` with the
temperature fitted on the validation split at training time, so the numbers printed on the
device are calibrated the same way the report measured them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from edge import metadata as md
from edge.capped_repr import capped_text
from edge.decision import stored_rule
from edge.labels_given import check_label_names, check_renaming, foreign_count_problem
from edge.input_scale import PIXELS, fed_input, scale_problem
from edge.model_graph import (dynamic_input, foreign_feed, final_op, input_range_note, input_range_problem, tensor_problem,
                              unset_variables)
from edge.no_metadata_words import no_metadata
from edge.output import said_name
from edge.probe import probed_crash
from edge.preprocess import PreprocessConfig, load_bytes, preprocess_gray
from edge.runtime import interpreter_class, runtime_version, silenced_fd
from edge.selftest import run_selftest
from edge.selftest_arrays import has_selftest
from edge.typicality import Typicality

ModelFileError = md.ModelFileError


class EdgeModel:
    """A loaded model: ``classify(uint8 NHWC batch) -> probabilities (N, classes)``."""

    def __init__(self, path: str | Path, threads: int | None = None, labels: list[str] | None = None,
                 input_scale: str | None = None):
        """``input_scale``: --input-scale (edge.input_scale), a foreign model's only; None: the pixels 0..255."""
        self.path = Path(path)
        # as messages name it: a newline in the path forged a line of the error, an ESC ran on the terminal
        self._named = said_name(str(self.path))
        # the whole file's SHA-256 of the bytes loaded (answers' model_sha256, --info's file_sha256): not of the path again;
        # and its stat as opened, which a watch compares the path with (edge.model_swap): not the path's at the watch's start
        flatbuffer, meta, self.files, self.file_sha256, self.file_stat = md.read_stamped(self.path)
        Interpreter, self.runtime = interpreter_class()
        if meta is None and not labels:  # before loading: a file cut short can crash the runtime outright
            raise ModelFileError(no_metadata(self._named))
        # before loading it here, every file: a flatbuffer forged, its checksum written again, crashed every command
        sha256 = meta["tflite_sha256"] if meta is not None else hashlib.sha256(flatbuffer).hexdigest()
        if crash := probed_crash(self.path, sha256, f"{self.runtime} {runtime_version(self.runtime)}",
                                 len(flatbuffer) if meta is not None else 0):
            raise ModelFileError(f"{self._named}: the {self.runtime} runtime {crash} loading or running this model; the file "
                                 "may be truncated or damaged")
        dynamic = None
        try:
            with silenced_fd(2):
                # a foreign file has no checksum: zeros after it make a read past the end of a file cut short
                # find zeros, not memory that may not be there (tflite-runtime 2.14 crashed, now and then, on one)
                content = flatbuffer if meta is not None else flatbuffer + bytes(min(len(flatbuffer), 64 << 20))
                self.interpreter = Interpreter(model_content=content, num_threads=threads)
                dynamic = dynamic_input(self.interpreter)
                if dynamic is None:  # allocating a dynamic input often fails, and says nothing useful
                    self.interpreter.allocate_tensors()
        except Exception as e:  # every runtime raises its own types
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            hint = "" if meta else "; the file may be truncated or damaged"
            if "Select TensorFlow op" in str(e):  # a whole URL and Android advice followed: say what it means here
                reason, hint = "it uses TensorFlow's own (Flex) ops", (", which no TFLite runtime of edge has: convert "
                                                                      "it with the TFLite built-in ops only")
            raise ModelFileError(f"{self._named}: the {self.runtime} runtime cannot load this model ({reason}){hint}") from None
        if dynamic is not None:
            raise ModelFileError(
                f"{self._named}: its input shape {dynamic} is dynamic (-1: any size); edge-classify needs a fixed input "
                "of (1, size, size, 1 or 3): convert the model with a fixed image size")
        if unset_variables(self.interpreter):  # its weights never set: each film scored with whatever memory held
            raise ModelFileError(
                f"{self._named}: its weights are variables the file never sets (READ_VARIABLE without an initialiser: "
                "a Keras model converted with TFLiteConverter.from_concrete_functions), so its answers would be "
                "arbitrary: convert it with TFLiteConverter.from_keras_model (or from_saved_model) instead")
        try:
            # before --labels renames anything: the rule names a class of the file's own labels
            self.decision: tuple[int, float] | None = stored_rule(meta)
        except ValueError as e:
            raise ModelFileError(f"{self._named}: {e}") from None
        self.renamed_from: list[str] | None = None  # the file's own labels, when --labels gave others
        if labels:
            try:
                check_label_names(list(labels))
            except ValueError as e:
                raise ModelFileError(str(e)) from None
        if meta is None:
            meta = {"labels": list(labels), "temperature": 1.0, "foreign": True}
        elif labels:
            own = list(meta["labels"])
            check_renaming(own, list(labels))
            if list(labels) != own:
                self.renamed_from = own
            meta = {**meta, "labels": list(labels)}
        if input_scale is not None and not meta.get("foreign"):  # its graph scales the pixels itself
            raise ModelFileError(f"{self._named} was made by cxr-convert: its metadata says what its input takes (the "
                                 "pixels 0..255, which the model scales itself); leave --input-scale out (it is for a "
                                 ".tflite without cxr-edge metadata, run with --labels)")
        self.input_scale = input_scale or PIXELS
        inputs, outputs = self.interpreter.get_input_details(), self.interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelFileError(f"{self._named}: expected 1 input and 1 output, found {len(inputs)} and {len(outputs)}")
        self._in, self._out = inputs[0], outputs[0]
        if problem := (tensor_problem(self._in, "input") or tensor_problem(self._out, "output")
                       or scale_problem(self._in, self.input_scale)
                       or (meta.get("foreign") and input_range_problem(self._in, self.input_scale))):
            raise ModelFileError(f"{self._named}: {problem}")
        # said by edge.model_notes
        self.input_clipped = input_range_note(self._in, self.input_scale) if meta.get("foreign") else None
        shape = tuple(int(v) for v in self._in["shape"])
        if len(shape) == 4 and shape[0] != 1:  # else its (4, classes) output was blamed: "not a classifier"
            raise ModelFileError(f"{self._named}: its input takes a fixed batch of {shape[0]} images {shape}, where "
                                 "edge-classify feeds one film at a time: export it with a batch of 1 (or none fixed)")
        if len(shape) != 4 or shape[1] != shape[2] or shape[3] not in (1, 3):
            nchw = len(shape) == 4 and shape[1] in (1, 3) and shape[2] == shape[3]  # a PyTorch / ONNX layout
            channels = len(shape) == 4 and shape[1] == shape[2] and not nchw  # square, channels last: 2 or 4 of them
            flat = len(shape) == 3 and shape[1] == shape[2]  # Input((64, 64)): square, but no channel axis at all
            raise ModelFileError(f"{self._named}: input shape {shape} is not (1, size, size, 1 or 3)" + (
                ": it takes channels first (NCHW); export it channels last, (1, size, size, channels), e.g. with a "
                "transpose before its first layer" if nchw else f": it takes {shape[3]} channels per pixel; export it "
                "taking 1 (grey) or 3 (RGB): edge feeds a film's grey levels" if channels
                else f": it has no channel axis; export it taking (1, {shape[1]}, {shape[2]}, 1), e.g. an input of "
                f"({shape[1]}, {shape[2]}, 1) with a Reshape(({shape[1]}, {shape[2]})) before its first layer" if flat
                else ": export it with a square image input, channels last"))
        if "preprocess" in meta:
            try:
                self.preprocess = PreprocessConfig.from_dict(meta["preprocess"])
            except (TypeError, ValueError, KeyError) as e:  # edited by hand: say which file, and that it is damaged
                raise ModelFileError(f"{self._named}: model metadata is damaged: preprocess ({type(e).__name__}: {capped_text(e)})") from None
            if (self.preprocess.size, self.preprocess.size, self.preprocess.channels) != shape[1:]:
                raise ModelFileError(
                    f"{self._named}: input shape {shape} does not match its metadata "
                    f"({self.preprocess.size}x{self.preprocess.size}x{self.preprocess.channels})"
                )
        else:
            try:
                self.preprocess = PreprocessConfig(size=shape[1], channels=shape[3])
            except ValueError as e:  # e.g. a 4x4 input: too small to be an X-ray's
                raise ModelFileError(f"{self._named}: its input shape {shape} is not supported ({e})") from None
        out_shape = tuple(int(v) for v in self._out["shape"])
        if len(out_shape) != 2 or out_shape[0] != 1:  # a segmentation map, say: every film would fail to be read
            raise ModelFileError(f"{self._named}: output shape {out_shape} is not (1, classes): not a classifier of "
                                 "whole films")
        n_out = out_shape[1]
        if n_out < 2:  # softmax of one number is 1: every film would be this class, at 1.0000
            raise ModelFileError(f"{self._named}: the model has one output (a sigmoid's probability?); edge-classify "
                                 "reads one score per class, at least two: export it with two outputs, its sigmoid's "
                                 "p as [1 - p, p] (Keras: Concatenate()([1 - p, p])) with --labels naming the "
                                 "negative class first, or a softmax over two classes")
        if n_out != len(meta["labels"]):
            raise ModelFileError(f"{self._named}: " + (foreign_count_problem(n_out, len(meta["labels"])) if meta.get("foreign")
                                 else f"the model has {n_out} outputs but {len(meta['labels'])} labels"))
        self.meta = meta
        # A foreign model may end in softmax: its outputs are probabilities already, and a second
        # softmax would squash 0.996 / 0.004 to 0.73 / 0.27. cxr-edge's own files output logits.
        last = final_op(self.interpreter, self._out["index"]) if meta.get("foreign") else None
        if last == "LOGISTIC":  # one sigmoid per class: a softmax over them squashed 0.99 / 0.01 to 0.73 / 0.27
            raise ModelFileError(f"{self._named}: it ends in a sigmoid for each of its {n_out} outputs: its outputs are "
                                 "independent sigmoids, not one distribution over the classes, which edge-classify "
                                 "reads; export it with logits or a softmax over the classes")
        self.final_op = last
        self.outputs_probabilities = last in ("SOFTMAX", "SIGMOID_PAIR")  # a sigmoid's [1 - p, p]: probabilities
        self.labels: list[str] = list(meta["labels"])
        self.temperature = float(meta.get("temperature", 1.0))
        self.input_shape = shape
        # Older files and foreign models carry no input check; their inputs are never flagged.
        self.typicality: Typicality | None = None
        if "typicality" in meta:
            try:
                self.typicality = Typicality.from_dict(meta["typicality"])
            except ValueError as e:
                raise ModelFileError(f"{self._named}: {e}") from None
        self._trial_run()

    def _trial_run(self) -> None:
        """Run the model once on a black input before any film. A flatbuffer damaged in a table (or forged, its
        checksum written again) can load and allocate, then fail at every invoke ("Input tensor 5 lacks data"):
        a batch and a watch blamed each film in turn, every one 'inference failed', the model never named."""
        try:
            with silenced_fd(2):
                self.logits(np.zeros((1, *self.input_shape[1:]), dtype=np.uint8))
        except MemoryError:  # a board short of memory: said as for any film, not as a damaged file
            raise
        except Exception as e:  # every runtime raises its own types
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelFileError(f"{self._named}: the {self.runtime} runtime loads this model but cannot run it "
                                 f"({capped_text(reason)}); the file may be damaged: copy it again or convert it again") from None

    def logits(self, batch: np.ndarray) -> np.ndarray:
        """Raw (dequantized) model outputs for a uint8 batch of shape (N, size, size, C)."""
        if batch.shape[1:] != self.input_shape[1:]:
            raise ValueError(f"batch shape {batch.shape[1:]} does not match model input {self.input_shape[1:]}")
        out = np.empty((len(batch), len(self.labels)), dtype=np.float32)
        for i, x in enumerate(batch):
            self.interpreter.set_tensor(self._in["index"], self._quantize_input(x[None]))
            self.interpreter.invoke()
            out[i] = self._dequantize_output(self.interpreter.get_tensor(self._out["index"]))[0]
        return out

    def classify(self, batch: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities for a uint8 batch (a foreign model's own, where it ends in softmax)."""
        if self.outputs_probabilities:
            p = np.clip(self.logits(batch), 0.0, None)  # int8 rounding may leave a sum of 0.996
            return p / p.sum(axis=-1, keepdims=True)
        return softmax(self.logits(batch), self.temperature)

    def log_scores(self, batch: np.ndarray) -> np.ndarray:
        """Per-class log-scores whose softmax is :meth:`classify`'s probabilities (logits over the
        temperature), in float64: what occlusion maps compare, since a probability stops at 1.0."""
        if self.outputs_probabilities:
            p = np.clip(self.logits(batch).astype(np.float64), 1e-12, None)
            return np.log(p / p.sum(axis=-1, keepdims=True))
        return self.logits(batch).astype(np.float64) / self.temperature

    def atypical(self, batch: np.ndarray) -> np.ndarray | None:
        """(N,) booleans: which inputs look unlike the training images (edge.typicality);
        None when the file carries no input check."""
        return None if self.typicality is None else self.typicality.atypical(batch)

    def classify_encoded(self, images: dict[str, bytes]) -> np.ndarray:
        """Probabilities for encoded image files held in memory (name -> bytes), decoded and
        preprocessed as on the device: what cxr-convert records and --selftest re-checks."""
        return self.classify(self.decode_encoded(images))

    def decode_encoded(self, images: dict[str, bytes]) -> np.ndarray:
        """The model inputs of encoded image files held in memory (name -> bytes), as on the device."""
        return np.stack([preprocess_gray(load_bytes(data, name), self.preprocess) for name, data in images.items()])

    def _quantize_input(self, x: np.ndarray) -> np.ndarray:
        return fed_input(x, self._in, self.input_scale)  # --input-scale folded in (edge.input_scale)

    def _dequantize_output(self, y: np.ndarray) -> np.ndarray:
        if np.issubdtype(y.dtype, np.floating):
            return y.astype(np.float32)
        scale, zero = self._out["quantization"]
        if not scale > 0:  # scores without quantization (an int32 output): the numbers as they are
            return y.astype(np.float32)
        return (y.astype(np.float32) - zero) * scale

    def info(self) -> dict[str, Any]:
        """What the model says about itself, plus where it runs now."""
        return {
            "file": str(self.path),
            "file_sha256": self.file_sha256,  # the whole file's as loaded: sha256sum's, the answers' "model_sha256"
            "runtime": f"{self.runtime} {runtime_version(self.runtime)}",
            "input": {"shape": list(self.input_shape), "dtype": np.dtype(self._in["dtype"]).name},
            "selftest": has_selftest(self.files),
            **{k: v for k, v in self.meta.items() if k not in ("typicality", "file_sha256")},  # measured, not claimed
            # the tensor as the runtime holds it, beside what the metadata says it means ("logits")
            "output": {"dtype": np.dtype(self._out["dtype"]).name, "holds": self.meta.get("output", "logits")
                       if not self.outputs_probabilities else "probabilities (the model ends in softmax)" if self.final_op
                       == "SOFTMAX" else "probabilities (a sigmoid's 1 - p and p)"},
            # a foreign file: what edge feeds it, so that a user can judge whether it can work at all
            **({"preprocess": self.preprocess.to_dict(), "input_scale": self.input_scale,
                "fed": foreign_feed(self.input_scale)} if self.meta.get("foreign") else {}),
            "input_check": None if self.typicality is None else {  # without its arrays
                "components": len(self.typicality.variances),
                **{k: v for k, v in self.meta["typicality"].items() if k not in ("mean", "components", "variances")}},
        }

    def selftest(self) -> dict[str, Any]:
        """Decode, preprocess and classify the reference images embedded by cxr-convert, and compare with what the
        converting machine got (edge.selftest.run_selftest)."""
        return run_selftest(self)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
