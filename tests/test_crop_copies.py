"""Cropped and mirrored copies (train.crop_copies): found within a training set, kept on one side
of the split, and found either way round by cxr-evaluate (unless --no-find-crops)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from train.crop_copies import crop_and_mirror_pairs, crop_print, window_codes
from train.data import Item, Split
from train.hygiene import COPY_CODE_BITS, copy_code, duplicate_groups, duplicates_text, fingerprint
from train.synthetic import render
from tests.test_seen import _sha


def _films(n: int = 10) -> list[np.ndarray]:
    return [render(("COVID", "Normal")[k % 2], np.random.default_rng(k), (200, 200)) for k in range(n)]


def _bits(a: np.ndarray, b: bytes | np.ndarray) -> int:
    return int(np.unpackbits(np.bitwise_xor(a, np.frombuffer(bytes(b), np.uint8))).sum())


def test_window_codes_are_copy_codes_of_the_widened_or_cut_film():
    film = _films(1)[0]
    same, padded, cut = window_codes(film, [(0.0, 0.0), (0.04, 0.0), (-0.04, 0.0)], [(0.0, 0.0)])
    # Rounding alone: at most 4 bits on 30 cxr-dev films; these smooth synthetic films have more ties.
    assert _bits(same, copy_code(film)) <= 6
    assert _bits(padded, copy_code(np.pad(film, ((8, 0), (0, 0)), mode="edge"))) <= 6
    assert _bits(cut, copy_code(film[8:])) <= 6
    assert _bits(same, copy_code(film[8:])) > COPY_CODE_BITS  # what the guesses are for
    big = np.kron(film, np.ones((6, 6), np.uint8))  # 1,200 px: reduced before the integral image
    assert _bits(window_codes(big, [(0.0, 0.0)], [(0.0, 0.0)])[0], copy_code(big)) <= 6


def test_crops_and_mirror_images_join_their_films_and_distinct_films_stay_apart():
    films = _films()
    crop = np.clip(255 * (films[0][8:, :-4] / 255.0) ** 1.15, 0, 255).astype(np.uint8)  # 4% and 2% off, gamma
    mirror = np.fliplr(films[1]).copy()
    every = films + [crop, mirror]
    crops, mirrors = crop_and_mirror_pairs(*(np.stack(p) for p in zip(*map(crop_print, every))))
    assert crops.tolist() == [[10, 0]]
    assert sorted(map(sorted, mirrors.tolist())) == [[1, 11], [1, 11]]  # each is the other's mirror image
    prints = [fingerprint(f) for f in every]
    groups, stats = duplicate_groups([f"f{k}" for k in range(12)], np.array([p[0] for p in prints], np.uint64),
                                     np.stack([p[1] for p in prints]), cropped=crops, mirrored=mirrors)
    assert groups[10] == groups[0] and groups[11] == groups[1] and len(set(groups)) == 10
    assert (stats["cropped_copy_pairs"], stats["mirrored_copy_pairs"], stats["near_duplicate_pairs"]) == (1, 1, 0)
    assert duplicates_text(stats) == ("4 films are copies of another (2 groups: 0 exact, 0 resized or re-encoded, "
                                      "1 cropped, moved or turned and 1 mirrored pairs)")
    assert duplicates_text({**stats, "duplicate_groups": 0}).startswith("none found (the same bytes, resized")
    old_run = {"exact_duplicate_pairs": 2, "near_duplicate_pairs": 3}
    assert duplicates_text(old_run) == ("at least 2 exact, 3 resized or re-encoded pairs (cropped and mirrored copies were not "
                                        "looked for)")


def test_cxr_train_keeps_a_cropped_copy_on_its_films_side(tmp_path, capsys):
    from edge.preprocess import PreprocessConfig
    from train.prepare import prepare_data
    from train.run import TrainSettings

    films = _films(24)
    for k, film in enumerate(films):
        (tmp_path / "data" / ("COVID", "Normal")[k % 2]).mkdir(parents=True, exist_ok=True)
        Image.fromarray(film).save(tmp_path / "data" / ("COVID", "Normal")[k % 2] / f"{k}.png")
    for k in range(4):  # re-published: cut 4% at the top, or mirrored
        copy = films[k][8:] if k < 2 else np.fliplr(films[k])
        Image.fromarray(copy).save(tmp_path / "data" / ("COVID", "Normal")[k % 2] / f"copy-of-{k}.png")
    s = TrainSettings(data=str(tmp_path / "data"), out=tmp_path / "run", image_size=32, progress=False)
    split, _, notes = prepare_data(s, PreprocessConfig(size=32))
    where = {Path(i.path).name: part for part, items in split.parts.items() for i in items}
    assert all(where[f"copy-of-{k}.png"] == where[f"{k}.png"] for k in range(4))
    h = notes["hygiene"]
    assert (h["cropped_copy_pairs"], h["mirrored_copy_pairs"], h["groups_across_splits"]) == (2, 2, 0)
    assert f"warning: {duplicates_text(h)}; each group is kept within one split" in capsys.readouterr().err


def test_two_models_read_each_film_once_for_the_crop_search_and_each_finds_its_own(tmp_path, monkeypatch):
    """cxr-compare's crop search read and decoded every film once per model (200 ms a full-size film)."""
    import convert.seen as seen

    films = _films(4)
    for run, film in (("a", films[0][8:, 4:]), ("b", np.fliplr(films[1]))):  # run a trained a crop, run b a mirror image
        (tmp_path / run).mkdir()
        item = Item(f"COVID/t{run}.png", "COVID", _sha(run), near=copy_code(film).hex())
        Split(str(tmp_path), ["COVID"], {"train": [item], "val": [], "test": []}).save(tmp_path / run / "split.json")
    site = tmp_path / "site" / "COVID"
    site.mkdir(parents=True)
    scored = []
    for k, film in enumerate(films):
        Image.fromarray(film).save(site / f"s{k}.png")
        scored.append(Item(f"COVID/s{k}.png", "COVID", _sha(f"s{k}"), near=copy_code(film).hex()))
    read = []
    real = seen._film_lookup_codes
    monkeypatch.setattr(seen, "_film_lookup_codes", lambda path: read.append(path.name) or real(path))
    models = [tmp_path / "a" / "model.keras", tmp_path / "b" / "model.keras"]
    parts, sources, unchecked = seen.models_seen_parts(models, scored, str(tmp_path / "site"))
    assert parts == [("train", "crop"), ("train", "mirror"), None, None] and len(sources) == 2 and unchecked == []
    assert sorted(read) == ["s0.png", "s1.png", "s2.png", "s3.png"]
    read.clear()  # each model apart (which of them saw the film): still one reading of each film
    each, _, _ = seen.each_models_seen_parts(models, scored, str(tmp_path / "site"))
    assert each == [[("train", "crop"), None, None, None], [None, ("train", "mirror"), None, None]]
    assert sorted(read) == ["s0.png", "s1.png", "s2.png", "s3.png"]


