"""A training run stopped part-way goes on where it stopped, and ends with the same weights."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def test_an_interrupted_ensemble_resumes_from_its_finished_members(tiny_run, tmp_path, capsys):
    import keras

    from train.members import MEMBERS_DIR
    from train.run import TrainSettings, run_training

    # tiny_run's teacher: 3 members, trained one after another with the settings its run.json records.
    settings = {**json.loads((tiny_run / "teacher" / "run.json").read_text())["settings"], "out": str(tmp_path / "t")}
    members = tmp_path / "t" / MEMBERS_DIR
    code = ("import json, sys; from train.run import TrainSettings, run_training; "
            "run_training(TrainSettings(**json.loads(sys.argv[1])))")
    proc = subprocess.Popen([sys.executable, "-c", code, json.dumps(settings)], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)},
                            # a suite started in the background inherits an ignored SIGINT: give the child the default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while not (members / "member-1.json").is_file() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # Ctrl-C while member 2 trains
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, err.decode()[-2000:]
    assert (members / "member-1.json").is_file() and not (members / "member-2.json").is_file()
    assert not (tmp_path / "t" / "model.keras").exists()
    first_member_s = json.loads((members / "member-1.json").read_text())["seconds"]
    assert first_member_s > 0

    capsys.readouterr()
    run_training(TrainSettings(**settings))
    log = capsys.readouterr().err
    # run.json's time counts the member the stopped call trained, not only this call's
    run = json.loads((tmp_path / "t" / "run.json").read_text())
    assert run["seconds"] == pytest.approx(run["seconds_this_call"] + first_member_s, abs=0.11)
    assert "reusing the model (member 1 of 3) that an earlier call finished" in log
    assert "for up to 2 epochs (member 2 of 3)" in log and "for up to 2 epochs (member 1 of 3)" not in log
    assert log.count("an earlier call stopped before it finished this model") == 1
    assert "an earlier call stopped before it finished this model (member 2 of 3): it starts again from epoch 1" in log
    first = keras.models.load_model(tiny_run / "teacher" / "model.keras", compile=False).get_weights()
    resumed = keras.models.load_model(tmp_path / "t" / "model.keras", compile=False).get_weights()
    # as if it had never stopped; also the proof that members 1 and 2 repeat (tests/test_repeatable.py trains
    # member 0 and the student again, not these)
    assert len(first) == len(resumed) and all(np.array_equal(a, b) for a, b in zip(first, resumed))
    assert not members.exists()  # the per-member copies go once the run is finished


def test_a_saved_member_of_other_settings_is_not_reused(tiny_run, tmp_path):
    from dataclasses import replace

    import keras

    from train.members import load_member, save_member
    from train.resume import fingerprint
    from train.run import TrainSettings

    settings = TrainSettings(**{**json.loads((tiny_run / "run.json").read_text())["settings"], "out": str(tmp_path)})
    (tmp_path / "split.json").write_bytes((tiny_run / "split.json").read_bytes())
    model = keras.models.load_model(tiny_run / "model.keras", compile=False)
    fp = fingerprint(settings, tmp_path)
    save_member(tmp_path, 0, model, {"loss": [1.0]}, fp, 12.34)
    assert load_member(tmp_path, 0, fp)[1:] == ({"loss": [1.0]}, 12.3)
    assert load_member(tmp_path, 0, fp) is not None
    assert load_member(tmp_path, 0, fingerprint(replace(settings, learning_rate=1e-3), tmp_path)) is None
    (tmp_path / "split.json").write_text("{}")  # other files, or other parts: another split
    assert load_member(tmp_path, 0, fingerprint(settings, tmp_path)) is None
    assert load_member(tmp_path, 1, fp) is None  # never saved


def test_a_teacher_is_trained_again_when_its_films_changed(tmp_path, capsys, monkeypatch):
    """The tester deleted the wrong copies of a label conflict and ran the same command: the teacher
    was reused with its old split, and the student trained on the deleted films from the cache."""
    import train.run
    from tests.test_data import write_images
    from train.run import TrainSettings, run_training

    films = tmp_path / "films"
    covid = write_images(films / "COVID", "COVID", 10)
    write_images(films / "Normal", "Normal", 10)
    s = TrainSettings(data=str(films), out=tmp_path / "run", epochs=1, image_size=32, batch_size=8,
                      teacher_members=1, progress=False)
    run_training(s)
    for p in covid[:2]:
        p.unlink()
    write_images(films / "Normal", "Normal", 1, start=10)
    capsys.readouterr()
    run_training(s)
    said = capsys.readouterr().err
    assert (f"the films in {films} changed (1 added, 2 removed or changed) since the teacher was trained: training "
            "it again") in said
    for split in (s.out / "teacher" / "split.json", s.out / "split.json"):
        listed = {i["path"] for part in json.loads(split.read_text())["splits"].values() for i in part}
        assert len(listed) == 19 and not {f"COVID/{p.name}" for p in covid[:2]} & listed

    again = replace(s, replace=True)  # the same command alone trains nothing (tests/test_rerun.py): the student again
    run_training(again)  # nothing changed: the teacher is reused
    assert f"reusing the teacher in {s.out / 'teacher'} (finished with the same settings and films;" in capsys.readouterr().err

    # The folder copied with new dates (cp -r): the same bytes, so the teacher is reused.
    trained = []
    monkeypatch.setattr(train.run, "_train", lambda settings, **kw: trained.append(settings.out))
    for p in films.rglob("*.png"):
        os.utime(p)
    run_training(again)
    assert trained == [s.out]  # the student only
    said = capsys.readouterr().err
    assert "comparing the bytes of all" in said and "reusing the teacher" in said

    # A MANIFEST.csv that names the films' sources, added or fixed: the teacher's split and audit lack them
    trained.clear()
    (films / "MANIFEST.csv").write_text("file,source\n" + "".join(f"{p.relative_to(films).as_posix()},site\n"
                                                                  for p in sorted(films.rglob("*.png"))))
    run_training(s)
    assert trained == [s.out / "teacher", s.out]
    assert (f"the MANIFEST.csv or metadata spreadsheets that give the films of {films} their sources changed since the "
            "teacher was trained: training it again") in capsys.readouterr().err
    (films / "MANIFEST.csv").unlink()

    # A teacher whose record of its films was edited away or damaged: not "an older cxr-train without a record",
    # whose teacher was reused (the films had changed, and the student learnt from a teacher of the old ones)
    run_json = s.out / "teacher" / "run.json"
    kept = run_json.read_text()
    for damage in ({k: v for k, v in json.loads(kept).items() if k != "data_fingerprint"},  # by 0.37.0: it had one
                   {**json.loads(kept), "data_fingerprint": {**json.loads(kept)["data_fingerprint"], "taken_ns": None}},
                   {**json.loads(kept), "data_fingerprint": "x"}):
        run_json.write_text(json.dumps(damage))
        trained.clear()
        run_training(again)
        assert trained == [s.out / "teacher", s.out]
        said = capsys.readouterr().err
        assert "its run.json's record of its films is damaged (" in said and "training it again" in said
        assert "older cxr-train" not in said
    run_json.write_text(kept)

    # A teacher whose split an older version drew (before patients were kept together): its student would take
    # that split, and be called trained by this version
    run_json.write_text(json.dumps({**json.loads(run_json.read_text()), "cxr_edge_version": "0.24.0"}))
    trained.clear()
    run_training(again)
    assert trained == [s.out / "teacher", s.out]
    assert ("the finished one there drew its split by the rules of cxr-edge 0.24.0, which this version changed "
            "(patients kept together, placeholders, synthetic folders): training it again") in capsys.readouterr().err


def test_every_folders_manifest_and_metadata_sheets_are_in_the_sources_fingerprint(tmp_path):
    """As --data's MANIFEST.csv above, an --add-data folder's MANIFEST.csv and the Kaggle database's
    CLASS.metadata.xlsx give films their sources (--holdout-source, the per-source figures, the shortcut audit):
    a source fixed in either, left out of the fingerprint, reused the finished run with its stale sources."""
    from train.film_changes import sources_digest

    main, site = tmp_path / "main", tmp_path / "site"
    for d in (main, site):
        (d / "COVID").mkdir(parents=True)
        (d / "MANIFEST.csv").write_text("file,source\nCOVID/a.png,one\n")
    first = sources_digest([main, site])
    (site / "MANIFEST.csv").write_text("file,source\nCOVID/a.png,two\n")  # the added folder's manifest fixed
    second = sources_digest([main, site])
    assert second != first
    (main / "COVID.metadata.xlsx").write_bytes(b"sheet one")  # a class's metadata sheet put beside its folder
    third = sources_digest([main, site])
    assert third != second
    (main / "COVID.metadata.xlsx").write_bytes(b"sheet two")  # and fixed
    assert sources_digest([main, site]) != third


def test_a_sheet_of_a_class_the_run_left_out_is_no_change_to_its_sources(tmp_path):
    """The Kaggle database unpacked class by class: Lung_Opacity.metadata.xlsx put beside a finished COVID,Normal run
    gives none of its films a source, yet the same cxr-train command called the sources changed and refused the
    converted run (trained it again, unconverted) (hunt 62 H19). A run.json of 0.45.0, whose digest took every
    sheet, still counts as unchanged."""
    from train.data import Item
    from train.film_changes import data_fingerprint, sources_changed, sources_digest

    main, site = tmp_path / "kaggle", tmp_path / "site"
    for d, classes in ((main, ("COVID", "Normal", "Lung_Opacity")), (site, ("COVID", "Normal"))):
        for c in classes:
            (d / c / "images").mkdir(parents=True)
    (main / "COVID.metadata.xlsx").write_bytes(b"covid sheet")
    (site / "COVID.metadata.xlsx").write_bytes(b"site sheet")
    items = [Item("COVID/images/COVID-1.png", "COVID"), Item("Normal/images/Normal-1.png", "Normal"),
             Item((site.resolve() / "COVID/images/x.png").as_posix(), "COVID")]  # as train.extra_data records them
    first = sources_digest([main, site], items)
    (main / "Lung_Opacity.metadata.xlsx").write_bytes(b"a class left out")
    (site / "Normal.metadata.xlsx").write_bytes(b"no film of the run is in site/Normal")
    assert sources_digest([main, site], items) == first
    (main / "Normal.metadata.xlsx").write_bytes(b"normal sheet")  # a sheet of the run's films: a change
    second = sources_digest([main, site], items)
    assert second != first
    (site / "COVID.metadata.xlsx").write_bytes(b"site sheet fixed")
    assert sources_digest([main, site], items) != second

    run = tmp_path / "run"
    run.mkdir()
    stamps = {"a.png": ("COVID", 10, 100)}
    for recorded in (sources_digest([main, site], items), sources_digest([main, site])):  # this release's, 0.45.0's
        (run / "run.json").write_text(json.dumps({"cxr_edge_version": "0.45.0", "data_fingerprint": {
            **data_fingerprint(stamps, 1000), "sources_sha256": recorded}}))
        assert sources_changed(run, [main, site], items=items) is False
    (main / "Lung_Opacity.metadata.xlsx").write_bytes(b"the left-out class's sheet fixed")
    assert sources_changed(run, [main, site], items=items) is True  # 0.45.0's digest had it: said, as before
    (run / "run.json").write_text(json.dumps({"cxr_edge_version": "0.45.0", "data_fingerprint": {
        **data_fingerprint(stamps, 1000), "sources_sha256": sources_digest([main, site], items)}}))
    (main / "Lung_Opacity.metadata.xlsx").write_bytes(b"and again")
    assert sources_changed(run, [main, site], items=items) is False
    (main / "COVID.metadata.xlsx").write_bytes(b"covid sheet fixed")
    assert sources_changed(run, [main, site], items=items) is True


def test_films_changed_counts_added_removed_relabelled_and_rewritten_films(tmp_path):
    from train.film_changes import data_fingerprint, films_changed

    before = {"a.png": ("COVID", 10, 100), "b.png": ("COVID", 10, 100), "c.png": ("Normal", 10, 100),
              "d.png": ("Normal", 10, 100)}
    (tmp_path / "run.json").write_text(json.dumps({"data_fingerprint": data_fingerprint(before, 1000),
                                                   "skipped_files": [{"path": "d.png", "error": "unreadable"}]}))
    (tmp_path / "split.json").write_text(json.dumps({"splits": {"train": [{"path": p, "label": v[0]} for p, v in
                                                                          before.items() if p != "d.png"]}}))
    assert films_changed(tmp_path, before) == (0, 0)
    now = {"a.png": ("Normal", 10, 100),  # relabelled
           "b.png": ("COVID", 12, 2000),  # rewritten after the run listed it
           "e.png": ("Normal", 10, 100)}  # added; c.png and the unreadable d.png removed
    assert films_changed(tmp_path, now) == (1, 4)
    assert films_changed(tmp_path, {**before, "b.png": ("COVID", 12, 50)}) == (0, 1)  # replaced by an older file
    # relabelled alone (moved to another class folder in place, or another --class-map): not the run's training set
    assert films_changed(tmp_path, {**before, "a.png": ("Normal", 10, 100)}) == (0, 1)
    (tmp_path / "run.json").write_text("{}")
    assert films_changed(tmp_path, before) is None  # a run from before the fingerprint
    (tmp_path / "run.json").write_text('{"cxr_edge_version": "0.13.0"}')
    assert films_changed(tmp_path, before) is None


def test_a_damaged_record_of_the_films_is_not_taken_for_an_older_runs_or_an_unchanged_one(tmp_path):
    """A run.json edited or damaged (a key gone, not JSON) read as "an older cxr-train, without a record":
    cxr-train reused a teacher trained on films changed since; sources_changed read it as "not changed"."""
    import pytest

    from train.film_changes import RecordDamaged, data_fingerprint, films_changed, sources_changed

    stamps = {"a.png": ("COVID", 10, 100), "b.png": ("Normal", 10, 100)}
    good = {"cxr_edge_version": "0.37.0", "data_fingerprint": {**data_fingerprint(stamps, 1000), "sources_sha256": "0" * 64}}
    run = tmp_path / "run.json"
    for damaged in ('{"trunc', "[]", json.dumps({"cxr_edge_version": "0.37.0"}),
                    json.dumps({**good, "data_fingerprint": ["x"]}),
                    json.dumps({**good, "data_fingerprint": {**good["data_fingerprint"], "taken_ns": "1000"}}),
                    json.dumps({**good, "data_fingerprint": {k: v for k, v in good["data_fingerprint"].items()
                                                             if k != "sha256"}})):
        run.write_text(damaged)
        with pytest.raises(RecordDamaged, match=r"its run.json's record of its films is damaged \("):
            films_changed(tmp_path, stamps)
        with pytest.raises(RecordDamaged):
            sources_changed(tmp_path, [tmp_path])
    run.write_text(json.dumps({**good, "data_fingerprint": {**good["data_fingerprint"], "sources_sha256": 5}}))
    assert films_changed(tmp_path, stamps) == (0, 0)
    with pytest.raises(RecordDamaged, match="sources_sha256"):
        sources_changed(tmp_path, [tmp_path])
    run.write_text(json.dumps(good))
    assert sources_changed(tmp_path, [tmp_path]) is True  # no MANIFEST.csv now: not the digest recorded
    run.write_text(json.dumps({**good, "data_fingerprint": None}))  # a student of a teacher older than the record
    assert films_changed(tmp_path, stamps) is None and sources_changed(tmp_path, [tmp_path]) is False


def test_a_saved_student_member_is_not_reused_once_its_teacher_is_trained_again(tiny_run, tmp_path):
    """A teacher trained again on the same split is another teacher: a student member distilled
    from the first one must not be taken for one of the second."""
    import shutil

    from train.resume import fingerprint
    from train.run import TrainSettings

    teacher = tmp_path / "teacher"
    teacher.mkdir()
    shutil.copy(tiny_run / "teacher" / "run.json", teacher / "run.json")
    (tmp_path / "split.json").write_bytes((tiny_run / "split.json").read_bytes())
    settings = TrainSettings(**{**json.loads((tiny_run / "run.json").read_text())["settings"], "out": str(tmp_path),
                                "teacher": str(teacher)})
    first = fingerprint(settings, tmp_path)
    trained_again = {**json.loads((teacher / "run.json").read_text()), "created": "later"}
    (teacher / "run.json").write_text(json.dumps(trained_again))
    assert fingerprint(settings, tmp_path) != first


def test_a_teacher_split_whose_films_are_gone_is_said(tiny_run, tmp_path, capsys):
    """--teacher RUN (or a teacher reused without a record of its films) whose films were deleted:
    the student still learns from their cached inputs, so the user must hear that the split is stale."""
    import shutil

    from edge.preprocess import PreprocessConfig
    from train.teacher_split import teacher_data
    from train.run import TrainSettings

    teacher = tmp_path / "teacher"
    shutil.copytree(tiny_run / "teacher", teacher)
    split = json.loads((teacher / "split.json").read_text())
    shutil.copytree(split["data_dir"], tmp_path / "films")
    split["data_dir"] = str(tmp_path / "films")
    (teacher / "split.json").write_text(json.dumps(split))
    gone = split["splits"]["train"][0]["path"]
    (tmp_path / "films" / gone).unlink()
    config = PreprocessConfig.from_dict(json.loads((teacher / "run.json").read_text())["preprocess"])
    s = TrainSettings(data="synthetic", out=tmp_path / "student", teacher=str(teacher), progress=False)
    _, arrays, _ = teacher_data(s, config)
    said = capsys.readouterr().err
    assert (f"warning: 1 film of the teacher's split no longer exists ({teacher / 'split.json'}), e.g. "
            f"{tmp_path / 'films' / gone}: the student learns from the copies cached before they went") in said
    assert len(arrays["train"]) == len(split["splits"]["train"])


def test_a_film_that_could_not_be_read_and_is_repaired_with_its_old_date_is_seen(tmp_path):
    """A film cut short when the run listed it, restored from a backup with its old date and size (cp -p): the run's
    record of its films was the same, and every rerun said "nothing to do" and skipped the good film again (hunt,
    session 55). scan keeps an unreadable file's bytes' SHA-256, and the rerun reads it again."""
    import hashlib

    from train.data import Item
    from train.scan import scan
    from train.film_changes import data_fingerprint, film_stamps, films_changed
    import numpy as np
    from PIL import Image

    from edge.preprocess import PreprocessConfig

    films = tmp_path / "films"
    films.mkdir()
    Image.fromarray((np.arange(40 * 40).reshape(40, 40) % 200).astype(np.uint8)).save(films / "a.png")
    good = (films / "a.png").read_bytes()
    (films / "b.png").write_bytes(b"\0" * len(good))  # a failed copy: zeros of the right size
    items = [Item("a.png", "COVID", ""), Item("b.png", "Normal", "")]
    res = scan(films, items, PreprocessConfig(size=32), progress=False)
    assert res.skipped == [{"path": "b.png", "error": res.skipped[0]["error"],
                            "sha256": hashlib.sha256(b"\0" * len(good)).hexdigest()}]
    os.utime(films / "b.png", ns=(500, 500))
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"data_fingerprint": data_fingerprint(film_stamps(films, items), 1000),
                                              "skipped_files": res.skipped}))
    (run / "split.json").write_text(json.dumps({"splits": {"train": [{"path": "a.png", "label": "COVID"}]}}))
    assert films_changed(run, film_stamps(films, items), films) == (0, 0)
    (films / "b.png").write_bytes(good)  # restored, with its old date kept
    os.utime(films / "b.png", ns=(500, 500))
    assert films_changed(run, film_stamps(films, items), films) == (0, 1)


def test_films_whose_dates_alone_changed_are_compared_by_their_bytes(tmp_path):
    """A data folder copied with `cp -r` (new dates, same files) must not retrain an hour's teacher;
    a film rewritten with the same size and name still counts as changed."""
    import hashlib

    from train.film_changes import data_fingerprint, film_stamps, films_changed
    from train.data import Item

    films = tmp_path / "films"
    films.mkdir()
    for name, body in (("a.png", b"aaaa"), ("b.png", b"bbbb"), ("d.png", b"dddd")):
        (films / name).write_bytes(body)
    items = [Item("a.png", "COVID", ""), Item("b.png", "Normal", ""), Item("d.png", "Normal", "")]
    before = film_stamps(films, items)
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"data_fingerprint": data_fingerprint(before, 1000),
                                              "skipped_files": [{"path": "d.png", "error": "unreadable"}]}))
    (run / "split.json").write_text(json.dumps({"splits": {"train": [
        {"path": i.path, "label": i.label, "sha256": hashlib.sha256((films / i.path).read_bytes()).hexdigest()}
        for i in items[:2]]}}))
    said = []
    for p in films.iterdir():
        os.utime(p, ns=(5_000, 5_000))  # dated after the listing (taken at 1000 ns): every film looks rewritten
    assert films_changed(run, film_stamps(films, items), films, said.append) == (0, 1)  # the unreadable d.png, written since
    assert said == [f"films' dates are not as when the run in {run} listed them (3 of the 3 dated since), with the same "
                    "names, classes and sizes: comparing the bytes of all 3 with the ones it was trained on"]
    os.utime(films / "a.png", ns=(500, 500))  # one restored with an older date: 2 dated since, not "the 3 films"
    said.clear()
    films_changed(run, film_stamps(films, items), films, said.append)
    assert "(2 of the 3 dated since)" in said[0]
    for p in films.iterdir():
        os.utime(p, ns=(700, 700))  # every date older than the listing, and changed: none dated since
    said.clear()
    films_changed(run, film_stamps(films, items), films, said.append)
    assert "listed them, with the same names" in said[0] and "dated since" not in said[0]
    os.utime(films / "a.png", ns=(5_000, 5_000))
    os.utime(films / "d.png", ns=(500, 500))  # the unreadable file untouched since the listing
    assert films_changed(run, film_stamps(films, items), films) == (0, 0)
    (films / "b.png").write_bytes(b"BBBB")  # same size, other bytes
    os.utime(films / "b.png", ns=(500, 500))
    assert films_changed(run, film_stamps(films, items), films) == (0, 1)
    # Without the folder to read, the dates decide as before: a.png, dated after the listing.
    assert films_changed(run, film_stamps(films, items)) == (0, 1)
    (films / "a.png").write_bytes(b"aaaaa")  # another size: counted by its date, not read
    assert films_changed(run, film_stamps(films, items), films, said.append) == (0, 1) and len(said) == 1
    # A split.json that kept no film's bytes (an older run) cannot tell a copy's new dates from a rewrite: the films
    # dated after the listing count as changed, not as the same films, and the run is trained again.
    (films / "a.png").write_bytes(b"aaaa")
    for name in ("a.png", "b.png"):
        os.utime(films / name, ns=(5_000, 5_000))
    (run / "split.json").write_text(json.dumps({"splits": {"train": [{"path": i.path, "label": i.label}
                                                                     for i in items[:2]]}}))
    assert films_changed(run, film_stamps(films, items), films) == (0, 2)


def test_one_folder_spelled_two_ways_is_the_same_setting(tmp_path, monkeypatch):
    """`--data data/` (tab completion) after `--data data` replaced a finished teacher."""
    from train.resume import _comparable

    monkeypatch.chdir(tmp_path)
    one = {"data": "films", "add_data": ["site/"], "teacher": None, "out": "run"}
    two = {"data": str(tmp_path / "films") + "/", "add_data": [str(tmp_path / "site")], "teacher": None, "out": "run/"}
    assert _comparable(one) == _comparable(two)
    assert _comparable({**one, "data": "other"}) != _comparable(one)
    assert _comparable({**one, "data": "synthetic"})["data"] == "synthetic"
    # Another spelling of an existing folder, as a case-blind file system (macOS, Windows) gives one: here a link.
    from train.resume import _same_folders

    (tmp_path / "films").mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "FILMS").symlink_to(tmp_path / "films")
    (tmp_path / "other").mkdir()
    done, now = _comparable(one), _comparable({**one, "data": "FILMS", "add_data": ["Site"]})
    assert not _same_folders(done["add_data"], now["add_data"])  # Site does not exist here: the spelling differs
    (tmp_path / "Site").symlink_to(tmp_path / "site")
    assert _same_folders(done["data"], now["data"]) and _same_folders(done["add_data"], now["add_data"])
    assert not _same_folders(done["data"], _comparable({**one, "data": "other"})["data"])


def _stop_in_training(s) -> None:
    """cxr-train with settings ``s`` through its data phase (reading the films), stopped as by Ctrl-C
    once training starts: what a stopped call leaves (split.json, the cache, prepared.json)."""
    import train.fit
    import train.one_run
    import train.prepare
    from train.run import run_training

    def ctrl_c(*a, **kw):
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(train.fit, "fit", ctrl_c)
        mp.setattr(train.one_run, "prepare_data", train.prepare.prepare_data)
        with pytest.raises(KeyboardInterrupt):
            run_training(s)


def _films_not_read(monkeypatch) -> None:
    """From here on, a call that reads the films again fails the test."""
    import train.one_run

    def read_again(*a, **kw):
        raise AssertionError("the films were read again")

    monkeypatch.setattr(train.one_run, "prepare_data", read_again)


def test_a_stopped_run_goes_on_without_reading_its_films_again_unless_they_changed(tmp_path, capsys, monkeypatch):
    """Resuming a 5,000-film run read and searched every film again (64 s; hours for a hospital's
    50,000), although its folder held the split and the cached inputs of the same films."""
    from tests.test_data import write_images
    from train.prepared import PREPARED
    from train.run import TrainSettings, run_training

    films = tmp_path / "films"
    covid = write_images(films / "COVID", "COVID", 10)
    write_images(films / "Normal", "Normal", 10)
    s = TrainSettings(data=str(films), out=tmp_path / "run", epochs=1, image_size=32, batch_size=8,
                      teacher_members=0, progress=False)
    _stop_in_training(s)
    record = json.loads((s.out / PREPARED).read_text())
    split = (s.out / "split.json").read_bytes()
    _films_not_read(monkeypatch)
    capsys.readouterr()
    run_training(TrainSettings(**{**s.__dict__, "epochs": 2}))  # a training setting may change; the data is the same
    assert "going on from the split and inputs an earlier call prepared" in capsys.readouterr().err
    run = json.loads((s.out / "run.json").read_text())
    assert (s.out / "split.json").read_bytes() == split and not (s.out / PREPARED).exists()
    assert (run["data_hygiene"], run["data_fingerprint"]) == (record["data_hygiene"], record["data_fingerprint"])

    (s.out / "run.json").unlink()  # stopped again; then a film is replaced: its folder is read again
    _stop_in_training(s)
    older = json.loads((s.out / PREPARED).read_text())
    assert older.pop("cxr_edge_version")  # a record of 0.27, whose split rules were older: drawn again
    (s.out / PREPARED).write_text(json.dumps(older))
    with pytest.raises(AssertionError, match="read again"):
        run_training(s)

    _stop_in_training(s)
    with pytest.raises(AssertionError, match="read again"):  # nor is a split made with another seed taken
        run_training(TrainSettings(**{**s.__dict__, "seed": 1}))
    covid[0].unlink()
    with pytest.raises(AssertionError, match="read again"):
        run_training(s)


def test_a_finished_run_is_named_by_its_folders_as_seen_from_here(tmp_path, monkeypatch):
    """Trained from one folder and met again from another, the run's data read 'data', another folder from there."""
    from tests.test_data import write_images
    from train.data import DataError
    from train.run import TrainSettings, run_training

    write_images(tmp_path / "films" / "COVID", "COVID", 10)
    write_images(tmp_path / "films" / "Normal", "Normal", 10)
    monkeypatch.chdir(tmp_path)
    run_training(TrainSettings(data="films", out=Path("run"), epochs=1, image_size=32, batch_size=8, teacher_members=0,
                               progress=False))
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    again = TrainSettings(data="../films", out=Path("../run"), epochs=2, image_size=32, batch_size=8, teacher_members=0,
                          progress=False)
    with pytest.raises(DataError, match=r"--out ../run holds a finished run \(COVID, Normal from ../films\) trained with "
                                        r"--epochs 1 \(now 2\): give"):
        run_training(again)
    next((tmp_path / "films" / "COVID").iterdir()).unlink()  # and the films changed: said too, not a setting
    with pytest.raises(DataError, match=r"trained with --epochs 1 \(now 2\); the films in ../films changed \(0 added, 1 "
                                        r"removed or changed\) since it was trained: give another --out"):
        run_training(again)
    (tmp_path / "other").mkdir()
    shutil.copytree(tmp_path / "films", tmp_path / "other" / "films")
    with pytest.raises(DataError) as refused:  # another folder: its films were never the run's, so none "changed"
        run_training(replace(again, data="../other/films"))
    said = str(refused.value)  # each setting with the run's value and the one asked for, folders from here
    assert "trained with --data ../films (now ../other/films), --epochs 1 (now 2): give" in said and "changed" not in said


