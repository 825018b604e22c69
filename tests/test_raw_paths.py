"""A folder or file name holding a newline and an ESC reaches stderr quoted (edge.output.said_name), in cxr-train's
data checks, cxr-evaluate's notes and errors and edge-classify's: printed raw, the newline broke the line in two and
its second half read as a line of its own (here 'FORGED: ...'), and the ESC sequence ran on the terminal (erasing
the line it was on). A plain path prints as it always did (tests/test_out_paths_shown.py, the pinned messages)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from edge.output import said_name
from train.cli import train_app

ODD = "ev\nFORGED: all fine\x1b[2Kil"


def _clean(output: str) -> list[str]:
    """``output``'s lines, after checking that no ESC or other control character came through and that no line is
    the forged one."""
    lines = output.split("\n")
    assert not any(ch in output for ch in "\x1b\r\t\x00"), output
    assert not any(line.startswith("FORGED") for line in lines), output
    return lines


def _films(folder: Path, n: int = 2, names: list[str] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        Image.fromarray(np.full((40, 40), 40 * k, np.uint8)).save(folder / (names[k] if names else f"{k}.png"))


def _layout(root: Path, case: str) -> list[str]:
    """cxr-train's arguments for one refusal of a data folder under ``root`` (whose name holds ODD)."""
    if case == "missing":
        return ["--data", str(root / "nothing")]
    if case == "one class":
        _films(root / "one" / "COVID")
        return ["--data", str(root / "one")]
    if case == "no class folders":
        _films(root / "flat")
        return ["--data", str(root / "flat")]
    if case == "empty class":
        _films(root / "set" / "COVID")
        _films(root / "set" / "Normal")
        (root / "set" / "Empty").mkdir()
        return ["--data", str(root / "set")]
    if case == "out is a file":
        _films(root / "set2" / "COVID")
        (root / "f").write_text("x")
        return ["--data", str(root / "set2"), "--out", str(root / "f")]
    assert case == "add-data missing"
    _films(root / "set3" / "COVID")
    _films(root / "set3" / "Normal")
    return ["--data", str(root / "set3"), "--add-data", str(root / "nothing")]


@pytest.mark.parametrize("case", ["missing", "one class", "no class folders", "empty class", "out is a file",
                                  "add-data missing"])
def test_cxr_train_refusals_quote_a_data_folder_holding_a_newline_and_esc(tmp_path, case):
    root = tmp_path / ODD
    root.mkdir()
    args = _layout(root, case)
    if "--out" not in args:
        args += ["--out", str(tmp_path / "run")]
    r = CliRunner().invoke(train_app, args)  # refused before TensorFlow loads: seconds
    assert r.exit_code == 2, r.output
    lines = _clean(r.output)
    errors = [line for line in lines if line.startswith("cxr-train: error: ")]
    assert len(errors) == 1 and said_name(str(root))[:-1] in errors[0], r.output  # quoted, up to its end
    assert lines[-1] == "" and all(line.startswith("cxr-train: ") for line in lines[:-1]), r.output


def test_cxr_evaluate_quotes_a_model_and_data_folder_holding_a_newline_and_esc(tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app

    root = tmp_path / ODD
    site = root / "site"
    _films(site / "COVID")
    _films(site / "Normal", names=["0.png", f"{ODD}.png"])  # blank films: none can be read, so it stops, said
    model = root / "model.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", model)
    r = CliRunner().invoke(evaluate_app, [str(model), str(site), "--out", str(tmp_path / "report"), "--quiet"])
    assert r.exit_code == 2, r.output
    lines = _clean(r.output)
    assert f"cxr-evaluate: note: {said_name(str(model))} was trained on SYNTHETIC" in r.output, r.output
    assert f"cxr-evaluate: error: no readable images in {said_name(str(site))}: " in r.output, r.output
    assert all(line.startswith("cxr-evaluate: ") for line in lines[:-1]), r.output


def test_edge_classify_quotes_a_model_folder_and_file_holding_a_newline_and_esc(tiny_run, tmp_path):
    from edge.cli import app

    root = tmp_path / ODD
    _films(root / "site" / "COVID", names=[f"{ODD}.png", "1.png"])
    model = root / "model.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", model)
    r = CliRunner().invoke(app, [str(root / "site"), "--model", str(model)])  # films only in sub-folders
    assert r.exit_code == 1, r.output
    lines = _clean(r.output)
    assert (f"edge-classify: error: no images found in {said_name(str(root / 'site'))} (it has sub-folders with "
            "images: use --recursive)") in lines, r.output
    assert all(line.startswith("edge-classify: ") for line in lines[:-1]), r.output
    r = CliRunner().invoke(app, [str(root / "site" / "COVID" / f"{ODD}.png"), "--model", str(root / "none.tflite")])
    assert r.exit_code == 2, r.output
    lines = _clean(r.output)
    assert lines == [f"edge-classify: error: {said_name(str(root / 'none.tflite'))}: cannot read model file: No such "
                     "file or directory", ""], r.output
