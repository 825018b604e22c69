"""train.label_spellings pinned by hand mutants the other filing tests let live: labels told apart only by Unicode
composition, spaces or a case fold beyond lower() (ß, SS) are filed in one class folder, the first row's spelling."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into

PAIRS = [("Caf\u00e9", "Cafe\u0301"), ("Ground Glass", "groundglass"), ("Stra\u00dfe", "STRASSE")]


def test_labels_spelt_apart_only_by_composition_spaces_or_case_fold_share_one_folder(tmp_path, capsys):
    names = tuple(f"p{i}.png" for i in range(2 * len(PAIRS)))
    rows = "".join(f"{names[2 * i]},{a}\n{names[2 * i + 1]},{b}\n" for i, (a, b) in enumerate(PAIRS))
    sheet = export_sheet(tmp_path / "export", "filename,label\n" + rows, names)
    out = tmp_path / "out"
    file_into(sheet, out, capsys)
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == sorted(a for a, _ in PAIRS), folders
