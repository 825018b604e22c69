"""What cxr-train says about the split it makes: which sources --holdout-source took, a class it
leaves nothing of to train on, and classes too small in validation or test for firm figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from train.data import DataError


def _films(root: Path, sources: dict[str, dict[str, int]]) -> Path:
    """A folder per class, the films of each source named in MANIFEST.csv: {source: {class: n}}."""
    from tests.test_data import write_images

    rows, start = ["file,source"], 0
    for source, counts in sources.items():
        for label, n in counts.items():
            for p in write_images(root / label, label, n, start=start):
                rows.append(f"{label}/{p.name},{source}")
            start += n
    (root / "MANIFEST.csv").write_text("\n".join(rows) + "\n")
    return root


def _prepare(data: Path, out: Path, **kw):
    from edge.preprocess import PreprocessConfig
    from train.prepare import prepare_data
    from train.run import TrainSettings

    return prepare_data(TrainSettings(data=str(data), out=out, image_size=32, progress=False, **kw),
                        PreprocessConfig(size=32))


def test_holdout_source_names_every_source_it_matched(tmp_path, capsys):
    """'--holdout-source site' took two sources and said 'of source site'."""
    data = _films(tmp_path / "films", {"main": {"COVID": 14, "Normal": 14}, "site-one": {"COVID": 3, "Normal": 3},
                                       "site-two": {"COVID": 2, "Normal": 2}})
    split, _, _ = _prepare(data, tmp_path / "run", holdout_source="site")
    assert len(split.parts["external"]) == 10
    assert ("cxr-train: holding out 10 images of 2 sources matching 'site' as an external set (6 of site-one, 4 of "
            "site-two); name a source in full to hold out fewer") in capsys.readouterr().err.splitlines()
    _prepare(data, tmp_path / "run", holdout_source="site-one")
    assert ("cxr-train: holding out 6 images of source 'site-one' as an external set"
            in capsys.readouterr().err.splitlines())


def test_a_holdout_that_matches_nothing_names_the_sources_and_one_that_matches_names_says_so(tmp_path, capsys):
    """'matches no image's source or file name' named no source to type instead; and films taken by their names'
    beginning alone were counted among 'sources matching' it."""
    data = _films(tmp_path / "films", {"main": {"COVID": 14, "Normal": 14}, "site-one": {"COVID": 3, "Normal": 3}})
    with pytest.raises(DataError) as e:
        _prepare(data, tmp_path / "run", holdout_source="hannover")
    assert str(e.value) == ("--holdout-source 'hannover' matches no image's source or file name; the sources of the "
                            "films of the classes used are main (28), site-one (6) (a source of a class left out by "
                            "--classes is no choice)")
    _prepare(data, tmp_path / "run", holdout_source="covid-00")  # covid-000.png to covid-009.png, of source main
    assert any(line.endswith("; 10 of them by file name alone (their names begin with 'covid-00', their sources do "
                             "not name it)") for line in capsys.readouterr().err.splitlines())


def test_holdout_source_matches_a_source_spelt_another_way(tmp_path, capsys):
    """A site's folder copied from a Mac names its source decomposed (NFD); typed, the name is composed:
    'matches no source' named the very source it did not match."""
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Clínica Sur")
    data = _films(tmp_path / "films", {"main": {"COVID": 14, "Normal": 14}, nfd: {"COVID": 3, "Normal": 3}})
    split, _, _ = _prepare(data, tmp_path / "run", holdout_source="clínica")
    assert len(split.parts["external"]) == 6
    assert f"cxr-train: holding out 6 images of source '{nfd}' as an external set" in capsys.readouterr().err


def test_a_holdout_that_takes_every_film_of_a_class_says_so(tmp_path, capsys):
    """The tester's '--holdout-source covid' took both COVID sources, then 'the train split has no
    images of class COVID: too few images' sent them looking for more films. Nor does the log first say it is
    'holding out 11 images ... as an external set', as if it went on (hunt 63, H32)."""
    data = _films(tmp_path / "films", {"covid-a": {"COVID": 6}, "covid-b": {"COVID": 5}, "normals": {"Normal": 14}})
    with pytest.raises(DataError) as e:
        _prepare(data, tmp_path / "run", holdout_source="covid")
    assert str(e.value) == ("--holdout-source covid takes every COVID film (sources: covid-a, covid-b); nothing is "
                            "left to train COVID on")
    assert "holding out" not in capsys.readouterr().err


def test_a_holdout_scores_only_its_own_films_and_leaves_its_patients_other_films_out(tmp_path, capsys):
    """A MANIFEST.csv whose patient ids link films of two sources: the held-out source's patients'
    films filed under the training source went into its external set (n = 80 of which 40 were its own)
    and the log called them 'copies of them filed elsewhere'. They stay out of training, and out of the
    external figures too; a true copy is named a copy."""
    import json
    import shutil

    from tests.test_data import write_images

    rows = ["file,source,patient_id"]
    for label in ("COVID", "Normal"):
        for p in write_images(tmp_path / "films" / label, label, 20):
            i = int(p.stem[-3:])  # films 0-15 of source main, 16-19 of site; 16-17 share patients with 14-15
            rows.append(f"{label}/{p.name},{'site' if i >= 16 else 'main'},{label}{ {16: 14, 17: 15}.get(i, i)}")
    shutil.copy(tmp_path / "films" / "COVID" / "covid-019.png", tmp_path / "films" / "COVID" / "copy.png")
    rows.append("COVID/copy.png,main,")
    (tmp_path / "films" / "MANIFEST.csv").write_text("\n".join(rows) + "\n")
    split, _, notes = _prepare(tmp_path / "films", tmp_path / "run", holdout_source="site")
    assert sorted(i.path for i in split.parts["external"]) == sorted(
        f"{c}/{c.lower()}-0{n}.png" for c in ("COVID", "Normal") for n in range(16, 20))
    everywhere = [i.path for part in split.parts.values() for i in part]
    assert "COVID/copy.png" not in everywhere and "COVID/covid-014.png" not in everywhere
    assert len(everywhere) == 41 - 5  # 4 other films of the same patients and 1 copy
    left_out = notes["hygiene"]["holdout_left_out"]
    assert (left_out["copies"], left_out["same_patients"]) == (1, 4)
    assert sorted(f["file"] for f in left_out["films"]) == ["COVID/copy.png", "COVID/covid-014.png", "COVID/covid-015.png",
                                                            "Normal/normal-014.png", "Normal/normal-015.png"]
    # a later call knows them as films of this run (train.resume): a copied data folder is not "films added"
    from train.film_changes import _recorded

    split.save(tmp_path / "run" / "split.json")
    before, sha = _recorded(tmp_path / "run", {"data_hygiene": json.loads(json.dumps(notes["hygiene"]))})
    assert len(before) == 41 and before["COVID/copy.png"] == "COVID" and sha["COVID/copy.png"]
    assert ("cxr-train: holding out 8 images of source 'site' as an external set; 4 other films of the same patients "
            "and 1 copy of them filed elsewhere are left out of training, validation, test and the external figures "
            "(run.json: data_hygiene.holdout_left_out)") in capsys.readouterr().err.splitlines()


def test_a_class_with_few_validation_or_test_films_is_warned_about(tmp_path, capsys):
    """60 Normal and 12 COVID films: 2 COVID films each in validation and test, and cxr-train said
    nothing; only cxr-convert's gate warned, after the training."""
    from tests.test_data import write_images

    write_images(tmp_path / "films" / "COVID", "COVID", 12)
    write_images(tmp_path / "films" / "Normal", "Normal", 60)
    split, _, _ = _prepare(tmp_path / "films", tmp_path / "run")
    assert [sum(i.label == "COVID" for i in split.parts[p]) for p in ("val", "test")] == [2, 2]
    said = [line for line in capsys.readouterr().err.splitlines() if "one film moves" in line]
    assert said == [
        "cxr-train: warning: one film moves COVID sensitivity by 50.0 points (2 test films) and Normal sensitivity by "
        "11.1 points (9 test films): the test figures for COVID and Normal will be rough (cxr-convert's report)",
        "cxr-train: warning: one film moves COVID sensitivity by 50.0 points (2 validation films) and Normal "
        "sensitivity by 11.1 points (9 validation films): the validation figures for COVID and Normal will be rough, "
        "and so will the epoch, calibration and operating points chosen on them"]


