"""How far a TFLite flatbuffer's own offsets reach: a model file cut short inside its weights, told for certain.

A cxr-edge file cut short inside its flatbuffer (an scp to a full SD card, a USB stick pulled out) has lost all of its
appended metadata, so edge.metadata took it for a foreign model and said so first; the copy cut short came last, as a
maybe. But a flatbuffer records where each of its weight buffers lies: one that reaches past the file's end cannot be
a whole model, foreign or not, and a whole foreign model never does. Only the root table, the Model's ``buffers``
vector and each Buffer's ``data`` vector (or its ``offset``/``size`` for weights stored after the flatbuffer) are
read, with the standard library alone.
"""

from __future__ import annotations

import struct

_BUFFERS = 4  # Model.buffers: field 4 of the TFLite schema's root table
_DATA, _OFFSET, _SIZE = 0, 1, 2  # Buffer.data, Buffer.offset, Buffer.size


class _Damaged(Exception):
    """An offset that points before the start: a damaged file, which this module does not judge."""


class _Past(Exception):
    """An offset that points past the end of the bytes: where it would end, at least."""

    def __init__(self, end: int) -> None:
        super().__init__(end)
        self.end = end


def _u32(data: bytes, at: int) -> int:
    if at < 0 or at + 4 > len(data):
        raise _Past(at + 4)
    return struct.unpack_from("<I", data, at)[0]


def _field(data: bytes, table: int, index: int) -> int | None:
    """Where field ``index`` of the table at ``table`` lies, or None where the table does not hold it."""
    vtable = table - struct.unpack("<i", struct.pack("<I", _u32(data, table)))[0]
    if vtable < 0:
        raise _Damaged
    if vtable + 4 > len(data):
        raise _Past(vtable + 4)
    size = struct.unpack_from("<H", data, vtable)[0]
    slot = 4 + 2 * index
    if slot + 2 > size:
        return None
    if vtable + slot + 2 > len(data):
        raise _Past(vtable + slot + 2)
    at = struct.unpack_from("<H", data, vtable + slot)[0]
    return table + at if at else None


def _ref(data: bytes, at: int) -> int:
    return at + _u32(data, at)


def reach(data: bytes) -> int:
    """The least number of bytes the flatbuffer in ``data`` needs, by its root table's weight buffers (a lower bound:
    a whole file reaches no further than its length). An offset past the end counts as reaching that far; one
    before the start (a damaged file, not one cut short) as reaching no further than the file's end."""
    try:
        root = _ref(data, 0)
        where = _field(data, root, _BUFFERS)
        if where is None:
            return min(len(data), root + 4)
        vector = _ref(data, where)
        end = vector + 4 + 4 * _u32(data, vector)
        if end > len(data):
            return end
        for i in range(_u32(data, vector)):
            buffer = _ref(data, vector + 4 + 4 * i)
            if (at := _field(data, buffer, _DATA)) is not None:
                bytes_at = _ref(data, at)
                end = max(end, bytes_at + 4 + _u32(data, bytes_at))
            offset_at, size_at = _field(data, buffer, _OFFSET), _field(data, buffer, _SIZE)
            for at in (offset_at, size_at):
                if at is not None and at + 8 > len(data):  # a field cut: the bytes end inside it
                    raise _Past(at + 8)
            if offset_at is not None and size_at is not None:
                offset = struct.unpack_from("<Q", data, offset_at)[0]
                if offset > 1:  # 0 and 1 mean no weights outside the flatbuffer
                    end = max(end, offset + struct.unpack_from("<Q", data, size_at)[0])
        return end
    except _Past as past:
        return max(past.end, len(data) + 1)
    except _Damaged:
        return len(data)


def cut_short(data: bytes) -> str | None:
    """Why ``data`` (a .tflite with TFL3 in its header) is a model file cut short, or None where its flatbuffer is
    whole: its weights reach past the file's end."""
    need = reach(data)
    if need <= len(data):
        return None
    return (f"the model file is cut short: its weights reach byte {need:,} at least, and it holds {len(data):,} bytes "
            "(a copy interrupted, or a full disk or card); copy it again and compare its size with the original's")
