"""Each film's work done once as cxr-train and cxr-convert read it (train.scan): its uniform borders found once, as
edge.preprocess checks it, for its audit trait and its model input alike (three searches a film up to 0.54.0), and
a DICOM film's grey levels counted once per LUT stage tried and handed on to the checks (three counts up to 0.54.0).
The pixels stay those of edge.preprocess.preprocess_file, the one source of pixels."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image

import edge.borders_contrast
import edge.preprocess
import edge.wide_pixels
from edge.preprocess import PreprocessConfig, preprocess_file
from train.audit import file_traits
from train.data import Item
from train.scan import scan
from train.synthetic import render


def _spy(monkeypatch, module_names: list[str], name: str, original, calls: list) -> None:
    """Every module's own binding of ``name`` to ``original`` counts its calls in ``calls`` (their arguments)."""
    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    for mod in module_names:
        if getattr(sys.modules[mod], name, None) is original:
            monkeypatch.setattr(sys.modules[mod], name, counted)


def _films(tmp_path, n: int = 3) -> list[Item]:
    rng = np.random.default_rng(7)
    items = []
    for k in range(n):
        film = np.zeros((150 + 20 * k, 130), np.uint8)  # a black letterbox above and below: borders to trim
        film[12:-12] = render("Normal", rng, (130, 126 + 20 * k))
        (tmp_path / "Normal").mkdir(exist_ok=True)
        Image.fromarray(film).save(tmp_path / "Normal" / f"f{k}.png")
        items.append(Item(f"Normal/f{k}.png", "Normal"))
    return items


def test_scan_finds_each_films_borders_once(tmp_path, monkeypatch):
    items = _films(tmp_path)
    calls: list = []
    _spy(monkeypatch, [m for m in sys.modules if m.startswith(("edge.", "train."))], "border_widths",
         edge.borders_contrast.border_widths, calls)
    config = PreprocessConfig()
    res = scan(tmp_path, items, config, progress=False)
    assert len(res.items) == 3 and not res.skipped
    assert len(calls) == len(items)  # was 3 a film: the read's checks, the audit trait, preprocess_gray
    monkeypatch.undo()
    for k, it in enumerate(items):  # the same pixels and traits as each step taken alone
        path = tmp_path / it.path
        gray = edge.preprocess.load_grayscale(path)
        assert np.array_equal(res.x[k], preprocess_file(path, config))
        trait = file_traits(path.read_bytes(), gray, edge.borders_contrast.trim_uniform_borders(gray).shape)
        assert res.traits[k] == {"source": "", **trait} and trait["border"] == "10% or more"


def test_bordered_input_is_preprocess_gray(tmp_path):
    items = _films(tmp_path, 1)
    path = tmp_path / items[0].path
    for config in (PreprocessConfig(), PreprocessConfig(size=64, channels=3, trim_borders=False, resize="squash")):
        gray, borders = edge.preprocess.read_film(path.read_bytes(), path)
        assert np.array_equal(edge.preprocess.bordered_input(gray, borders, config),
                              edge.preprocess.preprocess_gray(gray, config))


@pytest.mark.parametrize("window, stages", [(None, 1), ((90000.0, 10.0), 2)])
def test_a_dicom_films_grey_levels_are_counted_once_per_lut_stage(monkeypatch, window, stages):
    """A window far outside the data blanks the film: that stage is dropped and the next tried (two counts)."""
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from tests.test_dicom import make_dicom

    picture = render("COVID", np.random.default_rng(3), (96, 80)).astype(np.uint16) * 16
    data = make_dicom(picture, bits=12, window=window)
    expected = edge.preprocess.load_bytes(data, "x.dcm")
    calls: list = []
    _spy(monkeypatch, [m for m in sys.modules if m.startswith("edge.")], "value_counts", edge.wide_pixels.value_counts,
         calls)
    gray = edge.preprocess.load_bytes(data, "x.dcm")
    whole_films = [a for a, *_ in calls if a.dtype == np.uint8 and a.shape == picture.shape]
    assert len(whole_films) == stages  # was 3 for one stage: the blank test, the posterised test, the read's checks
    assert np.array_equal(gray, expected)
