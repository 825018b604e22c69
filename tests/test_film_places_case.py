"""Names a case-insensitive disk holds once (P1.png, p1.png): train.film_places gives such films of two folders
their paths as names, and two joined names alike but for case are said, not filed over one another."""

from __future__ import annotations

import numpy as np
from PIL import Image

from train.film_places import dest_names


def test_films_whose_names_differ_only_in_case_take_their_paths_and_joined_twins_clash(tmp_path):
    films = [str(tmp_path / "a" / "P1.png"), str(tmp_path / "b" / "p1.png")]
    names, clashing = dest_names(films, str(tmp_path))
    assert names == {films[0]: "a_P1.png", films[1]: "b_p1.png"} and clashing == []
    twins = [str(tmp_path / "A_b" / "c.png"), str(tmp_path / "a" / "B" / "c.png")]
    assert dest_names(twins, str(tmp_path)) == ({}, sorted(twins))


def test_filed_by_the_command_two_case_twins_are_both_in_their_class(tmp_path, capsys):
    from train.file_by_label import main

    for i, rel in enumerate(["a/P1.png", "b/p1.png"]):
        (tmp_path / "x" / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((16, 16), 40 * i, np.uint8)).save(tmp_path / "x" / rel)
    (tmp_path / "x" / "labels.csv").write_text("file,label\na/P1.png,COVID\nb/p1.png,COVID\n")
    assert main([str(tmp_path / "x" / "labels.csv"), "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out" / "COVID").iterdir()) == ["a_P1.png", "b_p1.png"]
