"""``python -m train.file_by_label SHEET``: the films a sheet of labels names filed in a folder per label, as the
refusal of a flat folder beside labels.csv / metadata.csv / Data_Entry_2017.csv gives it (train.label_sheet), with
what it could not file said: films found nowhere, names two films share, films two rows label differently, NIH's
'A|B' rows, empty labels; '/' in a label made '_'; nothing overwritten; hard links, else copies."""

from __future__ import annotations

import errno
import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from train.data import DataError
from train.discovery import discover
from train.file_by_label import main

ROOT = Path(__file__).resolve().parents[1]


def _film(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (24, 24), dtype=np.uint8)).save(path)


def _sheet(path: Path, lines: list[str], sep: str = ",", bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(sep.join(cells.split(",")) for cells in lines).encode())
    return path


def _flat(tmp_path: Path, n: int = 6) -> Path:
    """tmp_path/export: films 0.png .. n-1.png, odd ones COVID."""
    for i in range(n):
        _film(tmp_path / "export" / f"{i}.png", i)
    return tmp_path / "export"


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _classes(folder: Path) -> dict[str, list[str]]:
    """The folder per class as cxr-train reads it (train.discovery): label -> its films' names."""
    items, _, layout = discover(folder)
    assert layout == "folder per class"
    found: dict[str, list[str]] = {}
    for item in items:
        found.setdefault(item.label, []).append(Path(item.path).name)
    return {c: sorted(names) for c, names in sorted(found.items())}


@pytest.mark.parametrize("sep,bom", [(",", False), (";", True), ("\t", False)], ids=["comma", "semicolon+BOM", "tab"])
def test_a_flat_export_is_filed_by_label_as_hard_links_that_cxr_train_reads(tmp_path, capsys, sep, bom):
    flat = _flat(tmp_path)
    sheet = _sheet(flat / "labels.csv", ["filename,label"] + [f"{i}.png,{'COVID' if i % 2 else 'Normal'}" for i in range(6)],
                   sep, bom)
    out = tmp_path / "by_class"
    rc, said, _ = _run([str(sheet), "--out", str(out)], capsys)
    assert rc == 0 and said.startswith(f"filed 6 films of labels.csv in {out} (hard links; 6 new, 0 there already): "
                                       "COVID 3, Normal 3")
    assert _classes(out) == {"COVID": ["1.png", "3.png", "5.png"], "Normal": ["0.png", "2.png", "4.png"]}
    assert os.path.samefile(out / "COVID" / "1.png", flat / "1.png")  # a link: no second copy of the set
    assert said.rstrip().endswith(f"then give {out} as the data folder: cxr-train --data {out} --out RUN, or to score a model on these films: "
                                  f"cxr-evaluate MODEL {out}")
    rc, said, _ = _run([str(sheet), "--out", str(out)], capsys)  # again: nothing made, nothing overwritten
    assert rc == 0 and "(0 new, 6 there already)" in said


