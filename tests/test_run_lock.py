"""One writer at a time per run folder: a second cxr-train or cxr-convert is refused at once."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from train.run_lock import RunFolderBusy, run_folder_lock

pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")


def test_a_run_folder_being_written_refuses_a_second_writer(tmp_path):
    from convert.cli import convert_app
    from train.cli import train_app

    run = tmp_path / "run"
    with run_folder_lock(tmp_path / "." / "run", "cxr-train"):  # another spelling of the same folder
        with pytest.raises(RunFolderBusy, match=r"is being written by cxr-train \(process \d+\): two at once"):
            with run_folder_lock(run, "cxr-convert"):
                pass
        r = CliRunner().invoke(convert_app, [str(run)])
        assert r.exit_code == 2 and "is being written by cxr-train" in r.output
        r = CliRunner().invoke(train_app, ["--out", str(run), "--epochs", "1"])
        assert r.exit_code == 2 and "is being written by cxr-train" in r.output
    assert not run.exists()  # nothing made for a refused writer
    with run_folder_lock(run, "cxr-convert"):  # free again once the first is done
        pass


def test_the_lock_is_the_same_whatever_the_temporary_folder(tmp_path, monkeypatch):
    """A batch scheduler gives each job its own TMPDIR (SLURM): the lock lived there, and two jobs wrote
    one run folder at once."""
    import tempfile

    run = tmp_path / "run"
    with run_folder_lock(run, "cxr-train"):
        monkeypatch.setenv("TMPDIR", str(tmp_path))
        monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
        assert tempfile.gettempdir() == str(tmp_path)
        with pytest.raises(RunFolderBusy, match="is being written by cxr-train"):
            with run_folder_lock(run, "cxr-convert"):
                pass
