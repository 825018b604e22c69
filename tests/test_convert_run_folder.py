"""cxr-convert on a run folder that is damaged: one clear line, before minutes of reading films."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.cli import convert_app


def _copy_without_films(tiny_run: Path, tmp_path: Path) -> Path:
    """The run copied without its cache of decoded films, its split pointing at a data folder that
    is gone: reading a film would fail."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("cache"))
    split = json.loads((run / "split.json").read_text())
    split["data_dir"] = str(tmp_path / "moved-away")
    (run / "split.json").write_text(json.dumps(split))
    return run


def test_a_model_keras_cut_short_is_named_before_any_film_is_read(tiny_run, tmp_path):
    run = _copy_without_films(tiny_run, tmp_path)
    keras_file = run / "model.keras"
    keras_file.write_bytes(keras_file.read_bytes()[: keras_file.stat().st_size // 2])
    before = sorted(p.name for p in run.iterdir())
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--explain", "0"])
    assert r.exit_code == 2, r.output
    assert "model.keras is cut short or damaged" in r.output  # a whole .keras file is a zip archive: train.run_record
    assert "moved-away" not in r.output  # the model was judged first
    assert sorted(p.name for p in run.iterdir()) == before


@pytest.mark.parametrize("missing", ["classes", "preprocess"])
def test_a_run_json_without_its_settings_is_named(tiny_run, tmp_path, missing):
    run = _copy_without_films(tiny_run, tmp_path)
    meta = json.loads((run / "run.json").read_text())
    del meta[missing]
    (run / "run.json").write_text(json.dumps(meta))
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8"])
    assert r.exit_code == 2, r.output
    assert "run.json is damaged or not cxr-train's" in r.output and missing in r.output


@pytest.mark.parametrize("option", [["--no-fingerprints"], ["--no-refit-head"], ["--calibration-samples", "50"]])
def test_options_only_a_conversion_applies_are_refused_with_report_only(tmp_path, option):
    """--report-only re-scores the files as they are: a file said to be without fingerprints would keep them."""
    r = CliRunner().invoke(convert_app, [str(tmp_path / "run"), "--report-only", *option])
    assert r.exit_code == 2
    assert f"cxr-convert: error: {option[0]} shapes the files a conversion writes; --report-only converts nothing" in r.output


def test_the_report_names_the_model_files_it_did_not_score(tiny_run, tmp_path):
    """A conversion of fewer modes leaves the earlier call's files: report.md must not read as if it
    described every file in the folder."""
    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, progress=False,
                                   report_only=True))
    report = json.loads((run / "report.json").read_text())
    assert [f["file"] for f in report["other_files"]] == ["model_fp32.tflite"]
    assert report["other_files"][0]["mode"] == "fp32" and report["other_files"][0]["fingerprints"] is True
    assert "**Also in this folder, not scored by this conversion** (an earlier call's; " in (run / "report.md").read_text()
    assert "`model_fp32.tflite` (fp32, converted " in (run / "report.md").read_text()


def test_a_model_file_without_cxr_edge_metadata_is_named_as_not_made_by_cxr_convert(tiny_run, tmp_path):
    """A foreign .tflite named model_fp16.tflite was listed as "an earlier call's" file, its mode a literal None."""
    from convert.quantize import ConvertSettings, run_conversion
    from edge.metadata import split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "model_fp16.tflite").write_bytes(split((run / "model_fp32.tflite").read_bytes())[0])  # the flatbuffer alone
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, progress=False,
                                   report_only=True))
    md = (run / "report.md").read_text()
    assert "**Also in this folder, not made by cxr-convert** (no cxr-edge metadata: " in md and "`model_fp16.tflite`." in md
    assert "`model_fp32.tflite` (fp32, converted " in md and "None" not in md


def test_a_model_file_whose_metadata_cannot_be_read_is_named_as_damaged(tiny_run, tmp_path):
    """other_model_files left out a model*.tflite it could not read, unsaid, and no conversion removes one (whose it
    is cannot be told): report.md read as if it named every file it did not score."""
    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "model_fp16.tflite").write_bytes((run / "model_fp32.tflite").read_bytes()[:-100])  # its metadata cut short
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, progress=False,
                                   report_only=True))
    report = json.loads((run / "report.json").read_text())
    assert {"file": "model_fp16.tflite", "damaged": True} in report["other_files"]
    md = (run / "report.md").read_text()
    assert "**Also in this folder, damaged or cut short** (their cxr-edge metadata cannot be read; " in md
    assert "`model_fp16.tflite`." in md and "not made by cxr-convert" not in md
    assert "`model_fp32.tflite` (fp32, converted " in md and (run / "model_fp16.tflite").is_file()


