"""``python -m train.file_by_label`` keeps the sheet's other columns in OUT/MANIFEST.csv (session 70): a folder per class
held the labels only, so `cxr-evaluate MODEL OUT --by scanner` had no column and cxr-train split NIH's follow-up films
of one patient between training and test. Read back with the readers cxr-train and cxr-evaluate use (train.manifest,
train.patients, convert.group_values), merged with a MANIFEST.csv there already, never written over half way."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from convert.group_values import check_columns
from train.discovery import discover
from tests.filing_films import film_at, run_filing
from train.manifest import read_manifest
from train.patients import split_units
from train.split import stratified_split

NIH_HEADER = ("Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
              "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],")


_film, _run = film_at, run_filing


def _nih(tmp_path: Path) -> Path:
    """A tiny NIH export: two patients, each a Cardiomegaly film and a No Finding follow-up, in images/."""
    rows = []
    for k, (name, label, follow, patient, view) in enumerate([
            ("00000001_000.png", "Cardiomegaly", 0, 1, "PA"), ("00000001_001.png", "No Finding", 1, 1, "PA"),
            ("00000002_000.png", "Cardiomegaly", 0, 2, "AP"), ("00000002_001.png", "No Finding", 1, 2, "AP")]):
        _film(tmp_path / "nih" / "images" / name, k)
        rows.append(f"{name},{label},{follow},{patient},58,M,{view},2500,2048,0.168,0.168")
    sheet = tmp_path / "nih" / "Data_Entry_2017.csv"
    sheet.write_text("\n".join([NIH_HEADER, *rows]) + "\n")
    return sheet


def test_nih_patients_films_stay_on_one_side_of_the_split(tmp_path, capsys):
    out = tmp_path / "nih_by_class"
    rc, said, _ = _run([str(_nih(tmp_path)), "--out", str(out)], capsys)
    assert rc == 0
    assert f"wrote {out / 'MANIFEST.csv'}: 4 films with the sheet's other columns (Follow-up #, patient_id" in said
    columns, rows = read_manifest(out)
    assert columns[:4] == ["file", "Follow-up #", "patient_id", "Patient Age"] and "Image Index" not in columns
    assert "Finding Labels" not in columns and "" not in columns  # the label, and NIH's empty last column
    assert rows.get("No Finding/00000002_001.png")["patient_id"] == "2"
    assert rows.get("No Finding/00000002_001.png")["View Position"] == "AP"
    notes: list[str] = []
    items, _, _ = discover(out, log=notes.append)
    assert not [n for n in notes if n.startswith("warning")]  # each film has its row, no row lacks its film
    units, record = split_units([i.path for i in items], list(range(len(items))), out, None, notes.append)
    assert record == {"column": "patient_id", "films_with_patient": 4, "patients": 2}
    unit_of = {Path(i.path).name: u for i, u in zip(items, units)}
    assert unit_of["00000001_000.png"] == unit_of["00000001_001.png"] != unit_of["00000002_000.png"]
    assert unit_of["00000002_000.png"] == unit_of["00000002_001.png"]
    for seed in range(4):
        parts = stratified_split(items, units, seed, 0.25, 0.25, log=notes.append)
        part_of = {Path(i.path).name: p for p, films in parts.items() for i in films}
        assert part_of["00000001_000.png"] == part_of["00000001_001.png"]
        assert part_of["00000002_000.png"] == part_of["00000002_001.png"]


def test_a_hospital_sheets_scanner_is_a_by_column_and_its_source_the_films_source(tmp_path, capsys):
    for k in range(4):
        _film(tmp_path / "export" / f"ACC{k}.png", k)
    sheet = tmp_path / "export" / "labels.csv"
    sheet.write_text("accession,filename,finding,scanner,ward,Source\n"
                     + "".join(f"A{k},ACC{k}.png,{('COVID', 'Normal')[k % 2]},{('GE', 'Siemens')[k // 2]},W{k},site1\n"
                               for k in range(4)))
    out = tmp_path / "out"
    rc, said, _ = _run([str(sheet), "--out", str(out)], capsys)
    assert rc == 0 and "patient" not in said  # no patient column: none said
    check_columns(out, ["scanner", "ward"])  # cxr-evaluate MODEL OUT --by scanner,ward: the columns are there
    columns, rows = read_manifest(out)
    assert columns == ["file", "accession", "scanner", "ward", "Source"]
    assert rows.get("COVID/ACC2.png") == {"file": "COVID/ACC2.png", "accession": "A2", "scanner": "Siemens",
                                           "ward": "W2", "Source": "site1"}
    items, _, _ = discover(out, log=[].append)
    assert {i.source for i in items} == {"site1"}  # read as the source column: kept under its name


def test_ieee8023s_patientid_is_written_as_patient_id_and_other_modalities_get_no_row(tmp_path, capsys):
    for k in range(4):
        _film(tmp_path / "ieee" / "images" / f"{k}.png", k)
    sheet = tmp_path / "ieee" / "metadata.csv"
    sheet.write_text("patientid,offset,finding,view,modality,folder,filename\n"
                     "7,0,COVID-19,PA,X-ray,images,0.png\n7,3,COVID-19,PA,X-ray,images,1.png\n"
                     "8,,Pneumonia/Viral,AP,X-ray,images,2.png\n8,,Pneumonia/Viral,,CT,images,3.png\n")
    out = tmp_path / "out"
    assert _run([str(sheet), "--out", str(out)], capsys)[0] == 0
    columns, rows = read_manifest(out)
    assert columns == ["file", "patient_id", "offset", "view", "modality", "folder"]
    assert sorted(rows) == ["COVID-19/0.png", "COVID-19/1.png", "Pneumonia_Viral/2.png"]
    assert rows.get("COVID-19/1.png")["patient_id"] == "7" and rows.get("COVID-19/1.png")["offset"] == "3"


def test_a_sheet_of_file_and_label_alone_writes_no_manifest(tmp_path, capsys):
    _film(tmp_path / "export" / "a.png", 0)
    _film(tmp_path / "export" / "b.png", 1)
    (tmp_path / "export" / "labels.csv").write_text("filename,label\na.png,COVID\nb.png,Normal\n")
    rc, said, _ = _run([str(tmp_path / "export" / "labels.csv"), "--out", str(tmp_path / "out")], capsys)
    assert rc == 0 and "MANIFEST" not in said and not (tmp_path / "out" / "MANIFEST.csv").exists()


def test_the_closing_line_gives_cxr_evaluate_too(tmp_path, capsys):
    _film(tmp_path / "export" / "a.png", 0)
    (tmp_path / "export" / "labels.csv").write_text("filename,label\na.png,COVID\n")
    out = tmp_path / "out"
    said = _run([str(tmp_path / "export" / "labels.csv"), "--out", str(out)], capsys)[1]
    assert said.rstrip().endswith(f"cxr-train --data {out} --out RUN, or to score a model on these films: "
                                  f"cxr-evaluate MODEL {out}")


def test_a_second_sheet_and_hand_written_columns_are_merged_not_lost(tmp_path, capsys):
    """A MANIFEST.csv there already: another sheet's rows and a column written by hand stay; a film whose label was
    corrected keeps its row (and hand-written value) under its new class; the sheet's values win where it gives one."""
    for k in range(3):
        _film(tmp_path / "site1" / f"s{k}.png", k)
        _film(tmp_path / "site2" / f"t{k}.png", 10 + k)
    one, two, out = tmp_path / "site1" / "labels.csv", tmp_path / "site2" / "labels.csv", tmp_path / "out"
    one.write_text("filename,label,scanner,Patient ID\ns0.png,COVID,GE,p1\ns1.png,Normal,GE,p1\ns2.png,Normal,,p2\n")
    two.write_text("filename,label,scanner\nt0.png,COVID,Siemens\nt1.png,Normal,Siemens\nt2.png,Normal,Philips\n")
    assert _run([str(one), "--out", str(out)], capsys)[0] == 0
    rc, said, _ = _run([str(two), "--out", str(out)], capsys)
    assert rc == 0 and "3 other rows kept" in said
    text = (out / "MANIFEST.csv").read_text()
    (out / "MANIFEST.csv").write_text(text.replace("file,scanner,patient_id", "file,scanner,patient_id,reader")
                                      .replace("Normal/s1.png,GE,p1", "Normal/s1.png,GE,p1,dr_x"))
    one.write_text("filename,label,scanner,Patient ID\ns0.png,COVID,GE,p1\ns1.png,COVID,,p1\ns2.png,Normal,Canon,p2\n")
    rc, said, _ = _run([str(one), "--out", str(out)], capsys)
    assert rc == 0 and "taken out" in said
    columns, rows = read_manifest(out)
    assert columns == ["file", "scanner", "patient_id", "reader"]
    assert sorted(rows) == ["COVID/s0.png", "COVID/s1.png", "COVID/t0.png", "Normal/s2.png", "Normal/t1.png",
                            "Normal/t2.png"]  # Normal/s1.png's row moved with its film
    assert rows.get("COVID/s1.png") == {"file": "COVID/s1.png", "scanner": "GE", "patient_id": "p1", "reader": "dr_x"}
    assert rows.get("Normal/s2.png")["scanner"] == "Canon" and rows.get("Normal/t2.png")["scanner"] == "Philips"
    assert rows.get("COVID/t0.png")["patient_id"] == ""


