"""edge.metadata.read_digested / read_stamped hash the very bytes they read, never the path again (hand mutation,
session 72: hashing ``Path(path).read_bytes()`` instead survived every test). A rollout copying a new model in place
between the read and the hash would lend the new file's digest to the answers of the model loaded before it; the
file is replaced here inside the split that sits between the two (the module's own seam), no timing involved."""

from __future__ import annotations

import hashlib

import pytest

from edge import metadata as md

LOADED = b"\x00" * 4 + b"TFL3" + b"\x00" * 100  # a foreign .tflite: no archive, not cut short
COPIED_IN = b"\x00" * 4 + b"TFL3" + b"\x01" * 100


@pytest.mark.parametrize("reader", [md.read_digested, md.read_stamped])
def test_a_file_replaced_after_the_read_does_not_lend_its_digest(tmp_path, monkeypatch, reader):
    model = tmp_path / "model.tflite"
    model.write_bytes(LOADED)
    real_split = md.split

    def split_while_a_rollout_copies(data, name=""):
        model.write_bytes(COPIED_IN)  # the new model lands after the bytes were read, before they are hashed
        return real_split(data, name)

    monkeypatch.setattr(md, "split", split_while_a_rollout_copies)
    got = reader(model)
    assert got[0] == LOADED
    assert got[3] == hashlib.sha256(LOADED).hexdigest() != hashlib.sha256(COPIED_IN).hexdigest()
