"""train.scan.scan and save_cache hold one copy of the inputs, and train.progress writes a line now
and then to a log (nothing for a short phase), so a scan of 20,000 films neither doubles its memory
nor sits silent for minutes in 2>train.log."""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import train.progress as progress
from edge.borders_contrast import trim_uniform_borders
from edge.preprocess import PreprocessConfig, load_bytes, preprocess_gray, read_image_file
from tests.test_data import write_images
from train.audit import file_traits
from train.cache import cache_path, save_cache
from train.data import Item
from train.scan import Scan, scan
from train.hygiene import copy_code, fingerprint
from train.progress import progress_bar


class Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def _films(root: Path) -> list[Item]:
    write_images(root / "COVID", "COVID", 3)
    write_images(root / "Normal", "Normal", 3)
    (root / "COVID" / "covid-001b.png").write_bytes(b"not a png at all")  # between two good films
    return [Item(p.relative_to(root).as_posix(), p.parent.name, source=f"s{k % 2}")
            for k, p in enumerate(sorted(root.glob("*/*.png")))]


def test_scan_gives_what_each_film_gives_alone(tmp_path):
    items = _films(tmp_path)
    config = PreprocessConfig(size=40, channels=3)
    res = scan(tmp_path, [Item(i.path, i.label, source=i.source) for i in items], config, progress=False)
    good, xs, hashes, thumbs, traits, skipped = [], [], [], [], [], []
    for it in items:  # the reference: film by film through the same public functions
        try:
            raw = read_image_file(tmp_path / it.path)
            gray = load_bytes(raw, tmp_path / it.path)
        except Exception as e:
            skipped.append({"path": it.path, "error": str(e), "sha256": hashlib.sha256(raw).hexdigest()})
            continue
        h, t = fingerprint(gray)
        good.append((it.path, hashlib.sha256(raw).hexdigest(), copy_code(gray).hex()))
        xs.append(preprocess_gray(gray, config))
        hashes.append(h)
        thumbs.append(t)
        traits.append({"source": it.source, **file_traits(raw, gray, trim_uniform_borders(gray).shape)})
    assert [s["path"] for s in skipped] == ["COVID/covid-001b.png"] and res.skipped == skipped
    assert [(i.path, i.sha256, i.near) for i in res.items] == good
    x, th = np.stack(xs), np.stack(thumbs)
    assert res.x.dtype == x.dtype == np.uint8 and res.x.shape == x.shape == (6, 40, 40, 3)
    assert res.x.tobytes() == x.tobytes()
    assert res.thumbs.dtype == th.dtype and res.thumbs.shape == th.shape and res.thumbs.tobytes() == th.tobytes()
    assert res.dhash.dtype == np.uint64 and res.dhash.tolist() == hashes
    assert res.traits == traits
    assert res.take(np.array([True, False, True, False, False, True])).x.tobytes() == x[[0, 2, 5]].tobytes()


def test_scan_of_nothing_readable_has_empty_arrays_of_the_right_shape(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"nope")
    res = scan(tmp_path, [Item("bad.png", "A"), Item("gone.png", "A")], PreprocessConfig(size=16), progress=False)
    assert res.x.shape == (0, 16, 16, 1) and res.x.dtype == np.uint8
    assert res.thumbs.shape == (0, 1024) and res.thumbs.dtype == np.float32
    assert res.dhash.shape == (0,) and res.items == [] and len(res.skipped) == 2


def test_save_cache_writes_a_file_that_loads_as_the_array(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 2), dtype=np.uint8)
    save_cache(tmp_path, "train", x)
    loaded = np.load(cache_path(tmp_path, "train"))
    assert loaded.dtype == x.dtype and np.array_equal(loaded, x)
    assert [p.name for p in cache_path(tmp_path, "train").parent.iterdir()] == ["train.npy"]


def test_save_cache_failing_midway_leaves_the_old_file_or_none(tmp_path, monkeypatch):
    x = np.arange(4 * 8 * 8, dtype=np.uint8).reshape(4, 8, 8, 1)

    import train.cache

    def broken_save(f, arr, *args, **kwargs):
        (f.write if hasattr(f, "write") else Path(f).write_bytes)(b"\x93NUMPY half")
        raise OSError(28, "No space left on device")

    real_save = train.cache._write_npy
    monkeypatch.setattr(train.cache, "_write_npy", broken_save)
    with pytest.raises(OSError):
        save_cache(tmp_path, "val", x)
    folder = cache_path(tmp_path, "val").parent
    assert not folder.exists() or list(folder.iterdir()) == []  # not even a temporary file
    monkeypatch.setattr(train.cache, "_write_npy", real_save)
    save_cache(tmp_path, "val", x)
    monkeypatch.setattr(train.cache, "_write_npy", broken_save)
    with pytest.raises(OSError):
        save_cache(tmp_path, "val", x[:2])
    assert np.array_equal(np.load(cache_path(tmp_path, "val")), x)
    assert [p.name for p in cache_path(tmp_path, "val").parent.iterdir()] == ["val.npy"]


def _lines(monkeypatch, total: int, seconds_each: float, steps: int = 1, enabled: bool = True) -> list[str]:
    stream, now = Stream(tty=False), [0.0]
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(sys, "argv", ["/usr/bin/cxr-train", "--data", "x"])

    def clock() -> float:
        return now[0]

    bar = progress_bar(total, "reading images", enabled, clock=clock)
    for _ in range(0, total, steps):
        now[0] += seconds_each
        bar.update(steps)
    bar.close()
    return stream.getvalue().splitlines()


