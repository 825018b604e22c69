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
    """Also the CPU and oneDNN's switches: TF_ENABLE_ONEDNN_OPTS=0, or ONEDNN_MAX_CPU_ISA=AVX2 (what an AVX2-only
    machine runs), gave other weights with run.json the same in every line but times (hunt 56). Recorded, not
    compared: a run.json of before, without them, is still the same run to the same command ("nothing to do"), not
    an hour's teacher trained again for a new key."""
    from train.environment import RECORDED_VARIABLES

    one = min(os.sched_getaffinity(0))
    code = (f"import os, sys; os.sched_setaffinity(0, {{{one}}}); sys.argv[0] = 'cxr-train'; "  # as taskset -c would
            "from train.cli import train_main; train_main()")
    run = tmp_path / "run"
    args = ["--data", "synthetic", "--out", str(run), "--epochs", "1", "--synthetic-count", "8", "--image-size", "32",
            "--batch-size", "8", "--teacher-members", "0", "-q"]
    set_here = {"TF_NUM_INTEROP_THREADS": "1", "TF_ENABLE_ONEDNN_OPTS": "0", "ONEDNN_MAX_CPU_ISA": "AVX2"}
    env = {**{k: v for k, v in os.environ.items() if k not in RECORDED_VARIABLES}, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600,
                       env={**env, **set_here})
    assert r.returncode == 0, r.stderr
    record = json.loads((run / "run.json").read_text())
    threads = record["threads"]
    assert threads["cpu_count"] == os.cpu_count() and threads["cpus_available"] == 1
    assert isinstance(threads["tensorflow_intra_op"], int) and isinstance(threads["tensorflow_inter_op"], int)
    assert threads["gpus"] >= 0 and threads["environment"] == set_here
    assert isinstance(threads["cpu_model"], str) and threads["cpu_model"].strip()
    # a run.json of cxr-edge 0.39.0: no CPU model, no oneDNN switches; rerun by the same command elsewhere
    del threads["cpu_model"]
    threads["environment"] = {"TF_NUM_INTEROP_THREADS": "1"}
    (run / "run.json").write_text(json.dumps(record, indent=2))
    model = (run / "model.keras").stat().st_mtime_ns
    r = subprocess.run([sys.executable, "-c", code, *args[:-1]], capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0 and "nothing to do" in r.stderr, r.stderr
    assert (run / "model.keras").stat().st_mtime_ns == model
