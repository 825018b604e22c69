"""edge.batch._answer pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which the fast tests of the module let through). The classifier is a plain numpy one: _answer
reads only its classify() and atypical()."""

from __future__ import annotations

import numpy as np

from edge.batch import _answer
from edge.preprocess import PreprocessConfig


class Fixed:
    """A classifier giving ``out`` for any film, and ``flag`` as its input check's verdict (None: no check)."""

    preprocess = PreprocessConfig(size=8)

    def __init__(self, out, flag=None):
        self.out, self.flag = np.asarray(out, dtype=np.float32), flag

    def classify(self, batch):
        return self.out[None]

    def atypical(self, batch):
        return None if self.flag is None else np.array([self.flag, not self.flag])


X = np.zeros((4, 4, 1), np.uint8)


def test_a_film_its_header_refused_undecoded_is_an_atypical_error():
    r = _answer(Fixed([0.5, 0.5]), "ct.dcm", None, False, "its header says CT")
    assert (r.error, r.atypical, r.header_says) == ("refused: its header says CT", True, "its header says CT")


def test_infinity_is_no_answer():
    assert _answer(Fixed([np.inf, 0.0]), "a.png", X, False).error.startswith("inference failed (the model gave no finite")


def test_a_header_flag_makes_the_film_atypical_and_the_checks_own_verdict_is_kept():
    r = _answer(Fixed([0.9, 0.1], flag=False), "a.dcm", X, False, "its header says lateral")
    assert (r.atypical, r.input_check) == (True, False)


def test_the_first_films_verdict_is_the_answers_and_the_input_is_kept_only_when_asked():
    r = _answer(Fixed([0.9, 0.1], flag=False), "a.png", X, False)
    assert (r.atypical, r.image) == (False, None)
    assert _answer(Fixed([0.9, 0.1]), "a.png", X, True).image is X


def test_a_failing_model_is_one_films_error():
    class Broken(Fixed):
        def classify(self, batch):
            raise RuntimeError("tensor shape")

    assert _answer(Broken([0.5]), "a.png", X, False).error == "inference failed (RuntimeError: tensor shape)"


# --- expand_inputs, decode, decode_film, _submit and classify_files (session 65's survivors) ---

def test_names_that_give_no_film_are_each_one_error_and_a_broken_link_is_tried(tmp_path):
    from edge.batch import expand_inputs

    (tmp_path / "dead").symlink_to(tmp_path / "gone.png")      # tried: its decode says what is wrong with it
    long = str(tmp_path / ("x" * 300))                         # ENAMETOOLONG: this path's error alone
    files, errors = expand_inputs([long, str(tmp_path / "nope.png"), str(tmp_path / "dead")])
    assert files == [str(tmp_path / "dead")]
    assert [(e.file, e.error.split(" (")[0]) for e in errors] == [(long, "cannot look at this path"),
                                                               (str(tmp_path / "nope.png"), "no such file or folder")]


def test_a_decoder_short_of_memory_is_said_as_out_of_memory(monkeypatch):
    import edge.batch
    from edge.preprocess import OUT_OF_MEMORY

    def short(path, config):
        raise MemoryError()

    monkeypatch.setattr(edge.batch, "preprocess_file", short)
    assert edge.batch.decode("a.png", PreprocessConfig(size=8)) == OUT_OF_MEMORY


def _ct(path):
    from tests.test_answering_pinned import _ct as ct

    return ct(path)


def test_a_film_decoded_where_no_thread_can_be_started_is_refused_for_its_header_all_the_same(tmp_path):
    """A pool that can start no thread raises RuntimeError (as one shut down does): the film is decoded here,
    and --refuse-atypical still refuses what its header flags."""
    from concurrent.futures import ThreadPoolExecutor

    from edge.batch import _submit

    ct = _ct(tmp_path / "ct.dcm")
    pool = ThreadPoolExecutor(max_workers=1)
    pool.shutdown()
    x, says, frames = _submit(pool, ct, PreprocessConfig(size=32), True).result()
    assert x is None and says.startswith("the DICOM header says Modality CT") and frames is None


