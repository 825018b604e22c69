"""The closing 'report: PATH' and 'wrote ... to PATH' lines quote a path the user gave as edge-classify quotes a
file name (edge.output.said_name): --out $'rep\\nort' printed its newline raw, so the line broke in two and its
second half read as a line of its own, and an ESC in the name ran on the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from convert.compare_cli import compare_app
from convert.evaluate_cli import evaluate_app
from train.synth_cli import synth_app

ODD = "rep\nreport: forged\x1b[2Kort"


def _one_line_each(output: str, start: str) -> str:
    """The one line of ``output`` that starts with ``start``; no line holds ESC, none reads 'report: forged'."""
    lines = output.splitlines()
    assert "\x1b" not in output and not any(line.startswith("report: forged") for line in lines), output
    found = [line for line in lines if line.startswith(start)]
    assert len(found) == 1, output
    return found[0]


def test_cxr_synth_quotes_an_out_folder_holding_a_newline_and_esc(tmp_path):
    out = tmp_path / ODD
    r = CliRunner().invoke(synth_app, [str(out), "--count", "1", "--classes", "COVID", "--size", "32"])
    assert r.exit_code == 0, r.output
    line = _one_line_each(r.output, "wrote 1 SYNTHETIC image to ")
    assert json.loads(line.removeprefix("wrote 1 SYNTHETIC image to ")) == str(out)  # read back exactly
    assert (out / "COVID").is_dir()


def test_cxr_evaluate_and_cxr_compare_quote_an_out_folder_holding_a_newline_and_esc(tiny_run, tmp_path):
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    out = tmp_path / ODD
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--n-boot",
                                          "100", "--quiet", "--explain", "0", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(_one_line_each(r.output, "report: ").removeprefix("report: ")) == str(out / "report.md")
    assert (out / "report.md").is_file()
    cmp = tmp_path / f"c{ODD}"
    r = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(tiny_run / "model_int8.tflite"),
                                         str(data), "--out", str(cmp), "--n-boot", "100", "--quiet", "--keep-seen"])
    assert r.exit_code == 0, r.output
    assert json.loads(_one_line_each(r.output, "report: ").removeprefix("report: ")) == str(cmp / "compare.md")


def test_a_plain_out_folder_is_printed_as_it_is(tmp_path):
    out = tmp_path / "plain set"
    r = CliRunner().invoke(synth_app, [str(out), "--count", "1", "--classes", "COVID", "--size", "32"])
    assert r.exit_code == 0 and f"wrote 1 SYNTHETIC image to {out}\n" in r.output, r.output
