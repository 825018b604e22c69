"""A site's own class names: names without a letter, names holding a comma, TB+ beside TB-."""

from __future__ import annotations

import os
import shlex

import pytest

from tests.test_data import write_images
from train.data import DataError
from train.discovery import discover

COMMA = "Viral pneumonia, non-COVID"


def _classes_in(line: str) -> str:
    """The --classes value of a suggested command line, as a shell hands it over."""
    words = shlex.split(line[line.rindex("--classes "):])
    return words[1]


def test_a_class_folder_without_a_letter_or_digit_is_refused_in_training(tmp_path):
    """A class named '-' was taken as --class-map's 'leave out': its films dropped from every figure."""
    from train.class_names import parse_class_list

    write_images(tmp_path / "Normal", "Normal", 2)
    write_images(tmp_path / "-", "COVID", 2)
    with pytest.raises(DataError) as e:
        discover(tmp_path)
    assert str(e.value) == (f"class folder - in {tmp_path}: a class name needs a letter or digit ('-' in --class-map "
                            "means 'leave out'): rename the folder")
    with pytest.raises(ValueError, match=r"^--classes names \+: a class name needs a letter or digit"):
        parse_class_list("Normal,+")
    items, _, _ = discover(tmp_path, min_classes=1)  # a site's folder named so is scored or left out by --class-map
    assert {i.label for i in items} == {"-", "Normal"}


def test_a_class_folder_whose_name_is_not_utf8_is_refused_in_training(tmp_path, monkeypatch):
    """A Latin-1 folder (Unauff\xe4llig, from a Windows zip) was trained on: its label a lone surrogate that
    cxr-convert could never write into the model (unexpected UnicodeEncodeError), hours of training lost."""
    import train.class_choice

    latin = os.fsdecode(b"Unauff\xe4llig")
    write_images(tmp_path / "COVID", "COVID", 2)
    write_images(tmp_path / "Normal", "Normal", 2)
    try:
        write_images(tmp_path / latin, "Normal", 2)
    except (OSError, UnicodeError):
        pytest.skip("this file system takes no Latin-1 name")
    for classes in (None, ["COVID", latin], ["covid", "unauffllig"]):  # --classes picks the folder, the label is its name
        with pytest.raises(DataError) as e:
            discover(tmp_path, classes)
        assert str(e.value) == (f"class folder Unauff\\xe4llig in {tmp_path}: its name is not UTF-8 text (Latin-1, "
                                "as from an old Windows zip?) and a class name becomes the model's label: rename the "
                                f"folder, e.g. convmv -f latin1 -t utf8 -r --notest {tmp_path}")
    items, _, _ = discover(tmp_path, ["COVID", "Normal"])  # a run without it is fine
    assert {i.label for i in items} == {"COVID", "Normal"}
    items, _, _ = discover(tmp_path, min_classes=1)  # scored by cxr-evaluate: the folder is matched, not a label
    assert {i.label for i in items} == {"COVID", "Normal", latin}
    monkeypatch.setattr(train.class_choice.sys, "getfilesystemencoding", lambda: "ascii")
    with pytest.raises(DataError, match=r"its name is not text in this locale's encoding \(ascii\): run cxr-train in a "
                                        r"UTF-8 locale \(LANG=C.UTF-8\) or with PYTHONUTF8=1$"):
        discover(tmp_path)


def test_labels_without_a_letter_are_refused_on_the_device():
    from edge.labels_given import check_label_names

    with pytest.raises(ValueError, match=r"the class name - has no letter or digit"):
        check_label_names(["-", "Normal"])


@pytest.mark.parametrize("names, alike", [(["COVID", "COVID-19"], "COVID and COVID-19"),
                                          (["Normal", "Viral pneumonia", "viral-pneumonia"],
                                           "Viral pneumonia and viral-pneumonia")])
def test_labels_that_name_one_class_in_two_spellings_are_refused_on_the_device(names, alike):
    """--labels COVID,COVID-19 passed (only names equal ignoring case were compared), yet --threshold covid-19=0.3 and
    cxr-evaluate's folders match names ignoring case and punctuation, COVID-19 as COVID: two outputs under one class."""
    from edge.labels_given import check_label_names

    with pytest.raises(ValueError, match=rf"^--labels '{','.join(names)}': each class needs its own name \({alike} name "
                                         r"one class: class names match ignoring case and punctuation"):
        check_label_names(names)
    check_label_names(["COVID", "Normal", "Viral pneumonia"])


