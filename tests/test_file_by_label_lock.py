"""Two filings at once into one OUT: each wrote OUT/.filed.csv whole, so the last kept only its own films, and a film
the other filed was never taken out when its label changed. python -m train.file_by_label takes OUT's run folder lock
(train.run_lock), as cxr-train does: the second is refused at once, in words, exit 1, nothing filed."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.filing_films import export_sheet, file_into
from train.filed_record import RECORD, read_record
from train.run_lock import run_folder_lock

SHEET = "filename,label\np0.png,COVID\np1.png,Normal\np2.png,Normal\n"


def test_a_filing_into_an_out_being_filed_is_refused_and_files_nothing(tmp_path, capsys):
    sheet, out = export_sheet(tmp_path / "export", SHEET), tmp_path / "by_class"
    with run_folder_lock(out, "python -m train.file_by_label", create=True):  # another filing, under way
        rc, stdout, err = file_into(sheet, out, capsys)
    assert rc == 1
    assert "being written by" in err and "two filings at once" in err
    assert not (out / "COVID").exists() and not (out / RECORD).exists()


def test_a_filing_after_another_ends_files_all_and_leaves_no_lock_file(tmp_path, capsys):
    sheet, out = export_sheet(tmp_path / "export", SHEET), tmp_path / "by_class"
    assert file_into(sheet, out, capsys)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [".filed.csv", "COVID", "Normal"]  # no .cxr-edge.lock left
    assert len(read_record(out)) == 3


def test_a_second_process_is_refused_while_the_first_holds_out(tmp_path, capsys):
    """Across processes (the lock is flock's, held per open file): a process holding OUT's lock, and this one."""
    sheet, out = export_sheet(tmp_path / "export", SHEET), tmp_path / "by_class"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom train.run_lock import run_folder_lock\n"
         f"with run_folder_lock({str(out)!r}, 'python -m train.file_by_label', create=True):\n"
         "    print('held', flush=True)\n    time.sleep(60)\n"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        rc, _, err = file_into(sheet, out, capsys)
    finally:
        holder.kill()
        holder.wait()
    assert rc == 1 and "being written by" in err
    time.sleep(0.1)
    assert file_into(sheet, out, capsys)[0] == 0  # the holder gone: its lock file taken, the films filed
    assert len(read_record(out)) == 3
