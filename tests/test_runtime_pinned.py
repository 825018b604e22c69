"""edge.runtime pinned (hand mutation testing, session 67): which TFLite runtime a device gets, that finding it
never imports TensorFlow where a device runtime is installed, and the small parts around it."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from edge.runtime import RuntimeMissing, interpreter_class, runtime_version, silenced_fd, usable_cores

REPO = Path(__file__).resolve().parents[1]


def _run(code: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "CXR_EDGE_RUNTIME"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                          env={**clean, "PYTHONPATH": str(REPO), **env})


@pytest.mark.skipif(find_spec("ai_edge_litert") is None, reason="LiteRT is not installed here")
def test_unforced_the_device_runtime_comes_first_and_tensorflow_is_never_imported(model_dir):
    """DESIGN: LiteRT, then tflite-runtime, then TensorFlow. With LiteRT installed (and TensorFlow too, as here) a
    model loads and classifies on LiteRT and TensorFlow never enters the process (a device has none; on a PC its
    import costs seconds). A fast form of test_end_to_end's check, which needs the trained tiny_run."""
    code = ("import sys, numpy as np\nfrom edge.model import EdgeModel\n"
            "m = EdgeModel(sys.argv[1]); m.classify(np.zeros((1, *m.input_shape[1:]), np.uint8))\n"
            "print(m.runtime, sorted({n.split('.')[0] for n in sys.modules} & {'tensorflow', 'keras'}))")
    r = _run(code, str(model_dir / "compact" / "model_int8-full.tflite"))
    assert r.stdout.split("\n")[0] == "litert []", r.stdout + r.stderr


def test_cxr_edge_runtime_is_read_without_surrounding_spaces_and_an_unknown_name_is_refused(monkeypatch):
    """A service file's Environment="CXR_EDGE_RUNTIME=litert " (a trailing space) forces LiteRT, not an error."""
    monkeypatch.setenv("CXR_EDGE_RUNTIME", " tensorflow ")
    pytest.importorskip("tensorflow")
    cls, name = interpreter_class()
    import tensorflow as tf

    assert name == "tensorflow" and cls is tf.lite.Interpreter
    monkeypatch.setenv("CXR_EDGE_RUNTIME", "tflite")
    with pytest.raises(RuntimeMissing) as e:
        interpreter_class()
    assert str(e.value) == "CXR_EDGE_RUNTIME='tflite' is not one of: litert, tflite_runtime, tensorflow"


def test_runtime_version_names_each_runtimes_own_distribution(monkeypatch):
    """The version said by --info and every self-test comes from the distribution's metadata: 'unknown' for an
    installed runtime means a wrong distribution name. The names are pinned against this fixed map first, so that a
    slip in one fails here whether or not that runtime is installed (tflite-runtime is not, beside TensorFlow)."""
    from importlib import metadata

    with monkeypatch.context() as m:
        asked: list[str] = []
        m.setattr(metadata, "version", lambda dist: asked.append(dist) or f"v-{dist}")
        assert [runtime_version(n) for n in ("litert", "tflite_runtime", "tensorflow")] == \
            ["v-ai-edge-litert", "v-tflite-runtime", "v-tensorflow"]
        assert asked == ["ai-edge-litert", "tflite-runtime", "tensorflow"]
    if find_spec("ai_edge_litert") is not None:
        assert runtime_version("litert") == metadata.version("ai-edge-litert") != "unknown"
    if find_spec("tensorflow") is not None:
        assert runtime_version("tensorflow") == metadata.version("tensorflow") != "unknown"
    if find_spec("tflite_runtime") is None:
        assert runtime_version("tflite_runtime") == "unknown"


def test_usable_cores_are_those_this_process_is_pinned_to():
    """taskset -c 0 edge-classify ...: one core, whatever the machine has (edge.batch's decoding workers)."""
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform")
    r = _run("import os; os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})\n"
             "from edge.runtime import usable_cores; print(usable_cores())")
    assert r.stdout.strip() == "1", r.stdout + r.stderr
    assert usable_cores() == len(os.sched_getaffinity(0)) >= 1


