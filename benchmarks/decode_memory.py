"""Peak memory of decoding one large film with edge.preprocess.preprocess_file, each in a fresh process.

A Pi 3 has 1 GB and edge-classify decodes in up to 4 threads, so what one film needs matters.
Synthetic 16-bit PNGs of 3000x3500 and 7000x7000 pixels and a 3000x3500 12-bit DICOM (rescale and
window) are written to a temporary folder; the table gives each decode's peak RSS and that of a
process that only imports the modules (the interpreter, numpy, Pillow, pydicom).

    python benchmarks/decode_memory.py
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
import edge.preprocess, edge.dicom
try:
    import pydicom.pixels
except ImportError:
    pass
if {path!r}:
    edge.preprocess.preprocess_file({path!r})
try:  # VmHWM: this process's own peak (ru_maxrss keeps the parent's from before exec)
    print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def film(h: int, w: int, top: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    smooth = 0.5 + 0.3 * np.sin(xx / 97.0) * np.cos(yy / 131.0)
    noise = np.random.default_rng(0).normal(0, 0.02, (h, w)).astype(np.float32)
    return np.clip((smooth + noise) * top, 0, top).astype(np.uint16)


def dicom(pixels: np.ndarray, stored: int = 12) -> bytes:
    """A DICOM of ``pixels`` (16 bits allocated, ``stored`` of them used), with a rescale and a window."""
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = "1.2.840.10008.5.1.4.1.1.1.1", generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PhotometricInterpretation, ds.SamplesPerPixel = "DX", "MONOCHROME2", 1
    ds.Rows, ds.Columns = pixels.shape
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, stored, stored - 1, 0
    ds.RescaleSlope, ds.RescaleIntercept, ds.WindowCenter, ds.WindowWidth = 1.0, -1024.0, 1000, 3000
    ds.PixelData = pixels.tobytes()
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def peak_mib(path: str) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), path=path)], capture_output=True,
                         text=True, check=True).stdout
    return int(out.split()[-1]) / 1024  # KiB


def main() -> None:
    import argparse

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    with tempfile.TemporaryDirectory(prefix="decode-memory-") as tmp:
        files = {}  # name -> (path, MiB of its 16-bit pixels)
        for h, w in ((3500, 3000), (7000, 7000)):
            p = Path(tmp) / f"{w}x{h}-16bit.png"
            Image.fromarray(film(h, w, 65535)).save(p, compress_level=1)
            files[f"16-bit PNG {w}x{h}"] = (str(p), 2 * h * w / 2**20)
        try:
            p = Path(tmp) / "3000x3500.dcm"
            p.write_bytes(dicom(film(3500, 3000, 4095)))
            files["12-bit DICOM 3000x3500"] = (str(p), 2 * 3500 * 3000 / 2**20)
        except ImportError:
            print("(pydicom is not installed: no DICOM row)")
        base = peak_mib("")
        # The ratio is the decode's own peak to the film's stored pixels: one copy is 1.0, whatever the machine.
        print("| file | pixels MiB | peak RSS MiB | above the imports MiB | above the imports / pixels |\n"
              "|---|---:|---:|---:|---:|")
        print(f"| (imports only) | | {base:.0f} | 0 | |")
        for name, (path, pixels) in files.items():
            peak = peak_mib(path)
            print(f"| {name} | {pixels:.0f} | {peak:.0f} | {peak - base:.0f} | {(peak - base) / pixels:.1f} |")


if __name__ == "__main__":
    main()
