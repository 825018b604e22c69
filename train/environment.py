"""What a run.json records of the machine that trained it, beside the settings: the software versions and the
threads TensorFlow could use.

Training is bit-repeatable for the same settings and films on the same machine and TensorFlow build, but only at
the same number of threads: TensorFlow splits its sums over the threads it has, and a float sum split otherwise
rounds otherwise (one core of two under `taskset -c 0` moved BatchNorm statistics by 0.06 after 15 epochs). The
threads are not pinned, which would slow training; they are recorded, so that a rerun that gives other figures can
be told why.
"""

from __future__ import annotations

import os
import platform
from typing import Any

# What sets TensorFlow's thread pools (or its math libraries') from outside, where a job scheduler or a
# container sets them.
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")


def versions() -> dict[str, str]:
    """The versions of what computed the weights, and the platform."""
    import keras
    import numpy as np
    import PIL
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__, "pillow": PIL.__version__, "platform": platform.platform()}


def threads() -> dict[str, Any]:
    """The CPUs this process could run on and the thread pools TensorFlow was given: what else must be the same for
    a rerun to give the same weights. TensorFlow's 0 means its own choice, from the CPUs available to the process."""
    import tensorflow as tf

    try:
        available: int | None = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        available = None
    return {"cpu_count": os.cpu_count(), "cpus_available": available,
            "tensorflow_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "tensorflow_inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
            "gpus": len(tf.config.list_physical_devices("GPU")),
            "environment": {k: os.environ[k] for k in THREAD_VARIABLES if k in os.environ}}
