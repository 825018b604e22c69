"""cxr-convert names the test films of several frames that are not all the same (a multi-page TIFF, a dual-energy
set), each scored on its frame 1 alone, as cxr-evaluate's report does (convert.frame_films): its report, of the same
kind, said nothing of them."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from convert.cli import convert_app
from convert.frame_films import SCORED_ON
from train.data import Split


def run_with_a_multi_page_tiff(tiny_run: Path, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the tiny run whose first test film is a TIFF of two differing pages (the film, then it mirrored),
    recorded in split.json as the film the model was tested on; returns (the run, the TIFF's path in the split)."""
    run, data = tmp_path / "run", tmp_path / "data"
    shutil.copytree(tiny_run, run)
    split = Split.load(run / "split.json")
    shutil.copytree(split.data_dir, data)
    item = split.parts["test"][0]
    page = Image.open(data / item.path).convert("L")
    tiff = str(Path(item.path).with_suffix(".tif").as_posix())
    page.save(data / tiff, save_all=True, append_images=[page.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    (data / item.path).unlink()
    item.path, item.sha256 = tiff, hashlib.sha256((data / tiff).read_bytes()).hexdigest()
    split.data_dir = str(data)
    split.save(run / "split.json")
    info = json.loads((run / "run.json").read_text())  # the edited split stands in for the model's own
    info["split_digest"] = split.digest()
    (run / "run.json").write_text(json.dumps(info))
    return run, tiff


def test_cxr_convert_names_the_test_films_it_scored_on_frame_1_of(tiny_run, tmp_path):
    run, tiff = run_with_a_multi_page_tiff(tiny_run, tmp_path)
    assert np.asarray(Image.open(run.parent / "data" / tiff)).shape  # Pillow reads it: frame 1 is what is scored
    r = CliRunner().invoke(convert_app, [str(run), "--report-only", "--quant", "int8", "--no-latency", "--explain", "0",
                                         "--no-score-other-classes", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    line = ("1 film of several frames that are not all the same (a dual-energy set, a multi-page TIFF, an animated "
            f"image): {tiff} (2 frames); {SCORED_ON}")
    assert f"cxr-convert: warning: {line}" in r.output.splitlines()
    report = json.loads((run / "report.json").read_text())
    assert report["multi_frame_films"] == {"films": 1, "listed": [{"file": tiff, "frames": 2}]}
    assert report["data_warnings"] == [line]
    assert f"**Warning (the films):** {line[0].upper()}{line[1:]}." in (run / "report.md").read_text()


def test_cxr_convert_without_such_films_says_none(tiny_run, tmp_path):
    """report.json still says 0 where no test film has several differing frames, for a script that reads the key;
    report.md says nothing."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    r = CliRunner().invoke(convert_app, [str(run), "--report-only", "--quant", "int8", "--no-latency", "--explain", "0",
                                         "--no-score-other-classes", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    assert "frames" not in r.output
    report = json.loads((run / "report.json").read_text())
    assert report["multi_frame_films"] == {"films": 0, "listed": []} and report["data_warnings"] == []
    assert "Warning (the films)" not in (run / "report.md").read_text()
