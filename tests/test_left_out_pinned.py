"""convert.left_out's scoring pinned where a small change went unseen (hand mutation testing, session 65: each test
here failed with one such change in place, which the fast tests of tests/test_left_out.py let through)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from convert.left_out import answers_by_folder, score_left_out, unused_class_folders

LABELS = ["COVID", "Normal"]


def test_a_folder_with_only_seen_films_has_its_row_and_no_check_is_none_not_zero():
    probs = np.array([[0.9, 0.1]])
    got = answers_by_folder(["Viral"], probs, LABELS, seen={"Opacity": 3, "Viral": 0})
    assert list(got) == ["Opacity", "Viral"]                  # every film of Opacity was seen: still said
    assert (got["Opacity"]["films"], got["Opacity"]["seen_in_training"]) == (0, 3)
    assert answers_by_folder(["Viral"], probs, LABELS)["Viral"]["seen_in_training"] is None   # not checked


def test_a_folder_without_films_has_no_share_and_no_interval():
    got = answers_by_folder(["Viral"], np.array([[0.9, 0.1]]), LABELS, unreadable={"Empty": 2})
    assert got["Empty"]["called"]["COVID"] == {"films": 0, "share": None, "share_ci": None}


def test_each_sources_counts_are_of_its_own_folder():
    """Two folders with the same two sources: a source's row counts the films of its folder alone."""
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1]])
    got = answers_by_folder(["A", "A", "B", "B", "B"], probs, LABELS, sources=["x", "y", "x", "y", "y"])
    assert {s: v["films"] for s, v in got["A"]["by_source"].items()} == {"x": 1, "y": 1}
    assert got["A"]["by_source"]["y"]["called"]["Normal"]["films"] == 1


class Check:
    """An input check's interface (edge.typicality): unlikeness above 1 is flagged; here the film's mean."""

    def unlikeness(self, x):
        return x.reshape(len(x), -1).mean(axis=1) / 50.0