def test_every_film_past_the_first_window_is_refused_for_its_header_too(tmp_path):
    from edge.batch import classify_files
    from tests.test_answering_pinned import Model

    cts = [_ct(tmp_path / f"ct{i}.dcm") for i in range(3)]
    out = list(classify_files(Model(), cts, workers=1, window=1, refuse_header=True))
    assert [r.error.startswith("refused: the DICOM header says") for r in out] == [True] * 3


def _counted_decodes(monkeypatch, seconds: float = 0.0) -> list[str]:
    import time

    import edge.batch

    started: list[str] = []

    def decode(path, config):
        started.append(path)
        time.sleep(seconds)
        return np.zeros((8, 8, 1), np.uint8)

    monkeypatch.setattr(edge.batch, "decode", decode)
    return started


def test_no_more_films_than_the_window_are_decoded_ahead(monkeypatch):
    import time

    from edge.batch import classify_files

    started = _counted_decodes(monkeypatch)
    answers = classify_files(Fixed([0.5, 0.5]), [f"{i}.png" for i in range(10)], workers=1, window=2)
    next(answers)
    deadline = time.monotonic() + 5
    while len(started) < 3 and time.monotonic() < deadline:  # the worker decodes all it was given
        time.sleep(0.01)
    time.sleep(0.2)            # and no more, however long it is left to
    assert len(started) == 3   # the window, and the one queued as the first was taken
    answers.close()


def test_a_batch_stopped_decodes_none_of_the_films_queued(monkeypatch):
    import time

    from edge.batch import classify_files

    started = _counted_decodes(monkeypatch, 0.05)
    answers = classify_files(Fixed([0.5, 0.5]), [f"{i}.png" for i in range(10)], workers=1, window=10)
    next(answers)
    answers.close()            # Ctrl-C, a reader gone
    time.sleep(0.5)
    assert len(started) <= 2


def test_one_worker_short_of_memory_is_not_tried_again_alone(monkeypatch):
    import edge.batch
    from edge.preprocess import OUT_OF_MEMORY

    tried: list[str] = []

    def decode(path, config):
        tried.append(path)
        return OUT_OF_MEMORY

    monkeypatch.setattr(edge.batch, "decode", decode)
    (r,) = edge.batch.classify_files(Fixed([0.5, 0.5]), ["big.png"], workers=1)
    assert (r.error, tried) == (OUT_OF_MEMORY, ["big.png"])   # --threads 1 was alone already


def test_a_film_without_an_image_suffix_has_pydicom_loaded_before_the_workers_start(tmp_path):
    """DICOM's names (IM0001) carry no suffix: pydicom is imported in the main thread for them, where a worker's
    import under ulimit -v crawled for minutes holding the GIL."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys\nfrom edge.batch import classify_files\nfrom edge.preprocess import PreprocessConfig\n"
            "class M:\n    preprocess = PreprocessConfig(size=8)\n"
            "g = classify_files(M(), ['IM0001'], workers=1)\nnext(g)\n"
            "print('pydicom.pixels' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert out.stdout.strip() == "True", out.stderr


def test_a_fifo_given_as_a_film_is_refused_without_being_opened(tmp_path):
    """A pipe named as a film (`edge-classify <(cat film.png)`) is said to be no regular file; its DICOM header is not
    looked for first, which opened the pipe and waited for a writer that may never come."""
    import os
    import threading

    from edge.batch import decode_film

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(decode_film(str(fifo), PreprocessConfig(size=32))), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # waiting for a writer: give it one, so that the thread ends
        with open(fifo, "wb"):
            pass
        reader.join(10)
        got.append("waited for a writer")
    assert got == [("not a regular file (a FIFO, socket or device)", None)]