def test_find_crops_finds_the_film_a_training_crop_was_cut_from_and_mirror_images(tmp_path):
    """The Kaggle user's case: the training set held a cropped re-publication, and the film scored
    is the original (or its mirror image). Looked up in the split.json beside a model.keras."""
    from convert.seen import leave_out_seen, seen_parts
    from convert.seen_lines import seen_line

    films = _films(6)
    trained = [films[0][8:, 4:], np.fliplr(films[1]), films[2]]  # a crop, a mirror image, the film itself
    items = [Item(f"COVID/t{k}.png", "COVID", _sha(f"t{k}"), near=copy_code(f).hex()) for k, f in enumerate(trained)]
    Split(str(tmp_path), ["COVID"], {"train": items, "val": [], "test": []}).save(tmp_path / "split.json")
    model = tmp_path / "model.keras"
    site = tmp_path / "site"
    (site / "COVID").mkdir(parents=True)
    scored = []
    for k, film in enumerate(films[:2] + films[3:]):  # the originals of the crop and the mirror image, 3 others
        Image.fromarray(film).save(site / "COVID" / f"s{k}.png")
        scored.append(Item(f"COVID/s{k}.png", "COVID", _sha(f"s{k}"), near=copy_code(film).hex()))
    plain, _ = seen_parts(model, scored)
    assert plain == [None] * 5
    searched, _ = seen_parts(model, scored, crops_in=str(site))
    assert searched == [("train", "crop"), ("train", "mirror"), None, None, None]
    drop, note = leave_out_seen([model], scored, keep_seen=False, prog="t", crops_in=str(site))
    assert drop.tolist() == [True, True, False, False, False] and (note["cropped"], note["mirrored"]) == (1, 1)
    assert "1 of them as cropped copies and 1 as mirrored copies" in seen_line(note)
    _, unsearched = leave_out_seen([model], scored[2:], keep_seen=False, prog="t")
    assert "cropped, moved, turned, padded or mirrored copies were not looked for (--no-find-crops)" in seen_line(unsearched)
    assert seen_line({**note, "left_out": True}).endswith(
        "the figures are on the rest; a copy altered further can go unnoticed.")  # a search finds what it can
    none = {**note, "films": 0, "train": 0, "val": 0, "cropped": 0, "mirrored": 0, "split": "split.json"}
    assert seen_line(none) == ("No film here was found in the model's training or validation split (split.json) as the "
                               "same bytes or a resized, re-encoded, cropped, padded or mirrored copy; a copy altered further "
                               "can go unnoticed.")
    unsearched_left_out = {k: v for k, v in note.items() if k not in ("cropped", "mirrored")} | {"left_out": True}
    assert seen_line(unsearched_left_out).endswith("the figures are on the rest; cropped, moved, turned, padded or "
                                                   "mirrored copies were not looked for (--no-find-crops).")
    assert json.loads((tmp_path / "split.json").read_text())["splits"]["train"][0]["near"] == items[0].near


