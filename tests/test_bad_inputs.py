"""edge-classify on the bad-input corpus (tests/corpus.py) and on broken model files.

The whole corpus goes through ONE edge-classify process (text, then --json): every good file is
classified, every bad one gets exactly one line (or JSON object) naming the file and the reason,
the batch goes on, the exit code is 1, and no traceback ever reaches the user. Model-file errors
exit with 2 and one line. One tiny model is trained and converted with the real pipeline per module.
"""

from __future__ import annotations

import json
from collections import Counter
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.corpus import BAD, GOOD, make_corpus
from tests.unprivileged import can_be_denied, run_as_a_user, why_not_a_user

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "edge-classify: "


def edge_classify(*args: object, timeout: float = 60, as_a_user: bool = False) -> subprocess.CompletedProcess:
    """Run edge-classify in a fresh interpreter; stdout/stderr decoded as the CLI wrote them. as_a_user:
    in one that file permissions stop even as root, so the chmod-000 file is refused (tests/unprivileged.py)."""
    cmd = [sys.executable, "-m", "edge.cli", *(str(a) for a in args)]
    p = (run_as_a_user if as_a_user else subprocess.run)(cmd, cwd=ROOT, capture_output=True, timeout=timeout)
    p.stdout = p.stdout.decode("utf-8", "surrogateescape")  # non-UTF-8 file names come back as bytes
    p.stderr = p.stderr.decode("utf-8", "surrogateescape")
    return p


