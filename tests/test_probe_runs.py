"""edge.probe's child runs the model once, not only loads it: edge.model runs every model on a black input when it
loads it (EdgeModel._trial_run), so a flatbuffer that crashes natively only when run would have killed edge-classify
with a bare 'Segmentation fault' after the probe had vouched for it. A verdict kept by an older version, which never
ran the model ("loads"), is no longer enough: the file is tried again.

A flatbuffer that crashes only at invoke is hard to build, so the crash is a real one in a real child: the child's
own code, started by a Python whose interpreter kills itself (SIGSEGV) when invoke is called; loading and allocating
stay the real runtime's."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from edge.model import EdgeModel, ModelFileError


def _kept(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "cxr-edge" / "probed").iterdir())


def _dies_at_invoke(tmp_path: Path) -> Path:
    """An executable that runs the probe's child (``-c CODE ARGS``) with the real Python, its runtime's invoke a
    SIGSEGV: the process dies of a signal exactly where a model crashing at run would kill it."""
    script = tmp_path / "dies_at_invoke.py"
    script.write_text(
        "import os, signal, sys\n"
        "code, sys.argv = sys.argv[2], ['-c', *sys.argv[3:]]\n"
        "sys.path.insert(0, sys.argv[4])\n"
        "from edge.runtime import interpreter_class\n"
        "interpreter_class()[0].invoke = lambda self, *a, **k: os.kill(os.getpid(), signal.SIGSEGV)\n"
        "exec(compile(code, '<probe child>', 'exec'), {'__name__': '__main__'})\n")
    wrapper = tmp_path / "dies-at-invoke-python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


@pytest.mark.skipif(not hasattr(signal, "SIGSEGV") or sys.platform == "win32", reason="a POSIX shell and signals")
def test_a_model_that_crashes_only_when_run_is_refused_not_run_here(model_dir, tmp_path, monkeypatch):
    model = model_dir / "compact" / "model_int8.tflite"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "executable", str(_dies_at_invoke(tmp_path)))
    with pytest.raises(ModelFileError, match=r"crashed \(signal 11\) loading or running this model"):
        EdgeModel(model)
    assert not (tmp_path / "cache" / "cxr-edge" / "probed").exists()  # a crash is not kept


def test_a_good_model_is_kept_as_run_and_an_old_loads_verdict_is_tried_again(model_dir, tmp_path, monkeypatch):
    model = model_dir / "compact" / "model_int8.tflite"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert EdgeModel(model).labels
    (kept,) = _kept(tmp_path)
    assert kept.read_text() == "runs\n"
    kept.write_text("loads\n")  # as cxr-edge 0.49 kept it: loaded, never run
    crashing = tmp_path / "crashing-python"
    crashing.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crashing.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(crashing))  # started only if the file is tried again
    with pytest.raises(ModelFileError, match="crashed"):
        EdgeModel(model)
    kept.write_text("runs\n")  # the new verdict is enough: no child is started
    assert EdgeModel(model).labels
