"""A flatbuffer damaged inside its tables: the model file refused at start, never each film in turn.

Fuzzing the flatbuffer of a tiny int8 model byte by byte (session 66) found one way a damaged file got past every
check: a constant tensor (a layer's weights) whose buffer index reads 0, the empty buffer. The runtime loads and
allocates it and fails at every invoke ("Input tensor 5 lacks data"), so a batch answered 'inference failed' for
every film and a watch would have done so for every film it was given, the model never named. A cxr-edge file's
checksum stops this damage only where it was not written again (a converter bug, a hand edit); a foreign file has none.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from edge import metadata as md
from edge.model import EdgeModel, ModelFileError

ROOT = Path(__file__).resolve().parents[1]


def _u32(b: bytes, pos: int) -> int:
    return struct.unpack_from("<I", b, pos)[0]


def _field(b: bytes, table: int, slot: int) -> int | None:
    """Where a FlatBuffers table's field ``slot`` lies, or None where its vtable leaves it out."""
    vtable = table - struct.unpack_from("<i", b, table)[0]
    at = 4 + 2 * slot
    if at >= struct.unpack_from("<H", b, vtable)[0]:
        return None
    rel = struct.unpack_from("<H", b, vtable + at)[0]
    return table + rel if rel else None


def _tables(b: bytes, pos: int) -> list[int]:
    """The tables of the vector whose offset is held at ``pos``."""
    v = pos + _u32(b, pos)
    return [v + 4 + 4 * i + _u32(b, v + 4 + 4 * i) for i in range(_u32(b, v))]


def weights_unlinked(flatbuffer: bytes) -> bytes:
    """The flatbuffer with its first constant tensor's buffer index set to 0 (TFLite's empty buffer). By the
    schema: Model.subgraphs is field 2, Model.buffers 4, SubGraph.tensors 0, Tensor.buffer 2, Buffer.data 0."""
    root = _u32(flatbuffer, 0)
    buffers = _tables(flatbuffer, _field(flatbuffer, root, 4))
    subgraph = _tables(flatbuffer, _field(flatbuffer, root, 2))[0]
    for tensor in _tables(flatbuffer, _field(flatbuffer, subgraph, 0)):
        at = _field(flatbuffer, tensor, 2)
        index = _u32(flatbuffer, at) if at is not None else 0
        data = _field(flatbuffer, buffers[index], 0) if index else None
        if data is not None and _u32(flatbuffer, data + _u32(flatbuffer, data)):  # a buffer that holds bytes
            return flatbuffer[:at] + bytes(4) + flatbuffer[at + 4:]
    raise AssertionError("no constant tensor found")


@pytest.fixture(scope="module")
def unlinked(model_dir, tmp_path_factory) -> dict[str, Path]:
    """The tiny int8 model so damaged: as a cxr-edge file with its checksum written again, and as a bare .tflite."""
    flatbuffer, meta, files = md.read(model_dir / "compact" / "model_int8.tflite")
    damaged = weights_unlinked(flatbuffer)
    assert damaged != flatbuffer and len(damaged) == len(flatbuffer)
    folder = tmp_path_factory.mktemp("unlinked")
    kept = {k: v for k, v in meta.items() if k not in ("format", "tflite_bytes", "tflite_sha256")}
    (folder / "forged.tflite").write_bytes(md.attach(damaged, kept, files))
    (folder / "foreign.tflite").write_bytes(damaged)
    return {"forged": folder / "forged.tflite", "foreign": folder / "foreign.tflite"}


@pytest.mark.parametrize("kind", ["forged", "foreign"])
def test_a_model_whose_weights_lost_their_buffer_is_refused_when_loaded(unlinked, kind):
    with pytest.raises(ModelFileError, match=r"cannot run it \(.+\); the file may be damaged"):
        EdgeModel(unlinked[kind], labels=["COVID", "Normal"] if kind == "foreign" else None)


@pytest.mark.parametrize("kind", ["forged", "foreign"])
def test_edge_classify_names_the_model_once_not_each_film(unlinked, model_dir, tmp_path, kind):
    films = sorted((model_dir / "compact" / "synthetic-data" / "COVID").glob("*.png"))[:2]
    for f in films:
        shutil.copyfile(f, tmp_path / f.name)
    extra = ["--labels", "COVID,Normal"] if kind == "foreign" else ["--no-selftest"]  # the self-test would see it first
    p = subprocess.run([sys.executable, "-m", "edge.cli", str(tmp_path), "--model", str(unlinked[kind]), *extra],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("edge-classify: error")]
    assert p.returncode == 2 and p.stdout == "" and "inference failed" not in p.stderr, p.stderr
    assert len(errors) == 1 and str(unlinked[kind]) in errors[0] and "cannot run it" in errors[0], p.stderr