def test_a_stopped_retrain_over_a_finished_run_goes_on_from_its_data_phase(tmp_path, capsys, monkeypatch):
    """A --replace retrain stopped after its data phase left the earlier run's run.json beside its new
    split and prepared.json; the next call read and searched every film again (hours on a large set)."""
    from train.prepared import PREPARED
    from train.run import TrainSettings, run_training

    s = _finished_run(tmp_path, teacher_members=0)
    again = TrainSettings(**{**s.__dict__, "seed": 1, "replace": True})
    _stop_in_training(again)
    assert (s.out / "run.json").is_file() and (s.out / PREPARED).is_file()
    split = (s.out / "split.json").read_bytes()
    _films_not_read(monkeypatch)
    capsys.readouterr()
    run_training(again)
    assert "going on from the split and inputs an earlier call prepared" in capsys.readouterr().err
    assert (s.out / "split.json").read_bytes() == split and not (s.out / PREPARED).exists()
    assert json.loads((s.out / "run.json").read_text())["settings"]["seed"] == 1


def test_a_damaged_prepared_json_is_said_before_the_data_phase_runs_again(tmp_path, capsys):
    """A prepared.json cut short, emptied ('[]') or edited (a key gone), or one whose record of the films is damaged,
    sent the stopped call through its whole data phase again (hours on 50,000 films) without a word."""
    from edge.preprocess import PreprocessConfig
    from tests.test_data import write_images
    from train.prepared import PREPARED, reusable
    from train.run import TrainSettings

    films = tmp_path / "films"
    write_images(films / "COVID", "COVID", 8)
    write_images(films / "Normal", "Normal", 8)
    s = TrainSettings(data=str(films), out=tmp_path / "run", epochs=1, image_size=32, batch_size=8,
                      teacher_members=0, progress=False)
    _stop_in_training(s)
    kept = json.loads((s.out / PREPARED).read_text())
    config = PreprocessConfig.from_dict(kept["preprocess"])
    capsys.readouterr()
    assert reusable(s.out, s, config) is not None and capsys.readouterr().err == ""
    for damaged, why in (("[]", "it holds no JSON object"), ('{"settings', "not readable as JSON"),
                         (json.dumps({k: v for k, v in kept.items() if k != "split_sha256"}), "no split_sha256"),
                         (json.dumps({**kept, "data_fingerprint": {**kept["data_fingerprint"], "taken_ns": None}}),
                          "its data_fingerprint has no taken_ns")):
        (s.out / PREPARED).write_text(damaged)
        assert reusable(s.out, s, config) is None
        err = capsys.readouterr().err
        assert f"note: {s.out / PREPARED}" in err and why in err and "the data phase runs again" in err, err
    (s.out / PREPARED).write_text(json.dumps(kept))
    (s.out / "split.json").write_text("[]")
    assert reusable(s.out, s, config) is None
    assert f"note: {s.out / 'split.json'} is damaged: it holds no JSON object: the data phase runs again" \
        in capsys.readouterr().err


