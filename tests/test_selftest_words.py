"""--selftest's line says plainly what passed: this runtime reproduces the model's stored reference outputs, which is
a check of the device, not of the model's accuracy. "selftest PASSED" alone was read as the model being right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from edge.output import print_selftest

ROOT = Path(__file__).resolve().parents[1]
WHAT = ("selftest PASSED: this runtime reproduces the model's stored reference outputs (a check of this device, not "
        "of the model's accuracy: --card gives that): ")


def test_the_passed_line_says_what_passed_in_the_same_line(capsys):
    print_selftest({"passed": True, "cases": 3, "runtime": "ai-edge-litert", "max_deviation": 1e-7, "tolerance": 0.02,
                    "same_classes": True}, False)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(WHAT + "3 reference images (decode, preprocess, classify)"), out


def test_a_failed_line_claims_nothing_reproduced(capsys):
    print_selftest({"passed": False, "cases": 3, "runtime": "x", "max_deviation": 0.5, "tolerance": 0.02,
                    "same_classes": False}, False)
    out = capsys.readouterr().out
    assert out.startswith("selftest FAILED: 3 reference images") and "reproduces" not in out


def test_the_command_says_it(tiny_run):
    p = subprocess.run([sys.executable, "-m", "edge.cli", "--selftest", "--model", str(tiny_run / "model_int8.tflite")],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(WHAT), p.stdout
