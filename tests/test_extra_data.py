"""cxr-train --add-data: a site's own films joining the main folder before the split."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from train.class_names import LEAVE_OUT
from train.data import DataError
from train.extra_data import add_folders, folder_classes


def test_folder_classes_match_by_name_or_class_map_and_refuse_the_rest():
    got = folder_classes("site", ["NORMAL", "COVID-19", "Pneumonia", "Normal"], ["COVID", "Normal"], {"Pneumonia": "-"})
    assert got == {"NORMAL": "Normal", "COVID-19": "COVID", "Pneumonia": LEAVE_OUT, "Normal": "Normal"}
    assert folder_classes("site", ["Healthy", "Covid19"], ["COVID", "Normal"], {"Healthy": "Normal"}) == \
        {"Healthy": "Normal", "Covid19": "COVID"}
    # left out quietly, a site's Healthy folder would make its films all COVID
    with pytest.raises(DataError, match=r"--add-data site: folder classes Healthy are not among the run's classes "
                                        r"COVID, Normal; say which label each stands for with --class-map FOLDER=LABEL"):
        folder_classes("site", ["Healthy", "Covid19"], ["COVID", "Normal"], {})


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A main synthetic folder (8 a class) and a 'site' folder of other synthetic films, named the
    site's own way (NORMAL, COVID-19), with an extra class and one exact copy of a main film."""
    from train.synthetic_set import generate

    root = tmp_path_factory.mktemp("add")
    main, site = root / "main", root / "my_site"
    generate(main, n_per_class=8, size=(64, 64), seed=0)
    generate(root / "other", n_per_class=6, classes=("Normal", "COVID", "Viral_Pneumonia"), size=(64, 64), seed=7)
    for src, dst in (("Normal", "NORMAL"), ("COVID", "COVID-19"), ("Viral_Pneumonia", "Pneumonia")):
        shutil.copytree(root / "other" / src, site / dst)
    shutil.copy(main / "COVID" / "synthetic-COVID-0000.png", site / "COVID-19" / "copy-of-main.png")
    return main, site


def _prepare(main: Path, out: Path, **kw):
    from edge.preprocess import PreprocessConfig
    from train.prepare import prepare_data
    from train.run import TrainSettings

    s = TrainSettings(data=str(main), out=out, image_size=32, progress=False, **kw)
    return prepare_data(s, PreprocessConfig(size=32))


def test_added_films_join_the_split_with_their_source(folders, tmp_path, capsys):
    main, site = folders
    split, arrays, notes = _prepare(main, tmp_path, add_data=[str(site)], class_map="Pneumonia=-")
    items = [i for part in ("train", "val", "test") for i in split.parts[part]]
    added = [i for i in items if Path(i.path).is_absolute()]
    # 6 + 7 site films, the pneumonia folder left out, and the site's copy of a main film kept once, as main's
    assert len(items) == 16 + 12 and len(added) == 12
    err = capsys.readouterr().err
    assert f"--add-data {site}: 1 film is a byte-for-byte copy of a film in --data" in err
    n = {p: sum(Path(i.path).is_absolute() for i in split.parts[p]) for p in ("train", "val", "test")}
    assert f"--add-data {site}: {n['train']} films train the model, {n['val']} validate it, {n['test']} test it" in err
    assert all(Path(i.path).is_relative_to(site.resolve()) and i.source == "my_site" for i in added)
    assert {i.label for i in added} == {"COVID", "Normal"}
    assert all(i.source == "main" for i in items if i not in added)
    assert split.notes["added_data"] == [str(site.resolve())]
    assert sum(len(v) for v in arrays.values()) == 28
    assert notes["hygiene"]["exact_duplicate_pairs"] == 0 and notes["hygiene"]["groups_across_splits"] == 0
    assert not any(i.path.endswith("copy-of-main.png") for i in items)
    # split.json keeps absolute paths, so later commands read the added films where they are
    saved = json.loads(json.dumps(split.to_dict()))
    assert any(Path(i["path"]).is_absolute() for v in saved["splits"].values() for i in v)