def test_enough_films_of_every_class_draw_no_warning():
    from train.split_notes import few_films_notes

    assert few_films_notes({"val": {"COVID": 10, "Normal": 40}, "test": {"COVID": 20, "Normal": 40}}) == []
    assert few_films_notes({"val": {"COVID": 10}, "test": {"COVID": 19}}) == [
        "one film moves COVID sensitivity by 5.3 points (19 test films): the test figures for COVID will be rough "
        "(cxr-convert's report)"]


def test_unreadable_files_are_counted_by_kind_and_a_damaged_folder_warned_about(tmp_path, capsys):
    """300 bad files among 402: five lines about empty files hid the corrupt ones and the text files,
    and training went on without a word about three quarters of the folder."""
    from tests.test_data import write_images
    from train.prepare import prepare_data
    from train.skipped_files import examples, reasons_text
    from train.run import TrainSettings
    from edge.preprocess import PreprocessConfig

    films = tmp_path / "films"
    for c in ("COVID", "Normal"):
        write_images(films / c, c, 8)
        for k in range(6):
            (films / c / f"empty{k}.png").write_bytes(b"")
        (films / c / "cut.png").write_bytes((films / c / f"{c.lower()}-000.png").read_bytes()[:60])
        (films / c / "note.png").write_text("not a film")
    s = TrainSettings(data=str(films), out=tmp_path / "run", image_size=32, progress=False)
    prepare_data(s, PreprocessConfig(size=32))
    err = capsys.readouterr().err
    summary = next(ln for ln in err.splitlines() if "unreadable files" in ln)
    assert summary.endswith(": empty file (12), corrupt or truncated image (2), not a readable image (2)"), summary
    named = [ln for ln in err.splitlines() if ln.startswith("cxr-train: skipping ")]
    assert len(named) == 5 and any("cut.png" in ln for ln in named) and any("note.png" in ln for ln in named)
    assert "16 of the 32 files found (50%) could not be read" in err
    (films / "COVID" / "note.png").unlink()  # one bad file: 'skipped 1 unreadable file(s)' was said
    for c in ("COVID", "Normal"):
        for f in [*(films / c).glob("empty*.png"), films / c / "cut.png"]:
            f.unlink()
    prepare_data(TrainSettings(data=str(films), out=tmp_path / "run1", image_size=32, progress=False),
                 PreprocessConfig(size=32))
    assert "cxr-train: skipped 1 unreadable file (listed in run.json): not a readable image (1)" in capsys.readouterr().err
    assert reasons_text([{"error": "image is 10x12 pixels; at least 32 px per side is needed"},
                         {"error": "image is 9x9 pixels; at least 32 px per side is needed"}]) == "image is N pixels (2)"
    assert examples([{"error": "a"}] * 7, 5) == [{"error": "a"}] * 5


