"""python -m train.file_by_label on the folders a sheet's films lie in, and on labels spelt twice: the Kaggle COVID-19
Radiography Database's CLASS/images + CLASS/masks (masks share every film's name: passed over, as cxr-train does),
a linked sub-folder (followed; a link back up is not), labels differing only in case (one folder, which cxr-train
reads), and a filing stopped part way (no 'then give OUT as the data folder' line)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.filing_films import film_at, run_filing
from train.discovery import discover


def _sheet(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _classes(out: Path) -> dict[str, list[str]]:
    """OUT's folders as cxr-train reads them (train.discovery refuses case twins): label -> its films' names."""
    items, _, _ = discover(out)
    found: dict[str, list[str]] = {}
    for item in items:
        found.setdefault(item.label, []).append(Path(item.path).name)
    return {k: sorted(v) for k, v in found.items()}


def test_kaggle_images_and_masks_of_one_name_file_the_images(tmp_path, capsys):
    kag = tmp_path / "kag"
    for c, cls in enumerate(["COVID", "Normal"]):
        for i in (1, 2):
            film_at(kag / cls / "images" / f"{cls}-{i}.png", 10 * c + i)
            film_at(kag / cls / "masks" / f"{cls}-{i}.png", 100 + 10 * c + i)
    sheet = _sheet(kag / "all.csv", ["FILE NAME,FORMAT,label"] + [f"{c}-{i},PNG,{c}" for c in ("COVID", "Normal")
                                                                   for i in (1, 2)])
    rc, said, err = run_filing([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 0 and "ambiguous" not in said, said + err
    assert _classes(tmp_path / "out") == {"COVID": ["COVID-1.png", "COVID-2.png"], "Normal": ["Normal-1.png", "Normal-2.png"]}
    assert os.path.samefile(tmp_path / "out" / "COVID" / "COVID-1.png", kag / "COVID" / "images" / "COVID-1.png")


def test_labels_differing_only_in_case_are_filed_in_the_first_rows_folder_which_cxr_train_reads(tmp_path, capsys):
    data = tmp_path / "data"
    for i in range(4):
        film_at(data / f"{i}.png", i)
    sheet = _sheet(data / "export.csv", ["filename;label", "0.png;Normal", "1.png;normal", "2.png;NORMAL ", "3.png;COVID"])
    rc, said, err = run_filing([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 0, said + err
    assert _classes(tmp_path / "out") == {"COVID": ["3.png"], "Normal": ["0.png", "1.png", "2.png"]}
    assert "label normal filed in Normal, the first row's spelling" in said
    assert "label NORMAL filed in Normal" in said


def test_labels_told_apart_by_punctuation_are_not_merged_and_exit_1(tmp_path, capsys):
    data = tmp_path / "data"
    for i in range(2):
        film_at(data / f"{i}.png", i)
    sheet = _sheet(data / "labels.csv", ["filename,label", "0.png,TB+", "1.png,TB-"])
    rc, said, err = run_filing([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["TB+", "TB-"]
    assert "in the sheet, rename them so that letters or digits tell them apart (e.g. TB_positive" in said
    assert rc == 1 and "cxr-train takes them for one class and refuses them" in err


def test_films_in_a_linked_folder_are_found_and_a_link_back_up_is_not_walked(tmp_path, capsys):
    store, data = tmp_path / "store", tmp_path / "data"
    film_at(store / "c0.png", 1)
    film_at(data / "n0.png", 2)
    (data / "batch2").symlink_to("../store")
    (data / "loop").symlink_to("..")  # the sheet's folder's parent: data/ again, store/ a second time
    (data / "self").symlink_to(".")
    sheet = _sheet(data / "labels.csv", ["filename,label", "n0.png,Normal", "c0.png,COVID"])
    rc, said, err = run_filing([str(sheet), "--out", str(tmp_path / "out")], capsys)
    assert rc == 0 and "no film found" not in said and "ambiguous" not in said, said + err
    assert _classes(tmp_path / "out") == {"COVID": ["c0.png"], "Normal": ["n0.png"]}


def test_a_filing_stopped_part_way_gives_no_data_folder_to_train_on(tmp_path, capsys):
    data = tmp_path / "data"
    for i in range(4):
        film_at(data / f"{i}.png", i)
    sheet = _sheet(data / "labels.csv", ["filename,label"] + [f"{i}.png,{'COVID' if i % 2 else 'Normal'}" for i in range(4)])
    out = tmp_path / "out"
    out.mkdir()
    (out / "Normal").write_bytes(b"a file where the class folder goes")  # COVID is filed, then Normal fails
    rc, said, err = run_filing([str(sheet), "--out", str(out)], capsys)
    assert rc == 1 and "stopped part way" in said and "filed 2 films" in said, said + err
    assert "as the data folder" not in said and "cxr-train --data" not in said
