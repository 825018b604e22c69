"""cxr-evaluate --by: each subgroup's figures, from MANIFEST.csv columns or DICOM headers."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from convert.ages import NOT_AN_AGE, age_band
from convert.group_values import MAX_GROUPS, MISSING, NOT_DICOM, group_values
from convert.subgroups import below_overall, subgroup_section


@pytest.mark.parametrize("value, band", [("045Y", "40-59"), ("6M", "0-17"), ("017Y", "0-17"), ("018Y", "18-39"),
                                         ("80", "80+"), ("39.9", "18-39"), ("070W", "0-17"), ("400D", "0-17"),
                                         ("", MISSING), ("  ", MISSING), ("adult", NOT_AN_AGE), ("999Y", NOT_AN_AGE),
                                         # as exports write them: unit words, ISO durations, the oldest de-identified
                                         ("45 years", "40-59"), ("6 months", "0-17"), ("1 year", "0-17"),
                                         ("45 yrs old", "40-59"), ("P45Y", "40-59"), ("3 weeks", "0-17"),
                                         (">89", "80+"), ("90+", "80+"), ("≥ 90", "80+"), ("over 89", "80+"),
                                         (">17", NOT_AN_AGE), ("45+", NOT_AN_AGE), ("45 parsecs", NOT_AN_AGE),
                                         # wholly inside one band: were 'not an age'
                                         ("<1", "0-17"), ("<18", "0-17"), ("<=17", "0-17"), ("under 16", "0-17"),
                                         (">79", "80+"), (">=80", "80+"),
                                         ("<=18", NOT_AN_AGE), ("<40", NOT_AN_AGE), (">=79", NOT_AN_AGE),
                                         # 'over 79' as '>79' (it was not an age); as clinical exports write ages
                                         ("over 79", "80+"), ("above 79", "80+"), ("over 17", NOT_AN_AGE),
                                         ("45yo", "40-59"), ("45 y/o", "40-59"), ("45 y.o.", "40-59"),
                                         ("45 YO", "40-59"), ("6 m/o", "0-17"), ("12 hours", "0-17"),
                                         ("45 yrs.", "40-59"), ("below 18", "0-17"),
                                         # a column given in bands already: all '(not an age)' (hunt, session 55)
                                         ("18-39", "18-39"), ("40-49", "40-59"), ("60 to 69", "60-79"),
                                         ("80–89", "80+"), ("12-14 years", "0-17"), ("30-49", NOT_AN_AGE),
                                         ("9-3", NOT_AN_AGE),
                                         # German, French, Spanish, Italian, Portuguese units: all were 'not an age'
                                         ("45 Jahre", "40-59"), ("45 Jahre alt", "40-59"), ("1 Jahr", "0-17"),
                                         ("6 Monate", "0-17"), ("30 Monate", "0-17"), ("45 ans", "40-59"),
                                         ("45 años", "40-59"), ("45 an\u0303os", "40-59"), ("45 anos", "40-59"), ("45 anni", "40-59"),
                                         ("6 mois", "0-17"), ("18 meses", "0-17"), ("3 Wochen", "0-17"),
                                         ("10 Tage", "0-17"), ("10 jours", "0-17"), ("10 días", "0-17"),
                                         ("45,5 Jahre", "40-59"),
                                         # months stay months: 240 Monate is 20 years, not 240 (was no age at all)
                                         ("240 Monate", "18-39"), ("240 mois", "18-39"), ("240 meses", "18-39"),
                                         ("45 J", NOT_AN_AGE)])  # J: Jahre in German, jours in French: no guess
def test_age_band(value, band):
    assert age_band(value) == band


def test_an_age_column_named_in_german_french_spanish_italian_or_portuguese_is_read_as_ages():
    """'Alter', 'Âge', 'Edad' ... were grouped by raw value ('45,5', '67,0' each a group) or refused as an identifier."""
    from convert.ages import is_age_column as _is_age

    for name in ("age", "Patient Age", "Alter", "ALTER", "Âge", "A\u0302ge", "age (ans)", "Edad", "Età", "Eta\u0300",
                 "Idade",
                 "Patientenalter", "Alter (Jahre)", "Alter in Jahren", "Edad (años)", "Edad en años", "Idade em anos"):
        assert _is_age(name), name
    # 'ETA' is an English column too (a date): 'eta' was read as Italian's 'età' with its accent stripped
    for name in ("Station", "Alternative", "Page", "Sex", "Geschlecht", "Stage", "ETA", "eta"):
        assert not _is_age(name), name


def _manifest(folder: Path, rows: list[dict]) -> None:
    with open(folder / "MANIFEST.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_groups_from_a_manifest(tmp_path):
    _manifest(tmp_path, [{"file": "A/1.png", "view": "AP", "age": "71"}, {"file": "A/2.png", "view": "PA", "age": "34"},
                         {"file": "B/3.png", "view": "", "age": "12"}])
    g = group_values(tmp_path, ["A/1.png", "A/2.png", "B/3.png", "B/4.png"], ["view", "age"])
    assert g == {"view": ["AP", "PA", MISSING, MISSING], "age": ["60-79", "18-39", "0-17", MISSING]}
    given = {}  # the values as written, only where grouping changed one (a blank is no change: it is not given)
    group_values(tmp_path, ["A/1.png", "A/2.png", "B/3.png", "B/4.png"], ["view", "age"], as_given=given)
    assert given == {"age": ["71", "34", "12", ""]}
    with pytest.raises(ValueError, match="MANIFEST.csv's columns are file, view, age"):
        group_values(tmp_path, ["A/1.png"], ["ward"])


def test_an_age_that_cannot_be_read_is_its_own_group_and_said(tmp_path, capsys):
    """'adult' is a value given, not a blank: counted as missing it would go unseen, and a film of
    '6 months' once went there too, taking infants out of their band without a word."""
    _manifest(tmp_path, [{"file": "A/1.png", "age": "6 months"}, {"file": "A/2.png", "age": "adult"},
                         {"file": "A/3.png", "age": ""}, {"file": "A/4.png", "age": ">89"}])
    g = group_values(tmp_path, [f"A/{k}.png" for k in range(1, 5)], ["age"])
    assert g == {"age": ["0-17", NOT_AN_AGE, MISSING, "80+"]}
    assert "--by age: 1 film has a value that reads as no age ('adult')" in capsys.readouterr().err


@pytest.mark.parametrize("column", ["Patient Age", "Age (years)", "AGE", "age_yrs", "patient_age", "PatientAge"])
def test_an_age_column_is_known_whatever_its_spelling(tmp_path, column):
    """A column headed 'Patient Age' or 'Age (years)' was plain categories: 80 ages were refused as too
    many values, with advice to band them by hand, which the age columns' bands do."""
    from convert.group_values import check_columns

    files = [f"A/{k}.png" for k in range(80)]
    _manifest(tmp_path, [{"file": f, column: str(10 + k)} for k, f in enumerate(files)])
    check_columns(tmp_path, [column], files)
    assert set(group_values(tmp_path, files, [column])[column]) == {"0-17", "18-39", "40-59", "60-79", "80+"}


def test_an_identifier_is_not_a_grouping(tmp_path):
    _manifest(tmp_path, [{"file": f"A/{k}.png", "film_no": f"P{k}"} for k in range(MAX_GROUPS + 10)])
    with pytest.raises(ValueError, match=f"{MAX_GROUPS + 10} different values"):  # 'patient': refused by its name
        group_values(tmp_path, [f"A/{k}.png" for k in range(MAX_GROUPS + 10)], ["film_no"])