def test_holdout_source_can_name_the_added_folder(folders, tmp_path, capsys):
    main, site = folders
    split, _, notes = _prepare(main, tmp_path, add_data=[str(site)], holdout_source="my_site", class_map="Pneumonia=-")
    assert f"note: all 12 films of --add-data {site} are held out by --holdout-source 'my_site'" in capsys.readouterr().err
    assert notes["audit"]["n"] == 28 - 12  # the audit is of the films the model learns from
    paths = {i.path for i in split.parts["external"]}
    assert len(paths) == 12 and all(Path(p).is_absolute() for p in paths)  # the site's films; its copy was main's
    assert not any(Path(i.path).is_absolute() for p in ("train", "val", "test") for i in split.parts[p])


def test_bad_added_folders_are_refused_with_a_reason(folders, tmp_path):
    main, site = folders
    with pytest.raises(DataError, match="the --data folder"):
        add_folders([], main, [str(main)], ["COVID", "Normal"])
    with pytest.raises(DataError, match="--add-data .*nowhere: no such folder"):
        add_folders([], main, [str(tmp_path / "nowhere")], ["COVID", "Normal"])
    for twin in (tmp_path / "a" / "my_site", tmp_path / "b" / "my_site", tmp_path / "c" / "main"):
        shutil.copytree(site / "NORMAL", twin / "Normal")
    with pytest.raises(DataError, match="is given twice: its films would be trained on, and scored, twice"):
        add_folders([], main, [str(site), str(site) + "/"], ["COVID", "Normal"])
    with pytest.raises(DataError, match=f"{site / 'NORMAL'} lies inside --add-data {site}: its films would be"):
        add_folders([], main, [str(site), str(site / "NORMAL")], ["COVID", "Normal"])
    with pytest.raises(DataError, match=f"{main} lies inside --add-data {main.parent}"):
        add_folders([], main, [str(main.parent)], ["COVID", "Normal"])
    with pytest.raises(DataError, match="have the same name"):
        add_folders([], main, [str(tmp_path / "a" / "my_site"), str(tmp_path / "b" / "my_site")], ["COVID", "Normal"])
    with pytest.raises(DataError, match="has the --data folder's name, main"):
        add_folders([], main, [str(tmp_path / "c" / "main")], ["COVID", "Normal"])
    only_other = tmp_path / "only_other" / "Pneumonia"
    only_other.mkdir(parents=True)
    shutil.copy(next(site.glob("Pneumonia/*.png")), only_other)
    with pytest.raises(DataError, match="no class folder among COVID, Normal"):
        add_folders([], main, [str(only_other.parent)], ["COVID", "Normal"], class_map="Pneumonia=-")
    with pytest.raises(DataError, match="--class-map: 'Pneumonia' is not FOLDER=LABEL"):
        add_folders([], main, [str(only_other.parent)], ["COVID", "Normal"], class_map="Pneumonia")
    given = tmp_path / "given"
    for part in ("train", "test"):
        shutil.copytree(site / "NORMAL", given / part / "Normal")
    with pytest.raises(DataError, match="its own train/test folders"):
        add_folders([], main, [str(given)], ["COVID", "Normal"])


def test_a_folder_of_one_class_is_warned_about(folders, tmp_path):
    main, site = folders
    healthy = tmp_path / "healthy_only"
    shutil.copytree(site / "NORMAL", healthy / "Normal")
    said = []
    items = add_folders([], main, [str(healthy)], ["COVID", "Normal"], said.append)
    assert len(items) == 6 and any("holds Normal films only" in m for m in said)
    said.clear()
    add_folders([], main, [str(site)], ["COVID", "Normal"], said.append, "Pneumonia=-,Pnuemonia=-")
    assert not any("films only" in m for m in said)
    assert f"--add-data {site}: class folder Pneumonia left out (--class-map Pneumonia=-)" in said
    assert f"warning: --class-map Pnuemonia=-: no class folder of {site} is named Pnuemonia; ignored" in said  # a typo
    assert any(f"--add-data {site} holds few films of a class (7 COVID, 6 Normal)" in m for m in said)  # under 15


