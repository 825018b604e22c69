"""Refit the int8 model's float logits head to the Keras model, on the int8 body's own features.

The int8 file computes its features in integers and its logits in float (convert/export.py).
Quantization moves the features a little, and part of that error is systematic: the logits
come out shifted the same way on many images, so films near a class boundary flip. The head
is linear in the features, so the best head for the int8 features is a least-squares fit of
the Keras logits on them (empirical bias correction, generalised to the weights). The fit uses
training images only, and the body is quantized exactly as before: its calibration does not
depend on the float head, which is checked after converting again.

On 20 single-model cxr-dev runs (test splits; benchmarks/RESULTS.md, "a refitted head") it cut
the images classified differently from Keras from 17 to 10 and the mean |logit change| from
0.033 to 0.018.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from edge.figures import kept_as_shown

# Ridge weight towards the Keras head, per training image. Small: with hundreds of images and
# about 80 features a least-squares fit is well determined; the ridge only keeps it stable when
# features outnumber images (the tutorial's 512-wide Dense) and pulls it to the Keras head there.
RIDGE = 0.01


def logit_change_text(v: float) -> str:
    """A mean |logit change| as report.md writes it (convert.quant_report.refit_line): 4 decimals."""
    return f"{v:.4f}"


def kept_change(v: float) -> float:
    """A mean |logit change| as the file and report.json keep it: 5 decimals, more where report.md, reading the
    stored figure, would write other digits than the change itself: 0.123449 kept as 0.12345 was written "0.1235"
    (rounding twice), where the change reads 0.1234."""
    return kept_as_shown(v, logit_change_text, 5)


def head_inputs(flatbuffer: bytes, images: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray]]:
    """Per logits op (FULLY_CONNECTED with float weights): its input features on each image, the
    model's output logits, and the op's weights; run through TFLite with every tensor kept."""
    import warnings

    import tensorflow as tf

    from edge.runtime import silenced_fd

    # "for debugging purposes only": reading tensors is the point; and the runtime's INFO line about
    # its XNNPACK delegate goes straight to the C stderr, past Python's
    with warnings.catch_warnings(), silenced_fd(2):
        warnings.simplefilter("ignore")
        it = tf.lite.Interpreter(model_content=flatbuffer, experimental_preserve_all_tensors=True)
        it.allocate_tensors()
    fcs = [op for op in it._get_ops_details()  # no public API lists ops with their tensors
           if op["op_name"] == "FULLY_CONNECTED" and it._get_tensor_details(op["inputs"][1], 0)["dtype"] == np.float32]
    weights = [it.get_tensor(op["inputs"][1]).copy() for op in fcs]
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    feats: list[list[np.ndarray]] = [[] for _ in fcs]
    logits = []
    for img in images:
        it.set_tensor(inp["index"], img[None].astype(inp["dtype"]))
        it.invoke()
        for k, op in enumerate(fcs):
            feats[k].append(it.get_tensor(op["inputs"][0])[0].astype(np.float64))
        logits.append(it.get_tensor(out["index"])[0].astype(np.float64))
    return [np.array(f) for f in feats], np.array(logits), weights


def logits_layers(model: Any, weights: list[np.ndarray]) -> list[Any]:
    """The Keras Dense layers behind the TFLite logits ops, matched by their kernels."""
    import keras

    def walk(m):
        for layer in m.layers:
            if isinstance(layer, keras.Model):
                yield from walk(layer)
            elif isinstance(layer, keras.layers.Dense):
                yield layer

    dense = list(walk(model))
    found = []
    for w in weights:
        match = [d for d in dense if d.kernel.shape == w.T.shape and np.allclose(np.asarray(d.kernel), w.T, atol=1e-6)]
        if len(match) != 1:
            raise ValueError("cannot match the int8 model's logits op to one Keras Dense layer")
        found.append(match[0])
    return found


def ridge_towards(a: np.ndarray, target: np.ndarray, theta0: np.ndarray, ridge: float) -> np.ndarray:
    """argmin ||a @ theta - target||^2 + ridge * n * ||theta - theta0||^2 (a pure function)."""
    lam = ridge * len(a)
    return np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ target + lam * theta0)


def refit_int8_head(model: Any, flatbuffer: bytes, images: np.ndarray,
                    reconvert: Callable[[Any], bytes], ridge: float = RIDGE) -> tuple[bytes, dict]:
    """Return the int8 flatbuffer with its float head refitted, and what the refit did.

    The head must be one Dense layer, or the mean of several (an ensemble); any other shape is
    left as converted and reported as skipped. ``reconvert(model)`` converts the model again.
    """
    from train.fit import logits_of

    feats, logits, weights = head_inputs(flatbuffer, images)
    m = len(weights)
    if m == 0:
        return flatbuffer, {"refit": False, "why": "no float logits layer"}
    a = np.hstack([*feats, np.ones((len(images), 1))])
    try:
        layers = logits_layers(model, weights)
    except ValueError as e:
        return flatbuffer, {"refit": False, "why": str(e)}
    saved = [layer.get_weights() for layer in layers]
    theta0 = np.vstack([*(w[0] / m for w in saved), np.mean([w[1] for w in saved], axis=0)[None]])
    if not np.allclose(a @ theta0, logits, atol=1e-3):
        return flatbuffer, {"refit": False, "why": "the logits are not the mean of the Dense heads"}
    target = logits_of(model, images)
    theta = ridge_towards(a, target, theta0, ridge)
    splits = np.cumsum([f.shape[1] for f in feats])[:-1]
    blocks = np.split(theta[:-1], splits)
    try:
        for layer, block in zip(layers, blocks):
            layer.set_weights([(m * block).astype(np.float32), theta[-1].astype(np.float32)])
        refitted = reconvert(model)
    finally:
        for layer, w in zip(layers, saved):
            layer.set_weights(w)
    check = slice(0, min(16, len(images)))
    _, new_logits, _ = head_inputs(refitted, images[check])
    if not np.allclose(new_logits, a[check] @ theta, atol=1e-3):
        return flatbuffer, {"refit": False, "why": "converting again changed the int8 body"}
    before = float(np.abs(logits - target).mean())
    after = float(np.abs(a @ theta - target).mean())
    return refitted, {"refit": True, "images": int(len(images)), "ridge": ridge,
                      "train_mean_abs_logit_change": {"before": kept_change(before), "after": kept_change(after)}}
