"""edge.flatbuffer_reach pinned on flatbuffers built by hand: exactly how far a root table's weight buffers reach (the
data vectors, the offset/size of weights stored after the flatbuffer), where a cut or a bad offset takes it, and that a
file reaching exactly its own end is whole. The real models' tests (tests/test_model_cut_short.py) cut at four shares
of a file and check whole files reach no further than their end: an off-by-one or a dropped bound survived them."""

from __future__ import annotations

import struct

import pytest

from edge.flatbuffer_reach import cut_short, reach


def _u32(v: int) -> bytes:
    return struct.pack("<I", v)


def _table(fields: dict[int, bytes], *, slots: int | None = None) -> tuple[bytes, list[int]]:
    """A vtable then its table (soffset, then each field's bytes): the bytes, and where each field lies in them."""
    n = slots if slots is not None else max(fields, default=-1) + 1
    body, where = b"", {}
    for i in sorted(fields):
        where[i] = 4 + len(body)
        body += fields[i]
    vt = struct.pack("<HH", 4 + 2 * n, 4 + len(body)) + b"".join(struct.pack("<H", where.get(i, 0)) for i in range(n))
    vt += b"\0" * (-len(vt) % 4)
    return vt + struct.pack("<i", len(vt)) + body, [len(vt) + where[i] for i in sorted(fields)]


def model(buffers: list[dict[str, int]], *, root_slots: int = 5) -> bytes:
    """A flatbuffer whose root table's field 4 (Model.buffers) holds ``buffers``: each {'data': n} (a vector of n
    bytes), {'offset': o, 'size': s} (weights after the flatbuffer; either alone: a Buffer missing the other), or {}
    (no weights). The data vectors come last,
    in order, so a model with data ends exactly where its last vector does."""
    out = bytearray(_u32(0))  # the root offset: to the root table, after its vtable
    root, where = _table({4: _u32(0)} if root_slots > 4 else {}, slots=root_slots)
    out[0:4] = _u32(len(out) + _vtable_len(root_slots))
    root_start = len(out)
    out += root
    if not where:
        return bytes(out)
    buffers_at = where[0]
    buffers_at += root_start
    vector = len(out)
    out[buffers_at:buffers_at + 4] = _u32(vector - buffers_at)
    out += _u32(len(buffers)) + b"\0" * 4 * len(buffers)
    data_fields = []
    for i, b in enumerate(buffers):
        fields = {}
        if "data" in b:
            fields[0] = _u32(0)
        if "offset" in b:
            fields[1] = struct.pack("<Q", b["offset"])
        if "size" in b:
            fields[2] = struct.pack("<Q", b["size"])
        table, where = _table(fields, slots=3)
        start = len(out)
        out += table
        entry = vector + 4 + 4 * i
        table_at = start + _vtable_len(3)
        out[entry:entry + 4] = _u32(table_at - entry)
        if "data" in b:
            data_fields.append((start + where[0], b["data"]))
    for field, n in data_fields:
        out[field:field + 4] = _u32(len(out) - field)
        out += _u32(n) + bytes(range(n % 256)) + b"\x07" * (n - n % 256)
    return bytes(out)


def _vtable_len(slots: int) -> int:
    n = 4 + 2 * slots
    return n + (-n % 4)


def test_a_model_of_data_buffers_reaches_exactly_its_own_end():
    data = model([{"data": 40}, {}, {"data": 24}])
    assert reach(data) == len(data) and cut_short(data) is None
    assert reach(data + b"\0" * 9) == len(data)  # the metadata after it is no weight


def test_the_furthest_buffer_counts_not_the_last_read():
    data = model([{"data": 24}, {"data": 40}])
    assert reach(data) == len(data)
    first_end = len(data) - (4 + 40)  # the first vector ends where the second's begins
    assert reach(data[:first_end + 4]) == len(data)  # the second's length read: its end, not the first's


@pytest.mark.parametrize("buffers", [[{"data": 40}, {}, {"data": 24}], [{"data": 1}], [{"data": 300}, {"data": 0}]])
def test_every_cut_reaches_past_the_bytes_left(buffers):
    data = model(buffers)
    for n in range(len(data)):
        need = reach(data[:n])
        assert need > n, n
        assert cut_short(data[:n]) == (f"the model file is cut short: its weights reach byte {need:,} at least, and it "
                                       f"holds {n:,} bytes (a copy interrupted, or a full disk or card); copy it again "
                                       "and compare its size with the original's")


def test_a_cut_inside_a_data_vector_reaches_that_vectors_end():
    data = model([{"data": 1000}])
    assert reach(data[:-1]) == reach(data[:-600]) == len(data) == reach(data)
    assert "reach byte 1,0" in cut_short(data[:-1])  # its thousands grouped


def test_a_cut_inside_the_buffers_vector_reaches_its_end():
    data = model([{"data": 8}] * 3)
    vector = struct.unpack_from("<I", data, 24)[0] + 24  # the root's field 4 lies at byte 24
    assert struct.unpack_from("<I", data, vector)[0] == 3
    assert reach(data[:vector + 4]) == vector + 4 + 12  # the count read: the vector's end
    assert reach(data[:vector + 15]) == vector + 16
    assert reach(data[:vector + 2]) == vector + 4  # its count cut: where the count would end
    assert reach(data[:1]) == 4 and reach(data[:vector + 3]) == vector + 4