def test_a_stopped_synthetic_run_whose_films_were_generated_anew_reads_them_again(tmp_path, capsys, monkeypatch):
    """A call with another --seed into the same --out generates the synthetic set anew; one that failed
    there left the first call's split and prepared.json beside other films, and the first command, run
    again, went on from inputs no film on disk gives (and with a cache part gone, failed every time)."""
    from train.data import Split
    from train.prepared import PREPARED
    from edge.digest import file_sha256
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    s = TrainSettings(data="synthetic", out=tmp_path / "run", epochs=1, image_size=32, batch_size=8,
                      synthetic_count=8, teacher_members=0, progress=False)
    _stop_in_training(s)
    split = Split.load(s.out / "split.json")
    generate(Path(split.data_dir), n_per_class=8, classes=split.classes, seed=1)  # the set made anew, other films
    (s.out / "cache" / "val.npy").unlink()
    capsys.readouterr()
    run_training(s)
    assert "going on from the split" not in capsys.readouterr().err
    split = Split.load(s.out / "split.json")
    assert all(file_sha256(Path(split.data_dir) / i.path) == i.sha256 for p in split.parts.values() for i in p)
    assert not (s.out / PREPARED).exists()


def test_a_students_films_are_its_teachers_classes_not_every_class_folder(tmp_path):
    """Re-running an unchanged `cxr-train --teacher RUN` said 'the films in DATA changed (15 added ...)': the teacher
    had been trained with --classes COVID,Normal on a folder of more classes, and the student's films were listed
    without them."""
    import time

    from tests.test_data import write_images
    from train.prepare import data_changed, find_films
    from train.film_changes import data_fingerprint, film_stamps
    from train.run import TrainSettings

    films = tmp_path / "films"
    for c in ("COVID", "Normal", "Lung_Opacity"):
        write_images(films / c, c, 3)
    teacher = tmp_path / "teacher"
    teacher.mkdir()
    (teacher / "run.json").write_text(json.dumps({"classes": ["COVID", "Normal"]}))
    items = find_films(films, ["COVID", "Normal"], [], out=tmp_path / "student", class_map=None)[0]
    stamps = film_stamps(films, items)
    student = tmp_path / "student"
    student.mkdir()
    (student / "run.json").write_text(json.dumps({"data_fingerprint": data_fingerprint(stamps, time.time_ns())}))
    (student / "split.json").write_text(json.dumps({"splits": {"train": [{"path": i.path, "label": i.label}
                                                                         for i in items]}}))
    s = TrainSettings(data=str(films), out=student, teacher=str(teacher), progress=False)
    assert data_changed(student, s) == ""


