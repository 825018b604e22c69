"""convert.seen: films a model was trained or validated on, by their bytes or as copies, from its
run's split.json or from the fingerprints inside its file; and copies within a scored set."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app
from train.code_distance import nearest_bits
from convert.seen import seen_parts
from train.data import Item, Split


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _code(seed: int, flip: int = 0) -> str:
    bits = np.random.default_rng(seed).integers(0, 2, 256).astype(np.uint8)
    bits[:flip] ^= 1
    return np.packbits(bits).tobytes().hex()


def test_the_same_bytes_win_over_a_copy_and_training_over_validation(tmp_path):
    run = Split(str(tmp_path), ["A"], {"train": [Item("A/t.png", "A", _sha("t"), near=_code(1))],
                                       "val": [Item("A/v.png", "A", _sha("v"), near=_code(2)),
                                               Item("A/t2.png", "A", _sha("t"))]})  # training's bytes filed twice
    run.save(tmp_path / "split.json")
    model = tmp_path / "model.keras"  # checked against the split.json beside it
    items = [Item("x", "A", _sha("v"), near=_code(1)),           # validation's bytes, training's picture
             Item("y", "A", _sha("y"), near=_code(1, flip=9)),   # a copy of the training film
             Item("z", "A", _sha("z"), near=_code(2, flip=10)),  # a copy of the validation film, at the limit
             Item("w", "A", _sha("w"), near=_code(1, flip=11)),  # beyond the limit: another film
             Item("u", "A", _sha("t"))]                          # training's bytes (validation's too), no copy code
    parts, source = seen_parts(model, items)
    assert source == str(tmp_path / "split.json")
    assert parts == [("val", "bytes"), ("train", "copy"), ("val", "copy"), None, ("train", "bytes")]


def test_cxr_evaluate_leaves_out_the_films_the_model_was_trained_on(tiny_run, tmp_path):
    """Scoring a model on its own training films flatters it: by default those films (found by
    SHA-256 in the split.json beside the model) are left out, and saying so."""
    import shutil

    split = json.loads((tiny_run / "split.json").read_text())
    data, model = Path(split["data_dir"]), str(tiny_run / "model_int8.tflite")
    out = tmp_path / "r"
    r = CliRunner().invoke(evaluate_app, [model, str(data), "--out", str(out), "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "left out (--keep-seen keeps them)" in r.output
    report = json.loads((out / "report.json").read_text())
    assert sorted(p["file"] for p in report["predictions"]) == sorted(i["path"] for i in split["splits"]["test"])
    note = report["seen_in_training"]
    assert (note["train"], note["val"], note["left_out"]) == (len(split["splits"]["train"]), len(split["splits"]["val"]), True)
    assert "were left out" in (out / "report.md").read_text()
    assert "seen_in_training" not in (out / "predictions.csv").read_text().splitlines()[0]
    # --keep-seen: every film scored, and each row says whether the model trained or validated on it
    r = CliRunner().invoke(evaluate_app, [model, str(data), "--keep-seen", "--out", str(out), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    import csv

    rows = {row["file"]: row["seen_in_training"] for row in csv.DictReader(open(out / "predictions.csv", encoding="utf-8-sig"))}
    assert rows == {i["path"]: {"train": "train", "val": "val", "test": ""}[part]
                    for part in ("train", "val", "test") for i in split["splits"][part]}
    # A folder of training films alone, under other names: the bytes give them away, and nothing is left to score.
    for i, item in enumerate(split["splits"]["train"]):
        (tmp_path / "copies" / item["label"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(data / item["path"], tmp_path / "copies" / item["label"] / f"renamed-{i}.png")
    r = CliRunner().invoke(evaluate_app, [model, str(tmp_path / "copies"), "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 2 and "all of them" in r.output and "--keep-seen" in r.output
    # The file alone, away from its run folder, still knows its films: it carries their fingerprints.
    lone = tmp_path / "lone" / "m.tflite"
    lone.parent.mkdir()
    shutil.copy(model, lone)
    r = CliRunner().invoke(evaluate_app, [str(lone), str(data), "--out", str(tmp_path / "l"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    alone = json.loads((tmp_path / "l" / "report.json").read_text())
    assert sorted(p["file"] for p in alone["predictions"]) == sorted(i["path"] for i in split["splits"]["test"])
    assert (alone["seen_in_training"]["train"], alone["seen_in_training"]["val"]) == (note["train"], note["val"])
    assert "fingerprints inside the file" in alone["seen_in_training"]["split"]
    # Without them (converted with --no-fingerprints, or by cxr-edge 0.9.0), it cannot be checked: all is scored, and said.
    from edge import metadata as md

    flatbuffer, meta, files = md.read(lone)
    meta.pop("seen")
    bare = tmp_path / "bare" / "m.tflite"
    bare.parent.mkdir()
    bare.write_bytes(md.attach(flatbuffer, meta, {k: v for k, v in files.items() if not k.startswith("seen/")}))
    r = CliRunner().invoke(evaluate_app, [str(bare), str(data), "--out", str(tmp_path / "b"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "b" / "report.json").read_text())["metrics"]["n"] == 32
    assert "could not be checked" in (tmp_path / "b" / "report.md").read_text()
    assert "warning: whether m.tflite was trained or validated on any of these films cannot be checked" in r.output


def test_a_split_json_beside_a_tflite_is_its_own_only_where_its_run_was_not_trained_again_since(
        tiny_run, tmp_path, capsys):
    """A run trained again over a .tflite without fingerprints (cxr-edge 0.9.0 and older, --no-fingerprints) leaves
    another model's split.json beside it: cxr-evaluate took it as the file's, and scored the old model's training
    films as unseen test films."""
    import shutil

    from convert.seen import leave_out_seen
    from edge import metadata as md

    run = tmp_path / "run"
    run.mkdir()
    for name in ("split.json", "run.json"):
        shutil.copy(tiny_run / name, run / name)
    flatbuffer, meta, files = md.read(tiny_run / "model_int8.tflite")
    meta.pop("seen")
    model = run / "model_int8.tflite"
    model.write_bytes(md.attach(flatbuffer, meta, {k: v for k, v in files.items() if not k.startswith("seen/")}))
    split = Split.load(run / "split.json")
    items = [i for part in ("train", "val", "test") for i in split.parts[part]]
    seen = len(split.parts["train"]) + len(split.parts["val"])
    dropped, note = leave_out_seen([model], items, False, "cxr-evaluate")  # its own run's split: taken
    assert note["split"] == str(run / "split.json") and dropped.sum() == seen
    capsys.readouterr()
    record = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**record, "created": "2099-01-01T00:00:00+00:00"}))  # trained again
    dropped, note = leave_out_seen([model], items, False, "cxr-evaluate")
    assert note is None and not dropped.any()
    assert capsys.readouterr().err == (
        "cxr-evaluate: warning: whether model_int8.tflite was trained or validated on any of these films cannot be "
        "checked: its file carries no fingerprints of its training films (converted before cxr-edge 0.10.0 or with "
        "--no-fingerprints, or not by cxr-convert; cxr-convert its run again to add them) and the split.json beside "
        "it is another model's (its run was trained again since it was converted); films it saw would flatter its "
        "figures\n")
    # cxr-evaluate says it once, and its report says the model could not be checked
    r = CliRunner().invoke(evaluate_app, [str(model), split.data_dir, "--out", str(tmp_path / "e"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert r.output.count("the split.json beside it is another model's") == 1
    report = json.loads((tmp_path / "e" / "report.json").read_text())
    assert report["metrics"]["n"] == len(items) and "could not be checked" in (tmp_path / "e" / "report.md").read_text()
    # beside stderr's "the split.json beside it is another model's", report.md said it "has no split.json beside it"
    assert "has no split.json of its own beside it" in (tmp_path / "e" / "report.md").read_text()
    model.unlink()  # a model.keras is its folder's model whatever the run.json says
    assert seen_parts(run / "model.keras", items)[1] == str(run / "split.json")


def test_fingerprints_are_the_training_and_validation_films_prefixes_and_copy_codes(tiny_run):
    """Each .tflite carries 8 bytes of the SHA-256 and the copy code of every training and
    validation film, sorted, and nothing of a test film: the seen-film check must never drop a
    film the model has not seen."""
    import hashlib

    from PIL import Image

    from convert.seen_lists import PREFIX, carried
    from edge import metadata as md
    from train.hygiene import COPY_CODE_BITS, copy_code

    split = json.loads((tiny_run / "split.json").read_text())
    data = Path(split["data_dir"])
    digest = lambda item: hashlib.sha256((data / item["path"]).read_bytes()).digest()[:PREFIX]
    code = lambda item: copy_code(np.asarray(Image.open(data / item["path"]).convert("L")))
    for name in ("model_int8.tflite", "model_fp32.tflite"):
        keys = carried(tiny_run / name)
        for part in ("train", "val"):
            assert keys[part][0] == {digest(i) for i in split["splits"][part]}
            assert sorted(map(bytes, keys[part][1])) == sorted(code(i) for i in split["splits"][part])
        test = split["splits"]["test"]
        assert not {digest(i) for i in test} & (keys["train"][0] | keys["val"][0])
        test_codes = np.frombuffer(b"".join(code(i) for i in test), np.uint8).reshape(-1, 32)
        assert (nearest_bits(test_codes, np.concatenate([keys["train"][1], keys["val"][1]])) > COPY_CODE_BITS).all()
        _, meta, files = md.read(tiny_run / name)
        assert (meta["seen"]["train"], meta["seen"]["val"]) == (len(keys["train"][0]), len(keys["val"][0]))
        assert files["seen/train.bin"] == b"".join(sorted(keys["train"][0]))
    assert carried(tiny_run / "model.keras") is None


def test_resized_and_reencoded_copies_of_training_films_are_found(tiny_run, tmp_path):
    """Public collections re-publish films resized and re-encoded: such a copy of a training film
    is left out as well, from the model file alone, while the test films are all scored."""
    import shutil

    from PIL import Image

    split = json.loads((tiny_run / "split.json").read_text())
    data = Path(split["data_dir"])
    lone = tmp_path / "lone" / "m.tflite"
    lone.parent.mkdir()
    shutil.copy(tiny_run / "model_int8.tflite", lone)
    site = tmp_path / "site"
    for item in split["splits"]["test"]:
        (site / item["label"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(data / item["path"], site / item["label"] / Path(item["path"]).name)
    copied = split["splits"]["train"][:5]
    for k, item in enumerate(copied):
        im = Image.open(data / item["path"]).convert("L")
        im = im.resize((im.width * 3, im.height * 3), Image.Resampling.BICUBIC)
        im.save(site / item["label"] / f"copy-{k}.jpg", quality=85)
    r = CliRunner().invoke(evaluate_app, [str(lone), str(site), "--out", str(tmp_path / "r"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "5 of them as resized or re-encoded copies" in r.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert sorted(Path(p["file"]).name for p in report["predictions"]) == sorted(
        Path(i["path"]).name for i in split["splits"]["test"])
    assert (report["seen_in_training"]["copies"], report["seen_in_training"]["train"]) == (5, 5)
    assert report["copies_within_set"] == []
    # A test film twice in the set (a copy under another name): scored twice, and said.
    first = split["splits"]["test"][0]
    Image.open(data / first["path"]).convert("L").save(site / first["label"] / "again.jpg", quality=90)
    r = CliRunner().invoke(evaluate_app, [str(lone), str(site), "--out", str(tmp_path / "r2"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "2 films are copies of one another (1 group," in r.output
    twins = json.loads((tmp_path / "r2" / "report.json").read_text())["copies_within_set"]
    assert [sorted(Path(f).name for f in g) for g in twins] == [sorted([Path(first["path"]).name, "again.jpg"])]
    assert "copies of one another" in (tmp_path / "r2" / "report.md").read_text()
    assert sorted(f["file"] for f in report["seen_in_training"]["seen_films"]) == sorted(
        f"{i['label']}/copy-{k}.jpg" for k, i in enumerate(copied))
    assert {(f["part"], f["found_as"]) for f in report["seen_in_training"]["seen_films"]} == {("train", "copy")}


def test_cxr_convert_no_fingerprints_leaves_them_out(tiny_run, tmp_path):
    """--no-fingerprints: a site that must not disclose even which films it used gets files without them."""
    import shutil

    from convert.cli import convert_app
    from convert.seen_lists import carried
    from edge import metadata as md

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "fp32", "--no-fingerprints", "--no-latency",
                                         "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    # tiny_run was converted: its file is replaced, and that is said (the new one differs whatever the settings)
    assert "note: replacing model_fp32.tflite of an earlier conversion (" in r.output
    _, meta, files = md.read(run / "model_fp32.tflite")
    assert "seen" not in meta and not any(k.startswith("seen/") for k in files)
    assert carried(run / "model_fp32.tflite") is None and carried(run / "model_int8.tflite") is not None


def test_cropped_copies_are_found_only_when_searched_for(tiny_run, tmp_path):
    """A film re-published with a strip cut off a side has another copy code; the search pads it
    back by each guess of its margins. Test films, unseen, stay unseen under the search too."""
    from PIL import Image

    from edge.preprocess import load_bytes
    from train.hygiene import copy_code

    split = json.loads((tiny_run / "split.json").read_text())
    data = Path(split["data_dir"])
    films = split["splits"]["train"][:4] + split["splits"]["test"]
    items = []
    for k, item in enumerate(films):
        gray = load_bytes((data / item["path"]).read_bytes())
        if k < 4:  # the training films, a 4-pixel strip (2%) cut off the left or the top
            gray = gray[:, 4:] if k % 2 else gray[4:]
        name = f"{item['label']}/film-{k}.png"
        (tmp_path / name).parent.mkdir(exist_ok=True)
        Image.fromarray(gray).save(tmp_path / name)
        items.append(Item(name, item["label"], _sha(name), near=copy_code(gray).hex()))
    model = tiny_run / "model_int8.tflite"
    plain, _ = seen_parts(model, items)
    searched, _ = seen_parts(model, items, crops_in=str(tmp_path))
    assert plain[:4].count(None) >= 2  # the plain code misses crops (synthetic films: 8 to 32 bits away)
    # the search finds what the plain code found, and crops besides: most, not all (README: 85-99% of 2-5% crops;
    # which of these four is missed depends on the films the tiny run drew)
    assert all(p is None or q == p for p, q in zip(plain[:4], searched[:4]))
    assert all(q in (None, ("train", "crop")) for p, q in zip(plain[:4], searched[:4]) if p is None)
    assert searched[:4].count(None) <= 1 < plain[:4].count(None)
    assert searched[4:] == [None] * (len(films) - 4)
    # Through cxr-evaluate: found by default, scored as new films with --no-find-crops.
    site = tmp_path / "site"
    for k, item in enumerate(items):
        (site / item.label).mkdir(parents=True, exist_ok=True)
        (site / item.label / Path(item.path).name).write_bytes((tmp_path / item.path).read_bytes())
    args = [str(model), str(site), "--explain", "0", "--n-boot", "100", "--quiet"]
    r = CliRunner().invoke(evaluate_app, [*args, "--out", str(tmp_path / "plain"), "--no-find-crops"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(evaluate_app, [*args, "--out", str(tmp_path / "crops")])
    assert r.exit_code == 0, r.output
    found = json.loads((tmp_path / "crops" / "report.json").read_text())["seen_in_training"]
    assert found["cropped"] == searched.count(("train", "crop")) >= 2
    assert f"{found['films']} of {len(films)} films are ones the model was trained or validated on" in r.output
    assert f"{found['cropped']} as cropped copies" in r.output.replace(" of them as ", " as ")
    assert len(json.loads((tmp_path / "crops" / "report.json").read_text())["predictions"]) == len(films) - found["films"]
    assert "cropped" not in json.loads((tmp_path / "plain" / "report.json").read_text())["seen_in_training"]


def test_a_mirrored_copy_at_the_copy_code_limit_is_found_and_one_bit_beyond_is_not(tmp_path):
    """A plain copy at exactly the limit is found ('z' above); a mirrored (or cropped) copy at the limit was
    missed by the crop search, and the film was scored as new, flattering the figures."""
    from PIL import Image

    from edge.preprocess import load_bytes
    from train.crop_copies import lookup_codes
    from train.hygiene import COPY_CODE_BITS, copy_code

    rng = np.random.default_rng(3)
    film = np.add.outer(np.linspace(0, 120, 128), np.linspace(0, 90, 128)) + rng.integers(0, 60, (128, 128))
    (tmp_path / "site" / "A").mkdir(parents=True)
    Image.fromarray(film.astype(np.uint8)).save(tmp_path / "site" / "A" / "f.png")
    gray = load_bytes((tmp_path / "site" / "A" / "f.png").read_bytes())
    mirror = np.unpackbits(lookup_codes(gray)[1][0])
    item = Item("A/f.png", "A", _sha("f"), near=copy_code(gray).hex())
    for flip, expected in ((COPY_CODE_BITS, [("train", "mirror")]), (COPY_CODE_BITS + 1, [None])):
        trained = mirror.copy()
        trained[:flip] ^= 1  # the training film: the site film's mirror image, this many bits of copy code apart
        near = np.packbits(trained).tobytes().hex()
        Split(str(tmp_path), ["A"], {"train": [Item("A/t.png", "A", _sha("t"), near=near)], "val": []}).save(
            tmp_path / "split.json")
        assert seen_parts(tmp_path / "model.keras", [item], crops_in=str(tmp_path / "site"))[0] == expected, flip
        assert seen_parts(tmp_path / "model.keras", [item])[0] == [None]  # its own code is far: only the search finds it


def test_copies_under_two_classes_are_label_conflicts_not_mere_copies():
    from convert.set_notes import split_copies

    files, labels = ["COVID/a.png", "Normal/b.png", "COVID/c.png", "COVID/d.png"], ["COVID", "Normal", "COVID", "COVID"]
    same, conflicts = split_copies([[0, 1], [2, 3]], files, labels)
    assert same == [["COVID/c.png", "COVID/d.png"]]
    assert conflicts == [[{"file": "COVID/a.png", "label": "COVID"}, {"file": "Normal/b.png", "label": "Normal"}]]


def test_cxr_evaluate_names_a_film_filed_under_two_classes_a_label_conflict(tiny_run, tmp_path):
    import shutil

    split = json.loads((tiny_run / "split.json").read_text())
    data, site = Path(split["data_dir"]), tmp_path / "site"
    for item in split["splits"]["test"]:
        (site / item["label"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(data / item["path"], site / item["label"] / Path(item["path"]).name)
    first = split["splits"]["test"][0]
    other = next(c for c in split["classes"] if c != first["label"])
    shutil.copy(data / first["path"], site / other / "the-same-film.png")  # byte-identical, under the other class
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--out",
                                          str(tmp_path / "r"), "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "cxr-evaluate: warning: label conflict: 2 films are one picture filed under different classes" in r.output
    assert "copies of one another" not in r.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["copies_within_set"] == []
    assert [sorted((Path(c["file"]).name, c["label"]) for c in g) for g in report["label_conflicts"]] == [
        sorted([(Path(first["path"]).name, first["label"]), ("the-same-film.png", other)])]
    assert "**Label conflict:** 2 films are one picture filed under different classes" in \
        (tmp_path / "r" / "report.md").read_text()


def test_the_room_fingerprints_take_in_a_file_is_said(tiny_run, tmp_path):
    """They were 69% of a 4-class int8 file trained on 10,200 films, and no line said so."""
    from convert.seen_lists import room_note
    from edge.metadata import attach, split

    model = tiny_run / "model_int8.tflite"
    meta = split(model.read_bytes())[1]
    films = meta["seen"]["train"] + meta["seen"]["val"]
    note = room_note(model)
    room = int(note.split(" of them")[0].strip(" (").replace(",", ""))
    assert f"fingerprints of the {films:,} training and validation films" in note and 0 < room < model.stat().st_size
    bare = tmp_path / "bare.tflite"
    bare.write_bytes(attach(split(model.read_bytes())[0], {k: v for k, v in meta.items() if k != "seen"}))
    assert room_note(bare) == "" and room_note(tmp_path / "missing.tflite") == ""