def test_too_many_values_are_refused_from_the_manifest_before_any_film_is_read(tmp_path):
    """check_columns, which both commands call before reading a film, counts a MANIFEST.csv
    column's values: a ward column of 60 is refused there, not after minutes of scoring."""
    from convert.group_values import check_columns

    files = [f"A/{k}.png" for k in range(120)]
    _manifest(tmp_path, [{"file": f, "ward": f"W{k % 60}", "source": f"S{k % 60}", "age": str(k % 100),
                          "view": "AP" if k % 2 else "PA"} for k, f in enumerate(files)])
    with pytest.raises(ValueError) as e:
        check_columns(tmp_path, ["view", "ward"])
    said = str(e.value)
    assert said.startswith("--by ward: 60 different values in MANIFEST.csv, and at most 50 can be groups")
    assert "its own table row and bootstrap" in said and "bands in a new MANIFEST.csv column" in said
    with pytest.raises(ValueError, match=r"report.md's \"Per source\" table"):  # the table that has no cap
        check_columns(tmp_path, ["source"])
    check_columns(tmp_path, ["age", "view"])  # 100 ages, 5 bands
    check_columns(tmp_path, ["ward"], files[:50])  # only the films to be scored count
    with pytest.raises(ValueError, match="60 different values in MANIFEST.csv among the films to score"):
        check_columns(tmp_path, ["ward"], files)
    assert MAX_GROUPS >= 41  # the per-source table's 41 sources would fit as --by groups


def test_a_column_of_exactly_max_groups_values_passes_the_early_check_and_one_more_is_refused(tmp_path):
    """A column of MAX_GROUPS + 1 values passed the up-front count: every film was read and scored before
    group_values refused it, in words about the films' DICOM headers rather than MANIFEST.csv."""
    from convert.group_values import check_columns

    _manifest(tmp_path, [{"file": f"A/{k}.png", "ward": f"W{k}"} for k in range(MAX_GROUPS + 1)])
    check_columns(tmp_path, ["ward"], [f"A/{k}.png" for k in range(MAX_GROUPS)])  # 50 wards: 50 groups
    with pytest.raises(ValueError, match=f"--by ward: {MAX_GROUPS + 1} different values in MANIFEST.csv, and at most "
                                         f"{MAX_GROUPS} can be groups"):
        check_columns(tmp_path, ["ward"])


def test_values_are_counted_as_they_are_grouped_before_any_is_refused(tmp_path, capsys):
    """26 wards spelt 'Ward 3' in some rows and 'WARD 3' in others are 26 groups, not 52 values: the up-front
    count refused them as too many, though the grouping merges the spellings."""
    from convert.group_values import check_columns

    files = [f"A/{k}.png" for k in range(104)]
    _manifest(tmp_path, [{"file": f, "ward": f"Ward {k % 26}" if k < 52 else f"WARD {k % 26}",
                          "sex": ("M", "male", "m", "F", "female", "f", "w")[k % 7] + " " * (k % 10)}
                         for k, f in enumerate(files)])
    check_columns(tmp_path, ["ward", "sex"], files)
    assert capsys.readouterr().err == ""  # the merges are said once, by group_values, not by the count
    assert len(set(group_values(tmp_path, files, ["ward"])["ward"])) == 26


def test_films_without_a_row_are_said_whatever_the_manifest_holds(tmp_path, capsys):
    """A manifest of bare file names ('a.png' for 'COVID/a.png') gave no film a ward, and all that was said
    blamed DICOM headers; one listing some of the films left the rest '(not given)' unsaid (that warning
    came only from a source column)."""
    files = ["COVID/a.png", "COVID/b.png", "Normal/c.png", "Normal/d.png"]
    _manifest(tmp_path, [{"file": f.split("/")[1], "ward": w} for f, w in zip(files, ["ICU", "ER", "ICU", "ER"])])
    said: list[str] = []
    assert group_values(tmp_path, files, ["ward"], said=said) == {}
    assert said == ["--by ward: none of the 4 films to score has a row in MANIFEST.csv, so every one is (not given): "
                    "its rows name files such as a.png, the films are paths such as COVID/a.png; each row's file must "
                    "be its film's path relative to the folder",
                    "--by ward: no film has a value in MANIFEST.csv's ward column; left out of the report"]
    assert "DICOM" not in capsys.readouterr().err
    _manifest(tmp_path, [{"file": "COVID/a.png", "ward": "ICU"}, {"file": "Normal/c.png", "ward": "ER"},
                         {"file": "d.png", "ward": "ER"}])
    said = []
    assert group_values(tmp_path, files, ["ward"], said=said)["ward"] == ["ICU", MISSING, "ER", MISSING]
    assert said == ["--by ward: 2 of the 4 films to score have no row in MANIFEST.csv (e.g. Normal/d.png, whose "
                    "file name a row gives as d.png), so they are grouped as (not given)"]
    # one film: 'has', 'it is' ('1 of the 4 films to score have no row ... so they are'; 'none of the 1 films')
    _manifest(tmp_path, [{"file": f, "ward": "ICU"} for f in files[:3]] + [{"file": "d.png", "ward": "ER"}])
    said = []
    group_values(tmp_path, files, ["ward"], said=said)
    assert said == ["--by ward: 1 of the 4 films to score has no row in MANIFEST.csv (e.g. Normal/d.png, whose "
                    "file name a row gives as d.png), so it is grouped as (not given)"]
    said = []
    assert group_values(tmp_path, files[3:], ["ward"], said=said) == {}
    assert said[0] == ("--by ward: the one film to score has no row in MANIFEST.csv, so it is (not given): its rows "
                       "name files such as d.png, the film's path is Normal/d.png; each row's file must be its "
                       "film's path relative to the folder")


def test_groups_from_dicom_headers(tmp_path):
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    import pydicom

    from tests.test_dicom import make_dicom

    (tmp_path / "A").mkdir()
    for name, view, age in (("1.dcm", "AP", "067Y"), ("2.dcm", "PA", "008Y")):
        ds = pydicom.dcmread(__import__("io").BytesIO(make_dicom(np.zeros((40, 40), np.uint16))))
        ds.ViewPosition, ds.PatientAge = view, age
        ds.save_as(tmp_path / "A" / name)
    (tmp_path / "A" / "3.png").write_bytes(b"not DICOM")
    g = group_values(tmp_path, ["A/1.dcm", "A/2.dcm", "A/3.png"], ["ViewPosition", "PatientAge"])
    # the PNG has no header to lack them: (not DICOM), not (not given) (tests/test_not_dicom_group.py)
    assert g == {"ViewPosition": ["AP", "PA", NOT_DICOM], "PatientAge": ["60-79", "0-17", NOT_DICOM]}


def test_a_column_no_film_has_is_left_out_with_a_warning(tmp_path, capsys):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "1.png").write_bytes(b"not DICOM")
    assert group_values(tmp_path, ["A/1.png"], ["ViewPosition"]) == {}
    assert "--by ViewPosition: no film has a value" in capsys.readouterr().err


def _sexed_dicoms(folder: Path, damaged: bool = True) -> list[str]:
    """A/1.dcm (PatientSex M) and A/2.dcm (F), the second with its PatientSex element's VR damaged ('QS')."""
    import io

    import pydicom

    from tests.test_dicom import make_dicom

    (folder / "A").mkdir()
    for name, sex in (("1.dcm", "M"), ("2.dcm", "F")):
        ds = pydicom.dcmread(io.BytesIO(make_dicom(np.zeros((40, 40), np.uint16))))
        ds.PatientSex = sex
        ds.save_as(folder / "A" / name)
    if damaged:
        data = (folder / "A" / "2.dcm").read_bytes()
        assert data.count(b"\x10\x00\x40\x00CS") == 1
        (folder / "A" / "2.dcm").write_bytes(data.replace(b"\x10\x00\x40\x00CS", b"\x10\x00\x40\x00QS"))
    return ["A/1.dcm", "A/2.dcm"]