def test_a_cache_whose_rows_are_not_the_splits_films_is_decoded_again(tiny_run, tmp_path):
    """A cache replaced or reordered (same shape) was scored as the test split; its stamp now tells."""
    import numpy as np

    from edge.atomic import read_json
    from edge.preprocess import PreprocessConfig
    from train.cache import load_part, stamp_path
    from train.data import Split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = Split.load(run / "split.json")
    config = PreprocessConfig.from_dict(read_json(run / "run.json")["preprocess"])
    assert stamp_path(run, "test").is_file()
    x, _ = load_part(run, split, "test", config, progress=False)
    np.save(run / "cache" / "test.npy", x[::-1].copy())  # the same shape, the rows in another order
    again, _ = load_part(run, split, "test", config, progress=False)
    assert np.array_equal(again, x)  # decoded from the films (their SHA-256 checked), not the reordered cache
    # An older run's cache (before 0.23), without a stamp: its pixels came from older decoding rules (a PNG
    # failing its checksums read; the device refuses it), so its films are decoded again, not trusted by shape.
    stamp_path(run, "test").unlink()
    np.save(run / "cache" / "test.npy", np.zeros_like(x))
    assert np.array_equal(load_part(run, split, "test", config, progress=False)[0], x)
    assert not stamp_path(run, "test").exists()  # a reader that does not hold the run folder leaves it as it is
    # cxr-convert (which holds it) caches them anew, stamped: the next command reads the cache, not the films
    assert np.array_equal(load_part(run, split, "test", config, progress=False, rewrite=True)[0], x)
    assert stamp_path(run, "test").is_file() and np.array_equal(np.load(run / "cache" / "test.npy"), x)


def test_a_cache_decoded_by_older_rules_is_decoded_again(tiny_run, tmp_path, capsys):
    """A cache stamped by cxr-edge 0.23/0.24, before 0.25 read DICOM films with Presentation LUT Shape
    INVERSE inverted, was taken as it was: cxr-convert scored and fitted the input check on inverted films,
    and a student of that run learnt from them. Its stamp names no decoding rules: it is decoded again."""
    import numpy as np

    from edge.atomic import read_json, write_json
    from edge.preprocess import DECODE_RULES, PreprocessConfig
    from train.cache import _array_digest, _films_digest, load_part, stamp_path
    from train.data import Split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = Split.load(run / "split.json")
    config = PreprocessConfig.from_dict(read_json(run / "run.json")["preprocess"])
    assert read_json(stamp_path(run, "test"))["decode_rules"] == DECODE_RULES
    x, _ = load_part(run, split, "test", config, progress=False)
    capsys.readouterr()
    for rules in (None, DECODE_RULES - 1):  # a 0.24.0 stamp (no rules named), and rules since changed
        inverted = 255 - x  # what the older rules made of an inverted film
        np.save(run / "cache" / "test.npy", inverted)
        stamp = {"films": _films_digest(split.parts["test"], config), "array": _array_digest(inverted)}
        write_json(stamp_path(run, "test"), stamp if rules is None else {**stamp, "decode_rules": rules})
        assert np.array_equal(load_part(run, split, "test", config, progress=False, rewrite=True)[0], x)
        err = capsys.readouterr().err
        said = "without the decoding rules that made its pixels" if rules is None else "was decoded by other rules"
        assert said in err and "the test films are decoded again by this version's rules" in err, err
        assert read_json(stamp_path(run, "test"))["decode_rules"] == DECODE_RULES  # cached anew
        # the model learnt the films as the older rules read them: said, not scored on the other way round unsaid
        said = f"warning: {len(x)} test films of {len(x)} decode otherwise by this version's rules than when the run in "
        assert said in err and "Train the run again (cxr-train with --replace)" in err, err
        load_part(run, split, "test", config, progress=False)  # the next command says it too, from the new stamp
        assert said in capsys.readouterr().err
    np.save(run / "cache" / "test.npy", x)  # an older stamp over pixels that read alike now: decoded again, no warning
    write_json(stamp_path(run, "test"), {"films": _films_digest(split.parts["test"], config), "array": _array_digest(x)})
    load_part(run, split, "test", config, progress=False, rewrite=True)
    assert "decode otherwise" not in capsys.readouterr().err
    load_part(run, split, "test", config, progress=False)
    assert capsys.readouterr().err == ""  # the cache made by this version's rules is read without a note