def test_an_out_folder_in_an_added_folder_is_refused(folders, tmp_path):
    """Its run files would sit among the site's films: the next run skipped the class folder holding
    them as a run folder, and trained on the site's other class alone."""
    from train.run import TrainSettings, run_training

    main, site = folders
    for out in (site, site / "COVID-19", site / "runs" / "r"):
        with pytest.raises(DataError, match="lies in --add-data"):
            run_training(TrainSettings(data=str(main), add_data=[str(site)], out=out, progress=False))
    assert not (site / "runs").exists()


def _site_of(main: Path, root: Path, copies: dict[str, str]) -> Path:
    """A site with 6 synthetic films a class, plus ``copies``: main's film -> the site folder it is copied into."""
    from train.synthetic_set import generate

    generate(root, n_per_class=6, size=(64, 64), seed=11)
    for film, folder in copies.items():
        shutil.copy(main / film, root / folder / f"copy-{Path(film).name}")
    return root


def test_a_copy_filed_under_another_class_is_a_label_conflict_and_a_later_call_knows_it(folders, tmp_path, capsys):
    import os

    from train.prepare import find_films
    from train.film_changes import film_stamps, films_changed

    main, _ = folders
    site = _site_of(main, tmp_path / "site", {"COVID/synthetic-COVID-0000.png": "Normal"})
    out = tmp_path / "run"
    split, _, notes = _prepare(main, out, add_data=[str(site)])
    conflict = [g for g in notes["hygiene"]["label_conflicts"] if any(m["file"] == "COVID/synthetic-COVID-0000.png" for m in g)]
    assert conflict and {m["label"] for m in conflict[0]} == {"COVID", "Normal"}
    assert "warning: label conflict: " in capsys.readouterr().err
    (copy,) = notes["hygiene"]["cross_folder_copies"]
    assert copy["copy_of"] == "COVID/synthetic-COVID-0000.png" and copy["file"].endswith("Normal/copy-synthetic-COVID-0000.png")
    # the copy was listed, read and left out: a folder copied with new dates (cp -r) is still the run's films
    split.save(out / "split.json")
    (out / "run.json").write_text(json.dumps({"data_fingerprint": notes["data"], "data_hygiene": notes["hygiene"],
                                              "skipped_files": notes["skipped"]}))
    listed = find_films(main, None, [str(site)])[0]
    assert films_changed(out, film_stamps(main, listed), main) == (0, 0)
    for p in site.rglob("*.png"):
        os.utime(p)
    assert films_changed(out, film_stamps(main, listed), main) == (0, 0)


def test_a_copy_across_two_folders_whose_names_begin_alike_is_kept_once(folders, tmp_path, capsys):
    """--add-data site --add-data site_b: site_b's films were taken for site's (their paths begin alike), so a
    film copied from one into the other was kept twice: trained on twice, or on both sides of the split."""
    from train.synthetic_set import generate

    main, _ = folders
    site = _site_of(main, tmp_path / "site", {})
    site_b = tmp_path / "site_b"
    generate(site_b, n_per_class=3, size=(64, 64), seed=5)
    shutil.copy(site / "COVID" / "synthetic-COVID-0000.png", site_b / "COVID" / "copy.png")
    split, _, notes = _prepare(main, tmp_path / "run", add_data=[str(site), str(site_b)])
    (copy,) = notes["hygiene"].get("cross_folder_copies", [])  # none where site_b's films passed for site's
    assert copy["file"] == (site_b / "COVID" / "copy.png").resolve().as_posix()
    assert copy["copy_of"] == (site / "COVID" / "synthetic-COVID-0000.png").resolve().as_posix()
    assert f"--add-data {site_b}: 1 film is a byte-for-byte copy of a film in" in capsys.readouterr().err
    assert sum(len(v) for v in split.parts.values()) == 16 + 12 + 6


