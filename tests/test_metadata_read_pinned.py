"""Cases of edge.metadata's file reading (read, read_digested) that hand mutation (session 72) showed no test
pinned: a file named model.keras that is not a zip is still told to be a Keras model (its name reaches the check),
and a folder's model files, named and suggested, are shown as every message shows a path (a newline escaped: the
error stays one line; the names it holds were written raw before)."""

from __future__ import annotations

import pytest

from edge.metadata import ModelFileError, read, read_digested
from edge.output import said_name


@pytest.mark.parametrize("reader", [read, read_digested])
def test_a_model_keras_by_its_name_is_told_to_be_converted(tmp_path, reader):
    path = tmp_path / "model.keras"
    path.write_bytes(b"not a zip, not a flatbuffer")
    with pytest.raises(ModelFileError, match="it is a Keras model: convert it with cxr-convert"):
        reader(path)


def test_a_folders_suggested_model_file_stays_one_line(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "model\nint8.tflite").write_bytes(b"x")
    with pytest.raises(ModelFileError) as raised:
        read_digested(run)
    assert "\n" not in str(raised.value)
    suggested = str(run / "model\nint8.tflite")
    assert f"e.g. {said_name(suggested)}" in str(raised.value)
