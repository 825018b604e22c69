"""What a loaded TFLite graph lets edge feed and read: tensor types, the real range a quantized
input was calibrated for, open input sizes, and the op that makes the output (softmax, sigmoid).
Checked once at load, so that a model edge would feed or read wrongly is refused in one line
instead of giving every film the same, plausible-looking answer."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from edge.figures import fixed
from edge.input_scale import PIXELS, SCALE_WORDS, SCALES, pixel_span
from edge.sigmoid_pair import maker, sigmoid_pair

# What a model without cxr-edge metadata is given (PreprocessConfig's defaults at its input's size): a model
# trained on films prepared otherwise gets wrong answers that look right; one trained on pixels scaled to 0..1 or
# -1..1 outside the model is fed them so with --input-scale (edge.input_scale).
def foreign_feed(scale: str = PIXELS) -> str:
    """What edge feeds a foreign model, in words, on --input-scale ``scale`` (--info's "fed", the notes, report.md)."""
    return ("each film grey, its uniform borders trimmed, padded to a square, resized to the input's size, "
            f"histogram-equalised and fed as {SCALE_WORDS[scale]} (the grey copied into 3 channels for an RGB input)")


FOREIGN_FEED = foreign_feed()  # without --input-scale


# Pixels a quantized input may clip at either end of 0..255 and still count as fed: a calibration set
# whose brightest pixel was 250 gives a range of 0..250, which costs a film its last few grey levels.
RANGE_SLACK = 0.05 * 255
# Fewer levels of a quantized input than this reached by the pixels fed: no film, but a few shades of it.
FEW_FED = 64


def tensor_problem(detail: dict, which: str) -> str | None:
    """Why edge cannot feed (or read) a tensor of this type, or None. Float tensors take the
    pixels (or give the scores) as numbers, quantized ones through their scale; an integer tensor
    without quantization (scale 0) had every pixel divided by 0, the film fed as black and white.
    An integer input without it that holds 0..255 (uint8, int16, int32: Keras ``Input(dtype="uint8")``)
    takes the pixels as they are, an integer output gives its numbers as they are; an int8 input cannot."""
    dtype = np.dtype(detail["dtype"])
    if dtype.kind == "f":
        return None
    if dtype.kind not in "iu":
        return f"its {which} tensor is {dtype.name}, which edge-classify cannot {'feed' if which == 'input' else 'read'}"
    scale = detail.get("quantization", (0.0, 0))[0]
    if which == "input" and not scale > 0 and not (np.iinfo(dtype).min <= 0 and np.iinfo(dtype).max >= 255):
        return (f"its input tensor is {dtype.name} without quantization parameters: it cannot take the pixels 0..255; "
                "export it with a float32, uint8 or quantized input")
    return None


def _input_range(detail: dict) -> tuple[float, float] | None:
    """The real values a quantized input was calibrated for, ``scale * (qmin - zero) .. scale * (qmax - zero)``;
    None for a float or unquantized input."""
    dtype = np.dtype(detail["dtype"])
    scale, zero = detail.get("quantization", (0.0, 0))
    if dtype.kind not in "iu" or not scale > 0:
        return None
    info = np.iinfo(dtype)
    return scale * (info.min - zero), scale * (info.max - zero)


def _covered(low: float, high: float) -> float:
    """The share of the pixels 0..255 a range [low, high] holds."""
    return max(0.0, min(high, 255.0) - max(low, 0.0)) / 255.0


def _matched(low: float, high: float) -> float:
    """How well a range [low, high] matches the pixels 0..255: their overlap over their union (1: the same)."""
    return max(0.0, min(high, 255.0) - max(low, 0.0)) / (max(high, 255.0) - min(low, 0.0))


def _fed_levels(detail: dict, scale: str) -> int:
    """How many of a quantized input's levels the pixels 0..255 reach on --input-scale ``scale``: its step is
    ``quantization scale / a`` pixels wide over the pixels its range holds."""
    span, q_scale = _input_range(detail), detail["quantization"][0]
    low, high = (min(max(v, 0.0), 255.0) for v in pixel_span(span, scale))
    return math.floor((high - low) / (q_scale / SCALES[scale][0]) + 1e-3) + 1  # a float32 scale: 254.99999 steps is 255


def input_range_problem(detail: dict, scale: str = PIXELS) -> str | None:
    """Why a quantized input cannot take the pixels 0..255 edge feeds (on --input-scale ``scale``), or None: its
    range holds less than half of them, or they reach fewer than FEW_FED of its levels. A mobile export's [-1, 1]
    had every pixel above 0 clipped to its top, and every film got the same answer (its graph expects the pixels
    scaled, and edge fed them as they are: -1..1 feeds them so); an input calibrated on 0..255 (a step of 1) fed
    on --input-scale 0..1 took every film as 2 levels, 0 and 1, and gave every film the same answer too. For
    foreign files: cxr-convert calibrates on the run's own pixels, and its gate scores the file as edge feeds it."""
    span = _input_range(detail)
    if span is None:
        return None
    clipped, levels = _covered(*pixel_span(span, scale)) < 0.5, _fed_levels(detail, scale)
    if not clipped and levels >= FEW_FED:
        return None
    fits = max(SCALES, key=lambda s: _matched(*pixel_span(span, s)))  # the scale it was calibrated on
    fits = fits if _covered(*pixel_span(span, fits)) >= 0.5 and _fed_levels(detail, fits) >= FEW_FED else None
    fed = "pixels 0..255 edge feeds" if scale == PIXELS else f"pixels scaled to {scale} --input-scale feeds"
    what = (f"not the {fed}; edge-classify would clip most of each film's grey levels to that range" if clipped else
            f"and its steps of {detail['quantization'][0]:.4g} are so coarse for the {fed} that each film would reach "
            f"it as {levels} grey level{'s' * (levels != 1)} of 256")
    way = ("leave --input-scale out if the model was trained on the pixels 0..255 as they are, or " if fits == PIXELS
           else f"give --input-scale {fits} if the model was trained on pixels scaled so, or " if fits and fits != scale
           else "")
    if not clipped:  # calibrated on values the scale does not give: re-calibrating on them is the way, not 0..255
        return (f"its input expects values in [{span[0]:.2f}, {span[1]:.2f}], {what}: {way}export it with a float32 "
                "input, or with its input calibrated on the values it was trained on")
    return (f"its input expects values in [{span[0]:.2f}, {span[1]:.2f}], {what}: {way}put the scaling into the model "
            "(e.g. a Rescaling layer first) and export it with a float32 input, or with its input calibrated on 0..255")


def input_range_note(detail: dict, scale: str = PIXELS) -> str | None:
    """Where a quantized input holds most of 0..255 but not all (a calibration set whose brightest pixel was
    200), which grey levels are clipped, to be said once; None where it holds them all, or nearly. ``scale``:
    --input-scale, the span then said in pixels."""
    span = _input_range(detail)
    if span is None:
        return None
    pixels = pixel_span(span, scale)
    best = max(SCALES, key=lambda s: _matched(*pixel_span(span, s)))
    if best != scale and _matched(*pixel_span(span, best)) >= 0.9 and _matched(*pixels) < 0.6 and _covered(*pixels) >= 0.5:
        fed = "0..255 edge feeds" if scale == PIXELS else f"scaled to {scale}"
        if _covered(*pixels) < 1 - RANGE_SLACK / 255:  # part of the pixels fall outside it: clipped, not spread thin
            how = (f"which only the pixels {max(pixels[0], 0.0):.0f} to {min(pixels[1], 255.0):.0f} reach, "
                   f"{fed} (the others clipped to its ends)")
        else:
            how = f"which the pixels {fed} fill only {fixed(_matched(*pixels), 0, 100)}% of"
        return (f"its input was calibrated for values {span[0]:.1f} to {span[1]:.1f}, {how}, where --input-scale "
                f"{best} fills it: check which scale the model was trained on")
    if _covered(*pixels) < 0.5 or (pixels[0] <= RANGE_SLACK and pixels[1] >= 255 - RANGE_SLACK):
        return None
    low, high = max(pixels[0], 0.0), min(pixels[1], 255.0)
    return (f"its input was calibrated for values {span[0]:.1f} to {span[1]:.1f}: the pixels 0..255 edge feeds "
            + ("" if scale == PIXELS else f"(scaled to {scale}) ")
            + f"are clipped to {low:.0f}..{high:.0f}, so the film's {'darkest and brightest' if low > RANGE_SLACK and high < 255 - RANGE_SLACK else 'darkest' if low > RANGE_SLACK else 'brightest'} "
            "grey levels look alike to it")


def dynamic_input(interpreter: Any) -> tuple[int, ...] | None:
    """The input's shape signature when a dimension other than the batch is left open (Keras
    ``Input((None, None, 1))``: -1 in the signature, 1 in "shape"), else None."""
    for d in interpreter.get_input_details():
        signature = tuple(int(v) for v in d.get("shape_signature", d["shape"]))
        if any(v < 0 for v in signature[1:]):
            return signature
    return None


def _ops(interpreter: Any) -> list[dict] | None:
    """The graph's ops as the runtime lists them, None where it does not (a private call that every runtime of
    today has; without it a model is read as before: its outputs as logits)."""
    try:
        return [o for o in interpreter._get_ops_details() if o.get("op_name") != "DELEGATE"]
    except Exception:
        return None


def final_op(interpreter: Any, output: int) -> str | None:
    """The op that makes the output tensor ("SOFTMAX", "LOGISTIC", ...), looking through any QUANTIZE,
    DEQUANTIZE or RESHAPE after it; "SIGMOID_PAIR" for a sigmoid's [1 - p, p] joined (probabilities). None
    where the runtime does not list its ops."""
    ops = _ops(interpreter)
    if ops is None:
        return None
    made_by = {int(t): o for o in ops for t in o.get("outputs", [])}
    op = maker(made_by, output)
    if op is None:
        return None
    # PACK: the same pair stacked (keras.ops.stack([1 - p, p], axis=1)), read as logits up to 0.51.0
    if op["op_name"] in ("CONCATENATION", "PACK") and sigmoid_pair(interpreter, made_by, op):
        return "SIGMOID_PAIR"
    return op["op_name"]


def unset_variables(interpreter: Any) -> bool:
    """Whether the graph reads resource variables that nothing in it sets (READ_VARIABLE without ASSIGN_VARIABLE
    or the CALL_ONCE that runs an initialiser): a Keras 3 model converted with ``from_concrete_functions`` keeps
    its weights as such variables, and every film was scored with whatever the memory held (0.5000 for each,
    or NaN), looking like answers."""
    ops = _ops(interpreter)
    names = {o.get("op_name") for o in ops or []}
    return "READ_VARIABLE" in names and not names & {"ASSIGN_VARIABLE", "CALL_ONCE"}