def test_a_damaged_cache_stamp_is_said_not_decoded_again_silently(tiny_run, tmp_path, capsys):
    """A cache whose stamp was cut short, emptied or edited ('[]') was dropped without a word and its films
    decoded again (on 50,000 films, an hour), where a damaged .npy is said."""
    import numpy as np

    from edge.atomic import read_json
    from edge.preprocess import PreprocessConfig
    from train.cache import load_part, stamp_path
    from train.data import Split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = Split.load(run / "split.json")
    config = PreprocessConfig.from_dict(read_json(run / "run.json")["preprocess"])
    x, _ = load_part(run, split, "test", config, progress=False)
    for damaged, why in (("[]", "it holds no JSON object"), ('{"films', "not readable as JSON"),
                         ('{"decode_rules": 1}', "no digest")):
        stamp_path(run, "test").write_text(damaged)
        capsys.readouterr()
        assert np.array_equal(load_part(run, split, "test", config, progress=False, rewrite=True)[0], x)
        err = capsys.readouterr().err
        assert f"note: {stamp_path(run, 'test')} " in err and why in err, err
        assert f", so {run / 'cache' / 'test.npy'} cannot be checked against the split: " in err, err
        assert "the test films are decoded again instead, and cached anew" in err, err
        assert read_json(stamp_path(run, "test"))["films"]  # stamped anew
    load_part(run, split, "test", config, progress=False)
    assert capsys.readouterr().err == ""


def test_a_damaged_cache_is_decoded_again_not_a_numpy_error(tiny_run, tmp_path, capsys):
    """A run folder copied with its cache cut short (an rsync stopped), emptied, or holding another
    kind of file: numpy's EOFError or 'Failed to read all data' ended cxr-convert and a student's
    training; the films are there to be decoded again."""
    import numpy as np

    from edge.atomic import read_json
    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.data import Split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = Split.load(run / "split.json")
    config = PreprocessConfig.from_dict(read_json(run / "run.json")["preprocess"])
    x, _ = load_part(run, split, "test", config, progress=False)
    cache = run / "cache" / "test.npy"
    whole = cache.read_bytes()
    for damaged in (whole[:len(whole) // 2], b"", b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, "
                    b"'shape': (2,), }" + b" " * 60 + b"\n" + b"\x80\x04N."):
        cache.write_bytes(damaged)
        again, _ = load_part(run, split, "test", config, progress=False)
        assert np.array_equal(again, x)
        assert f"{cache} cannot be read" in capsys.readouterr().err


def test_a_run_whose_training_was_stopped_early_is_said_to_be_unfinished(tmp_path):
    import pytest

    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    (run / "members").mkdir(parents=True)  # cxr-train stopped during its first model: no split, model or record yet
    with pytest.raises(FileNotFoundError, match="has not finished it .stopped..; run that command again"):
        run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), progress=False))
    (run / "members").rmdir()
    with pytest.raises(FileNotFoundError, match="is .* a cxr-train run folder"):
        run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), progress=False))


def test_a_film_changed_since_training_is_refused_with_the_way_forward(tiny_run, tmp_path):
    """A film's bytes changed at the same size and date pass cxr-train's look at names, sizes and dates ("nothing to
    do"); once the cache is gone cxr-convert refused the run in one line that gave no way forward."""
    from edge.atomic import read_json, write_json
    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.data import DataError, Split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split_json = read_json(run / "split.json")
    films = tmp_path / "films"
    shutil.copytree(split_json["data_dir"], films)  # the session's run keeps its own films
    write_json(run / "split.json", {**split_json, "data_dir": str(films)})
    split = Split.load(run / "split.json")
    film = films / split.parts["test"][0].path
    other = films / split.parts["test"][-1].path
    film.write_bytes(other.read_bytes())
    shutil.rmtree(run / "cache")
    config = PreprocessConfig.from_dict(read_json(run / "run.json")["preprocess"])
    with pytest.raises(DataError) as refused:
        load_part(run, split, "test", config, progress=False)
    assert str(refused.value) == (
        f"1 file of the test split changed since training (its bytes are not the ones split.json recorded), e.g. "
        f"{split.parts['test'][0].path}. To train on the films as they are now, run the cxr-train command that made "
        f"{run} (its run.json's command) again with --out a new folder, or with --replace after deleting "
        f"{run / 'teacher'} (its teacher, which --replace would reuse as it is)")
    # the same films seen through the run's own teacher (the student reads its split there): that teacher goes first
    write_json(run / "teacher" / "split.json", {**read_json(run / "teacher" / "split.json"), "data_dir": str(films)})
    teacher_split = Split.load(run / "teacher" / "split.json")
    shutil.rmtree(run / "teacher" / "cache", ignore_errors=True)
    with pytest.raises(DataError) as refused:
        load_part(run / "teacher", teacher_split, "test", config, progress=False)
    assert str(refused.value).endswith(
        f"To train on the films as they are now, delete {run / 'teacher'} (this teacher: --replace alone would reuse it "
        f"as it is) and run the cxr-train command of {run} again with --replace, or that command with --out a new "
        "folder")


