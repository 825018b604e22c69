"""``python -m train.file_by_label`` files films only (session 70): ieee8023's placeholder labels 'todo' and
'Unknown' are no classes, its CT rows and volumes/*.nii.gz no films; RSNA's patientId (no suffix) finds <id>.dcm."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from train.file_by_label import main


def _film(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (16, 16), dtype=np.uint8)).save(path, format="PNG")


def test_ieee8023_placeholders_ct_rows_and_volumes_are_not_filed_as_classes(tmp_path, capsys):
    root = tmp_path / "covid-chestxray-dataset"
    for i in range(5):
        _film(root / "images" / f"{i}.png", i)
    (root / "volumes").mkdir()
    (root / "volumes" / "v.nii.gz").write_bytes(b"\x1f\x8b a volume")
    (root / "metadata.csv").write_text(
        "patientid,finding,view,modality,folder,filename\n1,COVID-19,PA,X-ray,images,0.png\n2,todo,PA,X-ray,images,1.png\n"
        "3,Unknown,AP,X-ray,images,2.png\n4,COVID-19,Axial,CT,images,3.png\n5,No Finding,PA,X-ray,images,4.png\n"
        "6,COVID-19,Axial,CT,volumes,v.nii.gz\n7,COVID-19,,,volumes,v.nii.gz\n")
    out = tmp_path / "out"
    rc, said = main([str(root / "metadata.csv"), "--out", str(out)]), capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["COVID-19", "No Finding"]
    assert sorted(p.name for p in (out / "COVID-19").iterdir()) == ["0.png"]
    assert "2 row(s) give a label not known yet (Unknown 1, todo 1), left out on purpose (no failure)" in said
    assert "2 row(s) are of another modality than X-ray (CT 2), left out: no films" in said
    assert "1 row(s) name a file that is no film (no image suffix), left out: v.nii.gz" in said
    assert rc == 0  # rows left out on purpose (a label not known yet, CT, a volume) are no failure (session 71)


def test_rsna_patient_ids_without_a_suffix_find_their_dcm_where_one_film_has_that_name(tmp_path, capsys):
    root = tmp_path / "rsna"
    for i, name in enumerate(["0004cfab.dcm", "00313ee0.dcm", "twin.dcm", "twin.png"]):
        _film(root / "stage_2_train_images" / name, i)
    (root / "stage_2_train_labels.csv").write_text(
        "patientId,x,y,width,height,Target\n0004cfab,,,,,0\n00313ee0,1,2,3,4,1\ntwin,,,,,0\n")
    out = tmp_path / "out"
    rc = main([str(root / "stage_2_train_labels.csv"), "--file-column", "patientId", "--label-column", "Target",
               "--out", str(out)])
    said = capsys.readouterr().out
    assert {p.name: sorted(f.name for f in p.iterdir()) for p in out.iterdir() if p.is_dir()} == {"0": ["0004cfab.dcm"],
                                                                                    "1": ["00313ee0.dcm"]}
    assert "filed 2 films" in said and "filed neither (ambiguous): twin" in said and rc == 1
