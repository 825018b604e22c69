"""Pins for train.cache that its mutation round found unpinned by the fast tests: when a cached part is taken,
when it is decoded again (and what is said then), a teacher's cache shared by a link, and the older-rules warning."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest
from PIL import Image

from edge.atomic import read_json, write_json
from edge.preprocess import PreprocessConfig
from train.cache import (_array_digest, _cache_matches, _write_npy, cache_path, changed_films_way, decoded_otherwise,
                         load_part, save_cache_from, stamp_path)
from train.data import DataError, Item, Split

CONFIG = PreprocessConfig(size=32)


def framed_split(tmp_path) -> Split:
    """Two 48x48 films inside a 12-pixel black frame (so trimming changes their pixels), one a class."""
    data, items = tmp_path / "data", []
    for k, label in enumerate(("COVID", "Normal")):
        (data / label).mkdir(parents=True)
        a = np.zeros((72, 72), np.uint8)
        a[12:60, 12:60] = np.random.default_rng(k).integers(0, 256, (48, 48), dtype=np.uint8)
        path = data / label / f"f{k}.png"
        Image.fromarray(a).save(path)
        items.append(Item(f"{label}/f{k}.png", label, hashlib.sha256(path.read_bytes()).hexdigest()))
    return Split(str(data), ["COVID", "Normal"], {"train": [], "val": [], "test": items})


def cached_run(tmp_path, split: Split):
    run = tmp_path / "run"
    run.mkdir()
    x, _ = load_part(run, split, "test", CONFIG, progress=False, rewrite=True)
    return run, x


def replace_rows(run, rows: np.ndarray, stamp_too: bool) -> None:
    """Put other rows in the cache; with stamp_too, with their own digest in the stamp (only the rules can tell)."""
    np.save(cache_path(run, "test"), rows)
    if stamp_too:
        stamp = read_json(stamp_path(run, "test"))
        write_json(stamp_path(run, "test"), {**stamp, "array": _array_digest(rows)})


def test_a_cache_written_with_rewrite_is_taken_without_the_films(tmp_path):
    split = framed_split(tmp_path)
    run, x = cached_run(tmp_path, split)
    for f in (tmp_path / "data").rglob("*.png"):
        f.unlink()
    assert np.array_equal(load_part(run, split, "test", CONFIG, progress=False)[0], x)


def test_no_cache_and_no_data_folder_names_the_folder_and_split_json(tmp_path):
    split = framed_split(tmp_path)
    split.data_dir = str(tmp_path / "gone")
    (tmp_path / "run").mkdir()
    with pytest.raises(DataError, match="is not there .*set data_dir in"):
        load_part(tmp_path / "run", split, "test", CONFIG, progress=False)


def test_a_cache_made_with_another_preprocessing_of_the_same_size_is_not_taken(tmp_path):
    """trim_borders=False gives the same shape as the default, other pixels (the frame kept): the stamp's digest of
    the config tells them apart."""
    split = framed_split(tmp_path)
    run, trimmed = cached_run(tmp_path, split)
    untrimmed = PreprocessConfig(size=32, trim_borders=False)
    x, _ = load_part(run, split, "test", untrimmed, progress=False)
    (tmp_path / "fresh").mkdir()
    fresh, _ = load_part(tmp_path / "fresh", split, "test", untrimmed, progress=False)  # no cache there
    assert np.array_equal(x, fresh) and not np.array_equal(x, trimmed)


def test_rows_replaced_under_an_intact_stamp_are_decoded_again(tmp_path):
    split = framed_split(tmp_path)
    run, x = cached_run(tmp_path, split)
    replace_rows(run, 255 - x, stamp_too=False)
    assert np.array_equal(load_part(run, split, "test", CONFIG, progress=False)[0], x)


def test_a_cache_of_other_rules_is_decoded_again_with_a_note_and_its_changed_films_warned_of_each_time(tmp_path, capsys):
    split = framed_split(tmp_path)
    run, x = cached_run(tmp_path, split)
    replace_rows(run, 255 - x, stamp_too=True)  # the films' and rows' digests hold: only the rules differ
    write_json(stamp_path(run, "test"), {**read_json(stamp_path(run, "test")), "decode_rules": "0"})
    capsys.readouterr()
    assert np.array_equal(load_part(run, split, "test", CONFIG, progress=False, rewrite=True)[0], x)
    err = capsys.readouterr().err
    assert "was decoded by other rules (version 0" in err
    assert "warning: 2 test films of 2 decode otherwise" in err
    load_part(run, split, "test", CONFIG, progress=False)  # the cache written again keeps the warning
    assert "warning: 2 test films of 2 decode otherwise" in capsys.readouterr().err


def test_a_cache_without_a_stamp_is_an_older_ones_whose_changed_films_are_warned_of(tmp_path, capsys):
    split = framed_split(tmp_path)
    run, x = cached_run(tmp_path, split)
    replace_rows(run, 255 - x, stamp_too=False)
    stamp_path(run, "test").unlink()
    capsys.readouterr()
    load_part(run, split, "test", CONFIG, progress=False)
    err = capsys.readouterr().err
    assert "has no stamp (written by a cxr-edge before 0.23.0)" in err and "decode otherwise" in err


def test_an_older_cache_of_other_films_is_no_evidence_of_what_the_model_learnt(tmp_path, capsys):
    """A stamp of other films (its digest of them differs): its rows were never these films', so no warning."""
    split = framed_split(tmp_path)
    run, x = cached_run(tmp_path, split)
    replace_rows(run, 255 - x, stamp_too=True)
    write_json(stamp_path(run, "test"), {**read_json(stamp_path(run, "test")), "decode_rules": "0", "films": "0" * 64})
    capsys.readouterr()
    load_part(run, split, "test", CONFIG, progress=False)
    err = capsys.readouterr().err
    assert "was decoded by other rules" in err and "decode otherwise" not in err


