"""A stopped cxr-train run again says its data phase's warnings again, though it does not read the films.

It said only that they were in prepared.json: whoever read the second call's terminal alone (the first one's
scrolled away, or was in a tmux that died) missed the copies, the shortcut and the films without a source."""

from __future__ import annotations

import json
import shutil

from tests.test_resume import _films_not_read, _stop_in_training

WARNING = "cxr-train: warning: "


def _films_with_warnings(films):
    """20 films whose data phase warns: a copy, every COVID film from one site and every Normal from another
    (a shortcut), a film without a MANIFEST.csv row, and test figures that few films make rough."""
    from tests.test_data import write_images

    covid = write_images(films / "COVID", "COVID", 10)
    normal = write_images(films / "Normal", "Normal", 9)
    shutil.copy(covid[0], films / "COVID" / "covid-copy.png")
    rows = [f"COVID/{p.name},site-a" for p in covid] + [f"Normal/{p.name},site-b" for p in normal]
    (films / "MANIFEST.csv").write_text("file,source\n" + "\n".join(rows) + "\n")


def _settings(tmp_path):
    from train.run import TrainSettings

    _films_with_warnings(tmp_path / "films")
    return TrainSettings(data=str(tmp_path / "films"), out=tmp_path / "run", epochs=1, image_size=32, batch_size=8,
                         teacher_members=0, progress=False)


def test_a_stopped_run_run_again_says_its_data_warnings_again(tmp_path, capsys, monkeypatch):
    from train.prepared import PREPARED
    from train.run import run_training

    s = _settings(tmp_path)
    capsys.readouterr()
    _stop_in_training(s)
    first = [line for line in capsys.readouterr().err.splitlines() if line.startswith(WARNING)]
    for said in ("no row in its MANIFEST.csv", "are copies of another", "file traits alone (source",
                 "the test figures for"):
        assert any(said in line for line in first), (said, first)
    record = json.loads((s.out / PREPARED).read_text())
    _films_not_read(monkeypatch)
    run_training(s)
    again = capsys.readouterr().err.splitlines()
    assert [line for line in again if line in first] == first  # each once, in the first call's words and order
    going_on = next(k for k, line in enumerate(again) if "going on from the split and inputs" in line)
    assert "the warnings it said about them follow, as it said them" in again[going_on]
    # where the first call said them: before the split's line
    assert again[going_on + 1:going_on + 1 + len(first)] == first
    assert again[going_on + 1 + len(first)].startswith("cxr-train: split: ")
    run = json.loads((s.out / "run.json").read_text())  # the data phase's notes, and its warnings for a student
    assert run["data_warnings"] == [line.removeprefix("cxr-train: ") for line in first] and "warnings" not in run
    assert (run["data_hygiene"], run["shortcut_audit"]) == (record["data_hygiene"], record["shortcut_audit"])
    assert not (s.out / PREPARED).exists()


def test_an_earlier_records_missing_warnings_and_a_damaged_list_of_them(tmp_path, capsys):
    """A prepared.json an earlier version wrote has no warnings: the call goes on as before, saying where they are.
    One whose warnings were edited into something else is damaged, and said so, as any other key of it."""
    from edge.preprocess import PreprocessConfig
    from train.prepared import PREPARED, reusable

    s = _settings(tmp_path)
    _stop_in_training(s)
    kept = json.loads((s.out / PREPARED).read_text())
    config = PreprocessConfig.from_dict(kept["preprocess"])
    assert reusable(s.out, s, config)[1]["warnings"] == kept["data_warnings"] != []
    (s.out / PREPARED).write_text(json.dumps({k: v for k, v in kept.items() if k != "data_warnings"}))
    assert reusable(s.out, s, config)[1]["warnings"] is None
    capsys.readouterr()
    for damaged in ("warning: one line", ["copies"], [3]):
        (s.out / PREPARED).write_text(json.dumps({**kept, "data_warnings": damaged}))
        assert reusable(s.out, s, config) is None
        err = capsys.readouterr().err
        assert f"{s.out / PREPARED} is damaged (no data_warnings as it writes them)" in err, err


def test_the_default_recipe_stopped_in_step_2_says_the_teachers_data_warnings_again(tmp_path, capsys, monkeypatch):
    """The default recipe stopped once its teacher was done: the teacher's prepared.json went with its run.json, and
    the call run again, reusing the teacher, said only the few-films warnings, not the copies, the shortcut or the
    films without a MANIFEST.csv row (review 73c). They are kept in the teacher's run.json, and said again once."""
    import train.run
    from train.run import run_training

    s = _settings(tmp_path)
    s = type(s)(**{**s.__dict__, "teacher_members": 2})
    real = train.run._train

    def stopped_in_step_2(ts, *a, **kw):
        if ts.teacher:
            raise KeyboardInterrupt  # Ctrl-C once the student begins
        return real(ts, *a, **kw)

    monkeypatch.setattr(train.run, "_train", stopped_in_step_2)
    capsys.readouterr()
    try:
        run_training(s)
    except KeyboardInterrupt:
        pass
    first = [line for line in capsys.readouterr().err.splitlines() if line.startswith(WARNING)]
    assert any("file traits alone (source" in line for line in first), first
    monkeypatch.setattr(train.run, "_train", real)
    run_training(s)
    again = capsys.readouterr().err.splitlines()
    reusing = next(k for k, line in enumerate(again) if "step 1 of 2: reusing the teacher" in line)
    kept = ["cxr-train: " + line for line in json.loads((s.out / "teacher" / "run.json").read_text())["data_warnings"]]
    assert kept == [line for line in first if line in kept] and any("file traits alone" in line for line in kept)
    assert again[reusing + 1:reusing + 1 + len(kept)] == kept  # each once, in the first call's words and order
    assert [line for line in again if line in kept] == kept