def test_cxr_evaluate_find_crops_counts_cropped_copies_within_the_set_once(tiny_run, tmp_path):
    """A set that holds a film and its cut or mirrored copy scores one picture twice: its intervals
    come out narrower than its films justify, so --find-crops says so as it does for resized copies."""
    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app

    split = json.loads((tiny_run / "split.json").read_text())
    data = Path(split["data_dir"])
    site = tmp_path / "site"
    films = split["splits"]["test"][:4]
    for k, item in enumerate(films):
        (site / item["label"]).mkdir(parents=True, exist_ok=True)
        gray = np.asarray(Image.open(data / item["path"]).convert("L"))
        Image.fromarray(gray).save(site / item["label"] / f"film-{k}.png")
        if k < 2:  # the first cut 4% at the top, the second mirrored: copies within the set, never trained on
            copy = gray[round(0.04 * gray.shape[0]):] if k == 0 else np.fliplr(gray)
            Image.fromarray(copy).save(site / item["label"] / f"copy-of-{k}.png")
    args = [str(tiny_run / "model_int8.tflite"), str(site), "--explain", "0", "--n-boot", "100", "--quiet"]
    for flag, want in ((["--no-find-crops"], []), ([], [["copy-of-0.png", "film-0.png"], ["copy-of-1.png", "film-1.png"]])):
        r = CliRunner().invoke(evaluate_app, [*args, "--out", str(tmp_path / f"out{len(flag)}"), *flag])
        assert r.exit_code == 0, r.output
        report = json.loads((tmp_path / f"out{len(flag)}" / "report.json").read_text())
        assert sorted(sorted(Path(f).name for f in g) for g in report["copies_within_set"]) == want
        assert report["seen_in_training"]["films"] == 0