def test_left_out_films_get_the_input_checks_unlikeness(tmp_path):
    from PIL import Image

    from convert.site_folders import left_out_items
    from edge.preprocess import PreprocessConfig

    (tmp_path / "Viral").mkdir()
    for k, level in enumerate((20, 200)):
        pixels = np.clip(level + np.arange(40 * 40).reshape(40, 40) % 16 - 5, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(tmp_path / "Viral" / f"f{k}.png")
    items = left_out_items(tmp_path, {"Viral": "-"})
    pre = PreprocessConfig(size=32, normalize="none", trim_borders=False).to_dict()
    predict = lambda x: np.tile([[0.5, 0.5]], (len(x), 1))  # noqa: E731
    read, probs, unlike, skipped = score_left_out(tmp_path, items, [(predict, pre, Check()), (predict, pre, None)])
    assert len(read) == 2 and not skipped
    assert unlike[1] is None and sorted(np.round(unlike[0]).tolist()) == [0.0, 4.0]


def test_unused_class_folders_match_the_classes_as_spelt_otherwise(tmp_path):
    """A run trained on 'COVID,Normal' over folders named covid/ and NORMAL/ used both: neither is left out."""
    from PIL import Image

    for folder in ("covid", "NORMAL", "Viral Pneumonia"):
        (tmp_path / folder).mkdir()
        Image.new("L", (8, 8)).save(tmp_path / folder / "a.png")
    assert unused_class_folders(tmp_path, LABELS) == {"Viral Pneumonia": "-"}


def test_a_film_that_cannot_be_read_is_no_reason_to_stop_looking_for_a_renamed_class(tmp_path, monkeypatch):
    """A film gone between the listing and its read (an OSError) is passed over: 2 of 3 are still the run's own."""
    from PIL import Image

    import convert.left_out as left_out
    from edge.digest import file_sha256

    (tmp_path / "Healthy").mkdir()
    for k in range(3):
        Image.new("L", (8, 8), k).save(tmp_path / "Healthy" / f"{k}.png")
    shas = {file_sha256(tmp_path / "Healthy" / f"{k}.png") for k in range(3)}
    items = left_out.left_out_items(tmp_path, {"Healthy": "-"})
    (tmp_path / items[0].path).unlink()
    monkeypatch.setattr(left_out, "left_out_items", lambda data_dir, folders: items)  # the listing made before
    said: list[str] = []
    assert left_out._renamed_class(tmp_path, "Healthy", shas, said.append)
    assert said[0].startswith("note: 2 of the 3 films in Healthy/ are this run's own films")


def test_every_unreadable_film_of_a_folder_is_counted(tmp_path):
    from PIL import Image

    from convert.left_out import left_out_answers
    from edge.preprocess import PreprocessConfig

    (tmp_path / "Viral").mkdir()
    Image.fromarray(np.clip(100 + np.arange(1600).reshape(40, 40) % 16 - 5, 0, 255).astype(np.uint8)).save(
        tmp_path / "Viral" / "good.png")
    for name in ("bad1.png", "bad2.png"):
        (tmp_path / "Viral" / name).write_bytes(b"not a png")
    pre = PreprocessConfig(size=32, normalize="none", trim_borders=False).to_dict()
    predict = lambda x: np.tile([[0.5, 0.5]], (len(x), 1))  # noqa: E731
    answers, read, _, skipped, _, _ = left_out_answers(tmp_path, {"Viral": "-"}, LABELS, [(predict, pre, None, None)],
                                                    progress=False)
    assert len(read) == 1 and len(skipped) == 2
    assert (answers[0]["Viral"]["films"], answers[0]["Viral"]["unreadable"]) == (1, 2)


def test_models_preprocessing_apart_score_the_films_both_read_and_say_a_bad_file_once(tmp_path, monkeypatch):
    """Two preprocessings read the folder twice; a film gone between the readings (or out of memory at the larger
    size) is read by one alone: no model scores it, so every model's figures are of the same films."""
    from PIL import Image

    import convert.left_out as left_out
    from convert.site_folders import left_out_items
    from edge.preprocess import PreprocessConfig

    (tmp_path / "Viral").mkdir()
    for name in ("gone.png", "good.png"):
        Image.fromarray(np.clip(100 + np.arange(1600).reshape(40, 40) % 16 - 5, 0, 255).astype(np.uint8)).save(
            tmp_path / "Viral" / name)
    (tmp_path / "Viral" / "bad.png").write_bytes(b"not a png")
    items = left_out_items(tmp_path, {"Viral": "-"})
    real_scan, scans = left_out.scan, []

    def scan_then_remove(*args, **kwargs):
        scans.append(real_scan(*args, **kwargs))
        (tmp_path / "Viral" / "gone.png").unlink(missing_ok=True)
        return scans[-1]

    monkeypatch.setattr(left_out, "scan", scan_then_remove)
    predict = lambda x: np.tile([[0.5, 0.5]], (len(x), 1))  # noqa: E731
    models = [(predict, PreprocessConfig(size=32, trim_borders=False).to_dict(), None),
              (predict, PreprocessConfig(size=64, trim_borders=False).to_dict(), None)]
    read, probs, _, skipped = score_left_out(tmp_path, items, models)
    assert len(scans) == 2 and [len(s.items) for s in scans] == [2, 1]
    assert [i.path.split("/")[-1] for i in read] == ["good.png"]
    assert [len(p) for p in probs] == [1, 1]
    assert sorted(b["path"].split("/")[-1] for b in skipped) == ["bad.png", "gone.png"]


def test_left_out_films_the_model_saw_are_counted_and_left_out_unless_kept(model_dir, tmp_path):
    """left_out_answers' --keep-seen and its seen count, with a real model file's seen lists (convert.seen): two films
    of its training split and one it never saw, in a folder left out. The seen ones are counted either way, and scored
    only with keep_seen; the only other check of this is a whole cxr-evaluate run of tests/test_left_out.py."""
    import json
    import shutil

    from PIL import Image

    from convert.left_out import left_out_answers
    from edge.preprocess import PreprocessConfig

    split = json.loads((model_dir / "compact" / "split.json").read_text())
    (tmp_path / "Viral").mkdir()
    for k, trained in enumerate(split["splits"]["train"][:2]):
        shutil.copy(Path(split["data_dir"]) / trained["path"], tmp_path / "Viral" / f"trained{k}.png")
    noise = np.random.default_rng(7).integers(0, 255, (96, 96), dtype=np.uint8)
    Image.fromarray(noise).save(tmp_path / "Viral" / "unseen.png")
    pre = PreprocessConfig(size=32, normalize="none", trim_borders=False).to_dict()
    predict = lambda x: np.tile([[0.9, 0.1]], (len(x), 1))  # noqa: E731
    for keep, scored in ((False, ["unseen.png"]), (True, ["trained0.png", "trained1.png", "unseen.png"])):
        answers, read, probs, skipped, _, _ = left_out_answers(
            tmp_path, {"Viral": "-"}, LABELS, [(predict, pre, None, None)], progress=False,
            seen_in=[model_dir / "compact" / "model_int8.tflite"], keep_seen=keep)
        row = answers[0]["Viral"]
        assert sorted(Path(i.path).name for i in read) == scored and len(probs[0]) == len(scored) and not skipped
        assert (row["films"], row["seen_in_training"], row["seen_kept"]) == (len(scored), 2, keep)
        assert row["called"]["COVID"]["films"] == len(scored)