def assert_clean_stderr(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert all(line.startswith(PREFIX) for line in stderr.splitlines()), f"a stray line on stderr:\n{stderr}"


@pytest.fixture(scope="module")
def labels(model) -> list[str]:
    from edge.metadata import read

    return read(model)[1]["labels"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return make_corpus(tmp_path_factory.mktemp("corpus") / "files")


@pytest.fixture(scope="module")
def batch(corpus) -> list[str]:
    """The names that go into the one batch: everything (but the chmod-000 file where root cannot be made
    to run edge-classify as a user whom its permissions stop)."""
    names = [n for n in corpus if not (n == "unreadable" and not can_be_denied())]
    assert set(GOOD) <= set(names) and len(names) >= len(GOOD) + 9
    return names


@pytest.fixture(scope="module")
def text_run(model, corpus, batch) -> subprocess.CompletedProcess:
    return edge_classify(*(corpus[n] for n in batch), "--model", model, as_a_user=can_be_denied())


@pytest.fixture(scope="module")
def json_run(model, corpus, batch) -> subprocess.CompletedProcess:
    return edge_classify(*(corpus[n] for n in batch), "--json", "--model", model, as_a_user=can_be_denied())


def _skip_if_absent(name: str, corpus: dict[str, Path], batch: list[str]) -> None:
    if name == "unreadable" and not can_be_denied():
        pytest.skip(why_not_a_user())
    if name not in batch:
        pytest.skip(f"{name}: not made on this platform")


# ---- the corpus in one text batch --------------------------------------------------------


def test_text_batch_goes_on_and_exits_1(text_run, batch, labels):
    assert text_run.returncode == 1, text_run.stderr
    assert_clean_stderr(text_run.stderr)
    # one output line per good file, one error line per bad one (plus the synthetic-model note and
    # the input check's warnings, which are not errors)
    errors = [ln for ln in text_run.stderr.splitlines()
              if not ln.startswith((PREFIX + "note:", PREFIX + "warning:", PREFIX + "summary:"))]
    assert len(text_run.stdout.splitlines()) == len(GOOD)
    assert len(errors) == len(batch) - len(GOOD), text_run.stderr
    # the last line tallies the batch: every file once, by the label it got, and the failures
    summary = text_run.stderr.splitlines()[-1]
    got = Counter(ln.split("\t")[1] for ln in text_run.stdout.splitlines())
    warned = sum(ln.startswith(PREFIX + "warning:") and "less typical than" in ln for ln in text_run.stderr.splitlines())
    assert summary == (PREFIX + f"summary: {len(batch)} files: " + ", ".join(f"{got[c]} {c}" for c in labels)
                       + f", {len(batch) - len(GOOD)} failed"
                       + (f"; {warned} unlike the training images (input check)" if warned else ""))


@pytest.mark.parametrize("name", GOOD)
def test_text_good_file_is_classified(name, text_run, corpus, labels):
    rows = [ln.split("\t") for ln in text_run.stdout.splitlines() if ln.split("\t")[0] == str(corpus[name])]
    assert len(rows) == 1, f"{corpus[name]!r} not classified exactly once:\n{text_run.stdout}\n{text_run.stderr}"
    assert rows[0][1] in labels and 0.0 <= float(rows[0][2]) <= 1.0
    # no error line (the input check may warn, e.g. about rgba.png's transparent strip)
    assert not any(ln.startswith(f"{PREFIX}{corpus[name]}: ") for ln in text_run.stderr.splitlines()), text_run.stderr


@pytest.mark.parametrize("name", sorted(BAD))
def test_text_bad_file_gives_one_line_with_reason(name, text_run, corpus, batch):
    _skip_if_absent(name, corpus, batch)
    head = f"{PREFIX}{corpus[name]}: "
    lines = [ln for ln in text_run.stderr.splitlines() if ln.startswith(head)]
    assert len(lines) == 1, f"expected one line starting {head!r}:\n{text_run.stderr}"
    assert BAD[name] in lines[0].lower(), lines[0]
    assert not any(ln.startswith(str(corpus[name]) + "\t") for ln in text_run.stdout.splitlines())


# ---- the same batch with --json -----------------------------------------------------------


def test_json_batch_goes_on_and_exits_1(json_run, batch):
    assert json_run.returncode == 1, json_run.stderr
    assert_clean_stderr(json_run.stderr)
    records = [json.loads(ln) for ln in json_run.stdout.splitlines()]  # every line is one JSON object
    assert len(records) == len(batch)
    # with --json the per-file errors are records on stdout, not lines on stderr; the tally is stderr's last line
    *notes, summary = json_run.stderr.splitlines()
    # notes, and the warning that the tiny run's file, whose few test films cannot show it beats chance, gets
    assert all(ln.startswith(PREFIX + "note:") or ": on its test split its balanced accuracy's interval " in ln
               for ln in notes), json_run.stderr
    assert summary.startswith(PREFIX + f"summary: {len(batch)} files: ")
    assert f", {len(batch) - len(GOOD)} failed" in summary


def _records(run: subprocess.CompletedProcess, path: Path) -> list[dict]:
    from edge.names import exact_name  # a name that is not UTF-8 is text, its bytes in file_bytes

    return [r for r in map(json.loads, run.stdout.splitlines()) if exact_name(r) == str(path)]


@pytest.mark.parametrize("name", GOOD)
def test_json_good_file_is_classified(name, json_run, corpus, labels):
    recs = _records(json_run, corpus[name])
    assert len(recs) == 1, json_run.stdout
    rec = recs[0]
    assert "error" not in rec and rec["label"] in labels
    assert set(rec["probabilities"]) == set(labels)
    assert abs(sum(rec["probabilities"].values()) - 1.0) < 1e-3


@pytest.mark.parametrize("name", sorted(BAD))
def test_json_bad_file_gives_one_error_object(name, json_run, corpus, batch):
    _skip_if_absent(name, corpus, batch)
    recs = _records(json_run, corpus[name])
    assert len(recs) == 1, json_run.stdout
    assert set(recs[0]) == {"file", "error"}
    assert BAD[name] in recs[0]["error"].lower(), recs[0]


def test_unreadable_file_alone(model, corpus):
    p = edge_classify(corpus["unreadable"], "--model", model, as_a_user=True)
    assert p.returncode == 1 and "permission denied" in p.stderr.lower(), p.stderr


# ---- the decompression bomb is refused before its pixels are decoded --------------------

RSS_PROBE = """
import resource, sys
from edge.preprocess import ImageError, load_grayscale
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_grayscale(sys.argv[1])
    reason = "decoded"
except ImageError as e:
    reason = str(e)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print((after - before) * unit)
print(reason)
"""


def test_bomb_is_refused_before_decoding(corpus):
    from tests.corpus import BOMB_SIDE

    bomb = corpus["bomb"]
    assert bomb.stat().st_size < 1_000_000  # a small file ...
    decoded_bytes = BOMB_SIDE * BOMB_SIDE  # ... that would need 400 MB once decoded
    p = subprocess.run([sys.executable, "-c", RSS_PROBE, str(bomb)], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    growth, reason = p.stdout.splitlines()[:2]
    assert reason.startswith("refused"), reason
    assert int(growth) < 64 * 2**20 < decoded_bytes, f"max RSS grew by {int(growth) / 2**20:.0f} MiB"


HUGE_PROBE = """
import os, resource, sys
from edge.preprocess import ImageError, load_grayscale
room = os.sysconf("SC_PAGE_SIZE") * int(open("/proc/self/statm").read().split()[0]) + (int(sys.argv[2]) << 20)
resource.setrlimit(resource.RLIMIT_AS, (room, room))  # a small board: so many MiB more than the imports took
try:
    load_grayscale(sys.argv[1])
    print("decoded")
except ImageError as e:
    print(e)
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the probe reads its size from Linux's /proc")
def test_a_file_over_the_size_limit_is_refused_by_its_size_not_read_whole(tmp_path):
    """A 1 GiB file named .png (a disk image, a video renamed) on a 512 MB Pi: refused by its size in words; read
    whole first, it was 'out of memory', which a watch tries again, or the OOM killer ended the watch."""
    huge = tmp_path / "huge.png"
    with open(huge, "wb") as f:
        f.truncate(1 << 30)  # sparse: no disk space taken
    p = subprocess.run([sys.executable, "-c", HUGE_PROBE, str(huge), "512"], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert p.stdout == "refused: file is 1024 MiB, more than the 256 MiB limit\n", (p.stdout, p.stderr[-400:])


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the probe reads its size from Linux's /proc")
def test_a_small_film_is_read_under_an_address_space_smaller_than_the_size_limit(tmp_path):
    """A service's address-space limit (ulimit -v, systemd's LimitAS=) of less than 256 MiB to spare: every 25 KB
    film was 'out of memory', for the read reserved the whole size limit before it read a byte."""
    from PIL import Image

    film = tmp_path / "small.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (256, 256), dtype=np.uint8)).save(film)
    p = subprocess.run([sys.executable, "-c", HUGE_PROBE, str(film), "160"], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert p.stdout == "decoded\n", (p.stdout, p.stderr[-400:])


def test_a_film_that_grows_while_read_is_read_whole_or_refused_by_the_limit(tmp_path, monkeypatch):
    """The read is sized by the file's size when opened; a film still being copied has grown by then: its
    later bytes must still be read (a film cut to its first part decodes as a truncated one), or the limit hold."""
    import os

    from edge import regular_file

    film = tmp_path / "growing.png"
    film.write_bytes(bytes(range(256)) * 40)
    real = os.fstat
    monkeypatch.setattr(regular_file.os, "fstat", lambda fd: os.stat_result((*real(fd)[:6], 10, *real(fd)[7:])))
    assert regular_file.read_regular(film, 1 << 20) == film.read_bytes()
    with pytest.raises(regular_file.TooLarge):
        regular_file.read_regular(film, 5000)


def test_a_folder_named_like_a_film_is_a_folder_where_opening_it_is_permission_denied(tmp_path, monkeypatch):
    """Windows' os.open of a folder raises PermissionError (EACCES), not IsADirectoryError: a folder named
    scan.png was said to be 'permission denied', sending the user to fix its rights. A real EACCES stays one."""
    import errno

    from edge import regular_file

    folder, locked = tmp_path / "scan.png", tmp_path / "locked.png"
    folder.mkdir()
    locked.write_bytes(b"x")

    def windows_open(path, *a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    monkeypatch.setattr(regular_file.os, "open", windows_open)
    with pytest.raises(regular_file.NotAFile, match="a folder"):
        regular_file.read_regular(folder, 1 << 20)
    with pytest.raises(PermissionError):
        regular_file.read_regular(locked, 1 << 20)


# ---- broken model files: exit 2, one line ------------------------------------------------


@pytest.fixture(scope="module")
def foreign_flatbuffer() -> bytes:
    """A valid .tflite of another input shape (32x32x1, 2 outputs) without cxr-edge metadata."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from convert.export import convert

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Rescaling(1 / 255.0),
                          keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
                          keras.layers.Dense(2)])
    return convert(m, "fp32")