def test_a_dicom_header_that_cannot_be_read_is_said_and_never_called_absent(tmp_path, capsys):
    """Every error reading a header was swallowed: a film whose header could not be read went into the missing
    group unsaid, and where none could be, the report claimed 'no DICOM file here carries this header attribute'
    and dropped the --by section, exit 0."""
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    files = _sexed_dicoms(tmp_path)
    said: list[str] = []
    assert group_values(tmp_path, files, ["PatientSex"], said=said) == {"PatientSex": ["M", MISSING]}
    assert said == ["--by PatientSex: the DICOM header of 1 film could not be read (e.g. A/2.dcm: "
                    "NotImplementedError: Unknown Value Representation 'QS' in tag (0010,0040)); that film is "
                    f"grouped as {MISSING}"], said
    capsys.readouterr()
    assert group_values(tmp_path, files[1:], ["PatientSex"]) == {}
    err = capsys.readouterr().err
    assert "could not be read" in err and "no DICOM file here carries" not in err, err


@pytest.mark.parametrize("raised", [MemoryError(), AttributeError("'Dataset' object has no attribute 'x'")])
def test_reading_a_dicom_header_short_of_memory_or_with_a_bug_is_not_a_missing_value(tmp_path, monkeypatch, raised):
    """A MemoryError or a bug of ours while reading a header put the film in the missing group without a word
    (the whole --by section, where it struck every film): it reaches the command's one-line error instead."""
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    import edge.dicom

    files = _sexed_dicoms(tmp_path, damaged=False)

    def header(path, attributes):
        raise raised

    monkeypatch.setattr(edge.dicom, "dicom_header", header)
    with pytest.raises(type(raised)):
        group_values(tmp_path, files, ["PatientSex"])


