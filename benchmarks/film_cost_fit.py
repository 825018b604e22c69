"""Each film's decode peak in edge-classify beside what edge.decode_budget.film_cost expects it to take.

film_cost paces edge-classify's decode threads: a film starts only while it and the films decoding beside it
fit in an eighth of the memory free. Its rates (bytes a pixel by kind, a 16-bit DICOM sample's, and the file's
bytes) must stay at or above what a decode takes, or a Pi is paced into more than it has. Each film is decoded
as edge-classify's threads decode it (edge.batch.decode_counted, the default PreprocessConfig) in a fresh
process. "Above the imports" is its peak RSS (VmHWM) less the process's RSS once it has imported the modules and
decoded a 64x64 film of the same kind: a first decode imports more (pydicom's pixel handlers, 30 MiB and more),
once a process, not once a film, so it is not a film's to pay. "Imports only" is the same less the RSS after
the imports alone, the figure benchmarks/decode_memory.py gives.
Films are synthetic, written to a temporary folder: a smooth gradient with noise (benchmarks/decode_memory.py's
film), and for the 16-bit and 8-bit PNGs also without the noise (a small file of the same pixels' count), so
that the file's bytes and the pixels' share of the peak can be told apart.

    python benchmarks/film_cost_fit.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from decode_memory import dicom, film  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHILD = """
import sys
sys.path.insert(0, {root!r})
import edge.batch, edge.preprocess, edge.dicom, edge.dicom_view, edge.frames
try:
    import pydicom.pixels
except ImportError:
    pass

def status(key):
    return int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith(key + ":")))

def decode(path):
    x = edge.batch.decode_counted(path, edge.preprocess.PreprocessConfig())[0]
    assert not isinstance(x, str), x

print(status("VmHWM"))
decode({tiny!r})  # what a decode imports on first use, once a process
print(status("VmRSS"))
decode({path!r})
print(status("VmHWM"))
"""

def smooth(h: int, w: int, top: int) -> np.ndarray:
    """decode_memory.film without its noise: the same pixels' count in a file a tenth of the size or less."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return ((0.5 + 0.3 * np.sin(xx / 97.0) * np.cos(yy / 131.0)) * top).astype(np.uint16)


def _rgb(h: int, w: int) -> np.ndarray:
    grey = film(h, w, 255).astype(np.uint8)
    return np.stack([grey, grey[::-1], 255 - grey], axis=2)


# label -> (suffix, pixels of h x w, save keywords); a DICOM's "pixels" are its bits stored
KINDS = {
    "16-bit PNG": (".png", lambda h, w: film(h, w, 65535), {"compress_level": 1}),
    "16-bit PNG smooth": (".png", lambda h, w: smooth(h, w, 65535), {"compress_level": 1}),
    "8-bit PNG": (".png", lambda h, w: film(h, w, 255).astype(np.uint8), {}),
    "8-bit PNG smooth": (".png", lambda h, w: smooth(h, w, 255).astype(np.uint8), {}),
    "8-bit JPEG": (".jpg", lambda h, w: film(h, w, 255).astype(np.uint8), {"quality": 90}),
    "RGB PNG": (".png", _rgb, {}),
    "12-bit DICOM": (".dcm", 12, {}),
    "16-bit DICOM": (".dcm", 16, {}),
}
FILMS = [("16-bit PNG", 2500, 2000), ("16-bit PNG", 3500, 3000), ("16-bit PNG", 6000, 6000),
         ("16-bit PNG smooth", 6000, 6000), ("8-bit PNG", 2500, 2000), ("8-bit PNG", 6000, 6000),
         ("8-bit PNG smooth", 6000, 6000), ("8-bit JPEG", 2500, 2000), ("RGB PNG", 2500, 2000),
         ("RGB PNG", 6000, 6000), ("12-bit DICOM", 2500, 2000), ("12-bit DICOM", 3500, 3000),
         ("12-bit DICOM", 6000, 6000), ("16-bit DICOM", 3500, 3000), ("16-bit DICOM", 6000, 6000)]


def write_film(folder: Path, kind: str, h: int, w: int) -> Path:
    suffix, make, keywords = KINDS[kind]
    path = folder / f"{kind.replace(' ', '_')}_{w}x{h}{suffix}"
    if suffix == ".dcm":
        path.write_bytes(dicom(film(h, w, 2**make - 1), make))
    else:
        Image.fromarray(make(h, w)).save(path, **keywords)
    return path


def peaks_mib(path: Path, tiny: Path) -> tuple[float, float]:
    """(peak above the imports, peak above the imports and a first decode) of decoding ``path``, in MiB."""
    code = CHILD.format(root=str(ROOT), path=str(path), tiny=str(tiny))
    imports, warm, peak = (int(v) / 1024 for v in subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()[-3:])
    return peak - imports, peak - warm


def main() -> None:
    import argparse

    from edge.decode_budget import film_cost

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    print("| film | Mpixels | file MiB | imports only: above MiB | above the imports MiB | film_cost MiB | "
          "film_cost / above | above / pixel B |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="film-cost-") as name:
        folder = Path(name)
        for kind, h, w in FILMS:
            path, tiny = write_film(folder, kind, h, w), write_film(folder, kind, 64, 64)
            cold, above = peaks_mib(path, tiny)
            cost = film_cost(str(path))
            print(f"| {kind} {w}x{h} | {h * w / 1e6:.1f} | {path.stat().st_size / 2**20:.1f} | {cold:.0f} | "
                  f"{above:.0f} | {cost / 2**20:.0f} | {cost / 2**20 / above:.2f} | {above * 2**20 / (h * w):.2f} |",
                  flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
