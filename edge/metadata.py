"""The metadata that makes a .tflite self-describing: one file to copy to the device.

A cxr-edge model file is the TFLite flatbuffer followed by a zip archive holding
``cxr_edge.json`` (labels, preprocessing, calibration temperature, version, checksum) and
optional extra files (the self-test). TFLite runtimes read the flatbuffer by offsets from the
start and ignore the trailing archive, the same trick TFLite Model Maker uses for label files;
Python's zipfile finds the archive from the end. Only the standard library is needed to read it.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable

from edge.capped_repr import capped_repr
from edge.controls import label_problem
from edge.flatbuffer_reach import cut_short
from edge.temperature_range import outside_fitted_range

FORMAT = "cxr-edge/1"
META_NAME = "cxr_edge.json"
REQUIRED = ("labels", "preprocess", "temperature", "tflite_bytes", "tflite_sha256")
# Metadata a reader must understand to give the labels the file intends, e.g. a stored decision
# rule: a reader that ignored it would silently give the most probable class instead. A file lists
# what it uses under "requires"; a reader refuses a file that needs something it does not know.
# (cxr-edge 0.5.0 and older do not check this list, and ignore a stored rule.)
UNDERSTOOD = frozenset({"decision"})


class ModelFileError(ValueError):
    """A file that is not a usable model; the message says what is wrong or missing."""


def attach(flatbuffer: bytes, metadata: dict[str, Any], files: dict[str, bytes] | None = None) -> bytes:
    """Return the flatbuffer with the metadata archive appended (pure function).

    Only ``files`` go in beside the metadata: to change the metadata of an existing file, use
    :func:`rewrite`, which keeps its members. A file whose metadata records a self-test or
    fingerprints it does not carry is refused as damaged (edge.members)."""
    meta = dict(metadata)
    meta["format"] = FORMAT
    meta["tflite_bytes"] = len(flatbuffer)
    meta["tflite_sha256"] = hashlib.sha256(flatbuffer).hexdigest()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(META_NAME, json.dumps(meta, indent=2, sort_keys=True))
        z.writestr("labels.txt", "\n".join(meta.get("labels", [])) + "\n")
        for name, data in (files or {}).items():
            z.writestr(name, data)
    return flatbuffer + buf.getvalue()


def split(data: bytes, name: str = "") -> tuple[bytes, dict[str, Any] | None, dict[str, bytes]]:
    """Split a model file's bytes into (flatbuffer, metadata or None, extra files).

    None means a foreign .tflite (no archive, or one without ``cxr_edge.json``). A cxr-edge file
    whose archive is cut off or corrupt is an error, not a foreign model: run as one, it would
    lose its calibration, preprocessing and input check without anyone noticing."""
    if not data:  # a copy that failed before its first byte (scp to a full card)
        raise ModelFileError("the file is empty (0 bytes): copy the model file again")
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise ModelFileError("not a TensorFlow Lite model (no TFL3 identifier)" + _keras_hint(data, name))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            meta = json.loads(z.read(META_NAME))
            files = {n: z.read(n) for n in z.namelist() if n not in (META_NAME, "labels.txt")}
    except RecursionError:  # json.loads on brackets nested some 100,000 deep: not a file cxr-convert writes
        raise ModelFileError("model metadata is damaged (nested too deeply)") from None
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        # NotImplementedError, RuntimeError: zipfile's words for a damaged byte in the archive's directory (a
        # compression method or version it lacks, an 'encrypted' flag): an unexpected error ended a running watch
        if _has_metadata_remnant(data):
            raise ModelFileError("damaged or truncated cxr-edge model file (its metadata cannot be read); "
                                 "copy it again") from None
        if why := cut_short(data):  # cut inside its weights: no metadata left, yet no foreign model either
            raise ModelFileError(why) from None
        return data, None, {}
    if not isinstance(meta, dict):
        raise ModelFileError(f"model metadata is damaged: {META_NAME} holds a {type(meta).__name__}, not an object")
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ModelFileError(f"model metadata is incomplete: missing {', '.join(missing)}")
    fmt = meta.get("format", FORMAT)
    if isinstance(fmt, str) and fmt.startswith("cxr-edge/") and fmt != FORMAT:  # not damaged: made by a newer one
        raise ModelFileError(f"this model was written by a newer cxr-edge (format {fmt!r}; this one reads {FORMAT!r}): "
                             "update cxr-edge on this device")
    if problem := field_problem(meta):
        raise ModelFileError(f"model metadata is damaged: {problem}")
    unknown = sorted(set(meta.get("requires", [])) - UNDERSTOOD)
    if unknown:
        raise ModelFileError(f"this model needs a newer cxr-edge (it uses {', '.join(unknown)}); update cxr-edge on this device")
    if "decision" in meta.get("requires", []) and meta.get("decision") is None:  # cxr-convert drops the one with the other
        raise ModelFileError("model metadata is damaged: requires lists 'decision' but the file stores no decision rule "
                             "(removed by hand?): it would answer by the most probable class, not the rule it was given; "
                             "convert the model again or store a rule with cxr-evaluate --operating-point")
    n = meta["tflite_bytes"]
    flatbuffer = data[:n]
    if len(flatbuffer) != n or hashlib.sha256(flatbuffer).hexdigest() != meta["tflite_sha256"]:
        raise ModelFileError("model weights do not match their checksum: the file is damaged")
    return flatbuffer, meta, files


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def finite_number(v: Any) -> bool:
    """Whether ``v`` is a number a float holds (not NaN, not infinite, not a bool): JSON's integers have no limit,
    and 10**400 passed ``0 < t < inf`` only to fail float(t) later as 'unexpected OverflowError'."""
    try:
        return _number(v) and math.isfinite(float(v))
    except OverflowError:
        return False


def field_problem(meta: dict[str, Any]) -> str | None:
    """What is wrong with the fields every reader relies on, or None (pure function). The checksum
    covers the flatbuffer only: metadata edited by hand, or written by a faulty tool, had labelled
    films with every answer swapped (a negative temperature), one class under two names, or
    failed as 'unexpected TypeError'."""
    fmt = meta.get("format", FORMAT)
    if not isinstance(fmt, str) or not fmt.startswith("cxr-edge/"):
        return f"format is {capped_repr(fmt)}, not {FORMAT!r}"
    if fmt != FORMAT:
        return f"format {capped_repr(fmt)} is not {FORMAT!r}, the one this cxr-edge reads; update cxr-edge on this device"
    labels = meta["labels"]
    if not isinstance(labels, list) or len(labels) < 2 or not all(isinstance(c, str) and c.strip() for c in labels):
        return f"labels must be a list of two or more class names, not {capped_repr(labels)}"
    if said := next((f"labels {capped_repr(labels)}: {problem}" for c in labels if (problem := label_problem(c, made=False))), None):
        return f"{said} (it would put report tables' figures under the wrong class, split answer lines or run on a terminal)"
    if len({c.casefold() for c in labels}) < len(labels):
        return f"labels {capped_repr(labels)} name a class twice (ignoring case): two outputs would give one answer"
    t = meta["temperature"]
    if not finite_number(t) or not 0 < t:
        return (f"its calibration temperature {capped_repr(t)} is not a number above 0 (a negative one swaps every answer, "
                "0 or infinity leaves none)")
    if (far := outside_fitted_range(float(t))) is not None:
        return f"its calibration temperature {far}; convert the run again with cxr-convert"
    n = meta["tflite_bytes"]
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0 or not isinstance(meta["tflite_sha256"], str):
        return f"tflite_bytes {capped_repr(n)} or tflite_sha256 is not what cxr-convert writes"
    if not isinstance(meta["preprocess"], dict):
        return f"preprocess is {type(meta['preprocess']).__name__}, not an object"
    for key in ("size", "channels"):  # 64.0 passed the input's shape, then failed resizing as the device's Pillow's fault
        if key in meta["preprocess"] and not (isinstance(v := meta["preprocess"][key], int) and not isinstance(v, bool)):
            return f"preprocess.{key} is {capped_repr(v)} ({type(v).__name__}), not a whole number"
    trim = meta["preprocess"].get("trim_borders", True)
    if not isinstance(trim, bool):  # the string "false" is true to Python: borders trimmed that the file says not to
        return f"preprocess.trim_borders is {capped_repr(trim)} ({type(trim).__name__}), not the JSON true or false"
    requires = meta.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        return f"requires is {capped_repr(requires)}, not a list of names"
    tolerance = meta.get("selftest_tolerance", 0.02)
    if not _number(tolerance) or not 0 < tolerance <= 0.5:  # infinity or 1e9 let another run's weights pass
        return f"selftest_tolerance {capped_repr(tolerance)} is not a probability gap above 0 and at most 0.5"
    if meta.get("output", "logits") != "logits":  # the device takes the outputs as logits, and says so
        return f"output is {capped_repr(meta['output'])}: this cxr-edge reads a model whose outputs are logits"
    return None


def read(path: str | Path) -> tuple[bytes, dict[str, Any] | None, dict[str, bytes]]:
    """Read a model file from disk; see :func:`split`."""
    return _read(path, False)[:3]


def read_digested(path: str | Path) -> tuple[bytes, dict[str, Any] | None, dict[str, bytes], str]:
    """:func:`read`, and the whole file's SHA-256 (as sha256sum prints it) of the very bytes read: hashed again from
    the path after the load, a file replaced in between (a rollout copying a new model in place) lent its digest to
    the answers of the model loaded before it."""
    return _read(path, True)[:4]


def read_stamped(path: str | Path) -> tuple[bytes, dict[str, Any] | None, dict[str, bytes], str, os.stat_result]:
    """:func:`read_digested`, and the file's stat as it was opened (fstat of the open file, before its bytes were
    read): a watch's edge.model_swap starts from it, not from the path stated again once the watch starts, when a
    file copied over the model in between (while --skip-answered's logs were read) passed for the loaded one."""
    return _read(path, True)


def _read(path: str | Path, digested: bool) -> tuple[bytes, dict[str, Any] | None, dict[str, bytes], str, os.stat_result]:
    from edge.output import said_name  # a newline in the path forged a line of the error, an ESC ran on the terminal

    named = said_name(str(path))
    try:
        with open(path, "rb") as f:
            opened = os.fstat(f.fileno())  # before the read: a change while it reads gives the path another stamp
            data = f.read()
    except IsADirectoryError:
        inside = device_file_first(p.name for p in Path(path).glob("*.tflite"))[:4]  # a run folder given for its model
        raise ModelFileError(f"{named}: is a directory, not a model file"
                             + (f"; it holds {', '.join(map(said_name, inside))}: give one of them, e.g. {said_name(str(Path(path) / inside[0]))}"
                                if inside else "")) from None
    except OSError as e:
        raise ModelFileError(f"{named}: cannot read model file: {e.strerror or e}") from None
    try:
        return (*split(data, Path(path).name), hashlib.sha256(data).hexdigest() if digested else "", opened)
    except ModelFileError as e:  # where two models are read (cxr-compare), which one
        raise ModelFileError(f"{named}: {e}") from None


def device_file_first(names: Iterable[str]) -> list[str]:
    """A folder's model files in name order, but the device file (model_int8.tflite) first: a cxr-convert run folder
    sorts model_dynamic, model_fp16, model_fp32 and model_int16x8 before it, so the four named and the 'e.g.' left
    out the one file the README tells a device to use, and offered the 500 KB float file instead."""
    return sorted(names, key=lambda n: (n != "model_int8.tflite", n))


def _has_metadata_remnant(data: bytes) -> bool:
    # attach() writes cxr_edge.json first, so its local header (signature, 26 bytes of fields, the
    # name) sits right after the flatbuffer and survives a copy cut off anywhere in the archive.
    name = META_NAME.encode()
    i = data.find(name)
    while i >= 0:
        if i >= 30 and data[i - 30:i - 26] == b"PK\x03\x04" and data[i - 4:i - 2] == len(name).to_bytes(2, "little"):
            return True
        i = data.find(name, i + 1)
    return _ends_in_part_of_the_metadata_header(data)


# The local header of cxr_edge.json as attach() writes it: the signature, 22 bytes of fields that vary
# (version, flags, method, time, date, CRC, sizes: None), the name's length, the extra field's length, the name.
_HEADER = (list(b"PK\x03\x04") + [None] * 22 + list(len(META_NAME).to_bytes(2, "little")) + [None] * 2
           + list(META_NAME.encode()))


def _ends_in_part_of_the_metadata_header(data: bytes) -> bool:
    """Whether the file is a flatbuffer followed by the first 1 to 42 bytes of that header alone: a copy
    cut off before the whole header of cxr_edge.json was written (the name not yet in it). A FlatBuffers
    builder finishes a buffer on a multiple of 4 bytes, so only a tail that starts there is looked at: a
    foreign .tflite that merely ends in b"P" or b"PK" is no remnant (one ending on a whole b"PK\x03\x04" at
    such a place would be taken for one: 1 in 4 billion)."""
    first = max(8, len(data) - len(_HEADER) + 1)  # the flatbuffer holds at least its TFL3 identifier
    for start in range(first + -first % 4, len(data), 4):
        if all(want is None or got == want for got, want in zip(data[start:], _HEADER)):
            return True
    return False


def _keras_hint(data: bytes, name: str) -> str:
    """The way on when the file is a Keras model (model.keras sits beside the .tflite files in a run
    folder): judged by suffix and zip contents, as edge must not import Keras."""
    keras = name.lower().endswith(".keras")
    if not keras and data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                keras = {"config.json", "model.weights.h5"} <= set(z.namelist())
        except (zipfile.BadZipFile, ValueError, EOFError):
            pass
    if data[:8] == b"\x89HDF\r\n\x1a\n":  # the HDF5 signature: a Keras .h5 (or any HDF5 file)
        return "; it is an HDF5 file (a Keras .h5 model?): edge-classify runs .tflite files, converted from it first"
    return ("; it is a Keras model: convert it with cxr-convert RUN first (RUN: its cxr-train folder; cxr-evaluate "
            "scores it as that folder's model.keras)") if keras else ""


def rewrite(data: bytes, update: Callable[[dict[str, Any]], dict[str, Any]]) -> bytes:
    """The same model file with its metadata replaced by ``update(metadata)`` (pure function).

    The flatbuffer and the extra files are kept byte for byte: a stored rule or test figures can
    be changed without converting again, and the checksum still covers the same weights."""
    flatbuffer, meta, files = split(data)
    if meta is None:
        raise ModelFileError("the file has no cxr-edge metadata to rewrite")
    return attach(flatbuffer, update(dict(meta)), files)
