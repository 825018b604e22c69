"""Shared fixtures: one tiny real run (real TensorFlow training, real converter) per session."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from benchmarks.data_path import CXR_DEV  # $CXR_DEV_DATA, else ../shared/data/cxr-dev


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """A compact model trained for 2 epochs on 16 synthetic images per class, 64x64, converted
    to int8 and fp32. Real parts throughout; tiny so the suite stays fast."""
    def build(folder: Path) -> None:
        from train.quiet import load_tensorflow

        load_tensorflow()
        from convert.quantize import ConvertSettings, run_conversion
        from train.run import TrainSettings, run_training

        run = folder / "run"
        run_training(TrainSettings(data="synthetic", out=run, image_size=64, epochs=2, synthetic_count=16,
                                   batch_size=8, progress=False))
        run_conversion(ConvertSettings(run_dir=run, modes=["int8", "fp32"], latency_threads=(), n_boot=100,
                                       progress=False))

    return built_once(tmp_path_factory, "tiny", build) / "run"


@pytest.fixture(scope="module")
def model(tiny_run) -> Path:
    """tiny_run's int8 model, the one most edge tests classify with (each module had its own copy of this).
    A module that needs another model, or imports one, keeps its own `model`: it overrides this one."""
    return tiny_run / "model_int8.tflite"


@pytest.fixture(scope="module")
def films(tiny_run) -> list[Path]:
    """The first two films, sorted, of the synthetic set tiny_run was trained on. Modules that want something
    else under this name keep their own: test_edge_cli_messages's is the set's folder (test_awkward_paths,
    test_edge_cli_inputs and test_edge_cli_outputs import it), test_edge_service_output's three films."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    return sorted(data.glob("*/*.png"))[:2]


@pytest.fixture(scope="session")
def held_out_run(tmp_path_factory) -> Path:
    """The suite's one tiny --holdout-source run (tests/held_out_run.py): folder/data, synthetic films whose
    MANIFEST.csv names their sources (siteb held out), and folder/run, trained and converted to int8. Built once,
    for every test that needs such a run (each trained its own before); copy data before changing it."""
    from tests.held_out_run import build

    return built_once(tmp_path_factory, "held-out", build)


@pytest.fixture(scope="session")
def unseen_site(tmp_path_factory) -> Path:
    """A site folder, my_site, of 16 synthetic films a class drawn with another seed than tiny_run's: films its
    model never saw, for a rule that --save-model stores (it refuses --keep-seen). Copy it before changing it."""
    from train.synthetic_set import generate

    site = tmp_path_factory.mktemp("unseen") / "my_site"
    generate(site, n_per_class=16, size=(96, 96), seed=101)
    return site


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """Every mode's .tflite of a tiny compact and seed model (tests.runtime_models). `make test`'s
    second run, in the tflite-runtime venv without TensorFlow, reuses the first run's files
    (CXR_EDGE_MODELS)."""
    given = os.environ.get("CXR_EDGE_MODELS")
    if given:
        return Path(given)
    pytest.importorskip("tensorflow", reason="building models needs TensorFlow; set CXR_EDGE_MODELS to reuse built ones")
    from tests.runtime_models import build_all

    given_out = os.environ.get("CXR_EDGE_MODELS_OUT")
    if not given_out:
        return built_once(tmp_path_factory, "runtime-models", build_all)
    out = Path(given_out)
    out.mkdir(parents=True, exist_ok=True)
    with _held(out.parent / f".{out.name}.lock"):  # pytest-xdist's workers: one builds, the others wait for it
        stamp = out / ".built-by"
        this_run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
        if not (this_run and stamp.is_file() and stamp.read_text() == this_run):
            stamp.unlink(missing_ok=True)
            build_all(out)
            if this_run:
                stamp.write_text(this_run)
    return out


@contextmanager
def _held(lock_path: Path) -> Iterator[None]:
    """An exclusive lock on lock_path for the block (fcntl: the suite runs on Linux and macOS)."""
    import fcntl

    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def built_once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> Path:
    """A folder that build(folder) fills, made once per test run. Under pytest-xdist each worker is a process
    with its own session fixtures: the first to get here builds into the run's shared temporary folder and the
    others wait for it and take that folder, rather than each training the same tiny models again. Tests must
    not change what it holds (copy it first), as for any session fixture."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    folder = tmp_path_factory.getbasetemp().parent / f"shared-{name}"  # the run's folder, above each worker's own
    with _held(folder.parent / f".{name}.lock"):
        if not (folder / ".built").is_file():
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


def cxr_dev_or_skip() -> Path:
    if not (CXR_DEV / "MANIFEST.csv").is_file():
        pytest.skip(f"real chest X-rays not available at {CXR_DEV} (read-only shared data; absent outside the workplace; "
                    "CXR_DEV_DATA names another place)")
    return CXR_DEV


def unpadded(md: str) -> str:
    """A report's Markdown with its tables' padding (convert.report_text.align_tables) taken out,
    so tests can look for a row as it would read unaligned: '| COVID | 12 |'."""
    import re

    return "\n".join(re.sub(r" {2,}", " ", line) if line.startswith("|") else line for line in md.splitlines()) + "\n"


@pytest.fixture(scope="session", autouse=True)
def probe_verdicts_kept_apart(tmp_path_factory):
    """edge.probe keeps its verdicts under $XDG_CACHE_HOME: the suite's own, never the user's ~/.cache
    (commands started as processes inherit it)."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(autouse=True)
def watch_settles_in_two_polls(monkeypatch):
    """Watcher tests poll without sleeping: a file settles on two polls alone (edge.watch.QUIET_NS 0).
    A test of the quiet span sets it back; watches started as processes keep the 3 s."""
    import edge.watch

    monkeypatch.setattr(edge.watch, "QUIET_NS", 0)