def test_a_stopped_runs_finished_teacher_is_not_replaced_for_other_settings_without_replace(tmp_path, capsys):
    """Stopped in its student step and run again with one other setting, a run threw away its finished teacher
    ('trained with --epochs 1 (now 2): replacing it') where a finished run of other settings is refused."""
    from train.data import DataError
    from train.run import run_training

    s = _finished_run(tmp_path)
    for name in ("run.json", "model.keras"):  # as a call stopped in the student step leaves it
        (s.out / name).unlink()
    teacher = (s.out / "teacher" / "model.keras").read_bytes()
    with pytest.raises(DataError, match=r"holds the finished teacher of a stopped run, trained with --epochs 1 \(now 2\): "
                                        r"give the settings it was trained with"):
        run_training(replace(s, epochs=2))
    assert (s.out / "teacher" / "model.keras").read_bytes() == teacher
    capsys.readouterr()
    run_training(replace(s, epochs=2, replace=True))
    assert "trained with --epochs 1 (now 2): replacing it" in capsys.readouterr().err


def test_a_members_fingerprint_holds_across_a_moved_run_and_a_linked_data_folder(tmp_path):
    """A stopped run moved or renamed, or given --data through a link, retrained the members it had finished
    ('an earlier call stopped before it finished this model'), where its teacher and data phase were reused."""
    from train.resume import fingerprint
    from train.run import TrainSettings

    (tmp_path / "data").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "data")
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        (tmp_path / run / "split.json").write_text('{"the": "same split"}')
    s = TrainSettings(data=str(tmp_path / "data"), out=tmp_path / "a", epochs=1)
    assert fingerprint(s, tmp_path / "a") == fingerprint(replace(s, out=tmp_path / "b"), tmp_path / "b")
    assert fingerprint(s, tmp_path / "a") == fingerprint(replace(s, data=str(tmp_path / "link")), tmp_path / "a")
    assert fingerprint(s, tmp_path / "a") != fingerprint(replace(s, epochs=2), tmp_path / "a")
    # The same split.json under another --seed (a student's split is its teacher's whatever its seed): member k
    # starts from seed + k, so a member saved under --seed 1 is not one of a run resumed with --seed 2
    assert fingerprint(s, tmp_path / "a") != fingerprint(replace(s, seed=s.seed + 1), tmp_path / "a")


