"""The leave-one-source-out gap said plainly: cxr-convert's held-out source section gave the source's figures alone
and its terminal output nothing of them, so a researcher running `cxr-train --holdout-source hannover` had to find
the test split's figure in another section to see the gap, and 'COVID sensitivity 100.0' of a COVID-only source read
as the model's whole score (hunt 67, LOSO). report.md and cxr-convert's line now put both beside each other."""

from __future__ import annotations

import numpy as np

from convert.external_section import external_gap
from convert.figures_md import fmt_ci
from convert.quant_report import write_quantization_report
from convert.summary import summarize
from tests.conftest import unpadded
from tests.test_quant_report import three_class_report


def _with_source_of(tiny_run, tmp_path, external_classes: list[int]):
    run, report, y, probs, rng = three_class_report(tiny_run, tmp_path, "Lung_Opacity")
    ext_y = np.repeat(external_classes, 7)
    ext_p = 0.5 * np.eye(3)[ext_y] + 0.5 * rng.dirichlet(np.ones(3), len(ext_y))
    report["external"] = {"source": "hannover", "n": len(ext_y),
                          **{m: summarize(ext_y, ext_p, report["classes"], n_boot=10) for m in ("keras", "int8")}}
    return run, report, y, probs


def test_report_md_puts_the_sources_sensitivity_beside_the_test_splits(tiny_run, tmp_path):
    run, report, y, probs = _with_source_of(tiny_run, tmp_path, [0])
    write_quantization_report(run, report, {m: probs for m in report["models"]}, y)
    section = unpadded((run / "report.md").read_text()).split("## External source held out")[1].split("\n## ")[0]
    mode = report["operating_points"]["mode"]  # the device's file, as cxr-convert's line names it
    assert mode == "int8"
    there = report["external"][mode]["per_class"][0]
    here = report["models"][mode]["per_class"][0]
    assert (f"The gap: held-out source 'hannover' (7 films, COVID alone: its sensitivity is the one figure there; "
            f"how often other films would be called COVID is not measured): int8 COVID sensitivity (%, 95% CI) "
            f"{fmt_ci(there['sensitivity'], there['sensitivity_ci'])} there against "
            f"{fmt_ci(here['sensitivity'], here['sensitivity_ci'])} on the test split") in section


def test_each_class_the_source_holds_gets_its_pair_and_the_terminal_line_is_ascii(tiny_run, tmp_path):
    _, report, _, _ = _with_source_of(tiny_run, tmp_path, [1, 2])
    line = external_gap(report["external"], report["models"], "int8", report["classes"], " to ")
    assert line.startswith("held-out source 'hannover' (14 films): int8 Normal sensitivity (%, 95% CI) ")
    assert "; Lung_Opacity sensitivity (%, 95% CI) " in line and "COVID" not in line
    assert line.count("on the test split") == 2 and line.isascii()
    assert external_gap(report["external"], report["models"], "fp16", report["classes"]) is None  # not scored there


def test_cxr_convert_says_the_gap_on_stderr_as_report_md_does(tmp_path, capsys):
    """A real --holdout-source run and conversion (synthetic films, a 'siteb' of COVID films named by file name):
    cxr-convert's own line gives the device file's sensitivity there and on the test split, as report.json holds them."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    data = tmp_path / "data"
    generate(data, n_per_class=16, classes=("COVID", "Normal"), size=(64, 64))
    for p in sorted((data / "COVID").glob("*.png"))[:5]:
        p.rename(p.with_name("siteb-" + p.name))
    run = tmp_path / "run"
    run_training(TrainSettings(data=str(data), out=run, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               holdout_source="siteb", progress=False))
    capsys.readouterr()
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, explain=0,
                                               progress=False))
    err = capsys.readouterr().err
    there, here = report["external"]["int8"]["per_class"][0], report["models"]["int8"]["per_class"][0]
    assert (f"cxr-convert: held-out source 'siteb' (5 films, COVID alone: its sensitivity is the one figure there; how "
            f"often other films would be called COVID is not measured): int8 COVID sensitivity (%, 95% CI) "
            f"{fmt_ci(there['sensitivity'], there['sensitivity_ci'], ' to ')} there against "
            f"{fmt_ci(here['sensitivity'], here['sensitivity_ci'], ' to ')} on the test split (the training sources' "
            "films)\n") in err
    assert "The gap: held-out source 'siteb' (5 films" in (run / "report.md").read_text()
