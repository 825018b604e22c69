"""train.manifest: MANIFEST.csv as Excel and scripts save it (a byte-order mark, Latin-1, UTF-16,
semicolons or tabs), and a clear error, not silence, when it has no file column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from train.data import DataError
from train.discovery import discover
from train.manifest import ManifestError, read_manifest
from train.synthetic import render


def two_classes(root: Path) -> None:
    for label in ("COVID", "Normal"):
        (root / label).mkdir(parents=True)
        for k in range(2):
            Image.fromarray(render(label, np.random.default_rng(k), (64, 64))).save(root / label / f"{k}.png")


ROWS = [("file", "label", "source"), ("COVID/0.png", "COVID", "site1"), ("COVID/1.png", "COVID", "Hôpital Nord"),
        ("Normal/0.png", "Normal", "site1"), ("Normal/1.png", "Normal", "site2")]


def write(root: Path, delimiter: str = ",", encoding: str = "utf-8", newline: str = "\n",
          rows: list[tuple[str, ...]] = ROWS) -> None:
    text = newline.join(delimiter.join(r) for r in rows) + newline
    (root / "MANIFEST.csv").write_bytes(text.encode(encoding))


def sources(root: Path) -> dict[str, str]:
    items, _, _ = discover(root)
    return {i.path: i.source for i in items}


WANT = {"COVID/0.png": "site1", "COVID/1.png": "Hôpital Nord", "Normal/0.png": "site1", "Normal/1.png": "site2"}


@pytest.mark.parametrize("delimiter,encoding,newline", [
    (",", "utf-8", "\n"),         # as a script writes it
    (",", "utf-8-sig", "\r\n"),   # Excel's "CSV UTF-8": a byte-order mark before 'file'
    (";", "utf-8-sig", "\r\n"),   # Excel where the decimal mark is a comma
    (";", "cp1252", "\r\n"),      # Excel's plain "CSV" on Windows: code page 1252 (é is byte 0xe9)
    (",", "latin-1", "\n"),
    ("\t", "utf-16", "\r\n"),     # Excel's "Unicode text"
])
def test_sources_are_read_as_excel_and_scripts_save_them(tmp_path, delimiter, encoding, newline):
    two_classes(tmp_path)
    write(tmp_path, delimiter, encoding, newline)
    assert sources(tmp_path) == WANT


def test_a_manifest_without_a_file_column_is_a_clear_error(tmp_path):
    two_classes(tmp_path)
    write(tmp_path, rows=[("path", "source"), ("COVID/0.png", "site1")])
    with pytest.raises(DataError, match=r"MANIFEST.csv has no 'file' column \(its columns: 'path', 'source'\)"):
        discover(tmp_path)


def test_columns_and_rows_by_file(tmp_path):
    assert read_manifest(tmp_path) == ([], {})  # no MANIFEST.csv: nothing, and no error
    write(tmp_path, delimiter=";", rows=[(" File ", "view", "PatientAge"), ("COVID\\0.png", " PA ", "34"),
                                         ("", "AP", "50"), ("Normal/1.png", "AP")])
    columns, rows = read_manifest(tmp_path)
    assert columns == ["File", "view", "PatientAge"]
    assert rows == {"COVID/0.png": {"File": "COVID/0.png", "view": "PA", "PatientAge": "34"},
                    "Normal/1.png": {"File": "Normal/1.png", "view": "AP"}}  # keyed by their path, with / for \\
    assert rows.get("covid\\0.png") is rows["COVID/0.png"] and rows.get("Normal/2.png") is None  # another case: found
    write(tmp_path, rows=[("name",)])
    with pytest.raises(ManifestError, match="no 'file' column"):
        read_manifest(tmp_path)


def test_a_manifest_saved_on_windows_or_macos_is_matched_and_films_without_a_row_are_said(tmp_path):
    import unicodedata

    two_classes(tmp_path)
    (tmp_path / "Normal" / "1.png").rename(tmp_path / "Normal" / unicodedata.normalize("NFD", "Zoé.png"))
    # saved as manifest.csv, with another case of the folders and the composed é that Excel writes
    rows = [("file", "source"), ("covid/0.png", "site1"), ("Covid/1.png", "Hôpital Nord"), ("NORMAL/0.png", "site1"),
            ("Normal/" + unicodedata.normalize("NFC", "Zoé.png"), "site2")]
    (tmp_path / "manifest.csv").write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    said = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert [i.source for i in items] == ["site1", "Hôpital Nord", "site1", "site2"] and said == []
    # a row for a film that is not there, and a film without a row: both said, in one line
    (tmp_path / "manifest.csv").write_text("file,source\nCOVID/0.png,a\nCOVID/1.png,b\nNormal/0.png,c\n"
                                           "Normal/2.png,d\n", encoding="utf-8")
    items, _, _ = discover(tmp_path, log=said.append)
    assert [i.source for i in items] == ["a", "b", "c", ""]
    assert len(said) == 2 and said[1].startswith("warning: 1 of the 4 films in ") and "has no row" in said[1]
    assert "(e.g. Normal/Zo" in said[1] and "1 row of" in said[0] and "names no film found there (e.g. Normal/2.png)" in said[0]
    # --classes leaves a class out: its rows are no strays, and its films need none
    items, _, _ = discover(tmp_path, classes=["COVID"], min_classes=1, log=said.append)
    assert len(said) == 2 and [i.source for i in items] == ["a", "b"]
    # rows naming films that are gone, with every film that is there listed: a copy that lost films
    said.clear()
    (tmp_path / "Normal" / unicodedata.normalize("NFD", "Zoé.png")).unlink()
    items, _, _ = discover(tmp_path, log=said.append)
    assert len(said) == 1 and "1 row of" in said[0] and "Normal/2.png" in said[0] and "deleted, moved" in said[0]


def test_a_label_column_that_contradicts_the_class_folder_is_said(tmp_path):
    two_classes(tmp_path)
    write(tmp_path, rows=[("file", "Label", "source"), ("COVID/0.png", "COVID-19", "a"), ("COVID/1.png", "Normal", "a"),
                          ("Normal/0.png", "normal", "b"), ("Normal/1.png", "", "b")])
    said = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert [i.label for i in items] == ["COVID", "COVID", "Normal", "Normal"]  # the folder decides
    assert said == [f"warning: for 1 film in {tmp_path} the label in MANIFEST.csv is not its class folder's "
                    "(e.g. COVID/1.png: Normal); the folder decides the class: check which is right"]


@pytest.mark.parametrize("column", ["Source", "SOURCE", "Source_Repo"])
def test_the_source_column_is_found_whatever_its_case(tmp_path, column):
    two_classes(tmp_path)
    write(tmp_path, rows=[("File", "Label", column), *ROWS[1:]])
    assert sources(tmp_path) == WANT


def test_a_manifest_without_a_source_column_is_said(tmp_path):
    two_classes(tmp_path)
    write(tmp_path, rows=[("file", "label", "origin"), *ROWS[1:]])
    said = []
    items, _, _ = discover(tmp_path, log=said.append)
    assert {i.source for i in items} == {""}
    assert len(said) == 1 and said[0].startswith(f"note: {tmp_path / 'MANIFEST.csv'} has no source column (source or "
                                                 "source_repo; its columns: file, label, origin)")


def test_a_quote_never_closed_is_named_not_read_as_the_rest_of_the_file(tmp_path):
    """Unclosed, it swallowed every row after it into one value: films silently lost their sources, or
    a large manifest failed with 'field larger than field limit' and no word of MANIFEST.csv."""
    two_classes(tmp_path)
    (tmp_path / "MANIFEST.csv").write_text('file,source\nCOVID/0.png,"site1\nCOVID/1.png,site2\n'
                                           + "".join(f"x/{k}.png,site3\n" for k in range(20_000)))
    with pytest.raises(DataError, match=r"MANIFEST.csv, line 2: .* a quote \(\"\) opened on this line or before is never closed"):
        discover(tmp_path)
    (tmp_path / "MANIFEST.csv").write_text('file,source\nCOVID/0.png,"site ""one"", north"\n')
    assert read_manifest(tmp_path)[1]["COVID/0.png"]["source"] == 'site "one", north'  # quoted as Excel quotes


def test_rows_that_disagree_paths_as_find_lists_them_and_empty_or_dangling_manifests(tmp_path, capsys):
    two_classes(tmp_path)
    write(tmp_path, rows=[*ROWS, ("COVID/0.png", "COVID", "site9"), ("COVID/1.png", "COVID", "Hôpital Nord")])
    assert sources(tmp_path) == WANT  # the first row holds; the same row twice is no disagreement
    assert "warning: 1 film has two or more rows in" in capsys.readouterr().err  # '1 films have' before
    write(tmp_path, rows=[ROWS[0], *[(f"./{f}", label, s) for f, label, s in ROWS[1:]]])
    assert sources(tmp_path) == WANT  # ./COVID/0.png, as `find .` writes it, matched nothing
    write(tmp_path, rows=[ROWS[0]])
    sources(tmp_path)
    assert "MANIFEST.csv has no rows (only its header)" in capsys.readouterr().err
    (tmp_path / "MANIFEST.csv").unlink()
    (tmp_path / "MANIFEST.csv").symlink_to(tmp_path / "gone.csv")
    with pytest.raises(DataError, match="MANIFEST.csv is a link to .*gone.csv, which does not exist"):
        discover(tmp_path)


def test_a_class_map_that_maps_one_folder_twice_is_refused():
    from train.class_names import parse_class_map

    with pytest.raises(ValueError, match="maps the folder healthy twice, to Normal and to COVID"):
        parse_class_map("Healthy=Normal,healthy=COVID")
    assert parse_class_map("Healthy=Normal,Healthy=Normal") == {"Healthy": "Normal"}


def test_an_image_outside_every_class_folder_is_said(tmp_path, capsys):
    two_classes(tmp_path)
    Image.fromarray(np.zeros((40, 40), np.uint8)).save(tmp_path / "stray.png")
    items, _, _ = discover(tmp_path)
    assert len(items) == 4  # no class: not used
    err = capsys.readouterr().err
    assert f"1 image file lies in {tmp_path} itself, outside any class folder (e.g. stray.png): not used" in err  # '1 image files lie' before


def test_two_films_whose_names_differ_only_in_case_or_unicode_form_keep_their_own_rows(tmp_path):
    """Rows were keyed by the case-folded NFC path: on Linux IM0.png and im0.png (or café.png composed and
    decomposed) are two films, and both took the first's row: the second row was dropped with a warning of rows
    that disagree, the per-source table showed one source, and --holdout-source of the other matched nothing."""
    import unicodedata

    from train.data import Item
    from train.film_sources import attach_sources

    names = {"IM0.png": "siteA", "im0.png": "siteB", unicodedata.normalize("NFC", "café.png"): "siteA",
             unicodedata.normalize("NFD", "café.png"): "siteB"}
    for cls in ("COVID", "Normal"):
        (tmp_path / cls).mkdir()
        for name in names:
            (tmp_path / cls / name).write_bytes(b"x")
    write(tmp_path, rows=[("file", "source")] + [(f"{cls}/{n}", site) for cls in ("COVID", "Normal") for n, site in names.items()])
    items = [Item(f"{cls}/{n}", cls) for cls in ("COVID", "Normal") for n in names]
    said: list[str] = []
    attach_sources(items, tmp_path, said.append)
    assert [i.source for i in items] == list(names.values()) * 2
    assert not [line for line in said if "disagree" in line or "no row" in line], said


def test_the_source_column_comes_before_source_repo(tmp_path):
    """Where MANIFEST.csv has both, `source` (the site) names a film's source; `source_repo` (where it was
    downloaded) only fills a blank one. Preferring source_repo changed per-source figures and what
    --holdout-source held out."""
    from train.data import Item
    from train.film_sources import attach_sources

    (tmp_path / "MANIFEST.csv").write_text("file,source_repo,source\nCOVID/a.png,github.com/x,hannover\n"
                                           "COVID/b.png,github.com/x,\n")
    items = [Item("COVID/a.png", "COVID"), Item("COVID/b.png", "COVID")]
    attach_sources(items, tmp_path, lambda _: None)
    assert [i.source for i in items] == ["hannover", "github.com/x"]


def test_rows_written_as_absolute_paths_or_untidily_find_their_films(tmp_path):
    """`find $PWD -name '*.png'` writes /abs/DATA/COVID/0.png; COVID//1.png and Normal/../COVID/1.png are
    the same film. None matched: every film's source became (not given), with no word why."""
    data = tmp_path / "data"
    two_classes(data)
    (tmp_path / "link").symlink_to(data, target_is_directory=True)  # the folder by another name
    write(data, rows=[("file", "source"), (f"{data}/COVID/0.png", "site1"), ("Normal/../COVID//1.png", "Hôpital Nord"),
                      (f"{tmp_path}/link/Normal/0.png", "site1"), (f"/{data}/Normal/1.png", "site2")])
    said: list[str] = []
    items, _, _ = discover(data, log=said.append)
    assert {i.path: i.source for i in items} == WANT and said == []