def test_a_stamp_without_the_rows_digest_is_said_to_be_damaged(tmp_path, capsys):
    split = framed_split(tmp_path)
    run, x = cached_run(tmp_path, split)
    write_json(stamp_path(run, "test"), {"films": read_json(stamp_path(run, "test"))["films"]})
    capsys.readouterr()
    assert np.array_equal(load_part(run, split, "test", CONFIG, progress=False)[0], x)
    assert "is damaged: it holds no digest of the films or of the rows" in capsys.readouterr().err
    stamp_path(run, "test").write_text("[]")  # JSON, but no object: said, and decoded again (no AttributeError)
    assert np.array_equal(load_part(run, split, "test", CONFIG, progress=False)[0], x)
    assert "cannot be checked against the split" in capsys.readouterr().err


def test_a_stamp_naming_no_decoding_rules_is_of_0_31_or_older_and_decoded_again(tmp_path, capsys):
    split = framed_split(tmp_path)
    run, x = cached_run(tmp_path, split)
    replace_rows(run, 255 - x, stamp_too=True)
    stamp = read_json(stamp_path(run, "test"))
    del stamp["decode_rules"]
    write_json(stamp_path(run, "test"), stamp)
    capsys.readouterr()
    assert np.array_equal(load_part(run, split, "test", CONFIG, progress=False)[0], x)
    assert "was stamped by cxr-edge 0.31.0 or older" in capsys.readouterr().err


def test_a_copied_run_with_its_own_teacher_is_not_sent_to_the_teacher_where_it_was_trained(tmp_path):
    """run.json of a copied run still names the teacher folder where it was trained; the copy's own teacher is what
    --replace would reuse, so that is the one named."""
    run = tmp_path / "copy"
    (run / "teacher").mkdir(parents=True)
    write_json(run / "teacher" / "run.json", {})
    write_json(run / "run.json", {"teacher": {"run": str(tmp_path / "original" / "teacher")}})
    way = changed_films_way(run)
    assert way.startswith(f"To train on the films as they are now, run the cxr-train command that made {run}")
    assert f"after deleting {run / 'teacher'}" in way and "original" not in way


def test_a_students_cache_links_its_teachers_only_for_the_same_rows(tmp_path):
    split = framed_split(tmp_path)
    teacher, x = cached_run(tmp_path, split)
    items = split.parts["test"]
    same, other = tmp_path / "same", tmp_path / "other"
    save_cache_from(teacher, same, "test", x, items, CONFIG)
    assert os.path.samefile(cache_path(same, "test"), cache_path(teacher, "test"))
    assert _cache_matches(same, "test", x, items, CONFIG)  # its stamp came along
    save_cache_from(teacher, other, "test", 255 - x, items, CONFIG)
    assert np.array_equal(np.load(cache_path(other, "test")), 255 - x)


def test_a_part_written_in_chunks_of_rows_loads_whole(tmp_path):
    """3 rows of 64 bytes in chunks of 100 bytes: one row a write, each row once."""
    x = np.arange(3 * 64, dtype=np.uint8).reshape(3, 8, 8, 1)
    with open(tmp_path / "x.npy", "wb") as f:
        _write_npy(f, x, chunk_bytes=100)
    assert np.array_equal(np.load(tmp_path / "x.npy"), x)


def test_a_film_is_said_to_decode_otherwise_past_two_percent_of_the_range_on_average():
    """now spans 50..150 (range 100, so the bar is 2 grey levels on average). Film 0 moved by exactly 2 (not past
    the bar), film 1 by 3: one film of two is named."""
    now = np.stack([np.full((4, 4, 1), 50, np.uint8), np.full((4, 4, 1), 150, np.uint8)])
    before = now.copy()
    before[0] += 2
    before[1] -= 3
    items = [Item("a.png", "COVID"), Item("b.png", "Normal")]
    said = decoded_otherwise(before, now, items, "test", cache_path("RUN", "test"))
    assert said.startswith("warning: 1 test film of 2 decodes otherwise") and "e.g. b.png" in said
    before[1] += 1  # film 1 now moved by 2 as well: at the bar, not past it
    assert decoded_otherwise(before, now, items, "test", cache_path("RUN", "test")) is None


def test_the_way_forward_quotes_every_folder_holding_a_line_break(tmp_path):
    """Each folder changed_films_way names (the run, its teacher, the teacher's run, an outside teacher) is said as
    edge.output.said_name says it: a raw line break split the refusal, its second line read as another message."""
    from edge.output import said_name

    s = tmp_path / "s\n1"
    (s / "teacher").mkdir(parents=True)
    write_json(s / "split.json", {})
    write_json(s / "teacher" / "run.json", {})
    student = tmp_path / "t\n1"
    (student / "teacher").mkdir(parents=True)
    write_json(student / "teacher" / "run.json", {})
    write_json(student / "run.json", {"teacher": {"run": str(s / "teacher")}})
    for way in (changed_films_way(student), changed_films_way(s / "teacher"), changed_films_way(s)):
        assert "\n" not in way, way
    write_json(student / "run.json", {"teacher": {"run": str(student / "teacher")}})
    way = changed_films_way(student)
    assert "\n" not in way and said_name(str(student / "teacher")) in way, way