def test_a_log_gets_a_line_every_tenth_and_at_most_every_15_s(monkeypatch):
    assert _lines(monkeypatch, 20_400, 60.0, steps=200)[:2] == ["cxr-train: reading images: 2,200 of 20,400",
                                                               "cxr-train: reading images: 4,400 of 20,400"]
    slow = _lines(monkeypatch, 100, 100.0)  # minutes an image: every tenth, and the end
    assert [int(s.split(": ")[-1].split(" of ")[0]) for s in slow] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    steady = _lines(monkeypatch, 100, 1.0)  # 100 s in all: a line each 15 s, not each tenth
    assert [s.split(": ")[-1] for s in steady] == [f"{k} of 100" for k in (15, 30, 45, 60, 75, 90, 100)]


def test_a_phase_done_within_15_s_writes_nothing_to_a_log(monkeypatch):
    assert _lines(monkeypatch, 20_400, 14.9 / 20_400, steps=1) == []
    assert _lines(monkeypatch, 5, 3.0) == []
    assert _lines(monkeypatch, 100, 100.0, enabled=False) == []  # --quiet


def test_scan_writes_lines_to_a_log_with_the_module_clock(tmp_path, monkeypatch):
    write_images(tmp_path / "COVID", "COVID", 12)
    items = [Item(p.relative_to(tmp_path).as_posix(), "COVID") for p in sorted((tmp_path / "COVID").iterdir())]
    stream, now = Stream(tty=False), [0.0]
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(sys, "argv", ["cxr-train"])
    scan(tmp_path, items, PreprocessConfig(size=16), progress=True)  # a real clock: done in well under 15 s
    assert stream.getvalue() == ""

    def monotonic() -> float:
        now[0] += 20.0
        return now[0]

    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=monotonic))
    scan(tmp_path, items, PreprocessConfig(size=16), progress=True)
    assert stream.getvalue().splitlines() == [f"cxr-train: reading images: {k} of 12" for k in (2, 4, 6, 8, 10, 12)]


def test_a_terminal_still_gets_the_tqdm_bar(monkeypatch):
    tqdm = pytest.importorskip("tqdm")
    stream = Stream(tty=True)
    monkeypatch.setattr(sys, "stderr", stream)
    bar = progress_bar(10, "reading images", enabled=True, clock=lambda: pytest.fail("a bar needs no clock"))
    assert isinstance(bar, tqdm.tqdm) and not bar.disable
    bar.update(10)
    bar.close()
    assert "reading images" in stream.getvalue() and "10 of 10" not in stream.getvalue()
    monkeypatch.setattr(sys, "stderr", Stream(tty=True))
    assert progress_bar(10, "reading images", enabled=False).disable


def test_a_short_phase_draws_a_bar_on_a_terminal_and_nothing_in_a_log(monkeypatch):
    """A bar written to a log file is every redraw joined by carriage returns (~10 KB a bar)."""
    pytest.importorskip("tqdm")
    for tty, drawn in ((True, True), (False, False)):
        stream = Stream(tty)
        monkeypatch.setattr(sys, "stderr", stream)
        bar = progress_bar(10, "reading images", enabled=True)
        bar.update(10)
        bar.close()
        assert ("reading images" in stream.getvalue()) == drawn


def test_taking_every_film_of_a_scan_copies_nothing():
    s = Scan(["a", "b", "c"], np.zeros((3, 4, 4, 1), np.uint8), np.zeros(3, np.uint64), np.zeros((3, 2), np.float32),
             [], [{}, {}, {}])
    assert s.take(np.ones(3, bool)) is s
    assert s.take(np.array([True, False, True])).x.shape[0] == 2


def test_taking_some_films_of_a_scan_keeps_their_inputs_in_order():
    x = np.arange(3000 * 2, dtype=np.uint8).reshape(3000, 2, 1, 1) % 251
    keep = np.random.default_rng(4).random(3000) < 0.7  # more than one block of 1,024 moved
    want = x[keep].copy()
    s = Scan([str(i) for i in range(3000)], x.copy(), np.arange(3000, dtype=np.uint64), np.zeros((3000, 2), np.float32),
             [], [{}] * 3000)
    taken = s.take(keep)
    assert np.array_equal(taken.x, want) and taken.items == [str(i) for i in np.flatnonzero(keep)]
    assert np.array_equal(taken.dhash, np.flatnonzero(keep).astype(np.uint64))


class Console(Stream):
    """A terminal whose encoding is given: Keras's bar draws '━' (U+2501) in ANSI colours."""

    def __init__(self, encoding: str, tty: bool = True):
        super().__init__(tty)
        self._encoding = encoding

    @property
    def encoding(self) -> str:
        return self._encoding


def test_keras_bar_only_on_a_terminal_that_can_show_it(monkeypatch):
    """Keras's redrawn bar printed '\\u2501' escapes on an ASCII console and colours under NO_COLOR or TERM=dumb:
    there, and in a log, one plain line an epoch (verbose=2)."""
    for name in ("NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert progress.keras_verbose(True, Console("utf-8")) == 1
    assert progress.keras_verbose(False, Console("utf-8")) == 2  # --no-progress
    assert progress.keras_verbose(True, Console("utf-8", tty=False)) == 2  # 2>train.log
    assert progress.keras_verbose(True, Console("ascii")) == 2
    assert progress.keras_verbose(True, Console("latin-1")) == 2
    monkeypatch.setenv("TERM", "dumb")
    assert progress.keras_verbose(True, Console("utf-8")) == 2
    monkeypatch.setenv("TERM", "xterm-256color")
    assert progress.keras_verbose(True, Console("utf-8")) == 1
    monkeypatch.setenv("NO_COLOR", "1")
    assert progress.keras_verbose(True, Console("utf-8")) == 2
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: set to anything but empty
    assert progress.keras_verbose(True, Console("utf-8")) == 1