def test_dicom_headers_without_pydicom_are_said_once_and_a_png_folder_needs_none(tmp_path, monkeypatch, capsys):
    """Without pydicom, --by PatientSex on DICOM films said the attribute was in no file; said once, plainly.
    A folder of PNGs is no DICOM's, whether pydicom is there or not."""
    import builtins

    files = _sexed_dicoms(tmp_path, damaged=False) if __import__("importlib").util.find_spec("pydicom") else []
    (tmp_path / "A").mkdir(exist_ok=True)
    (tmp_path / "A" / "3.png").write_bytes(b"not DICOM")
    real_import = builtins.__import__

    def no_pydicom(name, *args, **kwargs):
        if name.split(".")[0] == "pydicom":
            raise ImportError("No module named 'pydicom'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pydicom)
    assert group_values(tmp_path, ["A/3.png"], ["PatientSex"]) == {}
    assert "no DICOM file here carries this header attribute" in capsys.readouterr().err
    if files:
        assert group_values(tmp_path, [*files, "A/3.png"], ["PatientSex"]) == {}
        lines = capsys.readouterr().err.splitlines()
        assert len([ln for ln in lines if "pydicom is not installed" in ln]) == 1, lines
        assert "the DICOM headers of 2 films cannot be read (install DICOM support with" in lines[0]
        assert "); those films are grouped as (not given)" in lines[0]
        assert not any("no DICOM file here carries" in ln for ln in lines), lines
        assert group_values(tmp_path, files[:1], ["PatientSex"]) == {}  # one film: '1 film(s) ... those films are'
        line = capsys.readouterr().err.splitlines()[0]
        assert "the DICOM header of 1 film cannot be read (install DICOM support with" in line, line
        assert "); that film is grouped as (not given)" in line, line


def _summary(n: int, ba: float, ci: tuple[float, float]) -> dict:
    return {"n": n, "balanced_accuracy": ba, "balanced_accuracy_ci": list(ci),
            "per_class": [{"sensitivity": ba, "sensitivity_ci": list(ci)}]}


def test_a_group_wholly_below_the_overall_figure_is_marked():
    overall = _summary(300, 0.90, (0.86, 0.93))
    groups = {"PA": _summary(200, 0.95, (0.91, 0.97)), "AP": _summary(90, 0.78, (0.69, 0.86)),
              "LAT": _summary(10, 0.40, (0.17, 0.69)), "AP portable": _summary(40, 0.85, (0.72, 0.93))}
    assert below_overall(groups, overall) == ["AP"]  # LAT is lower but has too few films to judge
    rows = {ln.split("|")[1].strip(): ln for ln in subgroup_section("view", groups, overall, ["COVID"]) if ln.startswith("| ")}
    assert "**below**" in rows["AP"] and "too few films" in rows["LAT"]
    assert "below" not in rows["PA"] and "below" not in rows["AP portable"]


def test_copies_count_once_towards_a_groups_20_films():
    """A ward of 10 missed Normal films, each scored twice (a copy in the set), was marked **below** as 20 films."""
    from convert.subgroups import per_source

    y = np.array([0] * 60 + [1] * 60 + [1] * 20)
    probs = np.where(np.eye(2)[y] == 1, 0.9, 0.1)
    probs[120:] = [0.9, 0.1]  # the ward's Normal films, all called COVID
    wards = ["A"] * 120 + ["Dup"] * 20
    copies = list(range(140))
    copies[130:] = range(120, 130)  # films 130..139 are copies of 120..129
    plain = per_source(y, probs, ["COVID", "Normal"], wards, 200)
    counted = per_source(y, probs, ["COVID", "Normal"], wards, 200, copy_of=copies)
    assert plain["Dup"]["below_overall"] and "distinct_films" not in plain["Dup"]
    assert counted["Dup"]["distinct_films"] == 10 and not counted["Dup"]["below_overall"]
    overall = per_source(y, probs, ["COVID", "Normal"], ["all"] * 140, 0)["all"]
    row = next(ln for ln in subgroup_section("ward", counted, overall, ["COVID", "Normal"]) if ln.startswith("| Dup"))
    assert "| 20 (10 distinct) |" in row and "too few films (10 without their copies)" in row


def _ward_row(groups: dict, overall: dict, name: str) -> str:
    return next(ln for ln in subgroup_section("ward", groups, overall, ["COVID", "Normal"]) if ln.startswith(f"| {name} "))


def test_a_group_of_19_films_is_too_few_to_judge_and_one_of_20_is_judged():
    """A ward of 19 films was marked **below** (a verdict on a ward) under a header that says groups of fewer than
    20 films have intervals too wide to judge."""
    from convert.subgroups import per_source

    y = np.array([0] * 100 + [1] * 100 + [0] * 10 + [1] * 9 + [0] * 10 + [1] * 10)
    probs = np.eye(2)[y] * 0.8 + 0.1
    probs[200:] = np.eye(2)[1 - y[200:]] * 0.8 + 0.1  # both small wards: every film wrong
    wards = ["big"] * 200 + ["w19"] * 19 + ["w20"] * 20
    groups = per_source(y, probs, ["COVID", "Normal"], wards, 200)
    overall = per_source(y, probs, ["COVID", "Normal"], ["all"] * len(y), 0)["all"]
    assert "too few films" in _ward_row(groups, overall, "w19") and "below" not in _ward_row(groups, overall, "w19")
    assert "too few films" not in _ward_row(groups, overall, "w20") and "**below**" in _ward_row(groups, overall, "w20")


def test_copies_count_once_towards_a_classs_20_films_in_a_group():
    """A ward of 10 COVID films scored twice (a copy each), all missed, beside 40 Normal films, was marked
    **COVID below** as if it held 20 COVID films: copies counted once at group level, but not per class."""
    from convert.subgroups import per_source

    y = np.array([0] * 100 + [1] * 100 + [0] * 20 + [1] * 40)
    probs = np.eye(2)[y] * 0.8 + 0.1
    probs[200:220] = [0.1, 0.9]  # the ward's COVID films, all called Normal
    wards = ["big"] * 200 + ["Dup"] * 60
    copies = list(range(260))
    copies[210:220] = range(200, 210)  # the ward's COVID films 210..219 are copies of 200..209
    plain = per_source(y, probs, ["COVID", "Normal"], wards, 200)
    counted = per_source(y, probs, ["COVID", "Normal"], wards, 200, copy_of=copies)
    assert plain["Dup"]["classes_below"] == ["COVID"]  # 20 COVID films: judged
    assert counted["Dup"]["distinct_per_class"] == {"COVID": 10, "Normal": 40}
    assert counted["Dup"]["classes_below"] == []
    overall = per_source(y, probs, ["COVID", "Normal"], ["all"] * len(y), 0)["all"]
    assert "COVID below" not in _ward_row(counted, overall, "Dup")


def test_cxr_evaluate_by_a_manifest_column(tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app

    split = json.loads((tiny_run / "split.json").read_text())
    data, site = Path(split["data_dir"]), tmp_path / "site"
    rows = []
    for k, item in enumerate(split["splits"]["test"]):
        (site / item["label"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(data / item["path"], site / item["path"])
        rows.append({"file": item["path"], "view": "AP" if k % 3 else "PA", "age": ("045Y", "unknown", "7")[k % 3]})
    _manifest(site, rows)
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--by", "view,age", "--out",
                                          str(tmp_path / "r"), "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    groups = report["subgroups"]["view"]["groups"]
    assert {v: g["n"] for v, g in groups.items()} == {"AP": sum(1 for x in rows if x["view"] == "AP"),
                                                      "PA": sum(1 for x in rows if x["view"] == "PA")}
    right = {p["file"]: p["true"] == p["predicted"] for p in report["predictions"]}
    for view, g in groups.items():
        films = [x["file"] for x in rows if x["view"] == view]
        assert g["accuracy"] == pytest.approx(np.mean([right[f] for f in films]))
    assert "## By view" in (tmp_path / "r" / "report.md").read_text()
    with open(tmp_path / "r" / "predictions.csv", newline="", encoding="utf-8-sig") as f:  # the case list, with each film's group
        table = list(csv.DictReader(f))
    assert [(t["file"], t["view"]) for t in table] == [(p["file"], next(x["view"] for x in rows if x["file"] == p["file"]))
                                                       for p in report["predictions"]]
    assert all(int(t["correct"]) == (t["true"] == t["predicted"]) for t in table)
    # each age band beside the age as the file gave it ('unknown' and '045Y' are not told apart by a band);
    # the view, unchanged by grouping, gets no second column
    given = {x["file"]: x["age"] for x in rows}
    assert [(t["age"], t["age as given"]) for t in table] == [
        ({"045Y": "40-59", "unknown": NOT_AN_AGE, "7": "0-17"}[given[t["file"]]], given[t["file"]]) for t in table]
    assert "view as given" not in table[0]
    # a MANIFEST column named like the new one: both kept, under two names
    _manifest(site, [{**x, "age as given": "x"} for x in rows])
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--by", "age,age as given",
                                          "--out", str(tmp_path / "r2"), "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    with open(tmp_path / "r2" / "predictions.csv", newline="", encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    assert {t["age as given"] for t in table} == {"x"} and [t["age as given (file)"] for t in table] == [
        given[t["file"]] for t in table]
    assert all(float(t[f"p_{t['predicted']}"]) == report["predictions"][k]["probabilities"][t["predicted"]]
               for k, t in enumerate(table))
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--by", "ward", "--quiet"])
    assert r.exit_code == 2 and "--by ward: not found" in r.output


def test_cxr_evaluate_refuses_too_many_groups_before_reading_a_film(tiny_run, tmp_path, monkeypatch):
    import train.scan
    from convert.evaluate_cli import evaluate_app

    site, n = tmp_path / "site", MAX_GROUPS + 10
    for k in range(n):  # never read: placeholders will do
        (site / ("COVID", "Normal")[k % 2]).mkdir(parents=True, exist_ok=True)
        (site / ("COVID", "Normal")[k % 2] / f"{k}.png").write_bytes(b"")
    _manifest(site, [{"file": p.relative_to(site).as_posix(), "ward": f"W{k}"}
                     for k, p in enumerate(sorted(site.glob("*/*.png")))])

    def no_reading(*args, **kwargs):
        raise AssertionError("a film was read before --by was refused")

    monkeypatch.setattr(train.scan, "scan", no_reading)
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--by", "ward", "--out",
                                          str(tmp_path / "r"), "--quiet"])
    assert r.exit_code == 2 and f"--by ward: {n} different values in MANIFEST.csv" in r.output, r.output


def test_missed_classes_advise_the_site_on_a_class_mostly_called_something_else(tmp_path):
    import numpy as np

    from convert.missed import missed_classes
    from convert.summary import summarize

    y = np.array([0] * 30 + [1] * 30 + [2] * 8)
    pred = np.array([0] * 27 + [1] * 3 + [0] * 26 + [1] * 4 + [0] * 8)  # class 1: 4 of 30; class 2: too few to judge
    probs = np.eye(3)[pred] * 0.8 + 0.2 / 3
    lines = missed_classes(summarize(y, probs, ["COVID", "Normal", "Other"], n_boot=10), ["COVID", "Normal", "Other"])
    assert len(lines) == 1
    assert lines[0].startswith("Normal films here were mostly called COVID: 4 of 30 films called Normal; "
                               "26 called COVID.")
    assert "If these films come from a hospital the model never saw" in lines[0] and "--add-data" in lines[0]
    from convert.report import evaluation_report

    out = Path(tmp_path) / "report"
    report = evaluation_report(out, "t", y, probs, ["COVID", "Normal", "Other"], [f"f{k}.png" for k in range(len(y))],
                               n_boot=10)
    assert report["missed_classes"] == lines and f"> {lines[0]}" in (out / "report.md").read_text()
    ok = np.eye(3)[y] * 0.8 + 0.2 / 3
    assert missed_classes(summarize(y, ok, ["COVID", "Normal", "Other"], n_boot=10), ["COVID", "Normal", "Other"]) == []
    # the model trained on other films of this folder: its source is not new to it, and the advice says so
    seen = missed_classes(summarize(y, probs, ["COVID", "Normal", "Other"], n_boot=10), ["COVID", "Normal", "Other"], 51)
    assert "trained or validated on 51 films of this folder" in seen[0] and "never saw" not in seen[0]
    # labels that follow a rule for the class they were mostly given: the rule comes first
    rule = missed_classes(summarize(y, probs, ["COVID", "Normal", "Other"], n_boot=10, rule=(0, 0.15)),
                          ["COVID", "Normal", "Other"], 51, (0, 0.15))
    assert "These labels follow the rule COVID>=0.15" in rule[0] and "--most-probable" in rule[0]
    report = evaluation_report(out, "t", y, probs, ["COVID", "Normal", "Other"], [f"f{k}.png" for k in range(len(y))],
                               n_boot=10, threshold=(0, 0.15), extra={"seen_in_training": {"films": 51, "split": "x", "train": 40, "val": 11,
                                                                    "left_out": True}})
    assert report["missed_classes"] == rule
    # a rule for the missed class itself, set above its films' probabilities (a helper's COVID=0.75: 70% -> 32%):
    # the rule comes first too, not a hospital the model never saw
    own = missed_classes(summarize(y, probs, ["COVID", "Normal", "Other"], n_boot=10, rule=(1, 0.95)),
                         ["COVID", "Normal", "Other"], 0, (1, 0.95))
    assert own and own[0].startswith("Normal films here were mostly called")
    assert "a Normal film is called Normal only when its Normal probability reaches 0.95" in own[0]
    assert "never saw" not in own[0] and "--most-probable" in own[0]
    # a rule that gives its class more often than the most probable class does (COVID=0.3 on two classes, 0.3 of
    # three) is no suspect for that class's films called something else: the most probable class misses them too
    for low, k in ((0.3, 1), (1 / 3, 1)):
        easier = missed_classes(summarize(y, probs, ["COVID", "Normal", "Other"], n_boot=10, rule=(k, low)),
                                ["COVID", "Normal", "Other"], 0, (k, low))
        assert "comes first" not in easier[0] and "never saw" in easier[0]
    # nor one for the class they were given set at or above 0.5: it gives that class only where it is most probable
    above = missed_classes(summarize(y, probs, ["COVID", "Normal", "Other"], n_boot=10, rule=(0, 0.5)),
                           ["COVID", "Normal", "Other"], 0, (0, 0.5))
    assert "comes first" not in above[0] and "never saw" in above[0]
    # every film of a source it trained on (internal validation): the model has not learnt its own archives, and
    # a new site's films, the advice for a hospital it never saw, would not mend that
    internal = missed_classes(summarize(y, probs, ["COVID", "Normal", "Other"], n_boot=10), ["COVID", "Normal", "Other"],
                              design="internal")
    assert "Every film here comes from a source the model was trained on" in internal[0]
    assert "never saw" not in internal[0] and "--add-data" not in internal[0]
    assert "never saw" in missed_classes(summarize(y, probs, ["COVID", "Normal", "Other"], n_boot=10),
                                         ["COVID", "Normal", "Other"], design="external")[0]


def _held_out_misses() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """After --holdout-source hannover, the data folder less the films the model learnt from: 20 Hannover COVID
    films (16 called Normal), 8 COVID and 30 Normal test films of the source it trained on (1 COVID missed)."""
    y = np.array([0] * 28 + [1] * 30)
    pred = np.array([1] * 16 + [0] * 4 + [1] + [0] * 7 + [1] * 30)
    return y, np.eye(2)[pred] * 0.8 + 0.1, ["hannover"] * 20 + ["kaggle"] * 38


def test_a_class_missed_on_the_held_out_source_gets_the_new_hospital_advice(tmp_path):
    """The report told the user that missed films' "source is not new to it" because the model had trained on other
    films of the folder, when 16 of its 17 missed COVID films were the held-out hospital's."""
    from convert.report import evaluation_report
    from convert.study_design import evaluation_design

    y, probs, sources = _held_out_misses()
    design = evaluation_design({"films": 102, "unnamed": 0, "sources": {"kaggle": 102}, "more": 0}, sources, 102)
    seen = {"films": 102, "split": "x", "train": 85, "val": 17, "left_out": True}
    report = evaluation_report(Path(tmp_path) / "r", "t", y, probs, ["COVID", "Normal"],
                               [f"f{k}.png" for k in range(len(y))], sources, n_boot=10,
                               extra={"seen_in_training": seen, "study_design": design})
    (line,) = report["missed_classes"]
    assert line.startswith("COVID films here were mostly called Normal: 11 of 28 films called COVID; 17 called Normal. "
                           "16 of the 17 missed films come from a source the model was never trained on (hannover: 16): "
                           "for them, this is what a model trained on public archives does at a hospital it never saw: "
                           "train with some of that site's films, of every class (cxr-train --data ... --add-data FOLDER)")
    assert line.endswith("The other 1 names a source it was trained on, or none, and the model was trained or validated "
                         "on 102 films of this folder (left out or marked above): it may differ from its training films "
                         "in device, view or patients, or in their labels; check a few, and train with more such films "
                         "of every class.")
    assert f"> {line}" in (Path(tmp_path) / "r" / "report.md").read_text()


def test_missed_films_are_judged_by_their_sources():
    from convert.missed import missed_classes, misses_from_new_sources
    from convert.summary import summarize

    y, probs, sources = _held_out_misses()
    pred = probs.argmax(1)
    trained = {"sources": {"Kaggle ": 102}}  # a source's name as another spelling of it gives it
    assert misses_from_new_sources(y, pred, sources, trained) == {0: {"hannover": 16}}
    assert misses_from_new_sources(y, pred, sources, None) == {}  # no record of its sources: none can be told new
    assert misses_from_new_sources(y, pred, [""] * len(y), trained) == {}  # films naming no source
    s = summarize(y, probs, ["COVID", "Normal"], n_boot=10)
    # every missed film from sources it never trained on: that advice alone, with the counts by source
    y2, p2 = y[:20], probs[:20]
    (alone,) = missed_classes(summarize(y2, p2, ["COVID", "Normal"], n_boot=10), ["COVID", "Normal"], 102,
                              design="mixed", new_misses=misses_from_new_sources(y2, p2.argmax(1), sources[:20], trained))
    assert "All 16 missed films come from a source the model was never trained on (hannover: 16): this is what" in alone
    assert "not new" not in alone and "The other" not in alone
    two = {0: {"site-b": 2, "hannover": 9, "site-a": 2, "site-c": 1}}
    (line,) = missed_classes(s, ["COVID", "Normal"], new_misses=two)
    assert "14 of the 17 missed films come from sources the model was never trained on (hannover: 9, site-a: 2, " \
           "site-b: 2 and 1 more source): for them" in line  # not '1 more sources'
    assert "The other 3 name a source it was trained on, or none: they may differ" in line
    # no missed film from a new source: the advice as before
    (same,) = missed_classes(s, ["COVID", "Normal"], 102, new_misses={1: {"x": 3}})
    assert "its source is not new to it" in same and "never saw" not in same


def test_missed_classes_say_mostly_only_for_a_majority_and_give_the_counts():
    """13 of 30 called COVID is the commonest wrong answer, not most of them (the reviewer's case)."""
    from convert.missed import missed_classes
    from convert.summary import summarize

    classes = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    y = np.array([1] * 30 + [0] * 10 + [2] * 10 + [3] * 10)
    pred = np.array([1] * 5 + [0] * 13 + [2] * 8 + [3] * 4 + [0] * 10 + [2] * 10 + [3] * 10)
    lines = missed_classes(summarize(y, np.eye(4)[pred] * 0.8 + 0.05, classes, n_boot=10), classes)
    assert len(lines) == 1 and "mostly" not in lines[0]
    assert lines[0].startswith("Lung_Opacity: 5 of 30 films called Lung_Opacity; 13 called COVID, 8 called Normal, "
                               "4 called Viral_Pneumonia.")
    assert "a hospital it never saw" not in lines[0] and "If these films come from a hospital" in lines[0]


def _two_sites(classes: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Site A: 40 COVID films, 24 found; site B: 40 COVID films, 24 found, and 40 Normal films, all found.
    Overall COVID sensitivity 60%, balanced accuracy 80%."""
    y = np.array([0] * 40 + [0] * 40 + [1] * 40)
    pred = np.array([0] * 24 + [1] * 16 + [0] * 24 + [1] * 16 + [1] * 40)
    return y, np.eye(2)[pred] * 0.8 + 0.1, ["A"] * 40 + ["B"] * 80


def test_a_group_of_one_class_shows_its_sensitivity_and_is_held_against_that_class():
    """Site A's 60% is COVID sensitivity, equal to the overall COVID sensitivity: not below the
    overall balanced accuracy of 80%, which averages in the Normal films it does not have."""
    from convert.subgroups import per_source, per_source_section
    from convert.summary import summarize

    classes = ["COVID", "Normal"]
    y, probs, sites = _two_sites(classes)
    overall = summarize(y, probs, classes, n_boot=100)
    groups = per_source(y, probs, classes, sites, n_boot=100)
    assert groups["A"]["classes_present"] == ["COVID"] and groups["B"]["classes_present"] == classes
    assert below_overall(groups, overall) == []
    section = subgroup_section("site", groups, overall, classes)
    rows = {ln.split("|")[1].strip(): ln for ln in section if ln.startswith("| ")}
    assert "| A | 40 | COVID sensitivity 60.0 (" in rows["A"] and "below" not in rows["A"]
    assert "| A | 40 | COVID sensitivity 60.0 (" in "\n".join(per_source_section(groups, classes))
    worse = probs.copy()  # site A finds 8 of its 40 instead: wholly below the overall COVID sensitivity
    worse[8:40] = [0.1, 0.9]
    overall = summarize(y, worse, classes, n_boot=100)
    assert below_overall(per_source(y, worse, classes, sites, n_boot=100), overall) == ["A"]
    # a site of one class (its confirmed cases): the heading and the overall figure say sensitivity
    covid = y == 0
    site = per_source(y[covid], probs[covid], classes, list(np.array(sites)[covid]), n_boot=100)
    overall = summarize(y[covid], probs[covid], classes, n_boot=100)
    section = "\n".join(subgroup_section("site", site, overall, classes))
    assert "| group | n | COVID sensitivity % (95% CI) |" in section and "overall COVID sensitivity 60.0" in section
    assert "balanced accuracy" not in section.split("| group |")[1]
    # the same figure again in a "COVID sens. %" column, beside a "Normal sens. %" of n/a (hunt 58, nits)
    table = [ln for ln in per_source_section(site, classes) if ln.startswith("| ")][:2]
    assert table[0] == "| source | n | COVID sensitivity % (95% CI) | note |" and "sens. %" not in section
    assert table[1].startswith("| A | 40 | COVID sensitivity 60.0 (") and table[1].count("|") == 5


def test_the_per_source_table_marks_sources_below_and_too_small_as_by_groups_are():
    """A model that learnt the hospital shows it in the per-source table: the source is marked, and
    named to the caller (per_source's below_overall, as report.json's per_source gives it)."""
    from convert.subgroups import per_source, per_source_section
    from convert.summary import summarize

    classes = ["COVID", "Normal"]
    y, probs, sites = _two_sites(classes)
    probs[8:40] = [0.1, 0.9]  # site A: 8 of 40 COVID films found
    y, probs, sites = np.r_[y, 0, 1], np.r_[probs, [[0.9, 0.1], [0.1, 0.9]]], sites + ["C", "C"]  # C: 2 films
    by = per_source(y, probs, classes, sites, n_boot=100)
    assert [s for s, v in by.items() if v["below_overall"]] == ["A"] == below_overall(by)
    assert below_overall(by) == below_overall(by, summarize(y, probs, classes, n_boot=100))  # is_below, reused
    section = per_source_section(by, classes)
    section = section[:next(k for k, ln in enumerate(section) if ln.startswith("Answers"))]  # the figures' table
    rows = {ln.split("|")[1].strip(): ln for ln in section if ln.startswith("| ")}
    assert rows["source"].rstrip().endswith("| note |")
    assert rows["A"].endswith("| **below** |") and rows["B"].endswith("|  |") and rows["C"].endswith("| too few films |")
    many = per_source(np.tile(y[:120], 12), np.tile(probs[:120], (12, 1)), classes,
                      [f"S{k}" for k in range(12) for _ in range(120)], n_boot=100)
    # each group and each of its two classes (80 and 40 films) is a test: 36, not the 12 groups alone
    assert ("With 12 groups of 20 films or more (36 tests: each group, and each class of 20 films or more in a group of "
            "several classes), about 0.9 marks (**below** or **C below**) would be made by chance alone") in "\n".join(
        per_source_section(many, classes))


def test_a_site_whose_covid_films_are_missed_is_marked_even_where_its_balanced_accuracy_is_not():
    """Site B finds 12 of its 20 COVID films and every other film, site A all its COVID films but a third of
    its Normal ones: B's balanced accuracy is no worse than the overall figure, its COVID sensitivity is."""
    from convert.subgroups import below_overall, note, per_source

    classes = ["COVID", "Normal", "Viral", "Other"]
    y = np.array([0] * 60 + [1] * 30 + [2] * 30 + [3] * 30 + [0] * 20 + [1] * 30 + [2] * 30 + [3] * 30)
    pred = y.copy()
    pred[60:70] = 0  # 10 of site A's Normal films called COVID
    pred[150:158] = 1  # 8 of site B's 20 COVID films called Normal
    sources = ["A"] * 150 + ["B"] * 110
    groups = per_source(y, np.eye(4)[pred] * 0.8 + 0.05, classes, sources, n_boot=200)
    assert groups["B"]["below_overall"] is False and groups["B"]["classes_below"] == ["COVID"]
    assert note(groups["B"]) == "**COVID below**"
    assert groups["A"]["classes_below"] == ["Normal"] and "**Normal below**" in note(groups["A"])
    assert below_overall(groups) == []  # neither group's own figure is below: a class of each is


def test_a_group_where_only_a_class_is_below_is_not_called_wholly_below(tmp_path, capsys):
    """A site whose balanced accuracy is at the overall figure but whose COVID films are missed: the
    terminal said 'B: wholly below the same figure over all films', and report.json's list
    ``below_overall`` named B where B's own ``below_overall`` was false."""
    import json

    from convert.evaluate_lines import closing_lines
    from convert.report import evaluation_report

    classes = ["COVID", "Normal", "Viral", "Other"]
    y = np.array([0] * 60 + [1] * 30 + [2] * 30 + [3] * 30 + [0] * 20 + [1] * 30 + [2] * 30 + [3] * 30)
    pred = y.copy()
    pred[60:70] = 0
    pred[150:158] = 1
    sites = ["A"] * 150 + ["B"] * 110
    report = evaluation_report(tmp_path, "t", y, np.eye(4)[pred] * 0.8 + 0.05, classes,
                               [f"f{k}.png" for k in range(len(y))], sources=sites, n_boot=200,
                               subgroups={"site": sites})
    sub = json.loads((tmp_path / "report.json").read_text())["subgroups"]["site"]
    assert sub["below_overall"] == [] and sub["classes_below"] == {"A": ["Normal"], "B": ["COVID"]}
    assert not any(g["below_overall"] for g in sub["groups"].values())
    closing_lines(report, {}, classes, None)
    err = capsys.readouterr().err
    assert "wholly below the same figure" not in err
    assert ("by site, A: Normal sensitivity wholly below Normal's over all films; B: COVID sensitivity wholly below "
            "COVID's over all films (report.md, \"By site\")") in err
    assert "per source, A: Normal sensitivity wholly below Normal's over all films; B: COVID" in err


def test_a_source_whose_films_all_got_one_answer_is_marked():
    """cxr-dev's 120 children's Normal films were all called Normal: right, yet the mark of a model
    that reads the film's origin; a clinician must see it beside the figures, not infer it."""
    from convert.subgroups import ONE_ANSWER_FILMS, answers_by_source

    per_source = {"kermany": {"confusion_matrix": [[0, 0], [0, 120]]},
                  "hospital-a": {"confusion_matrix": [[40, 8], [5, 60]]},
                  "small": {"confusion_matrix": [[ONE_ANSWER_FILMS - 1, 0], [0, 0]]}}
    md = "\n".join(answers_by_source(per_source, ["COVID", "Normal"]))
    assert "| kermany | Normal | 120 | 0 | 120 | **one answer for all** |" in md
    assert "| hospital-a | COVID | 48 | 40 | 8 |  |" in md and "| small | COVID | 19 | 19 | 0 |  |" in md
    assert "**One answer for all** the films of kermany: right or wrong" in md
    assert "One answer for all" not in "\n".join(answers_by_source({"hospital-a": per_source["hospital-a"]},
                                                                   ["COVID", "Normal"]))
    # all 28 COVID films right while the source's Normal films got both answers: told apart within the source
    both = {"rtchanon": {"confusion_matrix": [[28, 0], [5, 15]]}, "odd": {"confusion_matrix": [[0, 25], [0, 30]]}}
    md = "\n".join(answers_by_source(both, ["COVID", "Normal"]))
    assert "| rtchanon | COVID | 28 | 28 | 0 |  |" in md
    assert "| odd | COVID | 25 | 0 | 25 | **one answer for all** |" in md  # all wrong, and all one answer


def test_one_answer_for_every_film_of_every_source_blames_no_source():
    """A model that called every film COVID got 'One answer for all the films of rtchanon: ... may be reading where the
    film comes from' for each source: a model that answers alike for all sources shows nothing of the kind."""
    from convert.subgroups import answers_by_source

    every = {"rtchanon": {"confusion_matrix": [[20, 0], [25, 0]]}, "kermany": {"confusion_matrix": [[0, 0], [30, 0]]}}
    md = "\n".join(answers_by_source(every, ["COVID", "Normal"]))
    assert "| kermany | Normal | 30 | 30 | 0 | **one answer for all** |" in md  # the table still says what it saw
    assert "the films of rtchanon" not in md and "reading where the film comes from" not in md
    assert "**One answer for all** the films here, of every source: the model gave every film COVID" in md
    # one source alone given one answer, another source both: that source is named, as before
    some = {**every, "other": {"confusion_matrix": [[5, 3], [2, 6]]}}
    assert "**One answer for all** the films of rtchanon, kermany: right or wrong" in "\n".join(
        answers_by_source(some, ["COVID", "Normal"]))


def test_films_without_a_source_and_films_of_source_unknown_are_one_group_not_lost():
    """A blank source and one written '(not given)' grouped apart under one key: the second replaced the
    first's films, and the table added up to 73 of 122 films."""
    from convert.subgroups import per_source

    y = np.array([0, 1] * 6)
    probs = np.eye(2)[y] * 0.8 + 0.1
    sources = ["", "(not given)", " ", "(not given)", "a", "a"] * 2
    groups = per_source(y, probs, ["COVID", "Normal"], sources, n_boot=0)
    assert sorted(groups) == ["(not given)", "a"] and sum(g["n"] for g in groups.values()) == len(y)


def test_films_without_a_source_go_by_one_name_and_the_warning_matches_the_table(tmp_path):
    """Films of a blank source were '(unknown)' in the per-source table, '(not given)' under --by source and
    in cxr-compare, blank in predictions.csv; and stderr said 'no per-source figures for them' above a
    table row of exactly those films."""
    from train.data import Item
    from train.film_sources import attach_sources
    from convert.report import evaluation_report

    files = [f"{c}/{k}.png" for c in ("COVID", "Normal") for k in range(20)]
    _manifest(tmp_path, [{"file": f, "source": "site" if k % 2 else ""} for k, f in enumerate(files[:-2])])
    items = [Item(f, f.split("/")[0]) for f in files]
    said: list[str] = []
    attach_sources(items, tmp_path, said.append)
    assert any("2 of the 40 films" in w and "source is (not given): one group in the per-source figures" in w
               for w in said) and any("whose source is blank" in w and "source is (not given)" in w for w in said)
    assert not any("no per-source figures" in w for w in said), said
    y = np.array([0] * 20 + [1] * 20)
    sources = [i.source for i in items]
    evaluation_report(tmp_path / "r", "t", y, np.eye(2)[y] * 0.8 + 0.1, ["COVID", "Normal"], files, sources=sources,
                      n_boot=0)
    assert "| (not given) | 21 |" in __import__("re").sub(" +", " ", (tmp_path / "r" / "report.md").read_text())
    with open(tmp_path / "r" / "predictions.csv", encoding="utf-8-sig") as f:
        assert [r["source"] for r in csv.DictReader(f)] == [s or MISSING for s in sources]


def test_a_by_column_named_as_a_predictions_column_gets_a_header_of_its_own(tmp_path):
    """--by correct (a reader study's verdict) wrote a second 'correct' column to predictions.csv, and a
    spreadsheet or csv.DictReader took the manifest's yes/no for the model's 0/1."""
    from convert.report import evaluation_report

    y = np.array([0, 1] * 10)
    files = [f"f{k}.png" for k in range(20)]
    said = ["yes" if k % 3 else "no" for k in range(20)]
    evaluation_report(tmp_path, "t", y, np.eye(2)[y] * 0.8 + 0.1, ["COVID", "Normal"], files, n_boot=0,
                      subgroups={"correct": said, "true": ["x"] * 20, "p_COVID": ["y"] * 20})
    with open(tmp_path / "predictions.csv", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
        f.seek(0)
        rows = list(csv.DictReader(f))
    assert len(header) == len(set(header)) and header[-3:] == ["correct (MANIFEST)", "true (MANIFEST)",
                                                             "p_COVID (MANIFEST)"]
    assert [r["correct"] for r in rows] == ["1"] * 20 and [r["correct (MANIFEST)"] for r in rows] == said
    assert {r["true"] for r in rows} == {"COVID", "Normal"}


def test_spellings_of_one_value_are_one_group(tmp_path, capsys):
    """'M', 'm' and a composed and a decomposed 'Süd' were groups of their own: 22 films of one sex in
    three rows too small to mark, where one row of 22 was below."""
    import unicodedata

    sud = "Chirurgie-Süd"
    rows = [{"file": f"A/{k}.png", "sex": s, "ward": unicodedata.normalize(form, sud)}
            for k, (s, form) in enumerate([("M", "NFC"), ("m", "NFD"), ("M", "NFC"), ("F", "NFD"), ("f", "NFD")])]
    _manifest(tmp_path, rows)
    g = group_values(tmp_path, [r["file"] for r in rows], ["sex", "ward"])
    assert g["sex"] == ["M", "M", "M", "F", "F"]  # named by its most common spelling (a tie: the first seen)
    assert len(set(g["ward"])) == 1 and unicodedata.normalize("NFC", g["ward"][0]) == sud
    err = capsys.readouterr().err
    assert "--by sex: 'M', 'm' counted as one group ('M')" in err and "--by ward: " in err
    # a sex written in words, or in another language, is the same sex: 'male' and 'M' were two rows
    rows = [{"file": f"B/{k}.png", "sex": v} for k, v in enumerate(["M", "male", "Male", "männlich", "W", "female", "F", "O", ""])]
    _manifest(tmp_path, rows)
    g = group_values(tmp_path, [r["file"] for r in rows], ["sex"])
    assert g["sex"][:7] == ["M"] * 4 + ["F"] * 3 and g["sex"][7] == "O"
    assert "counted as one group ('M'): they name one sex" in capsys.readouterr().err
    ward = [{"file": f"C/{k}.png", "ward": v} for k, v in enumerate(["W", "f"])]  # not a sex column: left as written
    _manifest(tmp_path, ward)
    assert group_values(tmp_path, [r["file"] for r in ward], ["ward"])["ward"] == ["W", "f"]


def test_each_source_is_counted_under_the_rule_its_overall_figure_uses():
    """COVID films at p(COVID) 0.30-0.45 under a stored rule COVID >= 0.25: the rule finds every one, the most
    probable class none. Each site's figures were the most probable class's, held against the rule's overall
    figure: every site's COVID films 'missed', every site marked below."""
    from convert.subgroups import per_source
    from convert.summary import summarize

    classes = ["COVID", "Normal"]
    y = np.array([0] * 30 + [1] * 30)
    p_covid = np.r_[np.linspace(0.30, 0.45, 30), np.linspace(0.02, 0.2, 30)]
    probs = np.stack([p_covid, 1 - p_covid], 1)
    sites = ["site-1", "site-2"] * 30
    groups = per_source(y, probs, classes, sites, n_boot=0, rule=(0, 0.25))
    for name, s in groups.items():
        m = np.array(sites) == name
        assert s["per_class"][0]["sensitivity"] == 1.0
        assert s["balanced_accuracy"] == summarize(y[m], probs[m], classes, n_boot=0, rule=(0, 0.25))["balanced_accuracy"]
    assert not any(s["below_overall"] for s in groups.values())


def test_every_class_with_missed_films_says_where_they_went_near_the_top_of_report_md(tmp_path):
    """cxr-evaluate said where a class's films went only for a class mostly missed: run4b's COVID films, 15 of 30
    called Normal, got words, a class losing a fifth of its films to Normal got none (hunt 58 reader2, M4). Every other
    class with misses now gets them, compactly, beside the 'mostly called' notes and above the tables."""
    from convert.report import evaluation_report

    classes = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    cm = np.array([[13, 1, 15, 1], [24, 4, 1, 1], [5, 1, 18, 6], [0, 0, 0, 30]])
    y = np.repeat(np.arange(4), cm.sum(axis=1))
    pred = np.concatenate([np.repeat(np.arange(4), row) for row in cm])
    report = evaluation_report(tmp_path / "ev", "m on s4", y, np.eye(4)[pred] * 0.8 + 0.05, classes,
                               [f"{classes[k]}/{i}.png" for i, k in enumerate(y)], n_boot=10)
    md = (tmp_path / "ev" / "report.md").read_text(encoding="utf-8")
    top = md[:md.index("## Per class")]
    assert "> COVID: 13 of 30 films called COVID; 15 called Normal" in top  # mostly missed: its advice line, as before
    assert ("Where the other classes' missed films went: Normal films called another class: 12 of 30 (called Viral_Pneumonia "
            "6, COVID 5, Lung_Opacity 1).") in top
    assert report["misses"] == ["Normal films called another class: 12 of 30 (called Viral_Pneumonia 6, COVID 5, "
                                "Lung_Opacity 1)"]
    assert "COVID films missed" not in md and "Viral_Pneumonia films missed" not in md  # said once; none missed
    from convert.missed import misses_lines

    assert misses_lines(cm.tolist(), classes) == [
        "COVID films missed: 17 of 30 (called Normal 15, Lung_Opacity 1, Viral_Pneumonia 1)",
        "Lung_Opacity films missed: 26 of 30 (called COVID 24, Normal 1, Viral_Pneumonia 1)",
        "Normal films called another class: 12 of 30 (called Viral_Pneumonia 6, COVID 5, Lung_Opacity 1)"]
    assert misses_lines([[8, 3], [1, 10]], ["COVID", "Normal"]) == []  # its sensitivity says it


def test_by_the_source_column_refers_to_the_per_source_table_instead_of_printing_it_twice(tmp_path):
    """`--by source_repo` (MANIFEST.csv's source column) printed the "Per source" table again word for word under "By
    source_repo" (hunt 58 reader2, L5): one table, and the other section refers to it; a column of other groups keeps
    its own table."""
    from convert.report import evaluation_report
    from tests.conftest import unpadded

    classes = ["COVID", "Normal", "Viral"]
    y = np.repeat(np.arange(3), 30)
    pred = y.copy()
    pred[:6] = 1
    sites = ["A", "B"] * 45
    evaluation_report(tmp_path / "ev", "t", y, np.eye(3)[pred] * 0.8 + 0.05, classes, [f"f{k}.png" for k in range(90)],
                      sources=sites, n_boot=20, subgroups={"source_repo": sites, "ward": ["x"] * 45 + ["y"] * 45})
    md = unpadded((tmp_path / "ev" / "report.md").read_text(encoding="utf-8"))
    assert md.count("| A | 45 |") == 1 and "## Per source" in md, md
    by = md[md.index("## By source_repo"):md.index("## By ward")]
    assert "The same groups, with the same figures and marks, as the \"Per source\" table above" in by
    assert "| x | 45 |" in md[md.index("## By ward"):]  # another column: its own table


def test_each_class_sensitivity_in_a_group_gives_the_films_behind_it():
    """A group's class cell read '50.0 (9.5–90.5)' alone: in a group of 8 films a reader could not tell 1 of 2 from
    2 of 4 but by inverting the interval (hunt 59, finding 3); the operating-point table says '5 of 8'."""
    from convert.subgroups import per_source, per_source_section
    from convert.summary import summarize

    classes = ["COVID", "Normal", "Viral"]
    y = np.array([0, 0, 1, 1, 1, 1, 2, 2] + [0] * 4 + [1] * 4)
    probs = np.eye(3)[y] * 0.7 + 0.1
    probs[0] = probs[6] = [0.1, 0.8, 0.1]  # one COVID and one Viral film of site 1 called Normal
    groups = per_source(y, probs, classes, ["site 1"] * 8 + ["site 2"] * 8, n_boot=50)
    rows = {ln.split("|")[1].strip(): ln for ln in subgroup_section("site", groups, summarize(y, probs, classes, n_boot=50),
                                                                     classes) if ln.startswith("| site ")}
    assert "| 50.0 (9.5–90.5), 1 of 2 | 100.0 (51.0–100.0), 4 of 4 | 50.0 (9.5–90.5), 1 of 2 |" in rows["site 1"]
    assert "| 100.0 (51.0–100.0), 4 of 4 | n/a |" in rows["site 2"]  # no Viral film there: no '0 of 0'
    assert "1 of 2 |" in "\n".join(per_source_section(groups, classes))  # the per-source table alike


def test_groups_are_in_natural_order_numbers_as_numbers():
    """Groups were sorted as text, 'site 1, site 10, site 11, site 2' (hunt 59, nits): in --by and per-source tables and
    in cxr-compare's, site 2 comes before site 10."""
    from convert.compare import by_group
    from convert.subgroups import per_source

    sites = ["site 10", "site 2", "site 1", "site 11", "ward b", "ward a"] * 2
    y = np.arange(12) % 2
    probs = np.eye(2)[y] * 0.8 + 0.1
    order = ["site 1", "site 2", "site 10", "site 11", "ward a", "ward b"]
    assert list(per_source(y, probs, ["COVID", "Normal"], sites, n_boot=10)) == order
    assert list(by_group(y, y, 1 - y, ["COVID", "Normal"], sites, n_boot=10)) == order


def test_a_by_source_column_keeps_the_films_own_source_column_beside_it(tmp_path):
    """--by source replaced predictions.csv's own source column with its groups: a film whose MANIFEST.csv row gave
    only source_repo (train.film_sources.attach_sources takes it) lost its source there, '(not given)' in its place."""
    from convert.report import evaluation_report

    y = np.array([0, 1] * 10)
    files = [f"f{k}.png" for k in range(20)]
    sources = ["repo_a" if k < 5 else "site_b" for k in range(20)]  # the first 5: source blank, source_repo repo_a
    grouped = [MISSING if k < 5 else "site_b" for k in range(20)]
    evaluation_report(tmp_path, "t", y, np.eye(2)[y] * 0.8 + 0.1, ["COVID", "Normal"], files, sources=sources,
                      n_boot=0, subgroups={"source": grouped})
    with open(tmp_path / "predictions.csv", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
        f.seek(0)
        rows = list(csv.DictReader(f))
    assert len(header) == len(set(header)) and "source (MANIFEST)" in header
    assert [r["source"] for r in rows] == sources and [r["source (MANIFEST)"] for r in rows] == grouped


def test_the_by_table_says_its_marks_are_unadjusted_with_fewer_than_10_groups_too():
    """With 3 wards of 2 classes (9 tests) no count of chance marks is given (that needs 10 groups), and the table
    said nothing of its 95% intervals being unadjusted for how many groups and classes it marks (H51)."""
    from convert.subgroups import per_source, subgroup_section

    y = np.array([0, 1] * 45)
    probs = np.eye(2)[y] * 0.8 + 0.1
    groups = per_source(y, probs, ["COVID", "Normal"], ["w1"] * 30 + ["w2"] * 30 + ["w3"] * 30, 20)
    overall = per_source(y, probs, ["COVID", "Normal"], ["all"] * 90, 0)["all"]
    text = " ".join(subgroup_section("ward", groups, overall, ["COVID", "Normal"]))
    assert "would be made by chance alone" not in text  # by_chance counts them from 10 groups only
    assert "unadjusted for how many are made: a mark is a lead, not a finding" in text