def test_labels_that_move_a_files_class_in_another_spelling_are_refused():
    """Healthy,covid-19 for a COVID,Normal file was taken as a rename (covid-19 is not 'covid' ignoring case) and
    said COVID for every Normal answer; COVID-19,Normal keeps each class at its place and renames."""
    from edge.labels_given import check_renaming
    from edge.metadata import ModelFileError

    with pytest.raises(ModelFileError, match=r"^--labels Healthy,covid-19 puts this file's own classes in other places"):
        check_renaming(["COVID", "Normal"], ["Healthy", "covid-19"])
    check_renaming(["COVID", "Normal"], ["COVID-19", "Normal"])


@pytest.mark.parametrize("name", ["A|x", "A\x1b[2J", "=B\u202e", "A\tB"])
def test_labels_that_break_tables_or_run_on_a_terminal_are_refused_on_the_device(name):
    """--labels 'A|x\x1b[2J' was taken for a foreign .tflite and printed raw in text and CSV answers: the ESC
    sequence cleared the terminal and a tab split the tab-separated answer line (the rule cxr-train holds its
    class folders to, edge.controls.label_problem)."""
    from edge.labels_given import check_label_names

    with pytest.raises(ValueError, match=r"^--labels .*: a class name may not hold '\|' or control characters") as e:
        check_label_names([name, "Normal"])
    assert "\n" not in str(e.value) and "\x1b" not in str(e.value) and "\u202e" not in str(e.value)


def test_a_model_whose_class_is_a_dash_is_refused_not_scored_without_it(tmp_path):
    """0.34.0 trained such a model: cxr-evaluate dropped the class '-' blaming a --class-map never typed."""
    from convert.site_folders import site_items
    from train.class_names import match_classes
    from train.extra_data import folder_classes

    with pytest.raises(ValueError, match=r"^the model's class - cannot be scored: - is also --class-map's mark"):
        match_classes(["-", "Normal"], ["-", "Normal"])
    with pytest.raises(DataError, match=r"^--add-data site: the model's class - cannot be scored"):
        folder_classes("site", ["-", "Normal"], ["-", "Normal"], {})
    write_images(tmp_path / "site" / "-", "COVID", 2)
    write_images(tmp_path / "site" / "Normal", "Normal", 2)
    with pytest.raises(DataError, match="cannot be scored"):
        site_items(tmp_path / "site", ["-", "Normal"], None, "cxr-evaluate", quiet=True)
    # a name without letters matches only itself: '__' is not taken for the class '+'
    with pytest.raises(ValueError, match="folder classes __ are not among the model's labels"):
        match_classes(["__", "COVID"], ["+", "COVID"])
    assert match_classes(["+", "COVID"], ["+", "COVID"]) == {"+": "+", "COVID": "COVID"}


def test_classes_names_a_folder_whose_name_holds_a_comma(tmp_path):
    """--classes 'COVID,Normal,Viral pneumonia non-COVID' picks the folder 'Viral pneumonia, non-COVID'."""
    from train.class_names import parse_class_list

    for name in ("COVID", "Normal", COMMA):
        write_images(tmp_path / name, "Normal", 2)
    items, _, _ = discover(tmp_path, parse_class_list("COVID,normal,Viral pneumonia non-COVID"))
    assert sorted({i.label for i in items}) == ["COVID", "Normal", COMMA]  # the folder's own name is the label
    with pytest.raises(DataError) as e:
        discover(tmp_path, parse_class_list(f"COVID,Normal,{COMMA}"))
    said = str(e.value)
    assert said.startswith("--classes splits its list at commas, so the folder 'Viral pneumonia, non-COVID' was read "
                           "as 'Viral pneumonia' and 'non-COVID': write a folder's name without its commas"), said
    assert "found" not in said
    items, _, _ = discover(tmp_path, parse_class_list(_classes_in(said)))  # the line it suggests works
    assert len({i.label for i in items}) == 3
    with pytest.raises(DataError) as e:
        discover(tmp_path, ["COVID", "Nodule"])
    assert str(e.value) == (f"class folder Nodule not found in {tmp_path}; its class folders: COVID, Normal, "
                            "'Viral pneumonia, non-COVID'")


def test_suggested_class_lines_are_quoted_and_survive_the_comma_split(tmp_path):
    from train.class_names import parse_class_list

    for name in ("COVID", "Pleural effusion", COMMA):
        write_images(tmp_path / name, "Normal", 2)
    (tmp_path / "Nodule").mkdir()
    with pytest.raises(DataError) as e:
        discover(tmp_path)
    assert str(e.value).endswith("; to train without it: --classes 'COVID,Pleural effusion,Viral pneumonia non-COVID'")
    items, _, _ = discover(tmp_path, parse_class_list(_classes_in(str(e.value))))
    assert len({i.label for i in items}) == 3
    with pytest.raises(DataError) as e:
        discover(tmp_path, min_classes=1)
    assert str(e.value).endswith("; to go on without it: --class-map Nodule=-")