def test_a_class_too_small_to_split_says_how_to_train_without_it(tmp_path):
    data = _films(tmp_path / "films", {"main": {"COVID": 14, "Normal": 14, "Viral_Pneumonia": 2}})
    with pytest.raises(DataError) as e:
        _prepare(data, tmp_path / "run")
    assert "split has no images of class Viral_Pneumonia: too few images" in str(e.value)
    assert str(e.value).endswith("; add films of Viral_Pneumonia, or train without it: --classes COVID,Normal")


def _by_patient(root: Path, covid_patients: list[int], normals: int) -> Path:
    """COVID films of patients of ``covid_patients`` films each, and Normal films of a patient each, in MANIFEST.csv."""
    from tests.test_data import write_images

    rows = ["file,patient_id"]
    films = iter(write_images(root / "COVID", "COVID", sum(covid_patients)))
    for p, n in enumerate(covid_patients):
        rows += [f"COVID/{next(films).name},P{p}" for _ in range(n)]
    rows += [f"Normal/{f.name},N{k}" for k, f in enumerate(write_images(root / "Normal", "Normal", normals))]
    (root / "MANIFEST.csv").write_text("\n".join(rows) + "\n")
    return root


def test_a_class_of_one_or_two_patients_is_refused_for_its_patients_not_its_film_count(tmp_path):
    """10 COVID films of 2 patients (8 and 2): 'too few images (need at least ~14 per class)' sent the user for more
    films, and 4 more of the same patients would not have helped: each patient's films stay in one split."""
    with pytest.raises(DataError) as e:
        _prepare(_by_patient(tmp_path / "two", [8, 2], 30), tmp_path / "run")
    assert str(e.value) == (
        "the val split has no images of class COVID: COVID's 10 films come from 2 patients (8 of them one patient's): "
        "each patient's films stay within one split, and a split needs a patient for train, validation and test")
    with pytest.raises(DataError) as e:
        _prepare(_by_patient(tmp_path / "one", [10], 30), tmp_path / "run")
    assert "COVID's 10 films come from one patient: each patient's films stay within one split" in str(e.value)
    from train.split_notes import few_units_text

    assert few_units_text("COVID", [4, 4, 4, 9], False) == (
        "COVID's 4 films are 2 films and their copies (3 of them one film's): a film and its copies stay within one "
        "split, and a split needs a film for train, validation and test")
    assert few_units_text("COVID", [1, 2], True) is None  # 2 films: too few images, whoever's they are
    assert few_units_text("COVID", [1, 2, 3], True) is None  # 3 patients: one for each part


