"""What a foreign model's refused input shape is told: its fault, and an export that mends it.

A Keras model made with Input((64, 64)) takes (1, 64, 64): square already, but with no channel axis. It was told
"export it with a square image input, channels last" (session 69's review), which sent its maker after a fault
it does not have. Real Keras layers, the real converter, the device's runtime."""

from __future__ import annotations

import pytest

from edge.model import EdgeModel, ModelFileError


def _saved(tmp_path, name: str, shape: tuple[int, ...], reshape: tuple[int, ...] | None = None):
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from convert.export import convert

    keras.utils.set_random_seed(0)
    L = keras.layers
    inner = [L.Reshape(reshape)] if reshape else []
    m = keras.Sequential([keras.Input(shape), *inner, L.Rescaling(1 / 255.0), L.Flatten(), L.Dense(2)])
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(convert(m, "fp32"))
    return path


def test_a_square_input_without_a_channel_axis_is_told_so_and_how_to_add_one(tmp_path):
    pytest.importorskip("tensorflow")
    with pytest.raises(ModelFileError) as e:
        EdgeModel(_saved(tmp_path, "nochan", (32, 32)), labels=["Normal", "COVID"])
    said = str(e.value)
    assert said.endswith(": input shape (1, 32, 32) is not (1, size, size, 1 or 3): it has no channel axis; export it "
                         "taking (1, 32, 32, 1), e.g. an input of (32, 32, 1) with a Reshape((32, 32)) before its "
                         "first layer"), said
    assert "square image input" not in said
    # the advice as given: the same layers behind a (32, 32, 1) input and that Reshape load and answer
    mended = EdgeModel(_saved(tmp_path, "mended", (32, 32, 1), (32, 32)), labels=["Normal", "COVID"])
    assert mended.preprocess.size == 32 and mended.preprocess.channels == 1
