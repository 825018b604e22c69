"""How big --arch seed gets at an --image-size, worked out before Keras loads.

The tutorial's network flattens its last feature map into a 512-unit dense layer, so its
parameters grow with the square of the input side: 27.6M at 128, 170M at 300, about 2.1
billion at 1024. cxr-train refuses sizes whose float32 weights pass 2 GiB (what a FlatBuffer,
the .tflite format, can address with its 32-bit offsets; training holds them four times over)
and warns well below that, where one epoch on a handful of films took gigabytes of memory.
"""

from __future__ import annotations

# FlatBuffers' 32-bit offsets: what a FlatBuffer (a .tflite file) can address.
FLATBUFFER_BYTES = 2**31
# Measured (cxr-edge 0.33.0, 2 CPU cores): seed at --image-size 300, 169,924,546 parameters, one epoch on
# 56 films took 80 s and peaked at 7.5 GB of memory (RSS). Warned from a size of that order.
SEED_WARN_PARAMETERS = 100_000_000


def seed_parameters(image_size: int, n_classes: int = 2) -> int:
    """The parameters of train.models.seed_cnn at ``image_size`` (a test checks it against Keras):
    5x5 convolutions (valid padding) of 32 and 64 filters on 3 channels, each halved by pooling."""
    side = ((image_size - 4) // 2 - 4) // 2
    return (5 * 5 * 3 * 32 + 32) + (5 * 5 * 32 * 64 + 64) + (side * side * 64 * 512 + 512) + (512 * n_classes + n_classes)


def seed_size_problem(image_size: int) -> str | None:
    """Why --arch seed cannot be trained at ``image_size`` for a device, or None."""
    n = seed_parameters(image_size)
    if 4 * n <= FLATBUFFER_BYTES:
        return None
    largest = max(s for s in range(32, image_size) if 4 * seed_parameters(s) <= FLATBUFFER_BYTES)
    return (f"--arch seed at --image-size {image_size} has {n:,} parameters (they grow with the square of the side): "
            f"{4 * n / 2**30:.1f} GiB of float32 weights, which training holds four times over (with their gradients and "
            "Adam's two moments), past the 2 GiB that a FlatBuffer (a .tflite file) can address; give --image-size "
            f"{largest} or less (128, the tutorial's, has 27.6M), or --arch compact")


def seed_size_warning(image_size: int) -> str | None:
    """A warning where --arch seed at ``image_size`` is big enough to strain a workstation, or None."""
    n = seed_parameters(image_size)
    if n < SEED_WARN_PARAMETERS or seed_size_problem(image_size):
        return None
    return (f"warning: --arch seed at --image-size {image_size} has {n:,} parameters (27.6M at 128: they grow with the "
            "square of the side); at 300 (170M) one epoch on 56 films took 80 s and 7.5 GB of memory on 2 CPU cores, "
            "and time and memory grow with it")
