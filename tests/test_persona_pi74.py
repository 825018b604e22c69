"""Found by an IT person following README.md and --help on a device (session 74).

A foreign .tflite (no cxr-edge metadata) given --labels of the wrong count was refused with "the model has 3
outputs but 2 labels" alone: no word of what to give. The refusal without --labels suggests "--labels A,B" whatever
the model's outputs, so a three-class model's user typing that example hit it; a cxr-edge file given the wrong
count says what --labels does. The foreign file's refusal now says how many names to give, and in what order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge.cli import app
from typer.testing import CliRunner

pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def three_class_model(tmp_path_factory) -> Path:
    """A tiny Keras model of three softmax outputs exported by the real converter, as another tool would."""
    import keras

    from tests.foreign_exports import export

    model = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3, activation="softmax")])
    return export(model, tmp_path_factory.mktemp("foreign") / "other_tool.tflite")


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("films") / "xray.png"
    Image.fromarray(np.random.default_rng(3).integers(0, 256, (64, 64), dtype=np.uint8)).save(path)
    return path


@pytest.mark.parametrize("labels", ["COVID,Normal", "A,B,C,D"])
def test_foreign_label_count_says_how_many_names_to_give(three_class_model: Path, film: Path, labels: str) -> None:
    result = CliRunner().invoke(app, [str(film), "--model", str(three_class_model), "--labels", labels])
    assert result.exit_code == 2
    given = len(labels.split(","))
    assert f"--labels gives {given} names, the model has 3 outputs" in result.output
    assert "give 3 class names" in result.output and "in the order of its outputs" in result.output
    assert "Traceback" not in result.output


def test_foreign_label_count_right_still_classifies(three_class_model: Path, film: Path) -> None:
    result = CliRunner().invoke(app, [str(film), "--model", str(three_class_model), "--labels", "A,B,C"])
    assert result.exit_code == 0, result.output