def test_the_sheets_patient_goes_in_the_patient_column_a_manifest_there_has(tmp_path, capsys):
    _film(tmp_path / "export" / "a.png", 0)
    _film(tmp_path / "export" / "b.png", 1)
    out = tmp_path / "out"
    _film(out / "COVID" / "old.png", 2)
    (out / "MANIFEST.csv").write_text("File;Patient\nCOVID/old.png;p9\n", encoding="cp1252")
    (tmp_path / "export" / "labels.csv").write_text("filename,label,subject_id\na.png,COVID,s1\nb.png,Normal,s1\n")
    assert _run([str(tmp_path / "export" / "labels.csv"), "--out", str(out)], capsys)[0] == 0
    columns, rows = read_manifest(out)
    assert columns == ["File", "Patient"] and rows.get("Normal/b.png")["Patient"] == "s1"
    assert rows.get("COVID/old.png")["Patient"] == "p9"


@pytest.mark.parametrize("there", ["name,source\nCOVID/x.png,a\n", "file,source\nCOVID/x.png,a\nCOVID/x.png,b\n"],
                         ids=["no-file-column", "two-rows-disagree"])
def test_a_manifest_that_cannot_be_merged_is_left_as_it_is_and_said(tmp_path, capsys, there):
    _film(tmp_path / "export" / "a.png", 0)
    (tmp_path / "export" / "labels.csv").write_text("filename,label,scanner\na.png,COVID,GE\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "MANIFEST.csv").write_text(there)
    rc, _, err = _run([str(tmp_path / "export" / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 1 and (out / "MANIFEST.csv").read_text() == there
    assert err.startswith("the films are filed, but the sheet's other columns are not kept: ")
    assert "run the same command again" in err and (out / "COVID" / "a.png").exists()


def test_a_write_that_fails_leaves_the_manifest_there_whole(tmp_path, capsys, monkeypatch):
    _film(tmp_path / "export" / "a.png", 0)
    (tmp_path / "export" / "labels.csv").write_text("filename,label,scanner\na.png,COVID,GE\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "MANIFEST.csv").write_text("file,scanner\nNormal/z.png,Canon\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    rc, _, err = _run([str(tmp_path / "export" / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 1 and "MANIFEST.csv cannot be written: No space left on device" in err
    assert (out / "MANIFEST.csv").read_text() == "file,scanner\nNormal/z.png,Canon\n"
    assert sorted(p.name for p in out.iterdir()) == ["COVID", "MANIFEST.csv"]  # no temporary file left


def test_a_sheet_of_file_and_label_alone_adds_no_rows_but_a_moved_films_row_follows_it(tmp_path, capsys):
    """A manifest written by hand beside films filed from a bare sheet: a label corrected moves the film's row (its
    source) with it; the films it had no row for get none (a blank patient would hide a DICOM header's)."""
    _film(tmp_path / "export" / "a.png", 0)
    _film(tmp_path / "export" / "b.png", 1)
    sheet, out = tmp_path / "export" / "labels.csv", tmp_path / "out"
    sheet.write_text("filename,label\na.png,COVID\nb.png,Normal\n")
    assert _run([str(sheet), "--out", str(out)], capsys)[0] == 0
    (out / "MANIFEST.csv").write_text("file,source\nCOVID/a.png,site1\n")
    assert _run([str(sheet), "--out", str(out)], capsys)[0] == 0
    assert (out / "MANIFEST.csv").read_text() == "file,source\nCOVID/a.png,site1\n"  # nothing to change: untouched
    sheet.write_text("filename,label\na.png,Normal\nb.png,Normal\n")
    rc, said, _ = _run([str(sheet), "--out", str(out)], capsys)
    assert rc == 0 and f"updated {out / 'MANIFEST.csv'}: 1 film(s) moved to another class keep their rows" in said
    assert (out / "MANIFEST.csv").read_text() == "file,source\nNormal/a.png,site1\n"