@pytest.mark.parametrize("offset, size, far", [(0, 500, False), (1, 500, False), (2, 500, True), (10_000, 0, True)])
def test_weights_after_the_flatbuffer_reach_offset_plus_size(offset, size, far):
    data = model([{"offset": offset, "size": size}])
    vector_end = reach(model([{}]))  # the same root and vector, a Buffer without fields
    assert vector_end < len(data) and reach(data) == (offset + size if far else vector_end)
    assert (cut_short(data) is None) is not far


def test_weights_after_the_flatbuffer_count_beside_data_vectors():
    data = model([{"data": 8}, {"offset": 100, "size": 23}])
    assert len(data) < 123 and reach(data) == 123
    data = model([{"offset": 5, "size": 1}, {"data": 8}])
    assert reach(data) == len(data) > 6


def test_a_file_cut_inside_an_offset_or_size_field_is_cut_short():
    """Buffer.offset and .size are 8 bytes each: bytes that end inside one were a file counted whole (session 69's
    mutation testing); they reach past their end, and cut_short says so (no struct error)."""
    data = model([{"offset": 100, "size": 9}])
    size_at = len(data) - 8
    assert reach(data) == 109
    for cut in range(size_at - 8, size_at + 8):  # inside the offset field, then inside the size field
        assert reach(data[:cut]) > cut and cut_short(data[:cut]) is not None
        assert reach(data[:cut]) == (size_at if cut < size_at else size_at + 8), cut  # where the field cut ends
    assert reach(data[:size_at + 8]) == 109


def test_a_model_without_buffers_reaches_its_root_table():
    data = model([], root_slots=4)
    root = struct.unpack_from("<I", data, 0)[0]
    assert reach(data) == root + 4 == len(data) and cut_short(data) is None
    assert reach(data + b"\0" * 5) == root + 4
    assert reach(data[:root + 3]) == root + 4  # the root table's soffset cut


def test_an_empty_buffers_vector_reaches_past_its_count():
    data = model([])
    assert reach(data) == len(data) and cut_short(data) is None


def test_a_vtable_before_the_start_is_damaged_not_cut_short():
    data = bytearray(model([{"data": 8}]))
    root = struct.unpack_from("<I", data, 0)[0]
    data[root:root + 4] = struct.pack("<i", root + 1)  # the vtable one byte before the start
    assert reach(bytes(data)) == len(data) and cut_short(bytes(data)) is None
    data[root:root + 4] = struct.pack("<i", root)  # at byte 0: read, not damaged (it holds no buffers field)
    assert reach(bytes(data)) == root + 4 and cut_short(bytes(data)) is None


def test_a_vtable_past_the_end_reaches_past_it():
    data = bytearray(model([{"data": 8}]))
    root = struct.unpack_from("<I", data, 0)[0]
    data[root:root + 4] = struct.pack("<i", root - len(data))  # the vtable at the file's end
    assert reach(bytes(data)) == len(data) + 4
    data[root:root + 4] = struct.pack("<i", root - (len(data) - 4))  # its first 4 bytes the file's last
    assert reach(bytes(data)) > len(data)


def test_empty_and_tiny_bytes_reach_past_their_end():
    assert reach(b"") == 4 and reach(b"\0\0\0") == 4
    assert reach(b"\0" * 4) == 4  # the root at byte 0, its vtable there too: 0 bytes long, no field 4


@pytest.mark.parametrize("fields", [{"offset": 100}, {"size": 100}])
def test_an_offset_without_its_size_or_a_size_without_its_offset_reaches_nothing_after(fields):
    """Weights after the flatbuffer need both fields; a Buffer with one alone (nothing writes it) is read as none."""
    data = model([fields])
    assert reach(data) == reach(model([{}])) < len(data) and cut_short(data) is None


def test_a_vtable_at_byte_0_is_read_not_damaged():
    data = _u32(8) + b"\0" * 4 + struct.pack("<i", 8) + b"\0" * 8  # the root at 8, its vtable at 0: 8 bytes, no field 4
    assert reach(data) == 12  # the root's soffset's end, not the file's 20 bytes (a damaged file's)


def test_a_vtable_cut_inside_its_first_4_bytes_reaches_one_past_the_end():
    data = bytearray(model([{"data": 8}]))
    root = struct.unpack_from("<I", data, 0)[0]
    data[root:root + 4] = struct.pack("<i", root - (len(data) - 3))  # its size read, its table size cut
    assert reach(bytes(data)) == len(data) + 1


def _vtable_last() -> bytes:
    """A root table at 4 whose 14-byte vtable ends the file (field 4's slot its last 2 bytes, 0: no buffers)."""
    return _u32(4) + struct.pack("<i", 4 - 8) + struct.pack("<HH", 14, 4) + b"\0" * 10


def test_a_vtable_whose_slot_ends_the_file_is_read_and_one_cut_inside_its_slot_reaches_the_slots_end():
    data = _vtable_last()
    assert len(data) == 22 and reach(data) == 8 and cut_short(data) is None  # the slot read: no field 4
    assert reach(data[:21]) == 22 and reach(data[:20]) == 22  # field 4's slot cut: where it would end
    assert reach(data[:18]) == 22  # the slot wholly gone
