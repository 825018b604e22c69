"""Multiply-accumulates per inference, counted from a Keras model's layers, and the Raspberry Pi 4
latency they imply at a published effective rate. An ESTIMATE, never a measurement.

Counted: Conv2D = H_out*W_out*K_h*K_w*C_in*C_out (grouped convolutions divide by the groups),
DepthwiseConv2D = H_out*W_out*K_h*K_w*C_in*depth_multiplier, SeparableConv2D = its depthwise
part + its pointwise part (H_out*W_out*C_in*depth_multiplier*C_out), Dense = in*out (per
position for Dense on a sequence). Pooling, BatchNorm, activations and Rescaling are ignored:
they are a small share of the work and not multiply-accumulates of weights.
"""

from __future__ import annotations

import math

# Effective Raspberry Pi 4 (Cortex-A72, 1.5 GHz) rate with TensorFlow Lite on its CPU:
# MobileNet v1 1.0/224 (569 M MACs, Howard et al. 2017, Table 8) in 87 ms.
PI4_REFERENCE_MACS = 569e6
PI4_REFERENCE_SECONDS = 0.087
PI4_MACS_PER_S = PI4_REFERENCE_MACS / PI4_REFERENCE_SECONDS  # about 6.5 G MAC/s
PI4_SOURCE = ("TildAlice, \"MobileNet vs EfficientNet-Lite: Pi 4 First Model 38ms Gap\", dev.to "
              "(https://dev.to/tildalice/mobilenet-vs-efficientnet-lite-pi-4-first-model-38ms-gap-3l84): "
              "MobileNet v1 1.0_224 ran in 87 ms on a Pi 4's CPU with TFLite; 569 M MACs from the MobileNet "
              "paper. Consistent with A. Allan's Pi 4 TFLite result of 82.7 ms for MobileNet v1 SSD 0.75 at "
              "300x300 (github.com/aallan/benchmarking-ml-on-the-edge), a model of similar size. Thread count "
              "and precision were not stated; on one core expect up to ~3-4x longer")


def _spatial(shape) -> int:
    """Product of the spatial dimensions of an output shape (batch and channels excluded)."""
    dims = [d for d in shape[1:-1] if d is not None]
    return int(math.prod(dims)) if dims else 1


def layer_macs(layer) -> int:
    kind = type(layer).__name__
    if isinstance(getattr(layer, "layers", None), list):  # a nested model
        return sum(layer_macs(sub) for sub in layer.layers)
    if kind == "SeparableConv2D":
        c_in = layer.input.shape[-1]
        k = int(math.prod(layer.kernel_size))
        dm = layer.depth_multiplier
        hw = _spatial(layer.output.shape)
        return int(hw * k * c_in * dm + hw * c_in * dm * layer.filters)
    if kind == "DepthwiseConv2D":
        c_in = layer.input.shape[-1]
        return int(_spatial(layer.output.shape) * math.prod(layer.kernel_size) * c_in * layer.depth_multiplier)
    if kind in ("Conv1D", "Conv2D", "Conv3D"):
        c_in = layer.input.shape[-1]
        groups = getattr(layer, "groups", 1) or 1
        return int(_spatial(layer.output.shape) * math.prod(layer.kernel_size) * (c_in // groups) * layer.filters)
    if kind == "Dense":
        return int(_spatial(layer.input.shape) * layer.input.shape[-1] * layer.units)
    return 0


def model_macs(model) -> int:
    """Multiply-accumulates of one inference (batch 1)."""
    return sum(layer_macs(layer) for layer in model.layers)


def pi4_estimate_ms(macs: int) -> float:
    """Latency the MAC count implies at the reference rate: an ESTIMATE."""
    return 1000.0 * macs / PI4_MACS_PER_S
