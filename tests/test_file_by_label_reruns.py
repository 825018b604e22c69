"""``python -m train.file_by_label`` where names repeat and runs repeat (session 70): films of one name in two
folders (IM-0001.dcm in each series) both filed under their paths, a label corrected since an earlier run moving
the film (its old hard link or copy taken out, a user's file never), exit code 1 where any row was not filed, and
a second run at once whose file is never removed."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.filing_films import film_at, run_filing
from train.file_by_label import Filing, _put


_film, _run = film_at, run_filing


def _tree(folder: Path) -> dict[str, list[str]]:
    return {d.name: sorted(f.name for f in d.iterdir()) for d in sorted(folder.iterdir()) if d.is_dir()}


def test_films_of_one_name_in_two_folders_are_both_filed_under_their_paths(tmp_path, capsys):
    sb = tmp_path / "sb"
    one, two = _film(sb / "site1" / "p1.jpeg", 1), _film(sb / "site2" / "p1.jpeg", 2)
    _film(sb / "site2" / "p2.jpeg", 3)
    (sb / "labels.csv").write_text("filename,label\nsite1/p1.jpeg,COVID\nsite2/p1.jpeg,COVID\np2.jpeg,Normal\n")
    out = tmp_path / "out"
    for new in (3, 0):  # again: nothing made, nothing said missing
        rc, said, err = _run([str(sb / "labels.csv"), "--out", str(out)], capsys)
        assert rc == 0 and f"filed 3 films of labels.csv in {out} ({'hard links; ' * bool(new)}{new} new" in said, said + err
        assert "not filed" not in said
    assert _tree(out) == {"COVID": ["site1_p1.jpeg", "site2_p1.jpeg"], "Normal": ["p2.jpeg"]}  # its own name kept
    assert os.path.samefile(out / "COVID" / "site1_p1.jpeg", one) and os.path.samefile(out / "COVID" / "site2_p1.jpeg", two)


def test_a_file_there_before_is_told_apart_from_two_films_whose_joined_names_clash(tmp_path, capsys):
    sb, out = tmp_path / "sb", tmp_path / "out"
    _film(sb / "a_b" / "c.png", 1), _film(sb / "a" / "b" / "c.png", 2), _film(sb / "x" / "c.png", 3), _film(sb / "y.png", 4)
    (out / "Normal").mkdir(parents=True)
    (out / "Normal" / "y.png").write_bytes(b"a user's own file")
    (sb / "labels.csv").write_text("filename,label\na_b/c.png,COVID\na/b/c.png,COVID\nx/c.png,COVID\ny.png,Normal\n")
    rc, said, err = _run([str(sb / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 1 and "filed 1 film " in said and _tree(out) == {"COVID": ["x_c.png"], "Normal": ["y.png"]}
    assert ("2 film(s) of the sheet would take one name in OUT even as their paths joined (a_b/c.png, a/b/c.png), so "
            "none of them was filed: a/b/c.png, a_b/c.png; rename one") in said
    assert ("1 film(s) not filed, a file of that name not filed by this command being there already, with other "
            "bytes (not overwritten): Normal/y.png") in said
    assert (out / "Normal" / "y.png").read_bytes() == b"a user's own file"
    assert "3 of the sheet's rows or films not filed" in err


def _ieee(tmp_path: Path, findings: list[str]) -> Path:
    """An ieee8023-like export: images/ and metadata.csv (patientid,...,finding,...,filename)."""
    root = tmp_path / "covid-chestxray-dataset"
    for i in range(4):
        _film(root / "images" / f"{i}-x.png", i)
    rows = [f"{i},0,M,60,{f},PA,X-ray,images,{i}-x.png" for i, f in enumerate(findings)]
    (root / "metadata.csv").write_text("patientid,offset,sex,age,finding,view,modality,folder,filename\n"
                                       + "\n".join(rows) + "\n")
    return root / "metadata.csv"


@pytest.mark.parametrize("links", [True, False], ids=["hard-links", "copies"])
def test_a_label_corrected_since_an_earlier_run_moves_the_film_and_never_a_users_file(tmp_path, capsys, monkeypatch,
                                                                                      links):
    if not links:  # --out on a disk that refuses links: the films are copies
        monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EXDEV, "cross-device")))
    out = tmp_path / "out"
    sheet = _ieee(tmp_path, ["Pneumonia/Viral/COVID-19", "No Finding", "No Finding", "Pneumonia/Viral/COVID-19"])
    assert _run([str(sheet), "--out", str(out)], capsys)[0] == 0
    (out / "No Finding" / "0-x.png").write_bytes(b"a user's own film of that name")  # other bytes: never removed
    _ieee(tmp_path, ["Pneumonia/Viral/COVID-19", "Pneumonia/Viral/COVID-19", "No Finding", "Effusion|Mass"])
    rc, said, err = _run([str(sheet), "--out", str(out)], capsys)
    assert _tree(out) == {"No Finding": ["0-x.png", "2-x.png"], "Pneumonia_Viral_COVID-19": ["0-x.png", "1-x.png"]}
    assert rc == 1 and "filed 3 films" in said and "1 row(s) give several labels" in said  # the A|B row: no class
    assert ("2 film(s) filed by an earlier run in a class folder the sheet no longer gives them, taken out there (each a "
            "hard link to the film or a copy of its same bytes: the film itself stays): No Finding/1-x.png, "
            "Pneumonia_Viral_COVID-19/3-x.png") in said
    assert (out / "No Finding" / "0-x.png").read_bytes() == b"a user's own film of that name"
    assert (sheet.parent / "images" / "1-x.png").exists() and (sheet.parent / "images" / "3-x.png").exists()
    counts = said.split("): ", 1)[1].splitlines()[0]
    assert counts == "Pneumonia_Viral_COVID-19 2, No Finding 1"  # the sheet's films, as the folders hold them


def test_exit_code_is_1_where_any_row_was_not_filed_and_0_where_all_were(tmp_path, capsys):
    sheet = _ieee(tmp_path, ["COVID-19", "No Finding", "No Finding", "COVID-19"])
    assert _run([str(sheet), "--out", str(tmp_path / "out")], capsys)[0] == 0
    with sheet.open("a") as f:
        f.write("9,0,F,50,COVID-19,PA,X-ray,images,gone.png\n")
    rc, said, err = _run([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 1 and "filed 4 films" in said and "1 row(s) name no film found under " in said
    assert err.startswith("1 of the sheet's rows or films not filed, each kind said above")


def test_a_copy_refused_by_a_file_made_meanwhile_leaves_that_file_as_it_is(tmp_path):
    film, dest = _film(tmp_path / "a.png", 1), tmp_path / "out" / "a.png"
    dest.parent.mkdir()
    dest.write_bytes(b"the other run's copy, half written")
    with pytest.raises(FileExistsError):
        _put(str(film), str(dest), Filing(copied="hard links refused"))
    assert dest.read_bytes() == b"the other run's copy, half written"


def test_a_link_made_meanwhile_by_a_second_run_is_judged_as_one_there_before(tmp_path, capsys, monkeypatch):
    sb = tmp_path / "sb"
    _film(sb / "a.png", 1), _film(sb / "b.png", 2)
    (sb / "labels.csv").write_text("filename,label\na.png,COVID\nb.png,Normal\n")
    real_link = os.link

    def second_run_first(src, dst, *a, **k):  # the other run links the film between our look and our link
        if dst.endswith("b.png"):
            Path(dst).write_bytes(b"another film")
        else:
            real_link(src, dst)
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), dst)

    monkeypatch.setattr(os, "link", second_run_first)
    rc, said, _ = _run([str(sb / "labels.csv"), "--out", str(tmp_path / "out")], capsys)
    assert "stopped part way" not in said and "filed 1 film " in said and "0 new, 1 there already" in said
    assert rc == 1 and "(not overwritten): Normal/b.png" in said
    assert (tmp_path / "out" / "Normal" / "b.png").read_bytes() == b"another film"
