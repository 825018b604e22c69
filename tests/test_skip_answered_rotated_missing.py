"""The documented systemd unit gives `--skip-answered answers.jsonl --skip-answered answers.jsonl.1`: before
logrotate's first rotation answers.jsonl.1 is not there, and every start warned "no such file". A rotated copy not
made yet is a note; a missing first log, a typo'd name and a copy named otherwise stay warnings."""

from __future__ import annotations

from edge.missing_logs import missing_logs


def test_a_rotated_copy_not_made_yet_is_a_note(tmp_path):
    log, rotated = tmp_path / "answers.jsonl", tmp_path / "answers.jsonl.1"
    log.write_text("")
    assert missing_logs([log, rotated]) == ([log], [
        f"note: --skip-answered {rotated}: not made yet ({log} not rotated yet); a start after logrotate's first "
        "rotation reads it"])
    gz = tmp_path / "answers.jsonl.2.gz"
    assert missing_logs([log, rotated, gz])[1][1].startswith(f"note: --skip-answered {gz}: not made yet")


def test_the_first_log_missing_keeps_its_warning_and_its_copy_is_noted(tmp_path):
    log, rotated = tmp_path / "answers.jsonl", tmp_path / "answers.jsonl.1"
    assert missing_logs([log, rotated])[1] == [
        f"warning: --skip-answered {log}: no such file (a first run, or not rotated yet?): its answers are not read",
        f"note: --skip-answered {rotated}: not made yet ({log} not rotated yet); a start after logrotate's first "
        "rotation reads it"]


def test_a_typo_or_a_copy_of_no_log_given_stays_a_warning(tmp_path):
    log = tmp_path / "answers.jsonl"
    log.write_text("")
    typo, alone = tmp_path / "answers.jsnol.1", tmp_path / "other.jsonl.1"
    assert missing_logs([log, typo, alone])[1] == [
        f"warning: --skip-answered {typo}: no such file (a first run, or not rotated yet?): its answers are not read",
        f"warning: --skip-answered {alone}: no such file (a first run, or not rotated yet?): its answers are not read"]
    elsewhere = tmp_path / "old" / "answers.jsonl.1"  # a copy in another folder than the log's: a wrong path
    assert missing_logs([log, elsewhere])[1][0].startswith("warning: ")
