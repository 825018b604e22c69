"""Sheets of labels as users bring them to ``python -m train.file_by_label``: a label column that holds a split's
or folders' names (train, test, masks, images) is refused, with the column to give instead, not filed as classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from train.file_by_label import main
from train.label_sheet import sheet_advice


def _export(tmp_path: Path, header: str, rows: list[str]) -> Path:
    export = tmp_path / "export"
    export.mkdir()
    for i in range(6):
        Image.fromarray(np.full((8, 8), 30 * i, np.uint8)).save(export / f"{i}.png")
    (export / "labels.csv").write_text("\n".join([header, *rows]) + "\n")
    return export / "labels.csv"


def _split_sheet(tmp_path: Path) -> Path:
    return _export(tmp_path, "filename,label,diagnosis",
                   [f"{i}.png,{'test' if i > 3 else 'train'},{'COVID' if i % 2 else 'Normal'}" for i in range(6)])


def test_a_label_column_of_split_names_is_refused_with_the_column_to_give(tmp_path, capsys):
    sheet, out = _split_sheet(tmp_path), tmp_path / "by_class"
    assert main([str(sheet), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "its column 'label' gives train 4, test 2: the names of a split" in err
    assert "its column 'diagnosis' looks like the labels (COVID 3, Normal 3): give --label-column diagnosis" in err
    assert not out.exists()  # nothing filed in a folder 'train/'
    assert main([str(sheet), "--out", str(out), "--label-column", "diagnosis"]) == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["COVID", "Normal"]


def test_a_label_column_of_folder_names_without_another_is_refused(tmp_path, capsys):
    sheet = _export(tmp_path, "image,category", [f"{i}.png,{'masks' if i % 2 else 'images'}" for i in range(6)])
    assert main([str(sheet), "--out", str(tmp_path / "by_class")]) == 2
    err = capsys.readouterr().err
    assert "its column 'category' gives images 3, masks 3" in err
    assert err.rstrip().endswith("name the column that gives each film's class with --label-column")


def test_cxr_trains_refusal_gives_the_command_with_the_column_of_labels(tmp_path):
    sheet = _split_sheet(tmp_path)
    advice = sheet_advice(sheet.parent)
    assert "'diagnosis' the label: COVID 3, Normal 3" in advice
    assert f"-m train.file_by_label {sheet} --label-column diagnosis --out " in advice