def test_a_name_two_sub_folders_share_is_filed_in_neither_and_said(tmp_path, capsys):
    flat = _flat(tmp_path, 2)
    _film(flat / "a" / "x.png", 7)
    _film(flat / "b" / "x.png", 8)
    _film(flat / "a" / "y.png", 9)
    _film(flat / "c" / "y.png", 10)
    sheet = _sheet(flat / "labels.csv", ["file,class", "0.png,Normal", "1.png,COVID", "x.png,COVID", "y.png,Normal",
                                         "b/x.png,Normal"])
    rc, said, _ = _run([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 1 and "filed 3 films" in said  # b/x.png: named by its path, which is no guess
    assert ("2 name(s) are those of two films or more in different folders, so which one a row means is not known: "
            "filed neither (ambiguous): x.png, y.png") in said
    assert _classes(tmp_path / "out") == {"COVID": ["1.png"], "Normal": ["0.png", "x.png"]}
    assert os.path.samefile(tmp_path / "out" / "Normal" / "x.png", flat / "b" / "x.png")


def test_nih_multi_labels_empty_labels_missing_films_and_slashes_are_said(tmp_path, capsys):
    flat = tmp_path / "nih"
    for i in range(5):
        _film(flat / "images_001" / "images" / f"0000000{i}_000.png", i)
    sheet = _sheet(flat / "Data_Entry_2017.csv", [
        "Image Index,Finding Labels,Patient ID", "00000000_000.png,No Finding,0", "00000001_000.png,Effusion|Mass,1",
        "00000002_000.png,Pneumonia/Viral,2", "00000003_000.png,Pneumonia\\Bacterial,3", "00000004_000.png,,4",
        "00000009_000.png,No Finding,9", ",No Finding,10"])
    rc, said, _ = _run([str(sheet)], capsys)  # --out left out: nih_by_class beside the folder
    out = tmp_path / "nih_by_class"
    assert rc == 1 and _classes(out) == {"No Finding": ["00000000_000.png"], "Pneumonia_Bacterial": ["00000003_000.png"],
                                         "Pneumonia_Viral": ["00000002_000.png"]}
    assert "2 row(s) name no film found under " in said and "00000009_000.png, (empty)" in said
    assert "1 row(s) give several labels (Effusion|Mass), left out: a folder per class holds films of one label each" in said
    assert "1 row(s) give no label, left out" in said
    assert "label Pneumonia/Viral filed as Pneumonia_Viral" in said and "label Pneumonia\\Bacterial filed as" in said


def test_a_film_two_rows_label_differently_is_filed_in_no_class_and_alike_rows_once(tmp_path, capsys):
    flat = _flat(tmp_path, 3)
    sheet = _sheet(flat / "labels.csv", ["filename,label", "0.png,Normal", "1.png,COVID", "1.png,Normal", "2.png,COVID",
                                         "2.png,COVID"])
    rc, said, _ = _run([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 1 and _classes(tmp_path / "out") == {"COVID": ["2.png"], "Normal": ["0.png"]}
    assert "2 film(s) named by two rows or more: 1.png, 2.png; 1 of them with different labels, filed in no class: 1.png" in said


def test_labels_that_differ_only_in_case_share_a_folder_and_a_line_break_in_a_label_is_said(tmp_path, capsys):
    flat = _flat(tmp_path, 3)
    sheet = _sheet(flat / "labels.csv", ["filename,label", "0.png,COVID", "1.png,covid", '2.png,"Nor\nmal"'])
    rc, said, _ = _run([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 0 and sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["COVID", "Nor_mal"]
    assert 'label "Nor\\nmal" filed as Nor_mal' in said
    assert "label covid filed in COVID, the first row's spelling" in said


def test_a_file_already_in_the_class_folder_is_never_overwritten(tmp_path, capsys):
    flat = _flat(tmp_path, 2)
    sheet = _sheet(flat / "labels.csv", ["filename,label", "0.png,Normal", "1.png,COVID"])
    (tmp_path / "out" / "COVID").mkdir(parents=True)
    (tmp_path / "out" / "COVID" / "1.png").write_bytes(b"someone else's film")
    rc, said, _ = _run([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 1 and "filed 1 film of labels.csv" in said
    assert ("1 film(s) not filed, a file of that name not filed by this command being there already, with other bytes "
            "(not overwritten): COVID/1.png") in said
    assert (tmp_path / "out" / "COVID" / "1.png").read_bytes() == b"someone else's film"


def test_where_the_disk_refuses_hard_links_the_films_are_copied(tmp_path, capsys, monkeypatch):
    flat = _flat(tmp_path, 2)
    sheet = _sheet(flat / "labels.csv", ["filename,label", "0.png,Normal", "1.png,COVID"])

    def cross_device(src, dst, *a, **k):  # --out on another disk (a USB stick, a share): link(2) says EXDEV
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "link", cross_device)
    rc, said, _ = _run([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 0 and f"(copies: hard links refused here ({os.strerror(errno.EXDEV)}); 2 new" in said
    copy = tmp_path / "out" / "COVID" / "1.png"
    assert copy.read_bytes() == (flat / "1.png").read_bytes() and not os.path.samefile(copy, flat / "1.png")
    rc, said, _ = _run([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 0 and "0 new, 2 there already" in said and "not overwritten" not in said  # the same bytes: filed


def test_a_linked_film_a_windows_name_and_an_out_inside_the_folder(tmp_path, capsys):
    flat = _flat(tmp_path, 2)
    _film(tmp_path / "raw" / "r.png", 5)
    (flat / "r.png").symlink_to(Path("..") / "raw" / "r.png")  # relative: moved into out/COVID/ it would lead nowhere
    sheet = _sheet(flat / "labels.csv", ["filename,label", "0.PNG,Normal", "sub\\1.png,COVID", "r.png,COVID"])
    out = flat / "by_class"  # inside the sheet's folder: what an earlier run filed there is no second film
    for _ in range(2):
        rc, said, _ = _run([str(sheet), "--out", str(out)], capsys)
        assert rc == 0 and "filed 3 films" in said and "ambiguous" not in said
    assert (out / "COVID" / "r.png").read_bytes() == (tmp_path / "raw" / "r.png").read_bytes()
    assert sorted(p.name for p in (out / "Normal").iterdir()) == ["0.png"]


def test_exit_codes_nothing_filed_is_1_a_sheet_without_its_columns_2(tmp_path, capsys):
    flat = _flat(tmp_path, 2)
    none = _sheet(flat / "labels.csv", ["filename,label", "gone.png,COVID"])
    rc, said, err = _run([str(none), "--out", str(tmp_path / "out")], capsys)
    assert rc == 1 and "1 row(s) name no film found" in said and "nothing filed from " in err and "then give" not in said
    odd = _sheet(flat / "odd.csv", ["picture,verdict", "0.png,COVID", "1.png,Normal"])
    rc, _, err = _run([str(odd), "--out", str(tmp_path / "out")], capsys)
    assert rc == 2 and "has no file column and label column (its columns: 'picture', 'verdict')" in err
    rc, said, _ = _run([str(odd), "--file-column", "Picture", "--label-column", "verdict", "--out", str(tmp_path / "out")],
                       capsys)
    assert rc == 0 and _classes(tmp_path / "out") == {"COVID": ["0.png"], "Normal": ["1.png"]}
    rc, _, err = _run([str(odd), "--out", str(flat)], capsys)
    assert rc == 2 and "is the sheet's own folder" in err


def test_the_refusals_command_runs_as_printed_and_its_folder_is_read_per_class(tmp_path):
    flat = _flat(tmp_path)
    _sheet(flat / "my labels.csv", ["Image,Diagnosis"] + [f"{i}.png,{'COVID' if i % 2 else 'Normal'}" for i in range(6)])
    with pytest.raises(DataError) as e:
        discover(flat)
    command = str(e.value).split("run: ", 1)[1].split("; then give ", 1)[0]
    out = tmp_path / "export_by_class"
    assert shlex.split(command) == [sys.executable, "-m", "train.file_by_label", str(flat / "my labels.csv"), "--out",
                                    str(out)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(shlex.split(command), cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("filed 6 films of my labels.csv"), done.stderr
    assert str(e.value).endswith(f"then give {out} as the data folder")
    assert _classes(out) == {"COVID": ["1.png", "3.png", "5.png"], "Normal": ["0.png", "2.png", "4.png"]}


def test_filing_stopped_part_way_exits_1_though_some_films_were_filed(tmp_path, capsys):
    flat = _flat(tmp_path)
    sheet = _sheet(flat / "labels.csv", ["filename,label"] + [f"{i}.png,{'COVID' if i % 2 else 'Normal'}" for i in range(6)])
    out = tmp_path / "by_class"
    out.mkdir()
    (out / "Normal").write_bytes(b"a file where the class folder goes")  # COVID is filed first, then Normal fails
    rc, said, err = _run([str(sheet), "--out", str(out)], capsys)
    assert "filed 3 films" in said and "stopped part way: " in said
    assert rc == 1, "a filing that stopped part way must not exit 0: a script would go on to train on half the films"
    assert "stopped part way" in err