def test_a_reused_teacher_keeps_nothing_a_stopped_retrain_left_in_its_folder(tmp_path):
    """README: members/ and prepared.json are gone once the run is finished; a teacher reused after a retrain of
    other settings was stopped there kept them for good (a model's size each)."""
    from train.prepared import PREPARED
    from train.members import MEMBERS_DIR
    from train.run import run_training

    s = _finished_run(tmp_path)
    teacher = s.out / "teacher"
    (teacher / MEMBERS_DIR).mkdir()
    (teacher / MEMBERS_DIR / "member-1.json").write_text("{}")  # as a stopped --replace of other settings left them
    (teacher / PREPARED).write_text("{}")
    run_training(replace(s, replace=True))
    assert not (teacher / MEMBERS_DIR).exists() and not (teacher / PREPARED).exists()


def _finished_run(tmp_path, teacher_members: int = 1):
    """A finished run on 20 tiny films (by default the recipe's: a teacher of one member, then its student):
    its settings."""
    from tests.test_data import write_images
    from train.run import TrainSettings, run_training

    films = tmp_path / "films"
    write_images(films / "COVID", "COVID", 10)
    write_images(films / "Normal", "Normal", 10)
    s = TrainSettings(data=str(films), out=tmp_path / "run", epochs=1, image_size=32, batch_size=8,
                      teacher_members=teacher_members, progress=False)
    run_training(s)
    return s


