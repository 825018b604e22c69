"""edge.model_swap pinned (hand mutation testing, session 71): a same-size model copied onto the path with its
time kept (cp -p) is still seen, the loaded file put back after it was removed is said, a touch after a rollback
is not, and the warning names the new size, a read error's reason and the path quoted. Real tiny models."""

from __future__ import annotations

import os
import shutil

import edge.model_swap
from edge.digest import file_sha256
from edge.model_swap import ModelFile
from tests.test_model_swap import _deployed


def _settled(watched: ModelFile) -> str:
    watched.note()
    return watched.note() or ""


def test_a_same_size_model_copied_onto_the_path_with_its_time_kept_is_seen(tiny_run, tmp_path):
    deployed, _ = _deployed(tiny_run, tmp_path)
    before = os.stat(deployed)
    other = bytearray(deployed.read_bytes())
    other[-1] ^= 0xFF  # the same size: a model retrained with the same architecture
    watched = ModelFile(deployed, file_sha256(deployed))
    with open(deployed, "r+b") as f:  # cp -p onto the path: the same inode, its mtime set back
        f.write(other)
    os.utime(deployed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(deployed).st_mtime_ns == before.st_mtime_ns and os.stat(deployed).st_ino == before.st_ino
    said = _settled(watched)
    assert "was replaced" in said and f"now {len(other):,} bytes" in said


def test_the_loaded_file_put_back_after_it_was_gone_is_said_and_a_touch_after_is_not(tiny_run, tmp_path):
    deployed, _ = _deployed(tiny_run, tmp_path)
    kept = tmp_path / "kept.tflite"
    shutil.copyfile(deployed, kept)
    watched = ModelFile(deployed, file_sha256(deployed))
    deployed.unlink()
    assert "is gone" in _settled(watched)
    shutil.copyfile(kept, deployed)
    assert "is again the one this watch loaded" in _settled(watched)
    os.utime(deployed, ns=(1, 1))
    assert _settled(watched) == ""


def test_a_model_file_that_cannot_be_read_says_why_and_names_the_path_quoted(tiny_run, tmp_path, monkeypatch):
    deployed, new = _deployed(tiny_run, tmp_path)
    odd = tmp_path / "model\nv2.tflite"  # a newline in the name: the warning stays one line
    os.replace(deployed, odd)
    watched = ModelFile(odd, file_sha256(odd))
    shutil.copyfile(new, odd)

    def unreadable(path):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(edge.model_swap, "file_sha256", unreadable)
    said = _settled(watched)
    assert f"the model file \"{tmp_path}/model\\nv2.tflite\" was replaced" in said and "\n" not in said
    assert "it cannot be read (Permission denied)" in said