def test_a_part_whose_films_of_a_class_are_one_patients_says_so(tmp_path, capsys):
    """COVID patients of 5, 5 and 5 films: each part's 5 COVID films were one patient's, and '(5 validation films)' read as
    five cases, though the epoch, calibration and any operating point for COVID rested on one patient. The note goes
    into split.json, so that a student of the split says it too (train.teacher_split.say_split_warnings)."""
    from train.data import Split
    from train.teacher_split import say_split_warnings

    split, _, _ = _prepare(_by_patient(tmp_path / "films", [5, 5, 5], 60), tmp_path / "run")
    assert [sum(i.label == "COVID" for i in split.parts[p]) for p in ("train", "val", "test")] == [5, 5, 5]
    said = [line for line in capsys.readouterr().err.splitlines() if "one film moves" in line]
    assert [line.split(" (", 1)[1].split(")")[0] for line in said] == [
        "5 test films, all of one patient", "5 validation films, all of one patient"]
    split.save(tmp_path / "split.json")
    say_split_warnings(Split.load(tmp_path / "split.json"))  # as a student of this split says them
    assert [line for line in capsys.readouterr().err.splitlines() if "one film moves" in line] == said
    from train.split_notes import few_films_notes

    assert few_films_notes({"val": {"COVID": 6, "Normal": 9}}, {"by": "patient", "val": {"COVID": 2}}) == [
        "one film moves COVID sensitivity by 16.7 points (6 validation films, of 2 patients) and Normal sensitivity by "
        "11.1 points (9 validation films): the validation figures for COVID and Normal will be rough, and so will the "
        "epoch, calibration and operating points chosen on them"]
    assert "(4 test films, all one film and its copies)" in few_films_notes(
        {"test": {"COVID": 4}}, {"by": "copies", "test": {"COVID": 1}})[0]
    assert "(4 test films, 2 films and their copies)" in few_films_notes(
        {"test": {"COVID": 4}}, {"by": "copies", "test": {"COVID": 2}})[0]


def test_a_class_with_few_training_films_is_warned_about(tmp_path, capsys):
    """Patients of 8, 1 and 1 COVID films: the split gives training the 8 and validation and test one each, and said
    nothing of how few films the model learns COVID from (only of the 1 test and 1 validation film); then it said
    8 films, not that all 8 were one patient's (which teach the model that patient, not COVID)."""
    split, _, _ = _prepare(_by_patient(tmp_path / "films", [8, 1, 1], 60), tmp_path / "run")
    assert [sum(i.label == "COVID" for i in split.parts[p]) for p in ("train", "val", "test")] == [8, 1, 1]
    assert ("cxr-train: warning: COVID: 8 training films, all of one patient: the model learns it from them alone"
            in capsys.readouterr().err.splitlines())
    assert split.notes["few_units"]["train"] == {"COVID": 1}  # Normal's 40-odd training films: not kept
    from train.split_notes import few_training_notes

    assert few_training_notes({"COVID": 1, "Normal": 10, "Viral": 0}) == [
        "COVID: 1 training film: the model learns it from that film alone"]
    assert few_training_notes({"COVID": 6}, {"by": "patient", "train": {"COVID": 2}}) == [
        "COVID: 6 training films, of 2 patients: the model learns it from them alone"]


def test_a_class_name_with_a_bar_is_refused_before_it_splits_every_reports_tables(tmp_path):
    """A class folder 'Nor|mal' trained: every table of cxr-convert's report put its figures one column off."""
    data = _films(tmp_path / "films", {"main": {"COVID": 14, "Normal": 14}})
    (data / "Normal").rename(data / "Nor|mal")
    (data / "MANIFEST.csv").unlink()
    with pytest.raises(DataError, match=r"class folder 'Nor\|mal' of .*: a class name may not hold '\|'"):
        _prepare(data, tmp_path / "run")


@pytest.mark.parametrize("name", ["\u202eDIVOC", "Nor\u2028mal", "Nor\x9b2Jmal"])
def test_a_class_name_with_a_bidi_override_line_separator_or_c1_control_is_refused(tmp_path, name):
    """Only '|' and C0 controls were refused: a folder '\u202eDIVOC' trained a label that shows as 'COVID' in a
    terminal and a rendered report while --threshold COVID=... did not match it, and U+2028 or the 8-bit CSI
    (\x9b) went raw into every report and stderr line naming the class (edge.controls.label_problem: one rule)."""
    data = _films(tmp_path / "films", {"main": {"COVID": 14, "Normal": 14}})
    (data / "Normal").rename(data / name)
    (data / "MANIFEST.csv").unlink()
    with pytest.raises(DataError, match=r"class folder .* of .*: a class name may not hold '\|' or control characters"):
        _prepare(data, tmp_path / "run")


def test_holdout_source_matches_a_file_name_by_its_start_not_its_folder():
    """--holdout-source covid took every film of the COVID/ class folder (the folder is no source), and
    a source name inside another file name held out films of other sources."""
    from train.data import Item
    from train.holdout import matches

    assert matches("covid", Item("COVID/covid-001.png", "COVID", source=""))
    assert not matches("covid", Item("COVID/img-001.png", "COVID", source=""))
    assert not matches("site", Item("COVID/my-site-001.png", "COVID", source="main"))
