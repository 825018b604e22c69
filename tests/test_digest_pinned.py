"""edge.digest pinned (hand mutation testing: a digest of the first MiB alone is pinned by no earlier test, whose
model files and films are all smaller). A real model file or DICOM film is many MiB: two files that differ only past the first
MiB must not share a name."""

from __future__ import annotations

import hashlib

from edge.digest import file_sha256


def test_the_digest_covers_every_block_of_a_file_of_several_mib(tmp_path):
    data = bytes(range(256)) * (10 * 1024) + b"tail"  # 2.5 MiB and 4 bytes: two whole blocks and two partial ones
    (tmp_path / "f").write_bytes(data)
    (tmp_path / "g").write_bytes(data[:-1] + b"!")
    assert file_sha256(tmp_path / "f") == hashlib.sha256(data).hexdigest()
    assert file_sha256(str(tmp_path / "g")) != file_sha256(tmp_path / "f")
