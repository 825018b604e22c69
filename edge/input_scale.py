"""--input-scale: the values a foreign model (a .tflite cxr-convert did not make, run with --labels) is fed.

cxr-edge feeds its own models the pixels 0..255 (they rescale inside the graph), and a foreign one the same by
default. Many models made elsewhere were trained on pixels scaled in the data pipeline, outside the model (a
Rescaling(1/255) before fit, keras.applications' preprocess_input): fed 0..255, they give answers that look like
any others and are wrong. The option names the scale such a model was trained on, and one pure function here
turns a batch of pixels into the tensor the model is fed: a float input gets the scaled numbers; a quantized one
gets the pixels quantized with the scale folded into its quantization (q = pixel * a / scale + b / scale + zero:
the same numbers the model's own quantization would give the scaled values, rounded once, never via floats
rounded twice); an integer input without quantization takes whole pixels only, so a scale is refused for it.
"""

from __future__ import annotations

import numpy as np

PIXELS = "0..255"
# name -> (a, b): the value fed is pixel * a + b
SCALES: dict[str, tuple[float, float]] = {PIXELS: (1.0, 0.0), "0..1": (1 / 255.0, 0.0), "-1..1": (1 / 127.5, -1.0)}
# how each is said after "fed as" (FOREIGN_FEED, --info's "fed", report.md)
SCALE_WORDS = {PIXELS: "pixel values 0..255, not scaled to 0..1 or -1..1 unless --input-scale says so",
               "0..1": "pixel values divided by 255, 0..1 as --input-scale 0..1 asks",
               "-1..1": "pixel values divided by 127.5 less 1, -1..1 as --input-scale -1..1 asks"}
USAGE = ("give 0..255 (the pixels as they are: the default), 0..1 (divided by 255: a Rescaling(1/255) done before "
         "training, outside the model) or -1..1 (divided by 127.5, less 1: keras.applications' preprocess_input "
         "of MobileNet, EfficientNetV2 with its rescaling off, Inception, Xception)")


def input_scale_named(text: str) -> str:
    """The scale --input-scale names (one of SCALES), or a ValueError that lists them: "0-1" and "0..1" alike,
    as people write a range."""
    said = text.strip().replace(" ", "")
    for name in SCALES:
        if said in (name, name.replace("..", "-")):
            return name
    raise ValueError(f"--input-scale {text!r} is not a scale edge knows: {USAGE}")


def pixel_span(span: tuple[float, float], scale: str) -> tuple[float, float]:
    """The pixels 0..255 whose scaled values fill ``span`` (real values a quantized input was calibrated for):
    [-1, 1] is the pixels 0..255 under -1..1, [0, 1] under 0..1; the same span under 0..255."""
    a, b = SCALES[scale]
    return (span[0] - b) / a, (span[1] - b) / a


def scale_problem(detail: dict, scale: str) -> str | None:
    """Why an input cannot be fed values on ``scale``, or None: an integer one without quantization parameters
    (Keras ``Input(dtype="uint8")``) takes whole pixels, which it scales itself, if at all."""
    dtype = np.dtype(detail["dtype"])
    if scale == PIXELS or dtype.kind == "f" or detail.get("quantization", (0.0, 0))[0] > 0:
        return None
    return (f"its input tensor is {dtype.name} without quantization parameters: it takes whole pixels 0..255, not "
            f"values scaled to {scale}; leave --input-scale out (the model scales its pixels itself, if at all)")


def fed_input(pixels: np.ndarray, detail: dict, scale: str = PIXELS) -> np.ndarray:
    """The tensor a uint8 batch of pixels is fed as to an input tensor (``detail``: the runtime's input details),
    on ``scale``: a float input takes ``pixel * a + b``; a quantized one takes the pixels quantized through its
    scale and zero point with ``a`` and ``b`` folded in (clipped to its type); an integer one without
    quantization takes the pixels as they are (model_graph.tensor_problem; scale_problem refuses a scale for it)."""
    a, b = SCALES[scale]
    dtype = np.dtype(detail["dtype"])
    if dtype.kind == "f":
        x = pixels.astype(np.float32)
        return (x if scale == PIXELS else x * np.float32(a) + np.float32(b)).astype(dtype)
    q_scale, zero = detail["quantization"]
    if not q_scale > 0:
        if scale != PIXELS:
            raise ValueError(scale_problem(detail, scale))
        return pixels.astype(dtype)
    info = np.iinfo(dtype)
    # x * a / s + b / s + z, written so that 0..255 is exactly x / s + z, as edge has always fed it
    q = np.round(pixels.astype(np.float32) / (q_scale / a) + (zero + b / q_scale))
    return np.clip(q, info.min, info.max).astype(dtype)
