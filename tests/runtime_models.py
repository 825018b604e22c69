"""Write a small .tflite of every mode, for both architectures, to prove the device runtimes.

    python tests/runtime_models.py OUT_DIR

The models are tiny (trained one epoch on synthetic images) but real: the TF 2.21 converter's
output, with cxr-edge metadata and self-test. The seed model's Dense layer is big enough that
dynamic-range quantization touches it (the case tflite-runtime 2.14 rejects without the
converter flag). tests/test_runtime_compat.py then loads each file in whatever runtime
CXR_EDGE_RUNTIME names, e.g. in a Python 3.11 venv with tflite-runtime 2.14 and numpy<2.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODES = ["int8", "int8-full", "int16x8", "dynamic", "fp16", "fp32"]


def build_all(out: Path) -> list[Path]:
    from train.quiet import load_tensorflow

    load_tensorflow()
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training

    made = []
    for arch, size in (("compact", 48), ("seed", 32)):
        run = out / arch
        if not (run / "model.keras").is_file():
            run_training(TrainSettings(data="synthetic", out=run, arch=arch, image_size=size, epochs=1,
                                       synthetic_count=10, batch_size=8, teacher_members=0,
                                       progress=False))
        run_conversion(ConvertSettings(run_dir=run, modes=MODES, latency_threads=(), n_boot=100, progress=False))
        made += [run / f"model_{m}.tflite" for m in MODES]
    return made


if __name__ == "__main__":
    for p in build_all(Path(sys.argv[1])):
        print(p)
