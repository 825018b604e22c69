"""Every sigmoid's [1 - p, p] edge recognises, exported dynamic-range (int8 weights) and full-integer (int8 inside),
read as probabilities by tflite-runtime 2.14 too, the armv7l runtime (numpy < 2: in a venv of its own, given by
CXR_TFLITE_RUNTIME_PYTHON, else the repo's .venv-tflite-runtime that make test-tflite-runtime makes, else
/tmp/tfl/bin/python; skipped where there is none). LiteRT reads each in the
tests of its pattern (test_foreign_pair_taken, _negated_pair, _pair_gathered); the runtimes list a quantized graph's
ops and constants each their own way. Real Keras layers
(tests.sigmoid_pair_heads), the real converter."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.foreign_exports import FILMS, WANT
from tests.sigmoid_pair_heads import GATHERED, NEGATED, TAKEN, build

KINDS = ["dynamic", "int8"]
PAIRS = TAKEN + NEGATED + GATHERED
_MAKES = Path(__file__).resolve().parents[1] / ".venv-tflite-runtime" / "bin" / "python"  # make test-tflite-runtime's
TFLITE_PYTHON = Path(os.environ.get("CXR_TFLITE_RUNTIME_PYTHON") or (_MAKES if _MAKES.exists() else "/tmp/tfl/bin/python"))
READ = """import json, sys
import numpy as np
from edge.model import EdgeModel
films = np.asarray(json.loads(sys.argv[1]), dtype=np.uint8)
for path in sys.argv[2:]:
    m = EdgeModel(path, labels=["Normal", "COVID"])
    print(json.dumps([path, m.runtime, m.final_op, m.outputs_probabilities, m.classify(films)[:, 1].tolist()]))
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """name_kind -> path of a converted model."""
    return build(PAIRS, KINDS, tmp_path_factory.mktemp("sigmoid_pair_runtimes"))


@pytest.mark.skipif(not TFLITE_PYTHON.exists(), reason=f"no tflite-runtime venv at {TFLITE_PYTHON}")
def test_each_pair_quantized_is_read_as_probabilities_by_tflite_runtime(made):
    env = dict(os.environ, CXR_EDGE_RUNTIME="tflite_runtime", PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    run = subprocess.run([str(TFLITE_PYTHON), "-c", READ, json.dumps(FILMS.tolist()), *map(str, made.values())],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("[")]
    assert len(rows) == len(made)
    wrong = {Path(path).stem: (op, got) for path, runtime, op, probabilities, got in rows
             if runtime != "tflite_runtime" or op != "SIGMOID_PAIR" or not probabilities
             or not np.allclose(got, WANT, atol=0.01)}
    assert wrong == {}