def test_a_site_class_lost_in_reading_is_warned_about(folders, tmp_path, capsys):
    """Listed, the site gave both classes; read, its Normal films were damaged: the site's look now
    says COVID, and the warning that says so must come."""
    main, _ = folders
    site = _site_of(main, tmp_path / "site", {})
    for p in (site / "Normal").glob("*.png"):
        p.write_bytes(p.read_bytes()[:200])
    _prepare(main, tmp_path / "run", add_data=[str(site)])
    err = capsys.readouterr().err
    assert f"--add-data {site}: 6 COVID once read (6 unreadable or copies of films in another folder)" in err
    assert f"warning: --add-data {site} holds COVID films only" in err


def test_cxr_train_and_convert_with_an_added_folder(folders, tmp_path):
    """End to end through the CLIs: the added films are trained on (by the teacher, then the
    distilled model, on the teacher's split), converted and reported apart."""
    from typer.testing import CliRunner

    from convert.cli import convert_app
    from train.cli import train_app

    main, site = folders
    run = tmp_path / "run"
    args = ["--data", str(main), "--add-data", str(site), "--out", str(run), "--epochs", "1", "--teacher-members", "2",
            "--image-size", "32", "--batch-size", "8", "-q"]
    r = CliRunner().invoke(train_app, args)
    assert r.exit_code == 2 and "folder classes Pneumonia are not among the run's classes" in r.output, r.output
    assert not run.exists()
    r = CliRunner().invoke(train_app, [*args, "--class-map", "Pneumonia=-"])
    assert r.exit_code == 0, r.output
    assert "my_site" in r.output and "class folder Pneumonia left out" in r.output
    split = json.loads((run / "split.json").read_text())
    assert split == json.loads((run / "teacher" / "split.json").read_text())
    assert any(Path(i["path"]).is_absolute() for i in split["splits"]["train"])
    shutil.rmtree(run / "cache")  # conversion must read the added films from their own folder
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "-q"])
    assert r.exit_code in (0, 1), r.output  # 1: the 1-epoch model may fail the accuracy gate
    report = json.loads((run / "report.json").read_text())
    assert report["models"]["int8"]["n"] == len(json.loads((run / "split.json").read_text())["splits"]["test"])
    assert set(report["per_source"]["sources"]) <= {"main", "my_site"}
    assert json.loads((run / "run.json").read_text())["settings"]["add_data"] == [str(site)]
    from edge import metadata as md

    _, meta, _ = md.read(run / "model_int8.tflite")
    assert meta["validation"]["data"] == "main + my_site"  # edge-classify --card names both folders


def test_manifest_labels_are_checked_against_the_class_a_folder_is_mapped_to(folders, tmp_path, capsys):
    """A site's MANIFEST.csv saying Normal for its Healthy/ films agrees with --class-map Healthy=Normal;
    only a label that names another class is warned about, and a folder left out is not checked."""
    import csv

    main, site = folders
    mine = tmp_path / "site"
    shutil.copytree(site / "NORMAL", mine / "Healthy")
    shutil.copytree(site / "COVID-19", mine / "covid-19")
    shutil.copytree(site / "Pneumonia", mine / "Viral")
    rows = [[p.relative_to(mine).as_posix(), {"Healthy": "Normal", "covid-19": "COVID", "Viral": "Viral Pneumonia"}[p.parent.name]]
            for p in sorted(mine.glob("*/*.png"))]
    rows[0][1] = "COVID"  # one Healthy film whose row says otherwise
    rows[1][1] = "Healthy"  # one that names its folder: no disagreement either
    with open(mine / "MANIFEST.csv", "w", newline="") as f:
        csv.writer(f).writerows([["file", "label"], *rows])
    _prepare(main, tmp_path / "run", add_data=[str(mine)], class_map="Healthy=Normal,Viral=-")
    warned = [line for line in capsys.readouterr().err.splitlines() if "the label in MANIFEST.csv" in line]
    assert warned == [f"cxr-train: warning: for 1 film in {mine.resolve()} the label in MANIFEST.csv is not its class "
                      f"folder's (e.g. {rows[0][0]}: COVID); the folder decides the class: check which is right"]