def test_find_crops_finds_training_films_padded_to_a_square_or_given_a_border(tmp_path):
    """A training film padded black to a square (or given a border) is the model's very input once
    preprocessing trims the border, yet was scored as never seen: 14 of 28 films padded to a square,
    58 of 102 with a 20 px black border, 8 of 102 with a 30 px grey strip on one side."""
    from convert.seen import leave_out_seen, seen_parts
    from convert.seen_lines import seen_line
    from edge.borders_contrast import trim_uniform_borders

    films = _films(5)
    assert all(trim_uniform_borders(f).shape == f.shape for f in films)  # the training films have no border
    items = [Item(f"COVID/t{k}.png", "COVID", _sha(f"t{k}"), near=copy_code(f).hex()) for k, f in enumerate(films[:3])]
    Split(str(tmp_path), ["COVID"], {"train": items, "val": [], "test": []}).save(tmp_path / "split.json")
    model = tmp_path / "model.keras"
    site = tmp_path / "site"
    (site / "COVID").mkdir(parents=True)
    scored = []
    for k, film in enumerate([np.pad(films[0], ((0, 0), (60, 60))),  # a square film's letterbox: 200 x 320
                              np.pad(films[1], 20, constant_values=255),  # a white border
                              np.pad(films[2], ((0, 0), (0, 40)), constant_values=128),  # a grey strip on one side
                              np.pad(films[3], 20), films[4]]):  # films it never saw, one given a border
        Image.fromarray(film).save(site / "COVID" / f"s{k}.png")
        scored.append(Item(f"COVID/s{k}.png", "COVID", _sha(f"s{k}"), near=copy_code(film).hex()))
    assert seen_parts(model, scored)[0] == [None] * 5
    assert seen_parts(model, scored, crops_in=str(site))[0] == [("train", "padded")] * 3 + [None, None]
    _, note = leave_out_seen([model], scored, keep_seen=False, prog="t", crops_in=str(site))
    assert note["padded"] == 3 and "3 of them as copies with a border added" in seen_line(note)
    assert note["seen_films"][0]["found_as"] == "copy with a border added"


