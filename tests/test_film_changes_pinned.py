"""train.film_changes pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change in place, which the fast tests of tests/test_resume.py and tests/test_side_files.py let through).
Whether a finished run's films changed decides whether cxr-train trains it again and cxr-convert refuses it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from train.data import Item
from train.film_changes import (RecordDamaged, data_fingerprint, film_stamps, films_changed, sources_changed,
                                sources_digest)

STAMPS = {"a.png": ("COVID", 10, 100), "b.png": ("Normal", 10, 100)}


def _run(run: Path, stamps: dict, splits: dict | None = None, **more) -> Path:
    run.mkdir(parents=True, exist_ok=True)
    (run / "run.json").write_text(json.dumps({"data_fingerprint": data_fingerprint(stamps, 1000), **more}))
    if splits is not False:
        (run / "split.json").write_text(json.dumps({"splits": splits or {
            "train": [{"path": p, "label": v[0]} for p, v in stamps.items()]}}))
    return run


def test_a_run_of_0_14_or_later_without_the_record_is_damaged_and_one_before_is_older(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"cxr_edge_version": "0.14.0"}))
    with pytest.raises(RecordDamaged, match="no data_fingerprint, which cxr-edge 0.14.0 records"):
        films_changed(tmp_path, STAMPS)
    (tmp_path / "run.json").write_text(json.dumps({"cxr_edge_version": "0.13.9"}))
    assert films_changed(tmp_path, STAMPS) is None


def test_a_listing_time_that_is_true_not_a_number_is_damaged(tmp_path):
    _run(tmp_path, STAMPS)
    run = json.loads((tmp_path / "run.json").read_text())
    run["data_fingerprint"]["taken_ns"] = True  # JSON true is an int to isinstance
    (tmp_path / "run.json").write_text(json.dumps(run))
    with pytest.raises(RecordDamaged, match="has no taken_ns"):
        films_changed(tmp_path, STAMPS)


def test_a_folder_without_a_run_json_has_no_record_and_no_changed_sources(tmp_path):
    assert films_changed(tmp_path, STAMPS) is None
    assert sources_changed(tmp_path, [tmp_path]) is False


def test_a_film_gone_since_it_was_listed_keeps_its_place_without_a_size(tmp_path):
    (tmp_path / "a.png").write_bytes(b"12345")
    stamps = film_stamps(tmp_path, [Item("a.png", "COVID"), Item("gone.png", "Normal")])
    assert stamps["a.png"][:2] == ("COVID", 5) and stamps["gone.png"] == ("Normal", -1, -1)
    assert data_fingerprint(stamps, 7)["files"] == 2


def _films_on_disk(root: Path) -> dict[str, str]:
    shas = {}
    for p in STAMPS:
        (root / p).write_bytes(p.encode())
        shas[p] = hashlib.sha256(p.encode()).hexdigest()
    return shas


def test_a_relabelled_film_whose_date_also_changed_is_counted_not_taken_for_a_copied_folder(tmp_path):
    """Same names and sizes with new dates is a copied folder (bytes compared); a class changed too is a change."""
    data = tmp_path / "data"
    data.mkdir()
    shas = _films_on_disk(data)
    stamps = film_stamps(data, [Item(p, v[0]) for p, v in STAMPS.items()])
    run = _run(tmp_path / "run", stamps, {"train": [{"path": p, "label": v[0], "sha256": shas[p]}
                                                    for p, v in stamps.items()]})
    later = {p: (lab, size, mtime + 10 ** 12) for p, (lab, size, mtime) in stamps.items()}
    assert films_changed(run, later, data) == (0, 0)  # dates alone: the same bytes
    later["a.png"] = ("Normal", *later["a.png"][1:])
    assert films_changed(run, later, data) == (0, 2)  # no longer a copy: every film dated since counts


def test_a_split_json_gone_with_dates_changed_counts_every_film_added(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _films_on_disk(data)
    run = _run(tmp_path / "run", STAMPS, splits=False)
    assert films_changed(run, {p: (lab, size, 5000) for p, (lab, size, _) in STAMPS.items()}, data) == (2, 0)


def test_a_film_written_at_the_moment_of_listing_counts_as_changed(tmp_path):
    run = _run(tmp_path, STAMPS)
    assert films_changed(run, {"a.png": ("COVID", 11, 1000), "b.png": ("Normal", 11, 1000)}) == (0, 2)
    assert films_changed(run, {**STAMPS, "b.png": ("Normal", 11, 999)}) == (0, 1)  # older: one at least


def test_the_films_a_holdout_left_out_are_films_of_the_run_not_added_ones(tmp_path):
    stamps = {**STAMPS, "x.png": ("COVID", 10, 100)}
    run = _run(tmp_path, stamps, {"train": [{"path": p, "label": v[0]} for p, v in STAMPS.items()]},
               data_hygiene={"holdout_left_out": {"films": [{"file": "x.png", "label": "COVID", "sha256": "0" * 64}]}})
    assert films_changed(run, {**stamps, "b.png": ("Normal", 10, 5000)}) == (0, 1)


def test_a_folder_spelt_decomposed_now_is_the_same_films(tmp_path):
    """The run recorded 'Neumonía/a.png' composed; the folder copied through a Mac spells it decomposed."""
    composed, decomposed = "Neumon\u00eda/a.png", "Neumoni\u0301a/a.png"
    run = _run(tmp_path, {composed: ("COVID", 10, 100)})
    assert films_changed(run, {decomposed: ("COVID", 10, 100)}) == (0, 0)


def test_a_label_an_older_run_kept_decomposed_is_the_same_label(tmp_path):
    """cxr-edge 0.34.0 and before kept a Mac folder's decomposed class name; labels are now composed."""
    run = _run(tmp_path, {"a.png": ("Neumoni\u0301a", 10, 100)})
    assert films_changed(run, {"a.png": ("Neumon\u00eda", 10, 100)}) == (0, 0)


def test_the_sources_digest_tells_which_folder_holds_a_manifest_and_an_unreadable_one_from_none(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "MANIFEST.csv").write_text("file,source\nx.png,s\n")
    assert sources_digest([a, b]) != sources_digest([b, a])  # --data's manifest is not --add-data's
    fifo = tmp_path / "c"
    fifo.mkdir()
    os.mkfifo(fifo / "MANIFEST.csv")
    assert sources_digest([fifo]) != sources_digest([b])