@pytest.fixture(scope="module")
def bad_models(tmp_path_factory, model, foreign_flatbuffer) -> dict[str, Path]:
    from edge.metadata import attach
    from edge.preprocess import PreprocessConfig

    d = tmp_path_factory.mktemp("models")
    data = model.read_bytes()
    out = {
        "truncated": d / "truncated.tflite",
        "random": d / "random.tflite",
        "directory": d / "folder.tflite",
        "other_shape": d / "other-shape.tflite",
        "no_metadata": d / "foreign.tflite",
        "cut_at_end": d / "cut-at-end.tflite",
        "keras": d / "model.keras",
    }
    out["truncated"].write_bytes(data[: len(data) // 2])
    out["random"].write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    out["directory"].mkdir()
    claims_64 = {"labels": ["A", "B"], "preprocess": PreprocessConfig(size=64, channels=1).to_dict(), "temperature": 1.0}
    out["other_shape"].write_bytes(attach(foreign_flatbuffer, claims_64))
    out["no_metadata"].write_bytes(foreign_flatbuffer)
    out["cut_at_end"].write_bytes(data[:-100])  # `head -c $((size-100))`: the flatbuffer whole, the metadata cut
    out["keras"].write_bytes((model.parent / "model.keras").read_bytes())
    return out


@pytest.mark.parametrize("case, extra, reason", [
    ("truncated", (), "truncated"),  # metadata gone and the flatbuffer cut: said cut short
    ("truncated", ("--labels", "A,B"), "the model file is cut short"),  # told from its flatbuffer (edge.flatbuffer_reach)
    ("random", (), "not a tensorflow lite model"),
    ("directory", (), "directory"),
    ("other_shape", (), "does not match"),
    ("no_metadata", (), "--labels"),
    ("cut_at_end", (), "damaged or truncated cxr-edge model file"),
    ("cut_at_end", ("--labels", "A,B"), "copy it again"),  # not run as a foreign model
    ("keras", (), "a keras model: convert it with cxr-convert run first"),
])
def test_model_file_error_is_one_line_exit_2(case, extra, reason, bad_models, corpus):
    path = bad_models[case]
    p = edge_classify(corpus["good_normal"], "--model", path, *extra)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr and p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(PREFIX + "error: "), p.stderr
    assert str(path) in lines[0], lines[0]  # the file is named
    if reason:
        assert reason in lines[0].lower(), lines[0]


def test_model_without_metadata_classifies_with_labels(bad_models, corpus):
    p = edge_classify(corpus["good_normal"], corpus["cmyk_jpeg"], "--json", "--labels", "A,B",
                      "--model", bad_models["no_metadata"])
    assert p.returncode == 0, p.stderr
    assert_clean_stderr(p.stderr)
    recs = [json.loads(ln) for ln in p.stdout.splitlines()]
    assert [r["file"] for r in recs] == [str(corpus["good_normal"]), str(corpus["cmyk_jpeg"])]
    assert all(r["label"] in ("A", "B") and set(r["probabilities"]) == {"A", "B"} for r in recs)


def test_a_batch_decodes_in_its_own_thread_where_no_worker_thread_can_be_started(model_dir, tmp_path, monkeypatch):
    """Under a process limit (ulimit -u) or a tight address space no decoding thread started, and the whole
    batch ended as 'unexpected RuntimeError: can't start new thread' with no answer."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from PIL import Image

    from edge.batch import classify_files
    from edge.model import EdgeModel

    def no_thread(self, *a, **k):
        raise RuntimeError("can't start new thread")
    model = EdgeModel(model_dir / "compact" / "model_int8.tflite")
    monkeypatch.setattr(ThreadPoolExecutor, "submit", no_thread)
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 40), dtype=np.uint8)).save(tmp_path / "a.png")
    (tmp_path / "b.png").write_bytes(b"not an image")
    out = list(classify_files(model, [str(tmp_path / "a.png"), str(tmp_path / "b.png")]))
    assert out[0].probabilities is not None and out[1].error


def test_a_decoder_bug_in_one_film_fails_that_film_and_answers_the_rest_in_order(model_dir, tmp_path, monkeypatch):
    """A Pillow plugin's own bug (an IndexError, a struct.error) is no ImageError: it must be that film's error,
    never end the batch, or a watch, with the films behind it unanswered."""
    from PIL import Image

    import edge.batch
    from edge.model import EdgeModel

    model = EdgeModel(model_dir / "compact" / "model_int8.tflite")
    films = [str(tmp_path / name) for name in ("a.png", "b.png", "c.png", "d.png")]
    for k, film in enumerate(films):
        Image.fromarray(np.random.default_rng(k).integers(0, 256, (64, 64), dtype=np.uint8)).save(film)
    real = edge.batch.preprocess_file

    def buggy(path, config):
        if path.endswith("b.png"):
            raise IndexError("tuple index out of range\nin a plugin")
        return real(path, config)

    monkeypatch.setattr(edge.batch, "preprocess_file", buggy)
    out = list(edge.batch.classify_files(model, films, workers=2))
    assert [r.file for r in out] == films
    assert out[1].probabilities is None and out[1].error == "cannot decode (IndexError: tuple index out of range)"
    assert all(r.error is None and r.probabilities is not None for r in out[:1] + out[2:]), [r.error for r in out]