def test_the_way_forward_for_a_student_of_another_runs_teacher_starts_with_that_teacher(tmp_path):
    """A student of --teacher learns from that teacher's split: 'again with --replace' failed when pasted, the
    teacher's split still recording the old films. It names the teacher to train first, as that teacher's own
    message would."""
    from edge.atomic import write_json
    from train.cache import changed_films_way

    s = tmp_path / "s1"
    (s / "teacher").mkdir(parents=True)
    write_json(s / "split.json", {})
    write_json(s / "teacher" / "run.json", {})
    student = tmp_path / "t1"
    student.mkdir()
    write_json(student / "run.json", {"teacher": {"run": str(s / "teacher")}})
    assert changed_films_way(student) == (
        f"To train on the films as they are now, first train its teacher {s / 'teacher'} again (delete {s / 'teacher'} "
        f"(this teacher: --replace alone would reuse it as it is) and run the cxr-train command of {s} again with "
        "--replace, or that command with --out a new folder), then run this run's cxr-train command again with "
        "--teacher the teacher trained again, with --replace or --out a new folder")
    write_json(student / "run.json", {"teacher": {"run": str(student / "teacher")}})  # its own: as before
    assert changed_films_way(student).startswith(f"To train on the films as they are now, run the cxr-train command "
                                                 f"that made {student}")


def test_a_cache_of_other_bytes_under_the_same_names_is_not_taken(tmp_path):
    """A film replaced under its own name (split.json records its new SHA-256) while the old cache
    stayed: the old film's pixels were scored as the new film."""
    import numpy as np

    from edge.preprocess import PreprocessConfig
    from train.cache import _cache_matches, save_cache
    from train.data import Item

    config = PreprocessConfig(size=8, channels=1)
    x = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 1), dtype=np.uint8)
    old = [Item("COVID/a.png", "COVID", sha256="aa"), Item("Normal/b.png", "Normal", sha256="bb")]
    save_cache(tmp_path, "test", x, old, config)
    assert _cache_matches(tmp_path, "test", x, old, config)
    changed = [Item("COVID/a.png", "COVID", sha256="cc"), old[1]]  # a.png replaced by another film
    assert not _cache_matches(tmp_path, "test", x, changed, config)


def test_films_whose_names_changed_unicode_form_are_read_as_the_splits(tmp_path):
    """cxr-train takes a data folder whose names went from NFC to NFD (an HFS+ copy, a Mac's zip) as the same films,
    "nothing to do"; but with the run's cache gone, cxr-convert failed "COVID/é0011.png: no such file" while the file
    was there, spelt decomposed. A film split.json records is looked up in the other Unicode form before it is
    called missing; one truly gone is still said to be."""
    import hashlib
    import unicodedata

    import numpy as np
    from PIL import Image

    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.data import DataError, Item, Split
    from train.teacher_split import missing_films

    data, items = tmp_path / "data", []
    for label, k in (("COVID", 11), ("Normal", 12)):
        path = f"{label}/é{k:04d}.png"  # recorded composed, as cxr-train stores names
        (data / label).mkdir(parents=True, exist_ok=True)
        film = data / unicodedata.normalize("NFD", path)  # on disk decomposed
        Image.fromarray(np.random.default_rng(k).integers(0, 256, (32, 32), np.uint8)).save(film)
        items.append(Item(path, label, hashlib.sha256(film.read_bytes()).hexdigest()))
    assert not (data / items[0].path).exists()  # Linux: the two spellings are two names
    split = Split(str(data), ["COVID", "Normal"], {"train": [], "val": [], "test": items})
    (tmp_path / "run").mkdir()
    x, y = load_part(tmp_path / "run", split, "test", PreprocessConfig(size=32), progress=False)
    assert x.shape[0] == 2 and list(y) == [0, 1]
    assert missing_films(split) == []  # a student of this run is not told its films are gone
    (data / unicodedata.normalize("NFD", items[0].path)).unlink()
    with pytest.raises(DataError, match="COVID/é0011.png"):
        load_part(tmp_path / "run", split, "test", PreprocessConfig(size=32), progress=False)
    assert missing_films(split) == ["COVID/é0011.png"]