def test_a_differing_setting_is_said_as_the_option_to_type_with_both_values():
    """'trained with another epochs (1; now 2)' named a field, not the option: the user had to guess that
    --no-augment or --teacher-members was the setting to give again to go on with the run."""
    from train.resume import OWN_TEACHER, _one_said

    assert _one_said("epochs", 20, 3) == "--epochs 20 (now 3)"
    assert _one_said("teacher_members", None, 0) == "--teacher-members not given (now 0)"
    assert _one_said("patience", 5, None) == "--patience 5 (now not given)"  # its default, not 'none'
    assert _one_said("augment", True, False) == "--augment (now --no-augment)"
    assert _one_said("add_data", ["a", "b"], []) == "--add-data a --add-data b (now not given)"
    assert _one_said("data", "my films", "synthetic") == "--data 'my films' (now synthetic)"
    assert _one_said("teacher", OWN_TEACHER, "../t") == "--teacher not given (now ../t)"  # not the internal marker
    # the default recipe's teacher: its members are what the user typed as --teacher-members
    assert _one_said("members", 2, 3, "--teacher-members") == "--teacher-members 2 (now 3)"
    assert _one_said("classes", ["COVID", "Normal"], ["Normal", "COVID"]) == "--classes COVID,Normal (now Normal,COVID)"


def test_the_default_teacher_typed_out_is_the_same_setting(tiny_run):
    """A finished default-recipe run asked for again with --teacher-members 3, the compact recipe's default typed
    out, was refused as 'trained with --teacher-members not given (now 3)', though it trains the very same run."""
    from train.resume import other_settings
    from train.run import TrainSettings

    same = TrainSettings(data="synthetic", out=tiny_run, image_size=64, epochs=2, synthetic_count=16, batch_size=8,
                         progress=False, teacher=str(tiny_run / "teacher"))  # the recipe's student, as finished_run asks
    assert other_settings(tiny_run, same) == []
    assert other_settings(tiny_run, replace(same, teacher_members=3)) == []
    assert other_settings(tiny_run, replace(same, teacher_members=2)) == ["teacher_members"]
    # another --data: its films, not the synthetic set's count, which cxr-train refuses beside a folder
    assert other_settings(tiny_run, replace(same, data=str(tiny_run), synthetic_count=80)) == ["data"]
