"""edge.inputs pinned where a change would classify a film twice, leave one out, or say the wrong thing of a
batch's inputs (found by hand mutation testing: each test here failed with one small change to read_names,
_utf16_without_bom, gather, films_not_entered or first_names in place, which the tests that need no trained model
let through: most of edge.inputs is reached only through edge-classify with a model)."""

from __future__ import annotations

import io
import os
import sys

from edge.inputs import _utf16_without_bom, films_not_entered, first_names, gather, read_names

NOT_ENTERED = "has sub-folders with films, which edge-classify does not look into without --recursive"


def _films(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"x" * 10)


def test_a_text_standard_input_loses_its_byte_order_mark_too():
    """Standard input without a byte stream (a test harness's, an embedding's StringIO): Notepad's UTF-8 mark
    is no part of the first name."""
    assert read_names(io.StringIO("\ufeffa.png\nb.png\n")) == "a.png\nb.png\n"


def test_two_bytes_are_no_utf16_list():
    assert _utf16_without_bom(b"\n\0") is None and _utf16_without_bom(b"a\0\n\0") == "a\n"


def test_a_film_given_by_name_beside_its_folders_folder_is_not_said_to_be_missed(tmp_path, capsys):
    """edge-classify scans scans/p2/*.png: p2's films are classified, so no word that scans/ has films below."""
    _films(tmp_path / "scans", "a.png")
    _films(tmp_path / "scans" / "p2", "b.png")
    paths, errors, why = gather([str(tmp_path / "scans"), str(tmp_path / "scans" / "p2" / "b.png")], False)
    assert len(paths) == 2 and errors == [] and why is None and capsys.readouterr().err == ""


def test_a_sub_folder_given_too_is_not_said_to_be_missed_and_a_folder_given_twice_is_said_once(tmp_path, capsys):
    _films(tmp_path / "scans", "a.png")
    _films(tmp_path / "scans" / "p2", "b.png")
    _films(tmp_path / "scans" / "p3", "c.png")
    gather([str(tmp_path / "scans"), str(tmp_path / "scans" / "p2")], False)
    err = capsys.readouterr().err
    assert err.count(NOT_ENTERED) == 1 and f"1 film in {tmp_path / 'scans' / 'p3'} was not classified" in err
    gather([str(tmp_path / "scans"), str(tmp_path / "scans") + os.sep], False)
    err = capsys.readouterr().err
    assert err.count(NOT_ENTERED) == 1 and "2 films in" in err and "note: 1 name given again" in err


def test_a_name_given_again_is_said_once_in_the_singular(tmp_path, capsys):
    _films(tmp_path, "a.png")
    paths, _, _ = gather([str(tmp_path / "a.png"), str(tmp_path / "a.png")], False)
    assert paths == [str(tmp_path / "a.png")]
    assert ("note: 1 name given again by the inputs (a folder given twice, a folder and its sub-folder, a file and its "
            "folder) is left out: it is answered once, where first named") in capsys.readouterr().err


def test_links_masks_and_sub_folders_without_films_are_not_said_to_hold_missed_films(tmp_path, capsys):
    """Without --recursive, films in a linked sub-folder, in a masks/ or lost+found one, and sub-folders that
    hold only empty folders are no films a recursive batch would classify: no warning."""
    _films(tmp_path / "elsewhere", "x.png")
    _films(tmp_path / "scans", "a.png")
    (tmp_path / "scans" / "linked").symlink_to(tmp_path / "elsewhere")
    _films(tmp_path / "scans" / "lost+found", "y.png")
    (tmp_path / "scans" / "p1" / "empty").mkdir(parents=True)
    assert films_not_entered(str(tmp_path / "scans"), set()) is None


def test_a_sub_folder_whose_only_folder_is_hidden_is_not_said_to_have_more_further_down(tmp_path):
    _films(tmp_path / "scans" / "p1", "a.png")
    _films(tmp_path / "scans" / "p1" / ".thumbs", "a.png")
    said = films_not_entered(str(tmp_path / "scans"), set())
    assert said is not None and said.endswith(f"1 film in {tmp_path / 'scans' / 'p1'} was not classified")


def test_without_films_at_the_top_links_and_masks_are_said_in_the_error_not_as_a_note(tmp_path, capsys):
    _films(tmp_path / "elsewhere", "x.png")
    _films(tmp_path / "scans" / "masks", "m.png")
    (tmp_path / "scans" / "linked").symlink_to(tmp_path / "elsewhere")
    paths, _, why = gather([str(tmp_path / "scans")], True)
    assert paths == [] and why is not None and "note:" not in capsys.readouterr().err


def test_a_folder_named_on_standard_input_is_not_an_empty_standard_input(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{tmp_path / 'empty'}\n"))
    _, _, why = gather(["-"], False)
    assert why is not None and "no image paths on standard input" not in why
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert "no image paths on standard input" in gather(["-", str(tmp_path / "empty")], False)[2]


def test_a_films_names_through_a_link_or_dot_dot_are_one_film(tmp_path):
    _films(tmp_path / "w", "a.png")
    (tmp_path / "w" / "sub").mkdir()
    (tmp_path / "l").symlink_to(tmp_path / "w")
    names = [str(tmp_path / "w" / "a.png"), str(tmp_path / "w" / "sub" / ".." / "a.png"), str(tmp_path / "l" / "a.png")]
    assert first_names(names) == [True, False, False]


def test_an_error_placed_after_the_last_answer_still_comes():
    """An error placed after more films than were answered (a film given twice, left out) comes at the end."""
    from edge.batch import Result
    from edge.input_order import in_input_order

    a, e = Result("a.png", error="x"), Result("gone", error="no such file")
    assert list(in_input_order(iter([a]), [(5, e)])) == [a, e]
