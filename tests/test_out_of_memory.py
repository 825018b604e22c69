"""A film that could not be decoded for want of memory is said to be that, not a corrupt file nor a damaged
model: a watch tries such a film again (edge.watch.TRANSIENT), and the user frees memory rather than
copying good files again. Pillow's Image.open raises a bare MemoryError; a lazily imported decoder an
ImportError that says "failed to map segment"."""

from __future__ import annotations

import builtins
import io

import numpy as np
import pytest
from PIL import Image

import edge.preprocess
from edge.batch import decode
from edge.preprocess import ImageError, PreprocessConfig, decode_bytes, load_bytes

OUT_OF_MEMORY = "out of memory while decoding"  # edge.preprocess.OUT_OF_MEMORY, which edge.watch.TRANSIENT retries


def png() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.add.outer(np.arange(64), np.arange(64)).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def out_of_memory(*args, **kwargs):
    raise MemoryError


@pytest.mark.parametrize("raised", [MemoryError(), OSError(12, "Cannot allocate memory"),
                                    ImportError("libopenjp2.so.7: failed to map segment from shared object")])
def test_running_out_of_memory_in_image_open_is_said_as_such(raised, monkeypatch, tmp_path):
    def fails(*args, **kwargs):
        raise raised

    monkeypatch.setattr(edge.preprocess.Image, "open", fails)
    with pytest.raises(ImageError, match=f"^{OUT_OF_MEMORY}$"):
        decode_bytes(png())
    (tmp_path / "a.png").write_bytes(png())
    assert decode(str(tmp_path / "a.png"), PreprocessConfig()) == OUT_OF_MEMORY  # what a batch and a watch say


def test_running_out_of_memory_while_checking_a_png_is_not_a_corrupt_png(monkeypatch):
    opened = Image.open
    calls = []

    def second_fails(*args, **kwargs):  # the first open reads the header; _check_png's is the second
        calls.append(1)
        if len(calls) == 2:
            raise MemoryError
        return opened(*args, **kwargs)

    monkeypatch.setattr(edge.preprocess.Image, "open", second_fails)
    with pytest.raises(ImageError, match=f"^{OUT_OF_MEMORY}$"):
        decode_bytes(png())


def test_a_bad_file_is_still_called_unreadable():
    with pytest.raises(ImageError, match="not a readable image"):
        decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))


def test_pydicom_that_cannot_be_mapped_is_memory_not_a_missing_install(monkeypatch):
    pytest.importorskip("pydicom")
    from tests.test_dicom import make_dicom

    data = make_dicom(np.add.outer(np.arange(64), np.arange(64)).astype(np.uint16) * 16)
    real_import = builtins.__import__

    def no_room(name, *args, **kwargs):
        if name == "pydicom":
            raise ImportError("libz.so.1: failed to map segment from shared object")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_room)
    with pytest.raises(ImageError, match=f"^{OUT_OF_MEMORY}$"):
        load_bytes(data, "a.dcm")


def test_a_selftest_out_of_memory_blames_memory_not_the_file(tiny_run, monkeypatch):
    from edge.about import selftest_problem
    from edge.model import EdgeModel, ModelFileError

    m = EdgeModel(tiny_run / "model_int8.tflite")
    monkeypatch.setattr(edge.preprocess.Image, "open", out_of_memory)
    with pytest.raises(ModelFileError, match="out of memory while running its self-test"):
        m.selftest()
    kind, why = selftest_problem(m, tiny_run / "model_int8.tflite")
    assert kind == "error" and "not at fault" in why and "damaged" not in why and "copy it again" not in why


class Model:
    """The classifier's interface, without a runtime: a batch's retries are what is tested here."""

    preprocess = PreprocessConfig(size=8)

    def classify(self, batch):
        return np.tile([[0.25, 0.75]], (len(batch), 1))


def test_films_that_ran_out_of_memory_together_are_decoded_again_one_at_a_time(monkeypatch):
    """Eight 7000x7000 films, each decodable alone, failed when four threads decoded them at once, and a
    watch's one retry failed them together again: 6 of 8 were never answered."""
    import threading
    import time

    import edge.batch

    lock, busy, alone_fails = threading.Lock(), [0], {"huge.png"}

    def decode(path, config):  # out of memory whenever another film is decoded at the same time
        with lock:
            busy[0] += 1
        time.sleep(0.05)
        with lock:
            crowded = busy[0] > 1
            busy[0] -= 1
        return OUT_OF_MEMORY if crowded or path in alone_fails else np.zeros((8, 8, 1), np.uint8)

    monkeypatch.setattr(edge.batch, "decode", decode)
    paths = [f"b{k}.png" for k in range(8)] + ["huge.png"]
    out = list(edge.batch.classify_files(Model(), paths, workers=4))
    assert sorted(r.file for r in out) == sorted(paths)
    answered = {r.file for r in out if r.error is None}
    assert answered == set(paths) - alone_fails
    (huge,) = [r for r in out if r.file == "huge.png"]
    assert huge.error.startswith(OUT_OF_MEMORY) and "--threads 1" in huge.error  # still "out of memory": a watch retries it


