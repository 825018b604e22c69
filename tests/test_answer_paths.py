"""--skip-answered's answers under the path a restarted watch gives each film (edge.answer_paths)."""

from __future__ import annotations

import os

from edge.answer_paths import as_watched
from edge.answered import Answer


def test_a_log_of_the_folder_spelled_otherwise_answers_under_this_watchs_path_and_the_newer_answer_wins(tmp_path,
                                                                                                       monkeypatch):
    (tmp_path / "in" / "study").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    old, new = Answer(100.0, (1, 2, 3)), Answer(200.0, (4, 5, 6))
    answers = {str(tmp_path / "in" / "a.png"): old, "in/a.png": new, str(tmp_path / "in" / "study" / "c.png"): old,
               str(tmp_path / "elsewhere" / "b.png"): old}
    got = as_watched(answers, ["in"])
    assert got["in/a.png"] is new  # the newer of the two answers to one film, whichever spelling came last
    assert got[os.path.join("in", "study", "c.png")] is old
    assert os.path.join("elsewhere", "b.png") not in got and len(got) == len(answers) + 1
    assert as_watched(answers, [str(tmp_path / "in")])[str(tmp_path / "in" / "a.png")] is new
    same = {"in/a.png": old}
    assert as_watched(same, ["in/"]) is same  # nothing spelled otherwise: the log's answers as they are
