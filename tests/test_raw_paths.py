"""A folder or file name holding a newline and an ESC reaches stderr quoted (edge.output.said_name), in cxr-train's
data checks and --out refusals, cxr-convert's and cxr-evaluate's refusals of a run folder, cxr-evaluate's notes and
errors, and edge-classify's, its --watch notes too: printed raw, the newline broke the line in two and
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


def _damaged_run(run: Path, case: str) -> None:
    """A run folder ``run`` that cxr-convert and cxr-evaluate refuse before TensorFlow loads (no training needed)."""
    run.mkdir(parents=True)
    if case == "not a run folder":
        return
    (run / "run.json").write_text("{cut" if case == "run.json damaged" else
                                  '{"settings": {}, "classes": ["COVID", "Normal"], "preprocess": {}}')
    (run / "split.json").write_text("{}")  # no split's record
    (run / "model.keras").write_bytes(b"PK")


@pytest.mark.parametrize("case", ["missing", "not a run folder", "run.json damaged", "split.json damaged"])
def test_cxr_convert_refusals_quote_a_run_folder_holding_a_newline_and_esc(tmp_path, case):
    from convert.cli import convert_app

    run = tmp_path / ODD / "run"
    if case != "missing":
        _damaged_run(run, case)
    r = CliRunner().invoke(convert_app, [str(run)])
    assert r.exit_code == 2, r.output
    lines = _clean(r.output)
    assert len(lines) == 2 and lines[0].startswith("cxr-convert: error: ") and lines[1] == "", r.output
    assert said_name(str(run))[:-1] in lines[0], r.output  # quoted, up to its end


@pytest.mark.parametrize("case", ["run.json damaged", "split.json damaged"])
def test_cxr_evaluate_refuses_a_damaged_run_in_a_folder_holding_a_newline_and_esc(tmp_path, case):
    from convert.evaluate_cli import evaluate_app

    run = tmp_path / ODD / "run"
    _damaged_run(run, case)
    _films(tmp_path / "site" / "COVID")
    _films(tmp_path / "site" / "Normal")
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), str(tmp_path / "site"), "--out", str(tmp_path / "r")])
    assert r.exit_code == 2, r.output
    lines = _clean(r.output)
    assert lines[0].startswith(f"cxr-evaluate: error: {said_name(str(run))} holds a damaged run ("), r.output
    assert len(lines) == 2 and lines[1] == "", r.output


def test_cxr_train_refuses_an_out_holding_a_damaged_run_in_a_folder_holding_a_newline_and_esc(tmp_path):
    root = tmp_path / ODD
    _films(root / "set" / "COVID")
    _films(root / "set" / "Normal")
    _damaged_run(root / "run", "run.json damaged")
    r = CliRunner().invoke(train_app, ["--data", str(root / "set"), "--out", str(root / "run")])
    assert r.exit_code == 2, r.output
    lines = _clean(r.output)
    assert f"cxr-train: error: --out {said_name(str(root / 'run'))} holds a run whose run.json is damaged (" in r.output
    assert all(line.startswith("cxr-train: ") for line in lines[:-1]), r.output


def test_edge_classify_watch_quotes_its_folders_holding_a_newline_and_esc(tiny_run, tmp_path, monkeypatch):
    """A folder given twice (once through a link) and films in a sub-folder: the watch's notes name the folder."""
    import edge.watch as watch_module
    from edge.cli import app

    root = tmp_path / ODD
    _films(root / "incoming" / "sub")
    (tmp_path / "link").symlink_to(root / "incoming", target_is_directory=True)
    model = root / "model.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", model)

    def polls(watcher, interval, sleep=None):
        for _ in range(2):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    incoming = str(root / "incoming")
    r = CliRunner().invoke(app, [incoming, str(tmp_path / "link"), "--watch", "--model", str(model)])
    lines = _clean(r.output)
    assert (f"edge-classify: note: {said_name(str(tmp_path / 'link'))} is the watched folder {said_name(incoming)} "
            f"under another path: watched once, as {said_name(incoming)}, so that no film is answered twice") in lines, r.output
    assert (f"edge-classify: warning: {said_name(incoming)} has sub-folders with films, which --watch does not look into "
            "without --recursive") in lines, r.output


def test_a_watch_quotes_a_watched_folder_holding_a_newline_and_esc_that_goes_and_comes_back(tmp_path):
    from edge.watch import Watcher

    folder = tmp_path / ODD
    folder.mkdir()
    said: list[str] = []
    w = Watcher([folder], recursive=False, say=said.append)
    assert w.poll() == []
    folder.rmdir()
    assert w.poll() == []
    folder.mkdir()
    assert w.poll() == []
    assert said == [f"warning: cannot read the watched folder {said_name(str(folder))} (No such file or directory); its "
                    "films are not answered until it can be; still watching",
                    f"can read the watched folder {said_name(str(folder))} again"], said


def test_edge_classify_quotes_a_model_it_refuses_in_a_folder_holding_a_newline_and_esc(tiny_run, tmp_path):
    """edge.model's own refusals (here: a bare flatbuffer, no cxr-edge metadata) named the file raw: the newline
    broke the error in two, its second half a line of its own ('FORGED: ...'), and the ESC ran on the terminal."""
    from edge import metadata as md
    from edge.cli import app

    root = tmp_path / ODD
    _films(root / "site")
    bare = root / "bare.tflite"
    bare.write_bytes(md.read(tiny_run / "model_int8.tflite")[0])
    r = CliRunner().invoke(app, [str(root / "site"), "--model", str(bare)])
    assert r.exit_code == 2, r.output
    lines = _clean(r.output)
    assert lines[0].startswith(f"edge-classify: error: {said_name(str(bare))} has no cxr-edge metadata: "), r.output
    assert len(lines) == 2 and lines[1] == "", r.output