def test_a_process_pinned_to_one_core_decodes_one_film_at_a_time(monkeypatch):
    """A service pinned to one of a Pi's four cores (taskset, CPUAffinity=) decoded four films at once by the
    board's core count: four large films' memory held (1.2 GB on a 1 GB board), and no faster."""
    import os
    import threading
    import time

    import edge.batch

    lock, busy, most = threading.Lock(), [0], [0]

    def decode(path, config):
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(0.1)  # long enough that four threads overlap on a loaded machine
        with lock:
            busy[0] -= 1
        return np.zeros((8, 8, 1), np.uint8)

    monkeypatch.setattr(edge.batch, "decode", decode)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {2}, raising=False)
    out = list(edge.batch.classify_files(Model(), [f"b{k}.png" for k in range(8)]))
    assert [r.error for r in out] == [None] * 8 and most[0] == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    most[0] = 0
    list(edge.batch.classify_files(Model(), [f"b{k}.png" for k in range(8)]))
    assert most[0] > 1  # all four cores: films decoded side by side


@pytest.mark.parametrize("raised", [MemoryError(), ImportError(
    "\n\nIMPORTANT: PLEASE READ THIS FOR ADVICE ON HOW TO SOLVE THIS ISSUE!\n\nOriginal error was: "
    "libgfortran-040039e1.so.5.0.0: failed to map segment from shared object\n")])
def test_too_little_memory_to_start_is_one_line_and_exit_2(raised, monkeypatch, capsys):
    """Under a tight memory limit, importing NumPy's libraries printed a 66-line traceback with exit code 1,
    which means "some files failed", though no file was read."""
    import importlib

    from edge.entry import start

    def fails(name, *args, **kwargs):
        raise raised

    monkeypatch.setattr(importlib, "import_module", fails)
    with pytest.raises(SystemExit) as stop:
        start("edge-classify", "edge.cli", "run")
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("edge-classify: error: not enough memory to start (")
    assert "IMPORTANT" not in err and ("libgfortran" in err or "MemoryError" in err)


def test_an_import_error_that_is_not_memory_is_left_alone(monkeypatch):
    import importlib

    from edge.entry import start

    def fails(name, *args, **kwargs):
        raise ImportError("No module named 'typer'")

    monkeypatch.setattr(importlib, "import_module", fails)
    with pytest.raises(ImportError, match="typer"):
        start("edge-classify", "edge.cli", "run")


def test_running_out_of_memory_reading_a_dicom_header_is_not_an_unreadable_dicom(monkeypatch):
    pydicom = pytest.importorskip("pydicom")
    from tests.test_dicom import make_dicom

    data = make_dicom(np.add.outer(np.arange(64), np.arange(64)).astype(np.uint16) * 16)
    monkeypatch.setattr(pydicom, "dcmread", out_of_memory)
    with pytest.raises(ImageError, match=f"^{OUT_OF_MEMORY}$"):
        load_bytes(data, "a.dcm")


@pytest.mark.parametrize("raised", [MemoryError("Unable to allocate 128. KiB"),
                                    ImportError("/venv/ai_edge_litert/libLiteRt.so: failed to map segment from shared object")])
def test_a_runtime_that_cannot_be_loaded_for_memory_is_said_as_memory(raised, capsys):
    """At a 160 MB limit the runtime's library could not be mapped: 'unexpected OSError: ...libLiteRt.so: ...'."""
    import typer

    from edge.error_lines import one_line_errors

    with pytest.raises(typer.Exit) as stop:
        with one_line_errors("edge-classify", debug=False, expected=(ValueError,)):
            raise raised
    err = capsys.readouterr().err
    assert stop.value.exit_code == 2 and err.startswith("edge-classify: error: not enough memory (") and "unexpected" not in err


def test_a_runtime_that_cannot_be_mapped_for_want_of_memory_is_not_called_not_installed(monkeypatch):
    """Under an address-space limit the runtime's import fails with 'failed to map segment from shared object':
    edge-classify said 'no TFLite runtime is installed: pip install ai-edge-litert', of a runtime installed."""
    import importlib

    from edge import runtime

    real = importlib.import_module

    def mapped_nothing(name, *a, **k):
        if name == "ai_edge_litert.interpreter":
            raise ImportError("libpywrap_litert_common.so: failed to map segment from shared object")
        return real(name, *a, **k)

    monkeypatch.setattr(runtime.importlib, "import_module", mapped_nothing)
    monkeypatch.delenv("CXR_EDGE_RUNTIME", raising=False)
    with pytest.raises(ImportError, match="failed to map segment"):
        runtime.interpreter_class()
