"""What a run.json records of the machine that trained it, beside the settings: the software versions, the CPU, the
threads TensorFlow could use and the switches of its math library.

Training is bit-repeatable for the same settings and films on the same machine and TensorFlow build, but only at
the same number of threads: TensorFlow splits its sums over the threads it has, and a float sum split otherwise
rounds otherwise (one core of two under `taskset -c 0` moved BatchNorm statistics by 0.06 after 15 epochs). The
threads are not pinned, which would slow training; they are recorded, so that a rerun that gives other figures can
be told why. So do oneDNN's switches and the CPU's instruction set: TF_ENABLE_ONEDNN_OPTS=0, or
ONEDNN_MAX_CPU_ISA=AVX2 (what an AVX2-only machine runs; the same films on an AVX-512 one), each moved the weights
(conv kernels by up to 2e-4 after 2 epochs) with every other line of run.json the same. They are recorded to be
shown, never compared: a rerun on another machine is still the same run's settings (train.resume compares settings).
"""

from __future__ import annotations

import os
import platform
from typing import Any

# What sets TensorFlow's thread pools (or its math libraries') from outside, where a job scheduler or a
# container sets them.
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")
# What switches TensorFlow's math from outside: its oneDNN kernels on or off, the instruction set oneDNN may use
# (DNNL_: its older name), deterministic kernels. TensorFlow's start-up line says the first changes results.
NUMERICS_VARIABLES = ("TF_ENABLE_ONEDNN_OPTS", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "TF_DETERMINISTIC_OPS")
RECORDED_VARIABLES = THREAD_VARIABLES + NUMERICS_VARIABLES


def cpu_model() -> str | None:
    """The CPU's model name (/proc/cpuinfo's 'model name' on Linux, else platform.processor()), or None where neither
    says: another CPU may run other instructions (AVX2, AVX-512), and oneDNN's sums then round otherwise."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep and key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:  # not Linux
        pass
    return platform.processor() or None


def versions() -> dict[str, str]:
    """The versions of what computed the weights, and the platform."""
    import keras
    import numpy as np
    import PIL
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__, "pillow": PIL.__version__, "platform": platform.platform()}


def threads() -> dict[str, Any]:
    """The CPU, the CPUs this process could run on, the thread pools TensorFlow was given and the variables that set
    threads or switch its math: what else must be the same for a rerun to give the same weights. TensorFlow's 0
    means its own choice, from the CPUs available to the process."""
    import tensorflow as tf

    try:
        available: int | None = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        available = None
    return {"cpu_model": cpu_model(), "cpu_count": os.cpu_count(), "cpus_available": available,
            "tensorflow_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "tensorflow_inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
            "gpus": len(tf.config.list_physical_devices("GPU")),
            "environment": {k: os.environ[k] for k in RECORDED_VARIABLES if k in os.environ}}
