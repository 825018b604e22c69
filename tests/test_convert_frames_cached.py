"""cxr-convert with a valid cache reads no test film: the frame counts of its report (multi_frame_films) are kept in
the cache's stamp beside the rows (train.cache_frames). It read every test film's header on each call before, and
a data folder unmounted or unreadable lost the counts from a report whose figures were the same."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.cli import convert_app
from edge import __version__
from edge.preprocess import PreprocessConfig
from tests.test_convert_frames import run_with_a_multi_page_tiff
from train.cache import stamp_path
from train.cache_frames import part_frames
from train.data import Split

ARGS = ["--report-only", "--quant", "int8", "--no-latency", "--explain", "0", "--no-score-other-classes", "--quiet"]


class _Clock(datetime):
    """The scoring time, one second for every call: two reports of the same films are then the same bytes."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 12, 4, 10, 11, 12, tzinfo=tz)


@pytest.fixture(autouse=True)
def one_scoring_time(monkeypatch):
    import convert.card
    import convert.provenance

    monkeypatch.setattr(convert.card, "datetime", _Clock)  # each file's card, whose bytes the report digests
    monkeypatch.setattr(convert.provenance, "_now", lambda: "2026-12-04T10:11:12+00:00")


def _convert(run: Path) -> tuple[bytes, ...]:
    r = CliRunner().invoke(convert_app, [str(run), *ARGS])
    assert r.exit_code in (0, 1), r.output
    reports = (run / "report.json").read_bytes(), (run / "report.md").read_bytes()
    # the file's own digest, written anew each time: its archive's members are dated to the second (zipfile)
    digest = json.loads(reports[0])["provenance"]["files_sha256"]["model_int8.tflite"].encode()
    return tuple(r.replace(digest, b"DIGEST").replace(digest[:12], b"DIGEST") for r in reports)


def test_a_second_conversion_gives_the_same_report_without_its_films(tiny_run, tmp_path):
    """The data folder moved away (an unmounted share; as root a film of mode 000 is still read): the second
    conversion scores the cache and says the same frames, byte for byte."""
    run, tiff = run_with_a_multi_page_tiff(tiny_run, tmp_path)
    first = _convert(run)  # the edited split's films decoded and cached, their frames counted and kept
    assert json.loads(first[0])["multi_frame_films"] == {"films": 1, "listed": [{"file": tiff, "frames": 2}]}
    assert _convert(run) == first  # the counts kept: the same bytes as counted from the films
    (tmp_path / "data").rename(tmp_path / "elsewhere")
    assert _convert(run) == first  # from the cache: no film opened


def test_counts_are_kept_only_where_every_film_was_read(tiny_run, tmp_path):
    """A film that cannot be opened keeps no count in place of its own, counts of another cxr-edge are counted
    again, and without a cache nothing is kept."""
    run, tiff = run_with_a_multi_page_tiff(tiny_run, tmp_path)
    _convert(run)
    split = Split.load(run / "split.json")
    config = PreprocessConfig.from_dict(json.loads((run / "run.json").read_text())["preprocess"])
    stamp = json.loads(stamp_path(run, "test").read_text())
    assert stamp["frames"]["counts"] == {tiff: 2} and stamp["frames"]["cxr_edge"] == __version__
    stamp["frames"]["cxr_edge"] = "0.0.0"  # counted by another version: not taken, counted again
    stamp_path(run, "test").write_text(json.dumps(stamp))
    tif = tmp_path / "data" / tiff
    tif.rename(tmp_path / "away.tif")
    assert part_frames(run, split, "test", config) == {}  # gone: no count, as ever
    assert json.loads(stamp_path(run, "test").read_text())["frames"]["cxr_edge"] == "0.0.0"  # and nothing kept
    (tmp_path / "away.tif").rename(tif)
    assert part_frames(run, split, "test", config) == {tiff: 2}
    assert json.loads(stamp_path(run, "test").read_text())["frames"]["cxr_edge"] == __version__
    shutil.rmtree(run / "cache")  # no cache: counted from the films, and nothing kept
    assert part_frames(run, split, "test", config) == {tiff: 2} and not (run / "cache").exists()
