"""edge.atomic pinned where a change would leave a half-written or stale output, lose an old file, or write a
file no reader opens (found by hand mutation testing: each test here failed with one small change to
temporary_file, staged_folder, _move_in, _hold, write_json, write_text or read_json in place, which the fast
tests of tests/test_full_disk.py, tests/test_run_record.py and tests/test_concurrent_reports.py let through)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edge import atomic
from edge.atomic import DamagedFile, read_json, staged_folder, temporary_file, write_json, write_text


def test_a_temporary_file_keeps_its_outputs_suffix(tmp_path):
    """np.save adds .npy and PIL picks the format by the suffix: a temporary name without it is another file."""
    with temporary_file(tmp_path / "map.png") as tmp:
        assert tmp.suffix == ".png" and tmp.name.startswith(".map.")


def test_a_staged_set_removes_the_retired_names_it_did_not_write_and_keeps_those_it_did(tmp_path):
    for name in ("report.md", "left_out.csv", "plot.png", "notes.txt"):
        (tmp_path / name).write_text("old")
    with staged_folder(tmp_path, retire=("report.md", "left_out.csv", "plot.png")) as stage:
        (stage / "report.md").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "report.md"]
    assert (tmp_path / "report.md").read_text() == "new"


def test_a_staged_write_that_fails_names_the_file_in_the_folder_not_the_stage(tmp_path):
    with pytest.raises(OSError) as e:
        with staged_folder(tmp_path / "out") as stage:
            raise OSError(28, "No space left on device", str(stage / "plots" / "roc.png"))
    assert e.value.filename == str(tmp_path / "out" / "plots" / "roc.png") and e.value.errno == 28


def test_a_staged_set_that_fails_removes_the_folders_it_made(tmp_path):
    with pytest.raises(OSError):
        with staged_folder(tmp_path / "a" / "b"):
            raise OSError(28, "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_a_staged_set_clears_a_killed_writers_stage_first(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f".staging-0123456789abcdef.p{int(dead.stdout)}"
    left.mkdir()
    (left / "report.md").write_text("half")
    with staged_folder(tmp_path) as stage:
        (stage / "report.md").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_an_old_file_moved_aside_is_put_back_when_its_replacement_fails(tmp_path, monkeypatch):
    """Where no hard link can be made (FAT, exFAT), the old file is moved aside: a failed move puts it back."""
    (tmp_path / "report.md").write_text("old")
    monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(1, "Operation not permitted")))
    real = os.replace

    def replace(a, b):
        if Path(b) == tmp_path / "report.md" and ".replaced" not in str(a):
            raise PermissionError(13, "Permission denied", str(b))
        return real(a, b)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        with staged_folder(tmp_path) as stage:
            (stage / "report.md").write_text("new")
    assert (tmp_path / "report.md").read_text() == "old"


def test_write_json_ends_in_a_newline_and_refuses_nan(tmp_path):
    write_json(tmp_path / "a.json", {"a": np.array([1, 2]), "p": Path("x/y")})
    assert (tmp_path / "a.json").read_text() == '{\n  "a": [\n    1,\n    2\n  ],\n  "p": "x/y"\n}\n'
    with pytest.raises(ValueError):  # NaN is no JSON: other readers refuse the file
        write_json(tmp_path / "b.json", {"a": math.nan})
    assert not (tmp_path / "b.json").exists()


def test_write_text_writes_a_names_undecodable_bytes_as_escapes(tmp_path):
    write_text(tmp_path / "r.md", "film " + os.fsdecode(b"caf\xe9.png"))
    assert (tmp_path / "r.md").read_bytes() == b"film caf\\xe9.png"


def test_read_json_of_bytes_that_are_not_utf8_is_a_damaged_file(tmp_path):
    (tmp_path / "a.json").write_bytes(b'{"a": "\xff"}')
    with pytest.raises(DamagedFile, match="is damaged: not readable as JSON"):
        read_json(tmp_path / "a.json")


@pytest.mark.skipif(atomic.fcntl is None, reason="no locks to hold (Windows)")
def test_a_live_writers_temporary_file_is_locked_for_a_cleanup_in_another_process(tmp_path):
    with temporary_file(tmp_path / "model.tflite") as tmp:
        tmp.write_bytes(b"x")
        code = f"from edge.leftovers import _locked; from pathlib import Path; print(_locked(Path({str(tmp)!r})))"
        said = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ).stdout
        assert said.strip() == "True"