def test_the_mirror_pass_and_the_duplicate_grouping_show_progress_in_a_log(monkeypatch, capsys):
    # Both run over every pair of films: at 21,000 films, half a minute without a line after the
    # crop search's "N of N" (minutes with large clusters of copies).
    from train import code_distance, progress

    films = _films(4) * 150  # 600 films: more than one block of the grouping's 512
    prints = [np.stack(p) for p in zip(*map(crop_print, films[:4]))]
    prints = [np.concatenate([p] * 150) for p in prints]
    monkeypatch.setattr(code_distance, "CHUNK_BYTES", code_distance._PAIR_BYTES * len(films) * 100)
    monkeypatch.setattr(progress, "LOG_EVERY_S", 0.0)
    cropped, mirrored = crop_and_mirror_pairs(*prints, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert any("mirror images within the set: " in line for line in lines)
    assert lines[-1].endswith("mirror images within the set: 600 of 600")
    fingerprints = [fingerprint(f) for f in films]
    groups, _ = duplicate_groups([f"f{k % 4}" for k in range(600)], np.array([p[0] for p in fingerprints], np.uint64),
                                 np.stack([p[1] for p in fingerprints]), cropped=cropped, mirrored=mirrored, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines and all("resized or re-encoded copies within the set: " in line for line in lines)
    assert lines[-1].endswith("600 of 600") and len(set(groups)) == 4


def _alike_films_and_their_copies() -> list[np.ndarray]:
    """Synthetic films (as alike as cxr-synth's: most pairs pass the sieve) and copies of each: cut
    2-6% off one to four sides with a gamma change, turned, moved, mirrored."""
    rng = np.random.default_rng(57)
    films = _films(12)
    copies = []
    for f in films:
        h, w = f.shape
        t, b, l, r = (rng.uniform(0.0, 0.06, 4) * (rng.random(4) < 0.6) * np.array([h, h, w, w])).round().astype(int)
        copies.append(np.clip(255 * (f[t:h - b or None, l:w - r or None] / 255.0) ** rng.uniform(0.8, 1.25), 0, 255)
                      .astype(np.uint8))
        copies.append(np.asarray(Image.fromarray(f).rotate(float(rng.uniform(-4, 4)), fillcolor=0)))
        copies.append(f[6:] if rng.random() < 0.5 else f[:, 6:])
        copies.append(np.fliplr(f).copy())
    return films + copies


def test_the_guess_centres_never_turn_away_a_code_some_guess_is_within_doubt_bits_of(monkeypatch):
    # The centres (crop_copies.CENTRES) skip the 272 comparisons for a pair none comes near: a radius
    # too small, or the reach one bit short, and a cropped copy is silently scored as unseen. The
    # codes are built to be as far from the centres as DOUBT_BITS allows: DOUBT_BITS bits of a guess
    # flipped where it agrees with its centre, so the bound is met exactly.
    from train import code_distance
    from train.code_distance import words
    from train.crop_copies import DOUBT_BITS, guess_centres, within_reach

    codes = np.stack([crop_print(f)[1] for f in _alike_films_and_their_copies()[:16]])
    centres, radii = guess_centres(codes)
    monkeypatch.setattr(code_distance, "_BITWISE_COUNT", False)  # numpy 1.x (32-bit Pi OS): the same centres
    assert all(np.array_equal(a, b) for a, b in zip(guess_centres(codes), (centres, radii)))
    monkeypatch.undo()
    rng = np.random.default_rng(0)
    for k in range(len(codes)):
        bits = np.unpackbits(codes[k], axis=1)  # (G, 256)
        here = np.unpackbits(codes[k, centres[k]], axis=1)  # (CENTRES, 256)
        near = (bits[:, None] != here[None]).sum(2)  # bits from each centre
        assert (near.min(1) <= radii[k][near.argmin(1)]).all()  # every guess within its centre's radius
        owner = near.argmin(1)
        flipped = bits.copy()
        for g in range(len(bits)):
            alike = np.flatnonzero(bits[g] == here[owner[g]])
            flipped[g, rng.choice(alike, DOUBT_BITS, replace=False)] ^= 1
        others = np.packbits(flipped, axis=1)
        assert within_reach(codes[k], centres[k], radii[k], words(others)).all()


def test_the_guess_centres_find_the_same_pairs_as_every_guess_and_settle_most_pairs_first(monkeypatch):
    # The search of alike films (a site's own, cxr-synth's) with the centres first must find exactly
    # the pairs that all 272 guesses find for every sieved pair, and the centres must turn most
    # distinct pairs away (else the search costs 272 comparisons a pair again: minutes at 10,000 films).
    from train import crop_copies

    every = _alike_films_and_their_copies()
    prints = [np.stack(p) for p in zip(*map(crop_print, every))]
    found = crop_and_mirror_pairs(*prints)
    calls = []
    real = crop_copies.within_reach
    monkeypatch.setattr(crop_copies, "within_reach", lambda *a: calls.append(real(*a)) or calls[-1])
    crop_and_mirror_pairs(*prints)
    # every guess its own centre, radius 0: the bound is then the full test's own "some guess within DOUBT_BITS"
    monkeypatch.setattr(crop_copies, "guess_centres", lambda codes: (
        np.tile(np.arange(codes.shape[1]), (len(codes), 1)), np.zeros(codes.shape[:2], np.int64)))
    monkeypatch.setattr(crop_copies, "within_reach", real)
    every_guess = crop_and_mirror_pairs(*prints)
    assert [a.tolist() for a in found] == [a.tolist() for a in every_guess]
    assert len(found[0]) >= 36 and len(found[1]) >= 24  # 43 and 28: the copies are found, the sets compared not empty
    kept = np.concatenate(calls)
    assert len(kept) > 1000 and kept.mean() < 0.5, (len(kept), kept.mean())