def test_rows_that_match_no_film_say_what_their_paths_look_like(tmp_path):
    """Rows written on another machine (/home/alice/data/COVID/0.png), or with the folder's own name in
    front (data/COVID/0.png), matched no film: only 'N of the N films have no row' was said, and the
    rows themselves were never named (the strays are counted only in the class folders)."""
    data = tmp_path / "data"
    two_classes(data)
    films = [f"{label}/{k}.png" for label in ("COVID", "Normal") for k in range(2)]
    for written, why in [
            ("/home/alice/data/{}", "its rows are absolute paths (e.g. /home/alice/data/COVID/0.png), not in {d}: "
                                    "write them relative to {d} (e.g. COVID/0.png)"),
            ("data/{}", "its rows start with the folder's own name (e.g. data/COVID/0.png): write them relative to "
                        "{d}, without it (e.g. COVID/0.png)")]:
        write(data, rows=[("file", "source"), *[(written.format(f), "site1") for f in films]])
        said: list[str] = []
        items, _, _ = discover(data, log=said.append)
        assert {i.source for i in items} == {""}
        assert said[0] == (f"warning: none of the 4 rows of {data / 'MANIFEST.csv'} names a film found there: "
                           + why.format(d=data))
        assert said[1].startswith(f"warning: 4 of the 4 films in {data} have no row") and len(said) == 2


def test_one_film_without_a_row_or_with_a_blank_source_is_said_as_one(tmp_path):
    """'1 of the 3 films have no row ... so their source is' and '... have a row whose source is blank': one film
    said as many; two are still said as two."""
    from train.data import Item
    from train.film_sources import attach_sources

    (tmp_path / "MANIFEST.csv").write_text("file,source\nCOVID/a.png,hannover\nCOVID/b.png,\n")
    items = [Item(f"COVID/{n}.png", "COVID") for n in "abc"]
    said: list[str] = []
    attach_sources(items, tmp_path, said.append)
    assert any("1 of the 3 films in" in s and "has no row in its MANIFEST.csv (e.g. COVID/c.png), so its source is"
               in s and "match its file name only" in s for s in said), said
    assert any("1 of the 3 films in" in s and "has a row in its MANIFEST.csv whose source is blank (e.g. COVID/b.png), "
               "so its source is" in s for s in said), said
    items = [Item(f"COVID/{n}.png", "COVID") for n in "abcd"]
    said.clear()
    attach_sources(items, tmp_path, said.append)
    assert any("2 of the 4 films in" in s and "have no row" in s and "so their source is" in s for s in said), said
