"""run.json records what else a rerun needs for the same weights: training is bit-repeatable on the same machine and
TensorFlow build only at the same number of threads (one core of two under `taskset -c 0` gave other weights), and
nothing in run.json said how many the run had."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.test_train_messages import REPO


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this platform")
def test_run_json_records_the_cpus_and_threads_the_run_had(tmp_path):
    from train.environment import THREAD_VARIABLES

    one = min(os.sched_getaffinity(0))
    code = (f"import os, sys; os.sched_setaffinity(0, {{{one}}}); sys.argv[0] = 'cxr-train'; "  # as taskset -c would
            "from train.cli import train_main; train_main()")
    run = tmp_path / "run"
    r = subprocess.run([sys.executable, "-c", code, "--data", "synthetic", "--out", str(run), "--epochs", "1",
                        "--synthetic-count", "8", "--image-size", "32", "--batch-size", "8", "--teacher-members", "0",
                        "-q"], capture_output=True, text=True, timeout=600,
                       env={**{k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}, "PYTHONPATH": str(REPO),
                            "TF_NUM_INTEROP_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    threads = json.loads((run / "run.json").read_text())["threads"]
    assert threads["cpu_count"] == os.cpu_count() and threads["cpus_available"] == 1
    assert isinstance(threads["tensorflow_intra_op"], int) and isinstance(threads["tensorflow_inter_op"], int)
    assert threads["gpus"] >= 0 and threads["environment"] == {"TF_NUM_INTEROP_THREADS": "1"}
