"""The command a failed or off self-test gives to see its figures: one that can be pasted as it is."""

from __future__ import annotations

import json
import shlex

from edge import metadata as md
from edge.about import selftest_problem
from edge.model import EdgeModel


def _with_probabilities(tiny_run, path, shift) -> EdgeModel:
    flatbuffer, meta, files = md.read(tiny_run / "model_int8.tflite")
    spec = json.loads(files["selftest.json"])
    spec["probabilities"] = [shift(p) for p in spec["probabilities"]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(md.attach(flatbuffer, meta, {**files, "selftest.json": json.dumps(spec).encode()}))
    return EdgeModel(path)


def _command(message: str) -> list[str]:
    return shlex.split(message.split("`")[1])


def test_the_selftest_command_in_an_error_or_a_warning_names_a_path_with_spaces_as_one_word(tiny_run, tmp_path):
    """The error (another class on this device) gave `edge-classify --selftest --model my models/m.tflite`: pasted,
    it named the files 'my' and 'models/m.tflite'. The warning (a small deviation) quoted it already."""
    path = tmp_path / "my models" / "m.tflite"
    flipped = _with_probabilities(tiny_run, path, lambda p: [0.0, 1.0] if p[0] > p[1] else [1.0, 0.0])
    kind, why = selftest_problem(flipped, path)
    assert kind == "error" and _command(why) == ["edge-classify", "--selftest", "--model", str(path)], why

    def nudged(p):
        d = 0.03 if p[0] >= p[1] else -0.03
        return [p[0] + d, p[1] - d]

    near = _with_probabilities(tiny_run, path, nudged)
    kind, why = selftest_problem(near, path)
    assert kind == "warning" and _command(why) == ["edge-classify", "--selftest", "--model", str(path)], why
