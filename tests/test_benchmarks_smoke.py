"""benchmarks/run.py --quick runs end to end and prints every row (no timing thresholds here:
targets are judged in the table, never in tests)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_performance_benchmark(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Accuracy benchmark\n\nkept\n")
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(tmp_path),
                        "--results", str(results)], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    text = results.read_text()
    assert "## Accuracy benchmark\n\nkept" in text and "## Performance benchmark" in text
    for measure in ("model size, int8", "invoke ms, 1 thread", "invoke ms, 2 thread", "cold start", "peak RSS",
                    "classify (edge.batch)", "training s/epoch", "Pi 4 estimate", "ESTIMATE"):
        assert measure in text, measure
    ratios = re.findall(r"\| ([0-9.,]+)x \|", text)
    assert len(ratios) >= 8 and all(float(r.replace(",", "")) > 0 for r in ratios)
