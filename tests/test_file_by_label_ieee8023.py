"""``python -m train.file_by_label`` on the public collections' own sheets (session 71): ieee8023's metadata.csv
(its 'todo' rows no failure, its lateral views left out), formula-like cells kept from running in MANIFEST.csv, and
the Kaggle database's per-class metadata sheet, which gives no label column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from train.file_by_label import main
from train.manifest import read_manifest

HEADER = "patientid,offset,sex,age,finding,view,modality,folder,filename,clinical_notes\n"


def _film(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (16, 16), dtype=np.uint8)).save(path, format="PNG")


def _ieee(tmp_path: Path, rows: str, films: int = 4) -> Path:
    root = tmp_path / "covid-chestxray-dataset"
    for i in range(films):
        _film(root / "images" / f"{i}.png", i)
    (root / "metadata.csv").write_text(HEADER + rows)
    return root / "metadata.csv"


def test_todo_rows_are_left_out_on_purpose_and_exit_0(tmp_path, capsys):
    sheet = _ieee(tmp_path, "1,0,M,65,Pneumonia/Viral/COVID-19,PA,X-ray,images,0.png,\n"
                            "2,,F,40,No Finding,PA,X-ray,images,1.png,\n3,,M,,todo,AP,X-ray,images,2.png,\n")
    rc, captured = main([str(sheet), "--out", str(tmp_path / "out")]), capsys.readouterr()
    assert "1 row(s) give a label not known yet (todo 1), left out on purpose (no failure)" in captured.out
    assert rc == 0 and captured.err == ""


def test_a_missing_film_still_exits_1_and_says_the_rows_left_out_on_purpose_are_no_failure(tmp_path, capsys):
    sheet = _ieee(tmp_path, "1,0,M,65,COVID-19,PA,X-ray,images,0.png,\n2,,M,,todo,AP,X-ray,images,1.png,\n"
                            "3,,M,,COVID-19,PA,X-ray,images,gone.png,\n")
    rc, err = main([str(sheet), "--out", str(tmp_path / "out")]), capsys.readouterr().err
    assert rc == 1 and "1 of the sheet's rows or films not filed, each kind said above (1 more left out on purpose" in err


def test_lateral_views_are_left_out_unless_all_views_is_given(tmp_path, capsys):
    sheet = _ieee(tmp_path, "1,0,M,65,COVID-19,PA,X-ray,images,0.png,\n1,0,M,65,COVID-19,L,X-ray,images,1.png,\n"
                            "2,,F,40,COVID-19,AP Supine,X-ray,images,2.png,\n3,,F,40,No Finding,Lateral,X-ray,images,3.png,\n")
    out = tmp_path / "out"
    rc, said = main([str(sheet), "--out", str(out)]), capsys.readouterr().out
    assert sorted(p.name for p in (out / "COVID-19").iterdir()) == ["0.png", "2.png"] and not (out / "No Finding").exists()
    assert "2 row(s) are of a lateral or oblique view (L 1, Lateral 1), left out on purpose" in said and rc == 0
    rc = main([str(sheet), "--out", str(tmp_path / "all"), "--all-views"])
    assert sorted(p.name for p in (tmp_path / "all" / "COVID-19").iterdir()) == ["0.png", "1.png", "2.png"] and rc == 0


def test_a_film_relabelled_todo_or_lateral_is_taken_out_of_the_class_an_earlier_run_filed_it_in(tmp_path, capsys):
    sheet = _ieee(tmp_path, "1,0,M,65,COVID-19,PA,X-ray,images,0.png,\n2,,F,40,COVID-19,PA,X-ray,images,1.png,\n"
                            "3,,M,,COVID-19,L,X-ray,images,2.png,\n")
    out = tmp_path / "out"
    assert main([str(sheet), "--out", str(out), "--all-views"]) == 0
    assert sorted(p.name for p in (out / "COVID-19").iterdir()) == ["0.png", "1.png", "2.png"]
    sheet.write_text(HEADER + "1,0,M,65,COVID-19,PA,X-ray,images,0.png,\n2,,F,40,todo,PA,X-ray,images,1.png,\n"
                              "3,,M,,COVID-19,L,X-ray,images,2.png,\n")
    rc, said = main([str(sheet), "--out", str(out)]), capsys.readouterr().out
    assert sorted(p.name for p in (out / "COVID-19").iterdir()) == ["0.png"], said
    assert (sheet.parent / "images" / "1.png").is_file() and rc == 0


def test_formula_like_cells_are_kept_from_running_in_the_manifest_and_read_back_as_written(tmp_path):
    notes = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2 days since onset"]
    sheet = _ieee(tmp_path, "".join(f'{i},-1,M,65,COVID-19,PA,X-ray,images,{i}.png,"{n.replace(chr(34), 2 * chr(34))}"\n'
                                    for i, n in enumerate(notes)))
    out = tmp_path / "out"
    assert main([str(sheet), "--out", str(out)]) == 0
    text = (out / "MANIFEST.csv").read_text()
    for cell in ['"\'=HYPERLINK(""http://x"",""click"")"', "'+cmd|' /C calc'!A0", "'@SUM(1+1)", "'-2 days since onset"]:
        assert f",{cell}\n" in text, text
    cells = [line.split(",")[-1] for line in text.splitlines()[1:]]
    assert not any(c.lstrip('"').startswith(("=", "+", "-", "@")) for c in cells), text
    assert ",-1," in text  # a plain number stays a number
    _, rows = read_manifest(out)
    assert sorted(r["clinical_notes"] for r in rows.values()) == sorted(notes)
    assert main([str(sheet), "--out", str(out)]) == 0 and (out / "MANIFEST.csv").read_text() == text  # merged as is


def test_a_kaggle_metadata_sheet_says_its_films_are_in_class_folders_already(tmp_path, capsys):
    root = tmp_path / "COVID-19_Radiography_Dataset"
    _film(root / "COVID" / "images" / "COVID-1.png", 0)
    (root / "COVID.metadata.csv").write_text("FILE NAME,FORMAT,SIZE,URL\nCOVID-1,PNG,256*256,https://bimcv.cipf.es\n")
    rc, err = main([str(root / "COVID.metadata.csv"), "--out", str(tmp_path / "out")]), capsys.readouterr().err
    assert rc == 2 and "metadata of the class COVID" in err and "gives no label column" in err
    assert f"cxr-train --data {root} --out RUN" in err and "--label-column" not in err