def test_a_class_too_small_to_split_suggests_a_line_that_works(tmp_path):
    from tests.test_split_messages import _prepare

    for name in ("COVID", "Normal", COMMA):
        write_images(tmp_path / "films" / name, "Normal", 14, start=100 * len(name))
    write_images(tmp_path / "films" / "Nodule", "COVID", 2)
    with pytest.raises(DataError) as e:
        _prepare(tmp_path / "films", tmp_path / "run")
    assert str(e.value).endswith("train without it: --classes 'COVID,Normal,Viral pneumonia non-COVID'"), str(e.value)


def test_tb_plus_and_tb_minus_are_refused_with_rename_advice_first(tmp_path):
    """'merge them into one folder' would have put positive and negative films under one label."""
    from train.class_names import parse_class_list

    write_images(tmp_path / "TB+", "COVID", 2)
    write_images(tmp_path / "TB-", "Normal", 2)
    with pytest.raises(DataError) as e:
        discover(tmp_path)
    assert str(e.value).endswith("differ only in case or punctuation and would be trained as different classes "
                                 "(cxr-evaluate takes them as one): rename them so that letters or digits tell them "
                                 "apart (e.g. TB_positive and TB_negative), or merge them into one folder if they are "
                                 "one class"), str(e.value)
    with pytest.raises(ValueError, match=r"rename the folders so that letters or digits tell them apart"):
        parse_class_list("TB+,TB-")
    write_images(tmp_path / "b" / "Normal", "Normal", 2)
    write_images(tmp_path / "b" / "normal", "Normal", 2)
    with pytest.raises(DataError, match=r"\(cxr-evaluate takes them as one\): merge them into one folder, or rename one$"):
        discover(tmp_path / "b")


def test_a_folder_spelt_decomposed_gives_a_composed_label(tmp_path):
    """A folder copied from a Mac spells Lungenödem decomposed: the label was so too, and --json's labels
    then differed byte for byte from the name the user typed."""
    import unicodedata

    from train.prepare import find_films
    from train.film_changes import data_fingerprint, film_stamps, films_changed

    nfc, nfd = "Lungenödem", unicodedata.normalize("NFD", "Lungenödem")
    data = tmp_path / "films"
    write_images(data / nfd, "COVID", 2)
    write_images(data / "Normal", "Normal", 2)
    for classes in ([nfc, "Normal"], None):
        items, _, _, found = find_films(data, classes, [])
        assert sorted(found) == sorted([nfc, "Normal"]) and {i.label for i in items} == {nfc, "Normal"}
        assert all((data / i.path).is_file() for i in items)  # read from the folder's real name
    # a run of 0.34.0 recorded the decomposed label: its films are unchanged, not trained again
    run = tmp_path / "run"
    run.mkdir()
    old = [{"path": i.path, "label": nfd if i.label == nfc else i.label} for i in items]
    (run / "split.json").write_text(__import__("json").dumps({"splits": {"train": old}}))
    stamps = film_stamps(data, items)
    recorded = {p: (nfd if v[0] == nfc else v[0], *v[1:]) for p, v in stamps.items()}
    (run / "run.json").write_text(__import__("json").dumps(
        {"data_fingerprint": data_fingerprint(recorded, 2 ** 62)}))
    assert films_changed(run, stamps, data) == (0, 0)
    # the folder renamed to its composed spelling (the same films, bytes and dates) was 2 added and 2 removed: the
    # run trained again, or refused where it held converted files (hunt, session 55)
    (data / nfd).rename(data / nfc)
    items, _, _, _ = find_films(data, None, [])
    assert all(i.path.startswith((nfc, "Normal")) for i in items)
    assert films_changed(run, film_stamps(data, items), data) == (0, 0)


def test_classes_spelt_otherwise_are_one_setting_where_they_pick_the_same_folders(tmp_path):
    """--classes matches folders ignoring case and punctuation: 'covid,normal' was 'another classes' than
    'COVID,Normal' for a finished run, which cxr-train then refused to overwrite. Where the data folder
    cannot be listed, names compare as typed, as in 0.34.0."""
    from train.class_choice import same_class_setting

    for name in ("COVID", COMMA):
        write_images(tmp_path / name, "Normal", 2)
    run = ["COVID", COMMA]
    assert same_class_setting(run, ["covid", "Viral pneumonia non-COVID"], run, str(tmp_path))
    assert not same_class_setting(run, [COMMA, "COVID"], run, str(tmp_path))  # the outputs' order
    assert same_class_setting(None, run, run, str(tmp_path)) and same_class_setting(run, None, run, str(tmp_path))
    assert not same_class_setting(run, ["covid", "Viral pneumonia non-COVID"], run, str(tmp_path / "gone"))
    assert same_class_setting(run, run, run, "synthetic")