def test_silenced_fd_hides_c_level_writes_and_gives_the_descriptor_back():
    """TFLite's notes go to descriptor 2 straight from C: hidden inside the block; after it, errors show again."""
    code = ("import os\nfrom edge.runtime import silenced_fd\n"
            "with silenced_fd(2):\n    os.write(2, b'HIDDEN\\n')\nos.write(2, b'SHOWN\\n')\n"
            "with silenced_fd(1):\n    os.write(1, b'HIDDEN\\n')\nos.write(1, b'OUT\\n')\n")
    r = _run(code)
    assert r.stderr == "SHOWN\n" and r.stdout == "OUT\n", (r.stdout, r.stderr)
    before = os.fstat(2).st_ino
    with silenced_fd(2):
        pass
    assert os.fstat(2).st_ino == before


def test_a_runtime_that_imports_but_cannot_run_with_this_numpy_is_named_not_taken_or_called_missing(monkeypatch):
    """tflite-runtime 2.14 imports under NumPy 2, then fails every model: interpreter_class must refuse it by name
    (numpy_mismatch), neither hand it out nor say 'no TFLite runtime is installed'. A module that imports (json)
    stands in for it under the runtime's name; NumPy here is 2 or later, or the check does not apply."""
    import numpy

    from edge import runtime

    if int(numpy.__version__.split(".")[0]) < 2:
        pytest.skip("NumPy 1 here: tflite-runtime runs with it")
    monkeypatch.setattr(runtime, "RUNTIMES", (("tflite_runtime", "json", "pip install tflite-runtime"),))
    monkeypatch.delenv("CXR_EDGE_RUNTIME", raising=False)
    with pytest.raises(RuntimeMissing) as e:
        interpreter_class()
    assert "was built for NumPy 1 and cannot run with the NumPy" in str(e.value)
    assert "no TFLite runtime is installed" not in str(e.value)


def test_silenced_fd_flushes_what_was_written_before_it_and_drops_only_what_came_inside():
    """A line begun on sys.stderr before the block ('reading film.png ... ') is flushed out to the terminal first;
    flushed inside, it went to /dev/null with the runtime's notes. Python's own writes inside are flushed there
    before the descriptor comes back, not later onto the terminal. Python's streams buffered as on a device
    (PYTHONUNBUFFERED, set in some shells and CI, makes every flush a no-op and hid all of this)."""
    code = ("import sys\nfrom edge.runtime import silenced_fd\n"
            "sys.stderr.write('BEFORE ')\nwith silenced_fd(2):\n    sys.stderr.write('inside')\nsys.stderr.write('AFTER\\n')\n"
            "sys.stdout.write('before ')\nwith silenced_fd(1):\n    sys.stdout.write('inside')\nsys.stdout.write('after\\n')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CXR_EDGE_RUNTIME", "PYTHONUNBUFFERED")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**env, "PYTHONPATH": str(REPO)})
    assert (r.stdout, r.stderr) == ("before after\n", "BEFORE AFTER\n")


def test_a_runtime_is_imported_with_its_c_level_notes_on_stderr_hidden(tmp_path, monkeypatch):
    """TensorFlow and TFLite write their start-up notes straight to descriptor 2: edge-classify's stderr holds only
    its own lines. A stand-in runtime module writes to descriptor 2 as it is imported."""
    (tmp_path / "chatty_runtime.py").write_text("import os\nos.write(2, b'NOTE from C\\n')\nInterpreter = object\n")
    code = ("import sys\nsys.path.insert(0, sys.argv[1])\nfrom edge import runtime\n"
            "runtime.RUNTIMES = (('litert', 'chatty_runtime', 'pip install chatty'),)\n"
            "print(runtime.interpreter_class())\n")
    r = _run(code, str(tmp_path))
    assert (r.stdout, r.stderr) == ("(<class 'object'>, 'litert')\n", "")


def test_a_numpy_version_without_a_number_first_is_no_reason_to_refuse_a_runtime():
    """A NumPy built from source can say a version such as 'dev0+abc': no crash (ValueError) while choosing."""
    from edge.runtime import numpy_mismatch

    assert numpy_mismatch("tflite_runtime", "2.14.0", "dev0+abc") is None
    assert numpy_mismatch("tflite_runtime", "2.14.0", "2.1.0") is not None
