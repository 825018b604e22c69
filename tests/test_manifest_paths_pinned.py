"""train.manifest_paths pinned where a change would match a MANIFEST.csv row to the wrong film (found by hand mutation
testing: each test here failed with one small change to row_name or Inside, which tests/test_manifest*.py let through)."""

from __future__ import annotations

from train.manifest_paths import Inside, row_name


def test_an_absolute_row_in_a_sibling_folder_whose_name_starts_as_the_data_folders_is_not_inside(tmp_path):
    """data2/COVID/a.png is not data/'2/COVID/a.png': only a whole folder name of the prefix counts."""
    (tmp_path / "data" / "COVID").mkdir(parents=True)
    (tmp_path / "data2" / "COVID").mkdir(parents=True)
    inside = Inside(tmp_path / "data")
    assert row_name(f"{tmp_path}/data/COVID/a.png", inside) == "COVID/a.png"
    assert row_name(f"{tmp_path}/data2/COVID/a.png", inside) == f"{tmp_path}/data2/COVID/a.png"


def test_a_row_of_the_folder_itself_names_no_film():
    assert row_name("./") == "" and row_name(".") == "" and row_name("") == ""
    assert row_name("//COVID/a.png") == "/COVID/a.png"  # normpath keeps two leading slashes


def test_rows_that_name_no_film_are_said_by_their_shape(tmp_path):
    """unlike_films: the folder's own name in front (any case), an absolute path (a Windows drive too), a path
    leading up; a row of the folder's name alone is no such thing; and nothing said where the rows were said already."""
    from train.manifest_paths import unlike_films

    data = tmp_path / "data"
    data.mkdir()
    said = lambda *rows, **kw: unlike_films(list(rows), data, "COVID/a.png", **kw)  # noqa: E731
    assert said("Data/COVID/a.png").startswith("its rows start with the folder's own name (e.g. Data/COVID/a.png)")
    assert said("C:/films/a.png").startswith("its rows are absolute paths (e.g. C:/films/a.png)")
    assert said("..").startswith("its rows lead out of")
    assert said("data").startswith("its rows name paths such as data,")
    assert said("x/y.png", said=True) is None and said("x/y.png").startswith("its rows name paths such as x/y.png")
